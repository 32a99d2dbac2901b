import { randomUUID } from "node:crypto";
import type { Database } from "@gatehouse/shared/db";
import type { InStatement } from "@libsql/client";

/** Who made a change: an API token (by its name), or the system itself (`scheduler`, `agent`, `cli`). */
export interface Actor {
  name: string;
  tokenId: string | null;
}

export const SYSTEM = {
  scheduler: { name: "scheduler", tokenId: null },
  agent: { name: "agent", tokenId: null },
  cli: { name: "cli", tokenId: null },
} satisfies Record<string, Actor>;

export interface AuditEntry {
  actor: Actor;
  action: string;
  entity: "visit" | "site" | "event" | "deny_list" | "command" | "import";
  entityId: string;
  site?: string | null | undefined;
  before?: unknown;
  after?: unknown;
  at?: string | undefined;
}

/** The audit row for a change, to be written in the same batch as the change itself. */
export function auditStatement(e: AuditEntry): InStatement {
  return {
    sql: `INSERT INTO audit (id, at, actor, actor_token_id, action, entity, entity_id, site_id, before, after)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    args: [
      randomUUID(),
      e.at ?? new Date().toISOString(),
      e.actor.name,
      e.actor.tokenId,
      e.action,
      e.entity,
      e.entityId,
      e.site ?? null,
      e.before === undefined || e.before === null ? null : JSON.stringify(e.before),
      e.after === undefined || e.after === null ? null : JSON.stringify(e.after),
    ],
  };
}

export interface AuditRecord {
  id: string;
  at: string;
  actor: string;
  action: string;
  entity: string;
  entityId: string;
  site: string | null;
  before: unknown;
  after: unknown;
}

export class AuditRepo {
  constructor(private readonly db: Database) {}

  /** Newest first; the cursor is the last item's (at, id). */
  async list(f: {
    entity?: string;
    entityId?: string;
    actor?: string;
    site?: string;
    since?: string;
    limit: number;
    cursor?: string;
  }): Promise<{ items: AuditRecord[]; nextCursor: string | null } | "bad_cursor"> {
    const where: string[] = [];
    const args: string[] = [];
    const add = (clause: string, value: string) => {
      where.push(clause);
      args.push(value);
    };
    if (f.entity) add("entity = ?", f.entity);
    if (f.entityId) add("entity_id = ?", f.entityId);
    if (f.actor) add("actor = ?", f.actor);
    if (f.site) add("site_id = ?", f.site);
    if (f.since) add("at >= ?", f.since);
    if (f.cursor) {
      const c = decodeCursor(f.cursor);
      if (!c) return "bad_cursor";
      where.push("(at < ? OR (at = ? AND id < ?))");
      args.push(c[0], c[0], c[1]);
    }
    const r = await this.db.read(
      `SELECT * FROM audit ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY at DESC, id DESC LIMIT ?`,
      [...args, f.limit + 1],
    );
    const items = r.rows.slice(0, f.limit).map((row) => ({
      id: String(row.id),
      at: String(row.at),
      actor: String(row.actor),
      action: String(row.action),
      entity: String(row.entity),
      entityId: String(row.entity_id),
      site: row.site_id === null ? null : String(row.site_id),
      before: row.before === null ? null : (JSON.parse(String(row.before)) as unknown),
      after: row.after === null ? null : (JSON.parse(String(row.after)) as unknown),
    }));
    const last = items.at(-1);
    return { items, nextCursor: r.rows.length > f.limit && last ? encodeCursor([last.at, last.id]) : null };
  }
}

export const encodeCursor = (parts: [string, string]) =>
  Buffer.from(JSON.stringify(parts)).toString("base64url");

export function decodeCursor(cursor: string): [string, string] | null {
  try {
    const v = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    return Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === "string")
      ? (v as [string, string])
      : null;
  } catch {
    return null;
  }
}
