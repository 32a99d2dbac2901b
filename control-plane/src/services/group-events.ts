import { randomUUID } from "node:crypto";
import type { Database } from "@gatehouse/shared/db";
import type { InStatement, Row } from "@libsql/client";
import { type Actor, auditStatement } from "../adapters/db/audit.js";
import { keysetPage } from "../adapters/db/keyset-page.js";
import type { SitesRepo } from "../adapters/db/sites-repo.js";
import type { VisitRecord } from "../adapters/db/visit-record.js";
import { eventClosedMail } from "../adapters/mail/templates.js";
import { closesAtDeadline, decideRegistration, decideReopen } from "../domain/group-event.js";
import { kindOf } from "../domain/visit-rules.js";
import { FieldError, type NewVisit, type VisitService } from "./visits.js";

export interface GroupEvent {
  id: string;
  site: string;
  name: string;
  kind: string;
  organizer: { name: string; email: string | null; language: string };
  startsAt: string;
  endsAt: string;
  capacity: number;
  registrationDeadline: string;
  registered: number;
  state: "open" | "closed";
  closedReason: "capacity" | "deadline" | null;
  createdAt: string;
  updatedAt: string;
}

const toEvent = (r: Row): GroupEvent => ({
  id: String(r.id),
  site: String(r.site_id),
  name: String(r.name),
  kind: String(r.kind),
  organizer: {
    name: String(r.organizer_name),
    email: r.organizer_email === null ? null : String(r.organizer_email),
    language: String(r.organizer_language),
  },
  startsAt: String(r.starts_at),
  endsAt: String(r.ends_at),
  capacity: Number(r.capacity),
  registrationDeadline: String(r.registration_deadline),
  registered: Number(r.registered),
  state: String(r.state) as GroupEvent["state"],
  closedReason: r.closed_reason === null ? null : (String(r.closed_reason) as GroupEvent["closedReason"]),
  createdAt: String(r.created_at),
  updatedAt: String(r.updated_at),
});

export interface NewGroupEvent {
  site: string;
  name: string;
  kind: string;
  organizer: { name: string; email?: string | undefined; language?: "en" | "ru" | undefined };
  startsAt: string;
  endsAt: string;
  capacity: number;
  registrationDeadline: string;
}

export interface Registration {
  guest: NewVisit["guest"];
  host?: NewVisit["host"] | undefined;
  note?: string | undefined;
}

/**
 * Open days and conferences: each registration is a visit of the event's kind for the event's time, and
 * registration closes by itself when the last place is taken or the deadline passes (the organiser is
 * emailed each time it closes so). Registration and its count are one write under the lock, so two guests
 * can never take the last place together.
 */
export class GroupEventService {
  constructor(
    private readonly db: Database,
    private readonly sites: SitesRepo,
    private readonly visits: VisitService,
    private readonly onMailQueued: () => void,
  ) {}

  async get(id: string): Promise<GroupEvent | undefined> {
    const r = await this.db.read("SELECT * FROM group_events WHERE id = ?", [id]);
    return r.rows[0] ? toEvent(r.rows[0]) : undefined;
  }

  async list(f: { site?: string; state?: string; limit: number; cursor?: string }) {
    return keysetPage(this.db, {
      table: "group_events",
      orderBy: "starts_at",
      filters: [
        f.site && { sql: "site_id = ?", args: [f.site] },
        f.state && { sql: "state = ?", args: [f.state] },
      ],
      limit: f.limit,
      cursor: f.cursor,
      map: toEvent,
      key: (e) => [e.startsAt, e.id],
    });
  }

