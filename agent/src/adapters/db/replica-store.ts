import type { Passage } from "@gatehouse/shared";
import type { Database } from "@gatehouse/shared/db";
import type { InStatement, InValue } from "@libsql/client";
import type { DesiredPerson, PersonChange, ReplicaPerson } from "../../domain/replica.js";

export interface PersonRow {
  personCode: string;
  visitId: string;
  personId: string | null;
}

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

const toPersonRow = (row: Record<string, unknown>): PersonRow => ({
  personCode: String(row.person_code),
  visitId: String(row.visit_id),
  personId: row.person_id === null ? null : String(row.person_id),
});

/**
 * The statements that write a change to one replica row: the desired state merged in, the applied seq when a
 * command made it, and the retention clock started (access ended) or stopped (granted again).
 */
export function personStatements(person: PersonChange, seq: number | null, now: string): InStatement[] {
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

/** The replica: each person the control plane asked for, what it should hold, and what HikCentral holds. */
export class ReplicaStore {
  constructor(private readonly db: Database) {}

  async get(personCode: string): Promise<ReplicaPerson | undefined> {
    const row = await this.db.readRow("SELECT * FROM persons WHERE person_code = ?", [personCode]);
    return row ? toReplica(row as Record<string, unknown>) : undefined;
  }

  /** The replica rows of these persons, by personCode. */
  async getMany(personCodes: string[]): Promise<Map<string, ReplicaPerson>> {
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
  all(pageSize = 500): AsyncGenerator<ReplicaPerson> {
    return this.pages("1", [], pageSize);
  }

  /** The replica rows matching `where`, in personCode order, a page at a time (keyset). */
  private async *pages(where: string, args: InValue[], pageSize: number): AsyncGenerator<ReplicaPerson> {
    for (let after = ""; ; ) {
      const r = await this.db.read(
        `SELECT * FROM persons WHERE person_code > ? AND (${where}) ORDER BY person_code LIMIT ?`,
        [after, ...args, pageSize],
      );
      if (r.rows.length === 0) return;
      const page = r.rows.map((row) => toReplica(row as Record<string, unknown>));
      after = page[page.length - 1]!.personCode;
      yield* page;
    }
  }

  /** Every access level the replica says the agent granted anyone. */
  async groups(): Promise<string[]> {
    const r = await this.db.read(
      "SELECT DISTINCT g.value AS id FROM persons, json_each(persons.desired, '$.groups') AS g",
    );
    return r.rows.map((row) => String(row.id));
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

  /**
   * What the agent changed on its own for one person (an expiry, a repair), with the report that says so in
   * the same batch (`report`, an outbox statement); `checked` marks it compared.
   */
  async update(person: PersonChange, opts: { checked?: boolean; report?: InStatement } = {}): Promise<void> {
    const now = new Date().toISOString();
    const stmts = personStatements(person, null, now);
    if (opts.checked)
      stmts.push({
        sql: "UPDATE persons SET checked_at = ? WHERE person_code = ?",
        args: [now, person.personCode],
      });
    if (opts.report) stmts.push(opts.report);
    await this.db.write(stmts);
  }

  /**
   * One page of a reconciliation: `seen` were in HikCentral's listing (marked with the run), `checked` of them
   * compared and found right.
   */
  async markSeen(run: string, seen: string[], checked: string[]): Promise<void> {
    const now = new Date().toISOString();
    const marks = (codes: string[]) => codes.map(() => "?").join(",");
    const stmts: InStatement[] = [];
    if (seen.length > 0)
      stmts.push({
        sql: `UPDATE persons SET seen_run = ? WHERE person_code IN (${marks(seen)})`,
        args: [run, ...seen],
      });
    if (checked.length > 0)
      stmts.push({
        sql: `UPDATE persons SET checked_at = ? WHERE person_code IN (${marks(checked)})`,
        args: [now, ...checked],
      });
    if (stmts.length > 0) await this.db.write(stmts);
  }

  /** The replica persons reconciliation `run` has not marked seen, a page at a time in personCode order. */
  unseen(run: string, pageSize = 500): AsyncGenerator<ReplicaPerson> {
    return this.pages("seen_run IS NOT ?", [run], pageSize);
  }

  async forget(personCode: string): Promise<void> {
    await this.db.write([{ sql: "DELETE FROM persons WHERE person_code = ?", args: [personCode] }]);
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
    const sql = p.personCode
      ? "SELECT person_code, visit_id, person_id FROM persons WHERE person_code = ?"
      : "SELECT person_code, visit_id, person_id FROM persons WHERE person_id = ?";
    const key = p.personCode ?? p.personId;
    if (!key) return;
    const row = await this.db.readRow(sql, [key]);
    if (!row) return;
    const person = toPersonRow(row as Record<string, unknown>);
    p.personCode = person.personCode;
    p.visitId = person.visitId;
  }

  async count(): Promise<number> {
    return Number((await this.db.read("SELECT count(*) AS n FROM persons")).rows[0]?.n ?? 0);
  }
}
