import type { Incident } from "@gatehouse/shared";
import type { Database } from "@gatehouse/shared/db";
import type { Row } from "@libsql/client";
import { type IncidentSite, incidentStatements } from "./incident-statements.js";
import { keysetPage } from "./keyset-page.js";

const s = (v: unknown) => (v === null || v === undefined ? null : String(v));

export const toIncident = (r: Row): Incident => ({
  id: String(r.id),
  site: String(r.site_id),
  type: String(r.type) as Incident["type"],
  severity: String(r.severity) as Incident["severity"],
  visitId: s(r.visit_id),
  passageId: s(r.passage_id),
  guestName: s(r.guest_name),
  doorName: s(r.door_name),
  occurredAt: String(r.occurred_at),
  detectedAt: String(r.detected_at),
  params: r.params === null ? {} : (JSON.parse(String(r.params)) as Incident["params"]),
  message: String(r.message),
});

export class IncidentsRepo {
  constructor(private readonly db: Database) {}

  /** Records the incident and queues its email, once per key; true if it is new. */
  async raise(i: Incident, dedupKey: string, site: IncidentSite): Promise<boolean> {
    const r = await this.db.write(incidentStatements(i, dedupKey, site));
    return r[0]!.rowsAffected > 0;
  }

  /** Newest first by when they were found. */
  async list(f: { site?: string; type?: string; visitId?: string; limit: number; cursor?: string }) {
    return keysetPage(this.db, {
      table: "incidents",
      orderBy: "detected_at",
      filters: [
        f.site && { sql: "site_id = ?", args: [f.site] },
        f.type && { sql: "type = ?", args: [f.type] },
        f.visitId && { sql: "visit_id = ?", args: [f.visitId] },
      ],
      limit: f.limit,
      cursor: f.cursor,
      map: toIncident,
      key: (i) => [i.detectedAt, i.id],
    });
  }
}

/** Guests inside now with their site's limits, for the overstay check. */
export async function guestsInside(db: Database) {
  const r = await db.read(
    `SELECT v.id, v.site_id, v.guest_name, v.last_passage_at, s.name AS site_name, s.max_stay_minutes,
            s.security_email, s.time_zone, s.language
       FROM visits v JOIN sites s ON s.id = v.site_id WHERE v.inside = 1`,
  );
  return r.rows.map((row) => ({
    visitId: String(row.id),
    site: String(row.site_id),
    guestName: String(row.guest_name),
    since: row.last_passage_at === null ? null : String(row.last_passage_at),
    siteName: String(row.site_name),
    maxStayMinutes: Number(row.max_stay_minutes),
    securityEmail: row.security_email === null ? null : String(row.security_email),
    timeZone: String(row.time_zone),
    language: String(row.language),
  }));
}
