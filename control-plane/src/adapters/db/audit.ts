import { randomUUID } from "node:crypto";
import type { Database } from "@gatehouse/shared/db";
import type { InStatement } from "@libsql/client";
import { keysetPage, type Page } from "./keyset-page.js";

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
  entity: "visit" | "site" | "event" | "deny_list" | "command" | "import" | "token";
  entityId: string;
  site?: string | null | undefined;
  before?: unknown;
  after?: unknown;
  at?: string | undefined;
}

/** The audit row for a change, to be written in the same batch as the change itself. */
export function auditStatement(e: AuditEntry & { id?: string }): InStatement {
  return {
    sql: `INSERT OR IGNORE INTO audit (id, at, actor, actor_token_id, action, entity, entity_id, site_id, before, after)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    args: [
      e.id ?? randomUUID(),
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
  }): Promise<Page<AuditRecord> | "bad_cursor"> {
    return keysetPage(this.db, {
      table: "audit",
      orderBy: "at",
      filters: [
        f.entity && { sql: "entity = ?", args: [f.entity] },
        f.entityId && { sql: "entity_id = ?", args: [f.entityId] },
        f.actor && { sql: "actor = ?", args: [f.actor] },
        f.site && { sql: "site_id = ?", args: [f.site] },
        f.since && { sql: "at >= ?", args: [f.since] },
      ],
      limit: f.limit,
      cursor: f.cursor,
      map: (row) => ({
        id: String(row.id),
        at: String(row.at),
        actor: String(row.actor),
        action: String(row.action),
        entity: String(row.entity),
        entityId: String(row.entity_id),
        site: row.site_id === null ? null : String(row.site_id),
        before: row.before === null ? null : (JSON.parse(String(row.before)) as unknown),
        after: row.after === null ? null : (JSON.parse(String(row.after)) as unknown),
      }),
      key: (a) => [a.at, a.id],
    });
  }
}
