import {
  type Ack,
  type AgentReport,
  type Command,
  type CommandRef,
  type Passage,
  type TerminalAlarm,
  topics,
} from "@gatehouse/shared";
import type { Database } from "@gatehouse/shared/db";
import type { InStatement, Row } from "@libsql/client";

/** A command body without its face photo, which is HikCentral's to keep, not the agent's. */
function withoutPhoto(body: unknown): unknown {
  const payload = (body as { payload?: { face?: unknown } } | null)?.payload;
  if (typeof payload !== "object" || payload === null || !("face" in payload)) return body;
  const { face: _dropped, ...rest } = payload;
  return { ...(body as object), payload: rest };
}

/** What a terminal should hold for one person (ISAPI mode). */
export interface TerminalState {
  state: "granted" | "revoked";
  name: string;
  validFrom: string;
  validUntil: string;
}

export interface TerminalBacklogItem {
  personCode: string;
  state: TerminalState;
  face: Buffer | undefined;
}

const toBacklogItem = (row: Record<string, unknown>): TerminalBacklogItem => ({
  personCode: String(row.person_code),
  state: JSON.parse(String(row.pending)) as TerminalState,
  face: row.pending_face ? Buffer.from(row.pending_face as ArrayBuffer) : undefined,
});

/** A change to one replica row: the desired state merged in, and what HikCentral holds. */
export interface PersonChange {
  personCode: string;
  visitId: string;
  personId: string | null;
  desired: unknown;
  /** The last error, when the change failed. */
  error?: string;
}

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

/** The lane of a command: commands in one lane are carried out one at a time, in seq order. */
export function commandLane(cmd: Command): string | null {
  if (cmd.type === "sync" || cmd.type === "skip") return null;
  if (cmd.type === "door") return `door:${cmd.payload.door}`;
  return `person:${cmd.payload.personCode}`;
}

/** One person of the replica: what the control plane wants, and what HikCentral is known to hold. */
export interface ReplicaPerson {
  personCode: string;
  visitId: string;
  personId: string | null;
  desired: DesiredPerson;
  appliedSeq: number | null;
  appliedAt: string | null;
  lastError: string | null;
  endedAt: string | null;
  checkedAt: string | null;
}

export interface DesiredPerson {
  state?: "granted" | "revoked" | "expired";
  kind?: string;
  givenName?: string;
  familyName?: string;
  groups?: string[];
  validFrom?: string;
  validUntil?: string;
  faceSha256?: string;
  reason?: string;
}

/** The name a terminal shows for a replica person (its personCode when the replica has no name). */
export function displayName(desired: DesiredPerson | undefined, personCode: string): string {
  return `${desired?.givenName ?? ""} ${desired?.familyName ?? ""}`.trim() || personCode;
}

/** The replica keeps instants in UTC, so that they compare as text. */
export const utcInstant = (t: string) => new Date(t).toISOString();

const toReplica = (row: Record<string, unknown>): ReplicaPerson => ({
  personCode: String(row.person_code),
  visitId: String(row.visit_id),
  personId: row.person_id === null ? null : String(row.person_id),
  desired: JSON.parse(String(row.desired)) as DesiredPerson,
  appliedSeq: row.applied_seq === null ? null : Number(row.applied_seq),
  appliedAt: row.applied_at === null ? null : String(row.applied_at),
  lastError: row.last_error === null ? null : String(row.last_error),
  endedAt: row.ended_at === null ? null : String(row.ended_at),
  checkedAt: row.checked_at === null ? null : String(row.checked_at),
});

export interface OutboxRow {
  id: number;
  topic: string;
  payload: string;
}

export interface PersonRow {
  personCode: string;
  visitId: string;
  personId: string | null;
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

const ack = (a: Ack, now: string) => ({
  sql: "INSERT INTO outbox (topic, payload, created_at) VALUES (?, ?, ?)",
  args: [topics.acks(a.site), JSON.stringify(a), now],
});

/** The agent's durable state. Every change and the messages it causes are written in one batch. */
export class AgentStore {
  constructor(
    private readonly db: Database,
    private readonly site: string,
  ) {}

  async getMeta(key: string): Promise<string | undefined> {
    const r = await this.db.read("SELECT value FROM meta WHERE key = ?", [key]);
    return r.rows[0] ? String(r.rows[0].value) : undefined;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.db.write([
      {
        sql: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        args: [key, value],
      },
    ]);
  }

