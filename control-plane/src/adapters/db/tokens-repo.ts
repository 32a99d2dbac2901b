import { randomUUID, timingSafeEqual } from "node:crypto";
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
    const hash = tokenHash(token);
    const r = await this.db.read(
      "SELECT id, role, name, token_hash FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL",
      [hash],
    );
    const row = r.rows[0];
    // The lookup is by a hash the caller cannot steer; the final comparison is constant-time all the same.
    if (!row || !timingSafeEqual(Buffer.from(String(row.token_hash)), Buffer.from(hash))) return undefined;
    return { id: String(row.id), role: String(row.role) as Role, name: String(row.name) };
  }
}
