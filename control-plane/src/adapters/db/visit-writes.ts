import type { Command } from "@gatehouse/shared";
import type { Database } from "@gatehouse/shared/db";
import type { InStatement } from "@libsql/client";
import { type AuditEntry, auditStatement } from "./audit.js";
import { commandStatements } from "./command-statements.js";
import type { VisitQueries } from "./visit-queries.js";
import type { VisitRecord } from "./visit-record.js";

/**
 * Visits erased in one unit at most: each rewrites its grant commands without their photo (up to 8 MiB of JSON
 * each, overwritten with zeros), on the event loop; a backlog is erased a batch after another.
 */
export const ERASE_BATCH = 50;
const ERASED_GUEST = JSON.stringify({ name: "(erased)", email: null, phone: null, documentNumber: null });

/**
 * Every change to visits, each one atomic with the command it causes and its audit row, under the write lock:
 * two requests, or a request and the scheduler, never both act on the same state.
 */
export class VisitWrites {
  constructor(
    private readonly db: Database,
    private readonly queries: VisitQueries,
  ) {}

  /**
   * Inside the write lock: takes the site's next `seq`, and writes `stmts` with the command `build` makes
   * in one atomic batch. A change and the command it causes are stored together or not at all.
   */
  private async writeWithCommand(
    site: string,
    build: (seq: number) => Command,
    stmts: InStatement[],
  ): Promise<Command> {
    const { command, stmts: commandStmts } = await commandStatements(this.db, site, build);
    await this.db.writeNow([...stmts, ...commandStmts]);
    return command;
  }