  async deleteMeta(key: string): Promise<void> {
    await this.db.write([{ sql: "DELETE FROM meta WHERE key = ?", args: [key] }]);
  }

  async lastAppliedSeq(): Promise<number> {
    return Number((await this.getMeta("last_applied_seq")) ?? 0);
  }

  /**
   * Stores a verified command with its `received` ack, unless its id is known already (a re-send), its seq is
   * at or below the last applied one (a replay), or a waiting command holds its seq (a conflict).
   */
  async storeCommand(cmd: Command, received: Ack): Promise<StoreResult> {
    const now = new Date().toISOString();
    return this.db.exclusive(async () => {
      const existing = await this.db.read("SELECT id FROM inbox WHERE id = ? OR seq = ?", [cmd.id, cmd.seq]);
      if (existing.rows.some((r) => String(r.id) === cmd.id)) return "duplicate";
      if (cmd.seq <= (await this.lastAppliedSeq())) return "replay";
      if (existing.rows.length > 0) return "seq_conflict";
      await this.db.writeNow([
        {
          sql: "INSERT INTO inbox (id, seq, type, lane, body, received_at) VALUES (?, ?, ?, ?, ?, ?)",
          args: [cmd.id, cmd.seq, cmd.type, commandLane(cmd), JSON.stringify(cmd), now],
        },
        ack(received, now),
      ]);
      return "stored";
    });
  }

