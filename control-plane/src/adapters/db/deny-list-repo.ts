import { randomUUID } from "node:crypto";
import type { Database } from "@gatehouse/shared/db";
import { type DenyField, normalize } from "../../domain/deny-list.js";
import { type Actor, auditStatement } from "./audit.js";

export interface DenyListEntry {
  id: string;
  field: DenyField;
  value: string;
  reason: string;
  createdBy: string;
  createdAt: string;
}

export class DenyListRepo {
  constructor(private readonly db: Database) {}

  async list(): Promise<DenyListEntry[]> {
    const r = await this.db.read("SELECT * FROM deny_list ORDER BY created_at DESC, id LIMIT 10000");
    return r.rows.map((row) => ({
      id: String(row.id),
      field: String(row.field) as DenyField,
      value: String(row.value),
      reason: String(row.reason),
      createdBy: String(row.created_by),
      createdAt: String(row.created_at),
    }));
  }

  async add(
    e: { field: DenyField; value: string; reason: string },
    actor: Actor,
  ): Promise<DenyListEntry | "exists"> {
    return this.db.exclusive(async () => {
      const normalized = normalize(e.field, e.value);
      const seen = await this.db.read("SELECT 1 FROM deny_list WHERE field = ? AND normalized = ?", [
        e.field,
        normalized,
      ]);
      if (seen.rows.length > 0) return "exists";
      const entry: DenyListEntry = {
        id: randomUUID(),
        ...e,
        createdBy: actor.name,
        createdAt: new Date().toISOString(),
      };
      await this.db.writeNow([
        {
          sql: "INSERT INTO deny_list (id, field, value, normalized, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
          args: [entry.id, e.field, e.value, normalized, e.reason, actor.name, entry.createdAt],
        },
        auditStatement({
          actor,
          action: "deny_list.add",
          entity: "deny_list",
          entityId: entry.id,
          after: entry,
        }),
      ]);
      return entry;
    });
  }

  async remove(id: string, actor: Actor): Promise<boolean> {
    return this.db.exclusive(async () => {
      const r = await this.db.read("SELECT * FROM deny_list WHERE id = ?", [id]);
      const row = r.rows[0];
      if (!row) return false;
      await this.db.writeNow([
        { sql: "DELETE FROM deny_list WHERE id = ?", args: [id] },
        auditStatement({
          actor,
          action: "deny_list.remove",
          entity: "deny_list",
          entityId: id,
          before: { field: row.field, value: row.value, reason: row.reason },
        }),
      ]);
      return true;
    });
  }
}