  async create(e: NewGroupEvent, actor: Actor, now = new Date()): Promise<GroupEvent> {
    const site = await this.sites.get(e.site);
    if (!site) throw new FieldError(422, "site", `no site '${e.site}'`, "unknown_site", { site: e.site });
    if (!kindOf(site.kinds, e.kind))
      throw new FieldError(
        422,
        "kind",
        `site '${site.id}' has no visit kind '${e.kind}' (it has: ${Object.keys(site.kinds).join(", ")})`,
        "unknown_kind",
        { kind: e.kind, kinds: Object.keys(site.kinds).join(", ") },
      );
    if (Date.parse(e.endsAt) <= now.getTime())
      throw new FieldError(422, "endsAt", "the event is over already", "event_over");
    const stamp = now.toISOString();
    const event: GroupEvent = {
      id: randomUUID(),
      site: e.site,
      name: e.name,
      kind: e.kind,
      organizer: {
        name: e.organizer.name,
        email: e.organizer.email ?? null,
        language: e.organizer.language ?? "en",
      },
      startsAt: new Date(e.startsAt).toISOString(),
      endsAt: new Date(e.endsAt).toISOString(),
      capacity: e.capacity,
      registrationDeadline: new Date(e.registrationDeadline).toISOString(),
      registered: 0,
      state: "open",
      closedReason: null,
      createdAt: stamp,
      updatedAt: stamp,
    };
    await this.db.write([
      {
        sql: `INSERT INTO group_events (id, site_id, name, kind, organizer_name, organizer_email, organizer_language,
                starts_at, ends_at, capacity, registration_deadline, created_at, updated_at)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        args: [
          event.id,
          event.site,
          event.name,
          event.kind,
          event.organizer.name,
          event.organizer.email,
          event.organizer.language,
          event.startsAt,
          event.endsAt,
          event.capacity,
          event.registrationDeadline,
          stamp,
          stamp,
        ],
      },
      auditStatement({
        actor,
        action: "event.create",
        entity: "event",
        entityId: event.id,
        site: event.site,
        after: event,
      }),
    ]);
    return event;
  }

  /** One registration: a visit for the event's time, counted against its capacity in the same write. */
  async register(
    eventId: string,
    r: Registration,
    actor: Actor,
    idempotency?: { tokenId: string; key: string },
    now = new Date(),
  ): Promise<{ visit: VisitRecord; replayed: boolean }> {
    const known = await this.get(eventId);
    if (!known) throw new FieldError(404, "id", `no event ${eventId}`, "not_found");
    let mailed = false;
    const result = await this.visits.create(
      {
        site: known.site,
        kind: known.kind,
        guest: r.guest,
        host: r.host ?? {
          name: known.organizer.name,
          ...(known.organizer.email ? { email: known.organizer.email } : {}),
          language: known.organizer.language === "ru" ? "ru" : "en",
        },
        validFrom: known.startsAt,
        validUntil: known.endsAt,
        ...(r.note ? { note: r.note } : {}),
      },
      {
        actor,
        now,
        idempotency,
        eventId,
        action: "event.register",
        // Under the write lock: the count as stored decides, not the one read above.
        guard: async () => {
          const e = await this.get(eventId);
          if (!e) return { refused: `no event ${eventId}` };
          const d = decideRegistration(e, now);
          if (!d.ok) return { refused: d.reason };
          const stmts: InStatement[] = [
            {
              sql: "UPDATE group_events SET registered = registered + 1, updated_at = ? WHERE id = ?",
              args: [now.toISOString(), eventId],
            },
          ];
          if (d.closes) {
            stmts.push(...this.closeStatements({ ...e, registered: e.registered + 1 }, d.closes, actor, now));
            mailed = true;
          }
          return { stmts };
        },
      },
    );
    if (mailed) this.onMailQueued();
    return result;
  }

  async reopen(
    id: string,
    change: { capacity?: number | undefined; registrationDeadline?: string | undefined },
    actor: Actor,
    now = new Date(),
  ): Promise<GroupEvent> {
    return this.db.exclusive(async () => {
      const e = await this.get(id);
      if (!e) throw new FieldError(404, "id", `no event ${id}`, "not_found");
      const next: GroupEvent = {
        ...e,
        capacity: change.capacity ?? e.capacity,
        registrationDeadline: change.registrationDeadline
          ? new Date(change.registrationDeadline).toISOString()
          : e.registrationDeadline,
      };
      const d = decideReopen(next, now);
      if (!d.ok)
        throw new FieldError(
          d.path === "state" ? 409 : 422,
          d.path,
          d.reason,
          d.path === "state" ? "invalid_state" : "invalid",
        );
      const after: GroupEvent = { ...next, state: "open", closedReason: null, updatedAt: now.toISOString() };
      await this.db.writeNow([
        {
          sql: `UPDATE group_events SET state = 'open', closed_reason = NULL, capacity = ?, registration_deadline = ?,
                  updated_at = ? WHERE id = ?`,
          args: [after.capacity, after.registrationDeadline, after.updatedAt, id],
        },
        auditStatement({
          actor,
          action: "event.reopen",
          entity: "event",
          entityId: id,
          site: e.site,
          before: e,
          after,
        }),
      ]);
      return after;
    });
  }

  /** The scheduler's pass: closes every open event whose deadline has passed; safe to run anywhere, any time. */
  async closeDue(actor: Actor, now = new Date()): Promise<number> {
    const r = await this.db.read(
      "SELECT id FROM group_events WHERE state = 'open' AND registration_deadline <= ? LIMIT 200",
      [now.toISOString()],
    );
    let closed = 0;
    for (const row of r.rows) {
      const done = await this.db.exclusive(async () => {
        const e = await this.get(String(row.id));
        if (!e || !closesAtDeadline(e, now)) return false;
        await this.db.writeNow(this.closeStatements(e, "deadline", actor, now));
        return true;
      });
      if (done) closed++;
    }
    if (closed > 0) this.onMailQueued();
    return closed;
  }

  private closeStatements(
    e: GroupEvent,
    reason: "capacity" | "deadline",
    actor: Actor,
    now: Date,
  ): InStatement[] {
    const mail = eventClosedMail({
      eventName: e.name,
      organizerName: e.organizer.name,
      language: e.organizer.language,
      reason,
      registered: e.registered,
      capacity: e.capacity,
    });
    const at = now.toISOString();
    return [
      {
        sql: `UPDATE group_events SET state = 'closed', closed_reason = ?, closed_count = closed_count + 1,
                updated_at = ? WHERE id = ?`,
        args: [reason, at, e.id],
      },
      {
        // Keyed by how many times it has closed: one email per closing, a reopened event may close again.
        sql: `INSERT INTO mail_outbox (id, dedup_key, kind, recipient, subject, text_body, html_body, status,
                next_attempt_at, created_at)
              SELECT ?, 'event:' || id || ':closed:' || closed_count, 'event_closed', ?, ?, ?, ?, ?, ?, ?
                FROM group_events WHERE id = ?
              ON CONFLICT (dedup_key) DO NOTHING`,
        args: [
          randomUUID(),
          e.organizer.email,
          mail.subject,
          mail.text,
          mail.html,
          e.organizer.email ? "pending" : "no_recipient",
          at,
          at,
          e.id,
        ],
      },
      auditStatement({
        actor,
        action: "event.close",
        entity: "event",
        entityId: e.id,
        site: e.site,
        before: { state: e.state },
        after: { state: "closed", closedReason: reason, registered: e.registered },
        at,
      }),
    ];
  }
}
