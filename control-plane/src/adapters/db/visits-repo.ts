import type { Command, Occupancy } from "@gatehouse/shared";
import type { Database } from "@gatehouse/shared/db";
import type { InStatement, Row } from "@libsql/client";
import type { Access, VisitStatus } from "../../domain/visit.js";
import { type AuditEntry, auditStatement } from "./audit.js";
import { commandStatements } from "./command-statements.js";
import { keysetPage } from "./keyset-page.js";

export interface VisitRecord {
  id: string;
  site: string;
  kind: string;
  personCode: string;
  guest: { name: string; email: string | null; phone: string | null; documentNumber: string | null };
  host: { name: string; email: string | null; language: string };
  validFrom: string;
  validUntil: string;
  revokeOnExit: boolean;
  note: string | null;
  status: VisitStatus;
  access: Access;
  accessError: string | null;
  firstEntryAt: string | null;
  firstExitAt: string | null;
  entryCount: number;
  exitCount: number;
  inside: boolean;
  lastPassageAt: string | null;
  /** The group event this visit is a registration of. */
  eventId: string | null;
  /** Why the deny list holds this visit for an admin. */
  heldReason: string | null;
  /** When the visit closed or its access was taken away. */
  endedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface CommandRecord {
  id: string;
  seq: number;
  type: string;
  status: string;
  error: { code: string; message: string } | null;
  devices: Array<{ device: string; status: string; error?: string }>;
  createdAt: string;
  sentAt: string | null;
  ackedAt: string | null;
}

export interface NotificationRecord {
  kind: string;
  recipient: string | null;
  status: string;
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
}

const ERASED_GUEST = JSON.stringify({ name: "(erased)", email: null, phone: null, documentNumber: null });

const s = (v: unknown) => (v === null || v === undefined ? null : String(v));

export const toVisit = (r: Row): VisitRecord => ({
  id: String(r.id),
  site: String(r.site_id),
  kind: String(r.kind),
  personCode: String(r.person_code),
  guest: {
    name: String(r.guest_name),
    email: s(r.guest_email),
    phone: s(r.guest_phone),
    documentNumber: s(r.guest_document),
  },
  host: { name: String(r.host_name), email: s(r.host_email), language: String(r.host_language) },
  validFrom: String(r.valid_from),
  validUntil: String(r.valid_until),
  revokeOnExit: Number(r.revoke_on_exit) === 1,
  note: s(r.note),
  status: String(r.status) as VisitStatus,
  access: String(r.access) as Access,
  accessError: s(r.access_error),
  firstEntryAt: s(r.first_entry_at),
  firstExitAt: s(r.first_exit_at),
  entryCount: Number(r.entry_count),
  exitCount: Number(r.exit_count),
  inside: Number(r.inside) === 1,
  lastPassageAt: s(r.last_passage_at),
  eventId: s(r.event_id),
  heldReason: s(r.held_reason),
  endedAt: s(r.ended_at),
  createdAt: String(r.created_at),
  updatedAt: String(r.updated_at),
});

export class VisitsRepo {
  constructor(private readonly db: Database) {}

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

