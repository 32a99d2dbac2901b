import { randomUUID } from "node:crypto";
import type { Database } from "@gatehouse/shared/db";
import { newToken, tokenHash } from "../secrets.js";

export type Role = "admin" | "operator" | "viewer";
export const ROLES: Role[] = ["admin", "operator", "viewer"];

export class TokensRepo {
  constructor(private readonly db: Database) {}

  /** Returns the token once; only its hash is stored. */
  async create(role: Role, name: string, token = newToken("gh")): Promise<string> {
    await this.db.write([
      {
        sql: "INSERT INTO api_tokens (id, name, role, token_hash, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (token_hash) DO NOTHING",
        args: [randomUUID(), name, role, tokenHash(token), new Date().toISOString()],
      },
    ]);
    return token;
  }

  async verify(token: string): Promise<{ id: string; role: Role; name: string } | undefined> {
    const r = await this.db.read(
      "SELECT id, role, name FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL",
      [tokenHash(token)],
    );
    const row = r.rows[0];
    return row ? { id: String(row.id), role: String(row.role) as Role, name: String(row.name) } : undefined;
  }
}