  /**
   * Stores a signed command that is finished on arrival — one the agent cannot parse (failed), or a skip —
   * with its final ack, and moves the watermark over its seq: nothing waits behind it. The same checks as
   * `storeCommand` come first, so a re-send is answered with the same ack and a replay is refused.
   */
  async storeFinished(ref: CommandRef, body: unknown, final: Ack): Promise<StoreResult> {
    const now = new Date().toISOString();
    return this.db.exclusive(async () => {
      const existing = await this.db.read("SELECT id FROM inbox WHERE id = ? OR seq = ?", [ref.id, ref.seq]);
      if (existing.rows.some((r) => String(r.id) === ref.id)) return "duplicate";
      if (ref.seq <= (await this.lastAppliedSeq())) return "replay";
      if (existing.rows.length > 0) return "seq_conflict";
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
        ack(final, now),
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
    const w = await this.lastAppliedSeq();
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
  async finishCommand(
    cmd: Command,
    final: Ack,
    person?: {
      personCode: string;
      visitId: string;
      personId: string | null;
      desired: unknown;
      error?: string;
    },
  ): Promise<void> {
    const now = new Date().toISOString();
    const stmts: InStatement[] = [
      {
        // The guest's photo is HikCentral's to keep once the command is done, not the agent's.
        sql: "UPDATE inbox SET status = ?, finished_at = ?, last_error = ?, final_ack = ?, body = json_remove(body, '$.payload.face.jpegBase64') WHERE id = ?",
        args: [final.status, now, final.reason?.message ?? null, JSON.stringify(final), cmd.id],
      },
      ack(final, now),
    ];
    if (person) stmts.push(...this.personStatements(person, cmd.seq, now));
    stmts.push(ADVANCE_WATERMARK);
    await this.db.write(stmts);
  }

  /** The replica row after a change: desired state merged in, and the retention clock started or stopped. */
  private personStatements(person: PersonChange, seq: number | null, now: string): InStatement[] {
    return [
      {
        sql: `INSERT INTO persons (person_code, visit_id, person_id, desired, applied_seq, applied_at, last_error)
              VALUES (?, ?, ?, ?, ?, ?, ?)
              ON CONFLICT (person_code) DO UPDATE SET visit_id = excluded.visit_id,
                person_id = coalesce(excluded.person_id, persons.person_id), desired = json_patch(persons.desired, excluded.desired),
                applied_seq = coalesce(excluded.applied_seq, persons.applied_seq),
                applied_at = coalesce(excluded.applied_at, persons.applied_at), last_error = excluded.last_error`,
        args: [
          person.personCode,
          person.visitId,
          person.personId,
          JSON.stringify(person.desired),
          seq,
          person.error ? null : now,
          person.error ?? null,
        ],
      },
      {
        sql: `UPDATE persons SET ended_at = CASE WHEN json_extract(desired, '$.state') IN ('revoked', 'expired')
                THEN coalesce(ended_at, ?) ELSE NULL END WHERE person_code = ?`,
        args: [now, person.personCode],
      },
    ];
  }

  /** Granted persons whose validUntil has passed, oldest first: the agent revokes them itself. */
  async dueExpiries(now: Date, limit: number): Promise<ReplicaPerson[]> {
    const r = await this.db.read(
      `SELECT * FROM persons WHERE json_extract(desired, '$.state') = 'granted'
          AND json_extract(desired, '$.validUntil') <= ? ORDER BY json_extract(desired, '$.validUntil') LIMIT ?`,
      [now.toISOString(), limit],
    );
    return r.rows.map((row) => toReplica(row as Record<string, unknown>));
  }

  /** The earliest validUntil of a granted person, to sleep until. */
  async nextExpiry(): Promise<Date | undefined> {
    const r = await this.db.read(
      "SELECT min(json_extract(desired, '$.validUntil')) AS at FROM persons WHERE json_extract(desired, '$.state') = 'granted'",
    );
    const at = r.rows[0]?.at;
    return typeof at === "string" ? new Date(at) : undefined;
  }

  async replicaPerson(personCode: string): Promise<ReplicaPerson | undefined> {
    const r = await this.db.read("SELECT * FROM persons WHERE person_code = ?", [personCode]);
    return r.rows[0] ? toReplica(r.rows[0] as Record<string, unknown>) : undefined;
  }

  /** The replica rows of these persons, by personCode. */
  async replicaPersons(personCodes: string[]): Promise<Map<string, ReplicaPerson>> {
    const out = new Map<string, ReplicaPerson>();
    if (personCodes.length === 0) return out;
    const r = await this.db.read(
      `SELECT * FROM persons WHERE person_code IN (${personCodes.map(() => "?").join(",")})`,
      personCodes,
    );
    for (const row of r.rows) {
      const p = toReplica(row as Record<string, unknown>);
      out.set(p.personCode, p);
    }
    return out;
  }

  /** Every replica row in personCode order, read a page at a time (keyset): the replica may be 100,000 rows. */
  async *allPersons(pageSize = 500): AsyncGenerator<ReplicaPerson> {
    for (let after = ""; ; ) {
      const page = await this.replicaPage(after, pageSize);
      if (page.length === 0) return;
      after = page[page.length - 1]!.personCode;
      yield* page;
    }
  }

  /** The replica, a page at a time in personCode order (keyset). */
  async replicaPage(after: string, limit: number): Promise<ReplicaPerson[]> {
    const r = await this.db.read("SELECT * FROM persons WHERE person_code > ? ORDER BY person_code LIMIT ?", [
      after,
      limit,
    ]);
    return r.rows.map((row) => toReplica(row as Record<string, unknown>));
  }

  /** Every access level the replica says the agent granted anyone. */
  async replicaGroups(): Promise<string[]> {
    const r = await this.db.read(
      "SELECT DISTINCT g.value AS id FROM persons, json_each(persons.desired, '$.groups') AS g",
    );
    return r.rows.map((row) => String(row.id));
  }

  /**
   * What the agent changed on its own for one person (an expiry, a repair), with the report that says so in
   * the same batch; `checked` marks it compared.
   */
  async updatePerson(
    person: PersonChange,
    opts: { checked?: boolean; report?: AgentReport } = {},
  ): Promise<void> {
    const now = new Date().toISOString();
    const stmts = this.personStatements(person, null, now);
    if (opts.checked)
      stmts.push({
        sql: "UPDATE persons SET checked_at = ? WHERE person_code = ?",
        args: [now, person.personCode],
      });
    if (opts.report) stmts.push(this.reportStatement(opts.report));
    await this.db.write(stmts);
  }

  async markChecked(personCodes: string[]): Promise<void> {
    if (personCodes.length === 0) return;
    const now = new Date().toISOString();
    await this.db.write([
      {
        sql: `UPDATE persons SET checked_at = ? WHERE person_code IN (${personCodes.map(() => "?").join(",")})`,
        args: [now, ...personCodes],
      },
    ]);
  }

  async forgetPerson(personCode: string): Promise<void> {
    await this.db.write([{ sql: "DELETE FROM persons WHERE person_code = ?", args: [personCode] }]);
  }

  private reportStatement(report: AgentReport): InStatement {
    return {
      sql: "INSERT INTO outbox (topic, payload, created_at) VALUES (?, ?, ?)",
      args: [topics.reports(this.site), JSON.stringify(report), new Date().toISOString()],
    };
  }

  async queueReport(report: AgentReport): Promise<void> {
    await this.db.write([this.reportStatement(report)]);
  }

  /**
   * Forgets what no longer matters: passage identities older than `passagesBefore` (HikCentral does not
   * re-send that late), and finished commands older than `commandsBefore` below the watermark.
   */
  async prune(passagesBefore: Date, commandsBefore: Date): Promise<{ passages: number; commands: number }> {
    const [p, c] = await this.db.write([
      { sql: "DELETE FROM seen_passages WHERE occurred_at < ?", args: [passagesBefore.toISOString()] },
      {
        sql: `DELETE FROM inbox WHERE status <> 'pending' AND finished_at < ?
                AND seq <= coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'last_applied_seq'), 0)`,
        args: [commandsBefore.toISOString()],
      },
    ]);
    return { passages: p?.rowsAffected ?? 0, commands: c?.rowsAffected ?? 0 };
  }

  /** A terminal now holds `state` for the person: nothing is pending for it any more. */
  async terminalApplied(terminal: string, personCode: string, state: TerminalState): Promise<void> {
    await this.db.write([
      {
        sql: `INSERT INTO terminal_persons (terminal, person_code, applied, applied_at, pending, last_error, pending_face)
              VALUES (?, ?, ?, ?, NULL, NULL, NULL)
              ON CONFLICT (terminal, person_code) DO UPDATE SET applied = excluded.applied,
                applied_at = excluded.applied_at, pending = NULL, last_error = NULL, pending_face = NULL`,
        args: [terminal, personCode, JSON.stringify(state), new Date().toISOString()],
      },
    ]);
  }

  /** The terminal was away: `state` (and the face, if any) waits to be written when it is back. */
  async terminalPending(
    terminal: string,
    personCode: string,
    state: TerminalState,
    error: string,
    face?: Buffer,
  ): Promise<void> {
    await this.db.write([
      {
        sql: `INSERT INTO terminal_persons (terminal, person_code, pending, last_error, pending_face)
              VALUES (?, ?, ?, ?, ?)
              ON CONFLICT (terminal, person_code) DO UPDATE SET pending = excluded.pending,
                last_error = excluded.last_error, pending_face = coalesce(excluded.pending_face, terminal_persons.pending_face)`,
        args: [terminal, personCode, JSON.stringify(state), error, face ?? null],
      },
    ]);
  }

  async terminalFailed(terminal: string, personCode: string, error: string): Promise<void> {
    await this.db.write([
      {
        sql: `INSERT INTO terminal_persons (terminal, person_code, last_error) VALUES (?, ?, ?)
              ON CONFLICT (terminal, person_code) DO UPDATE SET last_error = excluded.last_error`,
        args: [terminal, personCode, error],
      },
    ]);
  }

  /** What waits to be written to a terminal, oldest first. */
  async terminalBacklog(terminal: string, limit: number): Promise<TerminalBacklogItem[]> {
    const r = await this.db.read(
      "SELECT person_code, pending, pending_face FROM terminal_persons WHERE terminal = ? AND pending IS NOT NULL ORDER BY rowid LIMIT ?",
      [terminal, limit],
    );
    return r.rows.map((row) => toBacklogItem(row as Record<string, unknown>));
  }

  /** What waits to be written to a terminal for one person, if anything. */
  async terminalPendingFor(terminal: string, personCode: string): Promise<TerminalBacklogItem | undefined> {
    const r = await this.db.read(
      "SELECT person_code, pending, pending_face FROM terminal_persons WHERE terminal = ? AND person_code = ? AND pending IS NOT NULL",
      [terminal, personCode],
    );
    return r.rows[0] ? toBacklogItem(r.rows[0] as Record<string, unknown>) : undefined;
  }

  /** Queues an ack that is not tied to a stored command (rejections, expiries of unknown commands). */
  async queueAck(a: Ack): Promise<void> {
    await this.db.write([ack(a, new Date().toISOString())]);
  }

  async person(personCode: string): Promise<PersonRow | undefined> {
    const r = await this.db.read(
      "SELECT person_code, visit_id, person_id FROM persons WHERE person_code = ?",
      [personCode],
    );
    const row = r.rows[0];
    if (!row) return undefined;
    return {
      personCode: String(row.person_code),
      visitId: String(row.visit_id),
      personId: row.person_id === null ? null : String(row.person_id),
    };
  }

  async personById(personId: string): Promise<PersonRow | undefined> {
    const r = await this.db.read("SELECT person_code, visit_id, person_id FROM persons WHERE person_id = ?", [
      personId,
    ]);
    const row = r.rows[0];
    if (!row) return undefined;
    return {
      personCode: String(row.person_code),
      visitId: String(row.visit_id),
      personId: String(row.person_id),
    };
  }

  async grantedGroups(personCode: string): Promise<string[]> {
    const r = await this.db.read(
      "SELECT json_extract(desired, '$.groups') AS g FROM persons WHERE person_code = ?",
      [personCode],
    );
    const v = r.rows[0]?.g;
    return typeof v === "string" ? (JSON.parse(v) as string[]) : [];
  }

  async appliedFace(personCode: string): Promise<string | undefined> {
    const r = await this.db.read(
      "SELECT json_extract(desired, '$.faceSha256') AS face FROM persons WHERE person_code = ?",
      [personCode],
    );
    const v = r.rows[0]?.face;
    return v === null || v === undefined ? undefined : String(v);
  }

  /** Adds the visit (and personCode) the replica knows for a passage's person. */
  async attachVisit(p: Passage): Promise<void> {
    const person = p.personCode
      ? await this.person(p.personCode)
      : p.personId
        ? await this.personById(p.personId)
        : undefined;
    if (!person) return;
    p.personCode = person.personCode;
    p.visitId = person.visitId;
  }

  async personCount(): Promise<number> {
    return Number((await this.db.read("SELECT count(*) AS n FROM persons")).rows[0]?.n ?? 0);
  }

  /**
   * Queues passages not seen before (by their HikCentral identity) in one batch; returns those that were new.
   * The outbox insert comes first and checks `seen_passages`, so a passage is queued at most once.
   */
  async recordPassages(passages: Passage[]): Promise<Passage[]> {
    if (passages.length === 0) return [];
    const now = new Date().toISOString();
    return this.db.exclusive(async () => {
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
      await this.db.writeNow(
        fresh.flatMap((p) => [
          { sql: "INSERT INTO seen_passages (id, occurred_at) VALUES (?, ?)", args: [p.id, p.occurredAt] },
          {
            sql: "INSERT INTO outbox (topic, payload, created_at) VALUES (?, ?, ?)",
            args: [topics.passageEvents(this.site), JSON.stringify(p), now],
          },
        ]),
      );
      return fresh;
    });
  }

  /** Queues a turnstile alarm unless its event was taken in before (the stream replays its log). */
  async recordAlarm(a: TerminalAlarm): Promise<boolean> {
    return this.db.exclusive(async () => {
      const seen = await this.db.read("SELECT 1 FROM seen_passages WHERE id = ?", [a.id]);
      if (seen.rows.length > 0) return false;
      await this.db.writeNow([
        { sql: "INSERT INTO seen_passages (id, occurred_at) VALUES (?, ?)", args: [a.id, a.occurredAt] },
        {
          sql: "INSERT INTO outbox (topic, payload, created_at) VALUES (?, ?, ?)",
          args: [topics.alarms(this.site), JSON.stringify(a), new Date().toISOString()],
        },
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

  /** The oldest `limit` rows after `afterId` (ids only grow: the table is AUTOINCREMENT). */
  async takeOutbox(limit: number, afterId = 0): Promise<OutboxRow[]> {
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
  async deleteOutbox(ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    const stmts = [];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      stmts.push({ sql: `DELETE FROM outbox WHERE id IN (${chunk.map(() => "?").join(",")})`, args: chunk });
    }
    await this.db.write(stmts);
  }

  async outboxDepth(): Promise<number> {
    return Number((await this.db.read("SELECT count(*) AS n FROM outbox")).rows[0]?.n ?? 0);
  }
}