  /** The photo a held visit keeps until an admin approves or refuses it. */
  async heldPhoto(id: string): Promise<string | null> {
    const r = await this.db.read("SELECT held_photo FROM visits WHERE id = ?", [id]);
    return s(r.rows[0]?.held_photo);
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
      const v = await this.get(id);
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

  /** Open visits whose time is over, and scheduled ones whose time has come, for the scheduler. */
  async due(now: string, limit = 200): Promise<{ ended: string[]; started: string[] }> {
    const ended = await this.db.read(
      "SELECT id FROM visits WHERE status IN ('held', 'scheduled', 'active') AND valid_until <= ? ORDER BY valid_until LIMIT ?",
      [now, limit],
    );
    const started = await this.db.read(
      "SELECT id FROM visits WHERE status = 'scheduled' AND valid_from <= ? AND valid_until > ? LIMIT ?",
      [now, now, limit],
    );
    return { ended: ended.rows.map((r) => String(r.id)), started: started.rows.map((r) => String(r.id)) };
  }

  /**
   * Erases the personal data of guests whose visit closed before `cutoff` and who have no command still on
   * its way: the name becomes "(erased)", contacts and note go, and the grant commands lose the person's
   * name, contacts and any photo. Returns the visits erased. Safe to run any number of times at once.
   */
  async erasePersonalData(cutoff: string, now: string, limit = 500): Promise<string[]> {
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

  /** Newest first; the cursor is the last item's (created_at, id), opaque to callers. */
  async list(f: {
    site?: string;
    status?: string;
    eventId?: string;
    inside?: boolean;
    q?: string;
    limit: number;
    cursor?: string;
  }) {
    const like = f.q ? `%${f.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%` : "";
    return keysetPage(this.db, {
      table: "visits",
      orderBy: "created_at",
      filters: [
        f.site && { sql: "site_id = ?", args: [f.site] },
        f.status && { sql: "status = ?", args: [f.status] },
        f.eventId && { sql: "event_id = ?", args: [f.eventId] },
        f.inside !== undefined && { sql: "inside = ?", args: [f.inside ? 1 : 0] },
        f.q && { sql: "(guest_name LIKE ? ESCAPE '\\' OR host_name LIKE ? ESCAPE '\\')", args: [like, like] },
      ],
      limit: f.limit,
      cursor: f.cursor,
      map: toVisit,
      key: (v) => [v.createdAt, v.id],
    });
  }

  async passages(f: { visitId?: string; site?: string; limit: number }) {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (f.visitId) {
      where.push("p.visit_id = ?");
      args.push(f.visitId);
    }
    if (f.site) {
      where.push("p.site_id = ?");
      args.push(f.site);
    }
    const r = await this.db.read(
      `SELECT p.*, v.kind AS visit_kind, v.guest_name, v.host_name,
              EXISTS (SELECT 1 FROM passage_pictures pp WHERE pp.passage_id = p.id) AS has_picture
         FROM passages p LEFT JOIN visits v ON v.id = p.visit_id
        ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY p.occurred_utc DESC LIMIT ?`,
      [...args, f.limit],
    );
    return r.rows.map((p) => ({
      id: String(p.id),
      site: String(p.site_id),
      visitId: s(p.visit_id),
      personCode: s(p.person_code),
      door: { id: String(p.door_id), name: s(p.door_name) },
      direction: String(p.direction) as "entry" | "exit" | "unknown",
      result: String(p.result) as "granted" | "denied",
      reasonCode: s(p.reason_code),
      eventType: Number(p.event_type),
      occurredAt: String(p.occurred_at),
      storedAt: String(p.stored_at),
      hasPicture: Number(p.has_picture) === 1,
      visit:
        p.visit_id === null || p.guest_name === null
          ? null
          : {
              id: String(p.visit_id),
              kind: String(p.visit_kind),
              guestName: String(p.guest_name),
              hostName: String(p.host_name),
            },
    }));
  }

  /**
   * Who is inside, per site: every guest whose latest passage is an entry, whatever the visit's status:
   * a muster list is about who is in the building, and an expired or checked-out guest may still be.
   */
  async occupancy(site?: string): Promise<Occupancy[]> {
    const r = await this.db.read(
      `SELECT s.id AS site, v.id, v.guest_name, v.host_name, v.last_passage_at FROM sites s
         LEFT JOIN visits v ON v.site_id = s.id AND v.inside = 1
        ${site ? "WHERE s.id = ?" : ""} ORDER BY s.id, v.last_passage_at`,
      site ? [site] : [],
    );
    const at = new Date().toISOString();
    const bySite = new Map<string, Occupancy>();
    for (const row of r.rows) {
      const id = String(row.site);
      const o = bySite.get(id) ?? { site: id, count: 0, at, inside: [] };
      if (row.id !== null) {
        o.inside.push({
          visitId: String(row.id),
          guestName: String(row.guest_name),
          hostName: String(row.host_name),
          since: s(row.last_passage_at),
        });
        o.count++;
      }
      bySite.set(id, o);
    }
    return [...bySite.values()];
  }

  async get(id: string): Promise<VisitRecord | undefined> {
    const r = await this.db.read("SELECT * FROM visits WHERE id = ?", [id]);
    return r.rows[0] ? toVisit(r.rows[0]) : undefined;
  }

  /** The visit as the API shows one: with its commands and its notifications. */
  async detail(v: VisitRecord) {
    const [commands, notifications] = await Promise.all([this.commands(v.id), this.notifications(v.id)]);
    return { ...v, commands, notifications };
  }

  async commands(visitId: string): Promise<CommandRecord[]> {
    const r = await this.db.read("SELECT * FROM commands WHERE visit_id = ? ORDER BY seq", [visitId]);
    return r.rows.map((c) => ({
      id: String(c.id),
      seq: Number(c.seq),
      type: String(c.type),
      status: String(c.status),
      error:
        c.error_code === null ? null : { code: String(c.error_code), message: String(c.error_message ?? "") },
      devices: c.devices ? (JSON.parse(String(c.devices)) as CommandRecord["devices"]) : [],
      createdAt: String(c.created_at),
      sentAt: s(c.sent_at),
      ackedAt: s(c.acked_at),
    }));
  }

  async notifications(visitId: string): Promise<NotificationRecord[]> {
    const r = await this.db.read("SELECT * FROM notifications WHERE visit_id = ? ORDER BY created_at", [
      visitId,
    ]);
    return r.rows.map((n) => ({
      kind: String(n.kind),
      recipient: s(n.recipient),
      status: String(n.status),
      attempts: Number(n.attempts),
      lastError: s(n.last_error),
      sentAt: s(n.sent_at),
    }));
  }
}
