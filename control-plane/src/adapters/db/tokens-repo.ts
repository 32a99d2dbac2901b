import { randomUUID, timingSafeEqual } from "node:crypto";
import type { Database } from "@gatehouse/shared/db";
import type { Row } from "@libsql/client";
import { newToken, tokenHash } from "../secrets.js";
import { type Actor, auditStatement } from "./audit.js";

export type Role = "admin" | "operator" | "viewer";
export const ROLES: Role[] = ["admin", "operator", "viewer"];

/** A token as admins see it: never the token itself, which is shown once when it is made. */
export interface TokenRecord {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** The MQTT username of the token's consumer login on a Mosquitto that Gatehouse manages. */
  mqttUsername: string;
}

/** A consumer's MQTT login on a managed Mosquitto: the token is its password. */
export const consumerUsername = (tokenId: string) => `consumer-${tokenId}`;

const s = (v: unknown) => (v === null || v === undefined ? null : String(v));
const toToken = (r: Row): TokenRecord => ({
  id: String(r.id),
  name: String(r.name),
  role: String(r.role) as Role,
  createdAt: String(r.created_at),
  expiresAt: s(r.expires_at),
  lastUsedAt: s(r.last_used_at),
  revokedAt: s(r.revoked_at),
  mqttUsername: consumerUsername(String(r.id)),
});

/** Last use is written at most this often per token: a busy token must not turn every request into a write. */
const TOUCH_MS = 60_000;

export class TokensRepo {
  private readonly touched = new Map<string, number>();

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

  /**
   * A new token for an admin's request, audited: the record and the token, shown this once. `beforeStore`
   * (the broker's consumer login) runs first; if it throws, nothing is stored.
   */
  async issue(
    t: { role: Role; name: string; expiresAt?: string | undefined },
    actor: Actor,
    beforeStore: (made: TokenRecord & { token: string }) => Promise<void> = async () => {},
  ): Promise<TokenRecord & { token: string }> {
    const token = newToken("gh");
    const id = randomUUID();
    const now = new Date().toISOString();
    const record: TokenRecord = {
      id,
      name: t.name,
      role: t.role,
      createdAt: now,
      expiresAt: t.expiresAt ?? null,
      lastUsedAt: null,
      revokedAt: null,
      mqttUsername: consumerUsername(id),
    };
    await beforeStore({ ...record, token });
    await this.db.write([
      {
        sql: "INSERT INTO api_tokens (id, name, role, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
        args: [id, t.name, t.role, tokenHash(token), now, record.expiresAt],
      },
      auditStatement({
        actor,
        action: "token.create",
        entity: "token",
        entityId: id,
        after: record,
        at: now,
      }),
    ]);
    return { ...record, token };
  }

  async list(): Promise<TokenRecord[]> {
    const r = await this.db.read("SELECT * FROM api_tokens ORDER BY created_at DESC, id");
    return r.rows.map(toToken);
  }

  async get(id: string): Promise<TokenRecord | undefined> {
    const r = await this.db.read("SELECT * FROM api_tokens WHERE id = ?", [id]);
    return r.rows[0] ? toToken(r.rows[0]) : undefined;
  }

  /** Revokes a token, audited; undefined when there is no such token. Revoking twice keeps the first time. */
  async revoke(id: string, actor: Actor): Promise<TokenRecord | undefined> {
    return this.db.exclusive(async () => {
      const before = await this.get(id);
      if (!before) return undefined;
      if (before.revokedAt) return before;
      const now = new Date().toISOString();
      await this.db.writeNow([
        { sql: "UPDATE api_tokens SET revoked_at = ? WHERE id = ?", args: [now, id] },
        auditStatement({
          actor,
          action: "token.revoke",
          entity: "token",
          entityId: id,
          before,
          after: { ...before, revokedAt: now },
          at: now,
        }),
      ]);
      return { ...before, revokedAt: now };
    });
  }

  /**
   * Tokens that stopped being good in (since, until]: revoked (here or by another instance on the same
   * database) or expired. Their live connections end as the revoking instance's do.
   */
  async endedBetween(since: string, until: string): Promise<string[]> {
    const r = await this.db.read(
      `SELECT id FROM api_tokens
        WHERE (revoked_at > ?1 AND revoked_at <= ?2) OR (revoked_at IS NULL AND expires_at > ?1 AND expires_at <= ?2)`,
      [since, until],
    );
    return r.rows.map((row) => String(row.id));
  }

  async verify(
    token: string,
    now = new Date(),
  ): Promise<{ id: string; role: Role; name: string } | undefined> {
    const hash = tokenHash(token);
    const r = await this.db.read(
      `SELECT id, role, name, token_hash FROM api_tokens
        WHERE token_hash = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`,
      [hash, now.toISOString()],
    );
    const row = r.rows[0];
    // The lookup is by a hash the caller cannot steer; the final comparison is constant-time all the same.
    if (!row || !timingSafeEqual(Buffer.from(String(row.token_hash)), Buffer.from(hash))) return undefined;
    const id = String(row.id);
    this.touch(id, now);
    return { id, role: String(row.role) as Role, name: String(row.name) };
  }

  /** Records a use (at most once a minute per token, and never waited for by the request). */
  private touch(id: string, now: Date): void {
    const last = this.touched.get(id) ?? 0;
    if (now.getTime() - last < TOUCH_MS) return;
    this.touched.set(id, now.getTime());
    this.db
      .write([{ sql: "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", args: [now.toISOString(), id] }])
      .catch(() => this.touched.delete(id));
  }
}
