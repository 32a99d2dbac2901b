import type { Occupancy } from "@gatehouse/shared";
import type { Database } from "@gatehouse/shared/db";
import { decodeCursor, encodeCursor, keysetPage } from "./keyset-page.js";
import { type CommandRecord, type NotificationRecord, s, toVisit, type VisitRecord } from "./visit-record.js";

/** What a passage list can be narrowed to; times are UTC instants, `since` inclusive, `until` exclusive. */
export interface PassageFilter {
  visitId?: string | undefined;
  site?: string | undefined;
  door?: string | undefined;
  result?: "granted" | "denied" | undefined;
  direction?: "entry" | "exit" | "unknown" | undefined;
  since?: string | undefined;
  until?: string | undefined;
}

/** What the API, the scheduler and the services read of visits: one visit, lists, passages, the muster list. */
export class VisitQueries {
  constructor(private readonly db: Database) {}

  async get(id: string): Promise<VisitRecord | undefined> {
    const r = await this.db.read("SELECT * FROM visits WHERE id = ?", [id]);
    return r.rows[0] ? toVisit(r.rows[0]) : undefined;
  }

  /** The photo a held visit keeps until an admin approves or refuses it. */
  async heldPhoto(id: string): Promise<string | null> {
    const r = await this.db.read("SELECT held_photo FROM visits WHERE id = ?", [id]);
    return s(r.rows[0]?.held_photo);
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

  /**
   * Passages, latest first (by event time in UTC, then id), filtered; keyset-paged like every list here, so a
   * security office can walk a year of them page by page, or stream them, in constant memory.
   */
  async passages(f: PassageFilter & { limit: number; cursor?: string | undefined }) {
    const where: string[] = [];
    const args: Array<string | number> = [];
    const add = (sql: string, v: string | undefined) => {
      if (v === undefined) return;
      where.push(sql);
      args.push(v);
    };
    add("p.visit_id = ?", f.visitId);
    add("p.site_id = ?", f.site);
    add("p.door_id = ?", f.door);
    add("p.result = ?", f.result);
    add("p.direction = ?", f.direction);
    add("p.occurred_utc >= ?", f.since);
    add("p.occurred_utc < ?", f.until);
    if (f.cursor) {
      const c = decodeCursor(f.cursor);
      if (!c) return "bad_cursor" as const;
      where.push("(p.occurred_utc < ? OR (p.occurred_utc = ? AND p.id < ?))");
      args.push(c[0], c[0], c[1]);
    }
    const r = await this.db.read(
      `SELECT p.*, v.kind AS visit_kind, v.guest_name, v.host_name, p.body ->> '$.verifyMode' AS verify_mode,
              EXISTS (SELECT 1 FROM passage_pictures pp WHERE pp.passage_id = p.id) AS has_picture
         FROM passages p LEFT JOIN visits v ON v.id = p.visit_id
        ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY p.occurred_utc DESC, p.id DESC LIMIT ?`,
      [...args, f.limit + 1],
    );
    const rows = r.rows.slice(0, f.limit);
    const items = rows.map((p) => ({
      id: String(p.id),
      site: String(p.site_id),
      visitId: s(p.visit_id),
      personCode: s(p.person_code),
      door: { id: String(p.door_id), name: s(p.door_name) },
      direction: String(p.direction) as "entry" | "exit" | "unknown",
      result: String(p.result) as "granted" | "denied",
      reasonCode: s(p.reason_code),
      verifyMode: s(p.verify_mode),
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
    const last = rows.at(-1);
    return {
      items,
      nextCursor:
        r.rows.length > f.limit && last ? encodeCursor([String(last.occurred_utc), String(last.id)]) : null,
    };
  }

  /**
   * Who is inside, per site: every guest whose latest passage is an entry, whatever the visit's status:
   * a muster list is about who is in the building, and an expired or checked-out guest may still be.
   */
  async occupancy(site?: string): Promise<Occupancy[]> {
    const r = await this.db.read(
      `SELECT s.id AS site, v.id, v.guest_name, v.host_name, v.last_passage_at, v.status, v.ended_at FROM sites s
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
          visitStatus: String(row.status) as Occupancy["inside"][number]["visitStatus"],
          endedAt: s(row.ended_at),
        });
        o.count++;
      }
      bySite.set(id, o);
    }
    return [...bySite.values()];
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
