import type { Ack, Command, CommandRef } from "@gatehouse/shared";
import { type Database, deleteInBatches } from "@gatehouse/shared/db";
import type { InStatement, Row } from "@libsql/client";
import { commandLane, type PersonChange } from "../../domain/replica.js";
import type { MetaStore } from "./meta-store.js";
import { ackStatement } from "./outbox-store.js";
import { personStatements } from "./replica-store.js";

/** A command waiting in the inbox, without its body (which may hold a photo). */
export interface PendingCommand {
  id: string;
  seq: number;
  /** Whose commands run one at a time (`person:<code>`, `door:<id>`); null: runs alone (sync). */
  lane: string | null;
  attempts: number;
  /** A retryable failure waits until then (ms since the epoch). */
  nextAttemptAt: number | undefined;
  /** Rows from the watermark up to this one, this one included: the seq is next in line iff seq = watermark + n. */
  n: number;
}

export type StoreResult = "stored" | "duplicate" | "seq_conflict" | "replay";

/**
 * Moves the watermark (`last_applied_seq`) over every finished command right above it: with commands of
 * different persons finishing in any order, it is the highest seq up to which everything is done.
 */
const ADVANCE_WATERMARK = {
  sql: `INSERT INTO meta (key, value)
        SELECT 'last_applied_seq', CAST(max(s) AS TEXT) FROM (
          WITH RECURSIVE w(s) AS (
            SELECT coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'last_applied_seq'), 0)
            UNION ALL
            SELECT w.s + 1 FROM w JOIN inbox i ON i.seq = w.s + 1 AND i.status <> 'pending'
          ) SELECT s FROM w)
        WHERE true
        ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  args: [],
};

/** A command body without its face photo, which is HikCentral's to keep, not the agent's. */
function withoutPhoto(body: unknown): unknown {
  const payload = (body as { payload?: { face?: unknown } } | null)?.payload;
  if (typeof payload !== "object" || payload === null || !("face" in payload)) return body;
  const { face: _dropped, ...rest } = payload;
  return { ...(body as object), payload: rest };
}

/**
 * The inbox: every verified command by id and seq, until it is finished and below the watermark. A command's
 * finish — its status, its ack, the replica row it changed, the watermark — is one write (`finish`).
 */
export class InboxStore {
  constructor(
    private readonly db: Database,
    private readonly meta: MetaStore,
  ) {}

  /** Why a command cannot be stored (a re-send, a replay, a taken seq), or undefined. Under the write lock. */
  private async refusal(id: string, seq: number): Promise<Exclude<StoreResult, "stored"> | undefined> {
    const existing = await this.db.read("SELECT id FROM inbox WHERE id = ? OR seq = ?", [id, seq]);
    if (existing.rows.some((r) => String(r.id) === id)) return "duplicate";
    if (seq <= (await this.meta.lastAppliedSeq())) return "replay";
    if (existing.rows.length > 0) return "seq_conflict";
    return undefined;
  }

  /**
   * Stores a verified command with its `received` ack, unless its id is known already (a re-send), its seq is
   * at or below the last applied one (a replay), or a waiting command holds its seq (a conflict).
   */
  async store(cmd: Command, received: Ack): Promise<StoreResult> {
    const now = new Date().toISOString();
    return this.db.exclusive(async () => {
      const refused = await this.refusal(cmd.id, cmd.seq);
      if (refused) return refused;
      await this.db.writeNow([
        {
          sql: "INSERT INTO inbox (id, seq, type, lane, body, received_at) VALUES (?, ?, ?, ?, ?, ?)",
          args: [cmd.id, cmd.seq, cmd.type, commandLane(cmd), JSON.stringify(cmd), now],
        },
        ackStatement(received, now),
      ]);
      return "stored";
    });
  }

  /**
   * Stores a signed command that is finished on arrival — one the agent cannot parse (failed), or a skip —
   * with its final ack, and moves the watermark over its seq: nothing waits behind it. The same checks as
   * `store` come first, so a re-send is answered with the same ack and a replay is refused.
   */
  async storeFinished(ref: CommandRef, body: unknown, final: Ack): Promise<StoreResult> {
    const now = new Date().toISOString();
    return this.db.exclusive(async () => {
      const refused = await this.refusal(ref.id, ref.seq);
      if (refused) return refused;
      await this.db.writeNow([
        {
          sql: `INSERT INTO inbox (id, seq, type, lane, body, received_at, status, finished_at, last_error, final_ack)
                VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?)`,
          args: [
            ref.id,
            ref.seq,
            ref.type ?? "unknown",
            JSON.stringify(withoutPhoto(body)),
            now,
            final.status,
            now,
            final.reason?.message ?? null,
            JSON.stringify(final),
          ],
        },
        ackStatement(final, now),
        ADVANCE_WATERMARK,
      ]);
      return "stored";
    });
  }

  /** The ack a finished command was answered with, to repeat when the command is delivered again. */
  async finalAck(id: string): Promise<Ack | undefined> {
    const r = await this.db.read("SELECT final_ack FROM inbox WHERE id = ? AND final_ack IS NOT NULL", [id]);
    const row = r.rows[0];
    return row ? (JSON.parse(String(row.final_ack)) as Ack) : undefined;
  }

  /**
   * Pending commands in seq order, each with its place above the watermark `w`, so the caller sees whether
   * every command before it has arrived.
   */
  async pending(w: number, limit: number): Promise<PendingCommand[]> {
    const toPending = (row: Row, n: number): PendingCommand => ({
      id: String(row.id),
      seq: Number(row.seq),
      lane: row.lane === null ? null : String(row.lane),
      attempts: Number(row.attempts),
      nextAttemptAt: row.next_attempt_at === null ? undefined : Date.parse(String(row.next_attempt_at)),
      n,
    });
    // The usual case, without numbering the whole queue on every pass (that made a queue of 10,000 grants
    // quadratic): when the seqs from w+1 to the last pending one read have all arrived, each one's place is
    // seq − w. Both reads walk an index.
    const r = await this.db.read(
      `SELECT id, seq, lane, attempts, next_attempt_at FROM inbox
        WHERE status = 'pending' AND seq > ? ORDER BY seq LIMIT ?`,
      [w, limit],
    );
    if (r.rows.length === 0) return [];
    const last = Number(r.rows[r.rows.length - 1]!.seq);
    const arrived = await this.db.read("SELECT count(*) AS n FROM inbox WHERE seq > ? AND seq <= ?", [
      w,
      last,
    ]);
    if (Number(arrived.rows[0]!.n) === last - w)
      return r.rows.map((row) => toPending(row, Number(row.seq) - w));
    // A gap: number the rows above the watermark to see where it is.
    const numbered = await this.db.read(
      `SELECT id, seq, lane, attempts, next_attempt_at, n FROM (
         SELECT id, seq, lane, status, attempts, next_attempt_at, row_number() OVER (ORDER BY seq) AS n
           FROM inbox WHERE seq > ?)
        WHERE status = 'pending' ORDER BY seq LIMIT ?`,
      [w, limit],
    );
    return numbered.rows.map((row) => toPending(row, Number(row.n)));
  }

  /** The first run of seqs above the watermark that never arrived, if a later command has. */
  async firstGap(): Promise<{ fromSeq: number; toSeq: number } | undefined> {
    const w = await this.meta.lastAppliedSeq();
    const r = await this.db.read(
      `SELECT seq, n FROM (SELECT seq, row_number() OVER (ORDER BY seq) AS n FROM inbox WHERE seq > ?)
        WHERE seq <> ? + n ORDER BY seq LIMIT 1`,
      [w, w],
    );
    const row = r.rows[0];
    if (!row) return undefined;
    return { fromSeq: w + Number(row.n), toSeq: Number(row.seq) - 1 };
  }

  async command(id: string): Promise<Command | undefined> {
    const r = await this.db.read("SELECT body FROM inbox WHERE id = ? AND status = 'pending'", [id]);
    const row = r.rows[0];
    return row ? (JSON.parse(String(row.body)) as Command) : undefined;
  }

  async pendingCount(): Promise<number> {
    const r = await this.db.read("SELECT count(*) AS n FROM inbox WHERE status = 'pending'");
    return Number(r.rows[0]?.n ?? 0);
  }

  /** A retryable failure: the command waits until `retryAt`, also across a restart. */
  async noteAttempt(id: string, error: string, retryAt: Date): Promise<void> {
    await this.db.write([
      {
        sql: "UPDATE inbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
        args: [error, retryAt.toISOString(), id],
      },
    ]);
  }

  /**
   * Records a command's final result, advances the applied sequence, updates the replica and queues the ack,
   * all at once: a crash leaves either none of it or all of it.
   */
  async finish(cmd: Command, final: Ack, person?: PersonChange): Promise<void> {
    const now = new Date().toISOString();
    const stmts: InStatement[] = [
      {
        // The guest's photo is HikCentral's to keep once the command is done, not the agent's.
        sql: "UPDATE inbox SET status = ?, finished_at = ?, last_error = ?, final_ack = ?, body = json_remove(body, '$.payload.face.jpegBase64') WHERE id = ?",
        args: [final.status, now, final.reason?.message ?? null, JSON.stringify(final), cmd.id],
      },
      ackStatement(final, now),
    ];
    if (person) stmts.push(...personStatements(person, cmd.seq, now));
    stmts.push(ADVANCE_WATERMARK);
    await this.db.write(stmts);
  }

  /** Forgets finished commands older than `before` below the watermark, in batches (a command may hold a photo). */
  prune(before: Date): Promise<number> {
    return deleteInBatches(
      this.db,
      "inbox",
      `status <> 'pending' AND finished_at < ?
         AND seq <= coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'last_applied_seq'), 0)`,
      [before.toISOString()],
      10,
    );
  }
}
