import { type Ack, type Command, type Passage, topics } from "@gatehouse/shared";
import type { Database } from "@gatehouse/shared/db";
import type { InStatement } from "@libsql/client";

export interface InboxRow {
  id: string;
  seq: number;
  command: Command;
  status: string;
  attempts: number;
}

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
          sql: "INSERT INTO inbox (id, seq, type, body, received_at) VALUES (?, ?, ?, ?, ?)",
          args: [cmd.id, cmd.seq, cmd.type, JSON.stringify(cmd), now],
        },
        ack(received, now),
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

  /** The lowest pending command; the caller decides whether its seq is next. */
  async nextPending(): Promise<InboxRow | undefined> {
    const r = await this.db.read(
      "SELECT id, seq, body, status, attempts FROM inbox WHERE status = 'pending' ORDER BY seq LIMIT 1",
    );
    const row = r.rows[0];
    if (!row) return undefined;
    return {
      id: String(row.id),
      seq: Number(row.seq),
      command: JSON.parse(String(row.body)) as Command,
      status: String(row.status),
      attempts: Number(row.attempts),
    };
  }

  async pendingCount(): Promise<number> {
    const r = await this.db.read("SELECT count(*) AS n FROM inbox WHERE status = 'pending'");
    return Number(r.rows[0]?.n ?? 0);
  }

  async noteAttempt(id: string, error: string): Promise<void> {
    await this.db.write([
      { sql: "UPDATE inbox SET attempts = attempts + 1, last_error = ? WHERE id = ?", args: [error, id] },
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
      {
        sql: "INSERT INTO meta (key, value) VALUES ('last_applied_seq', ?) ON CONFLICT (key) DO UPDATE SET value = max(CAST(value AS INTEGER), excluded.value)",
        args: [String(cmd.seq)],
      },
      ack(final, now),
    ];
    if (person) {
      stmts.push({
        sql: `INSERT INTO persons (person_code, visit_id, person_id, desired, applied_seq, applied_at, last_error)
              VALUES (?, ?, ?, ?, ?, ?, ?)
              ON CONFLICT (person_code) DO UPDATE SET visit_id = excluded.visit_id,
                person_id = coalesce(excluded.person_id, persons.person_id), desired = json_patch(persons.desired, excluded.desired),
                applied_seq = excluded.applied_seq, applied_at = excluded.applied_at, last_error = excluded.last_error`,
        args: [
          person.personCode,
          person.visitId,
          person.personId,
          JSON.stringify(person.desired),
          cmd.seq,
          person.error ? null : now,
          person.error ?? null,
        ],
      });
    }
    await this.db.write(stmts);
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

  async takeOutbox(limit: number): Promise<OutboxRow[]> {
    const r = await this.db.read("SELECT id, topic, payload FROM outbox ORDER BY id LIMIT ?", [limit]);
    return r.rows.map((row) => ({
      id: Number(row.id),
      topic: String(row.topic),
      payload: String(row.payload),
    }));
  }

  async deleteOutbox(ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.write([
      { sql: `DELETE FROM outbox WHERE id IN (${ids.map(() => "?").join(",")})`, args: ids },
    ]);
  }

  async outboxDepth(): Promise<number> {
    return Number((await this.db.read("SELECT count(*) AS n FROM outbox")).rows[0]?.n ?? 0);
  }
}