  /**
   * Stores a new visit and its grant command (none for a visit held by the deny list) in one atomic write,
   * with its audit row and the caller's idempotency key if any. A key seen before answers with the visit it
   * created (or "conflict" when the request differed). `guard` runs under the write lock first and may
   * refuse, or add statements (a group event's registration count) to the same batch.
   */
  async createWithCommand(
    v: VisitRecord,
    build: ((seq: number) => Command) | null,
    opts: {
      idempotency?: { tokenId: string; key: string; requestHash: string } | undefined;
      audit: Omit<AuditEntry, "entity" | "entityId" | "after">;
      heldPhoto?: string | undefined;
      guard?: () => Promise<{ stmts: InStatement[] } | { refused: string }>;
    },
  ): Promise<
    | { created: Command | null; guarded: InStatement[] }
    | { existing: string }
    | "conflict"
    | { refused: string }
  > {
    return this.db.exclusive(async () => {
      const idempotency = opts.idempotency;
      if (idempotency) {
        const seen = await this.db.read(
          "SELECT visit_id, request_hash FROM idempotency_keys WHERE token_id = ? AND key = ?",
          [idempotency.tokenId, idempotency.key],
        );
        const row = seen.rows[0];
        if (row)
          return String(row.request_hash) === idempotency.requestHash
            ? { existing: String(row.visit_id) }
            : "conflict";
      }
      const guarded = opts.guard ? await opts.guard() : { stmts: [] };
      if ("refused" in guarded) return guarded;
      const stmts: InStatement[] = [
        ...(idempotency
          ? [
              {
                sql: "INSERT INTO idempotency_keys (token_id, key, request_hash, visit_id, created_at) VALUES (?, ?, ?, ?, ?)",
                args: [idempotency.tokenId, idempotency.key, idempotency.requestHash, v.id, v.createdAt],
              },
            ]
          : []),
        {
          sql: `INSERT INTO visits (id, site_id, kind, person_code, guest_name, guest_email, guest_phone, guest_document,
                  host_name, host_email, host_language, valid_from, valid_until, revoke_on_exit, note, status, access,
                  event_id, held_reason, held_photo, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          args: [
            v.id,
            v.site,
            v.kind,
            v.personCode,
            v.guest.name,
            v.guest.email,
            v.guest.phone,
            v.guest.documentNumber,
            v.host.name,
            v.host.email,
            v.host.language,
            v.validFrom,
            v.validUntil,
            v.revokeOnExit ? 1 : 0,
            v.note,
            v.status,
            v.access,
            v.eventId,
            v.heldReason,
            opts.heldPhoto ?? null,
            v.createdAt,
            v.updatedAt,
          ],
        },
        ...guarded.stmts,
        auditStatement({
          ...opts.audit,
          entity: "visit",
          entityId: v.id,
          site: v.site,
          after: v,
          at: v.createdAt,
        }),
      ];
      if (!build) {
        await this.db.writeNow(stmts);
        return { created: null, guarded: guarded.stmts };
      }
      return { created: await this.writeWithCommand(v.site, build, stmts), guarded: guarded.stmts };
    });
  }

  /**
   * Applies `decide` to the visit as stored, under the write lock (so two requests, or a request and the
   * scheduler, never both act on the same state), and stores the change with its command and its audit row.
   */
  async change<T>(
    id: string,
    decide: (v: VisitRecord) =>
      | {
          update: Partial<
            Pick<
              VisitRecord,
              "status" | "validFrom" | "validUntil" | "endedAt" | "heldReason" | "access" | "accessError"
            >
          >;
          command: ((seq: number) => Command) | null;
          result: T;
          /** The held photo has gone into the grant command, or is no longer wanted. */
          clearHeldPhoto?: boolean;
        }
      | { refused: T },
    audit: Omit<AuditEntry, "entity" | "entityId" | "before" | "after">,
  ): Promise<
    | { before: VisitRecord; visit: VisitRecord; command: Command | null; result: T }
    | { refused: T }
    | undefined
  > {
    return this.db.exclusive(async () => {
      const v = await this.queries.get(id);
      if (!v) return undefined;
      const d = decide(v);
      if ("refused" in d) return { refused: d.refused };
      const now = new Date().toISOString();
      const next: VisitRecord = { ...v, ...d.update, updatedAt: now };
      const stmts: InStatement[] = [
        {
          sql: `UPDATE visits SET status = ?, valid_from = ?, valid_until = ?, ended_at = ?, held_reason = ?,
                  access = CASE WHEN ? THEN ? ELSE access END,
                  access_error = CASE WHEN ? THEN ? ELSE access_error END,
                  held_photo = CASE WHEN ? THEN NULL ELSE held_photo END, updated_at = ? WHERE id = ?`,
          args: [
            next.status,
            next.validFrom,
            next.validUntil,
            next.endedAt,
            next.heldReason,
            // Only when the decision changes it: an ack may set access outside this lock meanwhile.
            d.update.access !== undefined ? 1 : 0,
            next.access,
            d.update.access !== undefined ? 1 : 0,
            next.accessError,
            d.clearHeldPhoto ? 1 : 0,
            now,
            id,
          ],
        },
        auditStatement({
          ...audit,
          entity: "visit",
          entityId: id,
          site: v.site,
          before: v,
          after: next,
          at: now,
        }),
      ];
      if (!d.command) {
        await this.db.writeNow(stmts);
        return { before: v, visit: next, command: null, result: d.result };
      }
      const command = await this.writeWithCommand(v.site, d.command, stmts);
      return { before: v, visit: next, command, result: d.result };
    });
  }

  /**
   * Erases the personal data of guests whose visit closed before `cutoff` and who have no command still on
   * its way: the name becomes "(erased)", contacts and note go, and the grant commands lose the person's
   * name, contacts and any photo. Returns the visits erased. Safe to run any number of times at once.
   */
  async erasePersonalData(cutoff: string, now: string, limit = ERASE_BATCH): Promise<string[]> {
    return this.db.exclusive(async () => {
      const r = await this.db.read(
        `SELECT v.id FROM visits v
          WHERE v.erased_at IS NULL AND v.status IN ('checked_out', 'cancelled', 'expired', 'refused')
            AND v.updated_at < ?
            AND NOT EXISTS (SELECT 1 FROM commands c WHERE c.visit_id = v.id AND c.status IN ('pending', 'received'))
          LIMIT ?`,
        [cutoff, limit],
      );
      const ids = r.rows.map((row) => String(row.id));
      if (ids.length === 0) return [];
      const marks = ids.map(() => "?").join(",");
      // Before the visit's own row: the incident's message is cleaned of the name the visit still holds.
      await this.db.writeNow([
        // Incidents keep what happened; their emails, once out of the outbox, go with the guest's name.
        {
          sql: `DELETE FROM mail_outbox WHERE status <> 'pending'
                  AND dedup_key IN (SELECT 'incident:' || dedup_key FROM incidents WHERE visit_id IN (${marks}))`,
          args: ids,
        },
        {
          sql: `UPDATE incidents SET guest_name = '(erased)',
                  message = replace(message, (SELECT guest_name FROM visits WHERE id = incidents.visit_id), '(erased)')
                WHERE visit_id IN (${marks})`,
          args: ids,
        },
        {
          sql: `UPDATE visits SET guest_name = '(erased)', guest_email = NULL, guest_phone = NULL, note = NULL,
                  guest_document = NULL, held_photo = NULL, held_reason = NULL, erased_at = ? WHERE id IN (${marks})`,
          args: [now, ...ids],
        },
        {
          // The audit keeps who changed what and when; the guest it was about is erased there too.
          sql: `UPDATE audit SET
                  before = CASE WHEN before IS NULL THEN NULL ELSE json_set(before, '$.guest', json(?), '$.note', NULL) END,
                  after = CASE WHEN after IS NULL THEN NULL ELSE json_set(after, '$.guest', json(?), '$.note', NULL) END
                WHERE entity = 'visit' AND entity_id IN (${marks})`,
          args: [ERASED_GUEST, ERASED_GUEST, ...ids],
        },
        {
          sql: `UPDATE commands SET envelope = json_remove(
                  json_set(envelope, '$.payload.person', json('{"givenName":"(erased)","familyName":""}')),
                  '$.payload.face')
                WHERE type = 'grant' AND visit_id IN (${marks})`,
          args: ids,
        },
      ]);
      return ids;
    });
  }
}
