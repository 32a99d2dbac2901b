import { randomBytes } from "node:crypto";
import type { Database } from "@gatehouse/shared/db";

/** The agent's small facts by key: the applied watermark, event cursors, the subscription it made. */
export class MetaStore {
  constructor(private readonly db: Database) {}

  async get(key: string): Promise<string | undefined> {
    const r = await this.db.read("SELECT value FROM meta WHERE key = ?", [key]);
    return r.rows[0] ? String(r.rows[0].value) : undefined;
  }

  async set(key: string, value: string): Promise<void> {
    await this.db.write([
      {
        sql: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        args: [key, value],
      },
    ]);
  }

  async delete(key: string): Promise<void> {
    await this.db.write([{ sql: "DELETE FROM meta WHERE key = ?", args: [key] }]);
  }

  /** The secret the event push paths carry: made once, kept across restarts (HikCentral keeps the URL). */
  async eventToken(): Promise<string> {
    const held = await this.get("event_token");
    if (held) return held;
    const made = randomBytes(18).toString("base64url");
    await this.set("event_token", made);
    return made;
  }

  /** The highest seq up to which every command is done. */
  async lastAppliedSeq(): Promise<number> {
    return Number((await this.get("last_applied_seq")) ?? 0);
  }
}
