import { type Ack, type AgentReport, type Passage, type TerminalAlarm, topics } from "@gatehouse/shared";
import { type Database, deleteInBatches } from "@gatehouse/shared/db";
import type { InStatement } from "@libsql/client";

export interface OutboxRow {
  id: number;
  topic: string;
  payload: string;
}

/** The statement that queues one message: callers add it to the batch of the change that causes it. */
export const outboxStatement = (topic: string, payload: unknown, now: string): InStatement =>
  outboxText(topic, JSON.stringify(payload), now);

const outboxText = (topic: string, text: string, now: string): InStatement => ({
  sql: "INSERT INTO outbox (topic, payload, created_at) VALUES (?, ?, ?)",
  args: [topic, text, now],
});

export const ackStatement = (a: Ack, now: string) => outboxStatement(topics.acks(a.site), a, now);

/**
 * What the agent must tell the control plane, kept until the control plane has it: acks, passages, alarms and
 * reports, in the order they were queued; and the identities of events already taken in (`seen_passages`),
 * so that an event that arrives twice is queued once.
 */
export class OutboxStore {
  constructor(
    private readonly db: Database,
    private readonly site: string,
  ) {}

  /** Queues an ack that is not tied to a stored command (rejections, expiries of unknown commands). */
  async queueAck(a: Ack): Promise<void> {
    await this.db.write([ackStatement(a, new Date().toISOString())]);
  }

  reportStatement(report: AgentReport): InStatement {
    return outboxStatement(topics.reports(this.site), report, new Date().toISOString());
  }

  async queueReport(report: AgentReport): Promise<void> {
    await this.db.write([this.reportStatement(report)]);
  }

  /**
   * Queues passages not seen before (by their HikCentral identity) in one batch; returns those that were new,
   * once they are durable. `written` is told the new rows as soon as they are written, with a promise of
   * their durability: the relay may send them while the commit waits for the disk.
   */
  async recordPassages(
    passages: Passage[],
    written?: (rows: OutboxRow[], durable: Promise<void>) => void,
  ): Promise<Passage[]> {
    if (passages.length === 0) return [];
    const now = new Date().toISOString();
    let settle!: { resolve(): void; reject(e: unknown): void };
    const durable = new Promise<void>((resolve, reject) => {
      settle = { resolve, reject };
    });
    // Observed by whoever `written` gives it to; not a failure of its own.
    durable.catch(() => {});
    const stored = this.db.exclusive(async () => {
      const ids = passages.map((p) => p.id);
      const seen = await this.db.read(
        `SELECT id FROM seen_passages WHERE id IN (${ids.map(() => "?").join(",")})`,
        ids,
      );
      const known = new Set(seen.rows.map((r) => String(r.id)));
      const fresh: Passage[] = [];
      for (const p of passages) {
        if (known.has(p.id)) continue;
        known.add(p.id);
        fresh.push(p);
      }
      if (fresh.length === 0) return [];
      const topic = topics.passageEvents(this.site);
      const payloads = fresh.map((p) => JSON.stringify(p));
      const results = await this.db.writeNow(
        fresh.flatMap((p, i) => [
          { sql: "INSERT INTO seen_passages (id, occurred_at) VALUES (?, ?)", args: [p.id, p.occurredAt] },
          outboxText(topic, payloads[i]!, now),
        ]),
      );
      written?.(
        payloads.map((payload, i) => ({ id: Number(results[2 * i + 1]!.lastInsertRowid), topic, payload })),
        durable,
      );
      return fresh;
    });
    stored.then(() => settle.resolve(), settle.reject);
    return stored;
  }

  /** Queues a turnstile alarm unless its event was taken in before (the stream replays its log). */
  async recordAlarm(a: TerminalAlarm): Promise<boolean> {
    return this.db.exclusive(async () => {
      const seen = await this.db.read("SELECT 1 FROM seen_passages WHERE id = ?", [a.id]);
      if (seen.rows.length > 0) return false;
      await this.db.writeNow([
        { sql: "INSERT INTO seen_passages (id, occurred_at) VALUES (?, ?)", args: [a.id, a.occurredAt] },
        outboxStatement(topics.alarms(this.site), a, new Date().toISOString()),
      ]);
      return true;
    });
  }

  /** The ids of `ids` not taken in before. */
  async unseen(ids: string[]): Promise<Set<string>> {
    const out = new Set(ids);
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const r = await this.db.read(
        `SELECT id FROM seen_passages WHERE id IN (${chunk.map(() => "?").join(",")})`,
        chunk,
      );
      for (const row of r.rows) out.delete(String(row.id));
    }
    return out;
  }

  /**
   * Forgets event identities older than this: HikCentral does not send an event again that late. In batches:
   * an hour of a busy site's passages is too many rows for one statement on the event loop.
   */
  pruneSeen(before: Date): Promise<number> {
    return deleteInBatches(this.db, "seen_passages", "occurred_at < ?", [before.toISOString()]);
  }

  /** The oldest `limit` rows after `afterId` (ids only grow: the table is AUTOINCREMENT). */
  async take(limit: number, afterId = 0): Promise<OutboxRow[]> {
    const r = await this.db.read("SELECT id, topic, payload FROM outbox WHERE id > ? ORDER BY id LIMIT ?", [
      afterId,
      limit,
    ]);
    return r.rows.map((row) => ({
      id: Number(row.id),
      topic: String(row.topic),
      payload: String(row.payload),
    }));
  }

  /** Deletes the rows in one transaction (statements of at most 500 ids). */
  async delete(ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    const stmts = [];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      stmts.push({ sql: `DELETE FROM outbox WHERE id IN (${chunk.map(() => "?").join(",")})`, args: chunk });
    }
    await this.db.write(stmts);
  }

  async depth(): Promise<number> {
    return Number((await this.db.read("SELECT count(*) AS n FROM outbox")).rows[0]?.n ?? 0);
  }
}
