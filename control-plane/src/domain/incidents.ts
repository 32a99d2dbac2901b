import type { IncidentType } from "@gatehouse/shared";
import { formatInZone } from "@gatehouse/shared";
import { incidentSentence } from "./incident-words.js";
import type { Access, VisitStatus } from "./visit.js";

/** When a site expects guests to come in, in its own time zone. `to` before `from` spans midnight. */
export interface OpeningHours {
  from: string;
  to: string;
  /** ISO weekdays, 1 = Monday … 7 = Sunday; all days when absent. */
  days?: number[] | undefined;
}

export interface SiteRules {
  timeZone: string;
  openingHours: OpeningHours | null;
  maxStayMinutes: number;
}

export interface IncidentFinding {
  type: IncidentType;
  severity: "warning" | "critical";
  /** The facts, for each reader to word in their language. */
  params: Record<string, string | number>;
  /** In English, for logs and consumers that read only text. */
  message: string;
}

const finding = (
  type: IncidentType,
  severity: IncidentFinding["severity"],
  params: IncidentFinding["params"],
): IncidentFinding => ({ type, severity, params, message: incidentSentence(type, params) });

export interface PassageForIncidents {
  direction: "entry" | "exit" | "unknown";
  result: "granted" | "denied";
  /** UTC ISO. */
  occurredAt: string;
  doorName: string;
  reasonCode?: string | null | undefined;
}

export interface VisitForIncidents {
  guestName: string;
  status: VisitStatus;
  access: Access;
  /** When the visit closed or its access was taken away (UTC ISO), if it was. */
  endedAt: string | null;
  firstEntryAt: string | null;
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Is this instant inside the opening hours, read on the site's own clock? */
export function withinOpeningHours(at: Date, hours: OpeningHours, timeZone: string): boolean {
  const local = formatInZone(at, timeZone); // yyyy-MM-ddTHH:mm:ss±hh:mm
  const now = minutes(local.slice(11, 16));
  const from = minutes(hours.from);
  const to = minutes(hours.to);
  const weekday = new Date(`${local.slice(0, 10)}T00:00:00Z`).getUTCDay() || 7;
  if (from <= to) return (hours.days ?? [1, 2, 3, 4, 5, 6, 7]).includes(weekday) && now >= from && now < to;
  // Overnight hours belong to the day they open on: 22:00–06:00 on Friday covers Saturday 03:00.
  if (now >= from) return (hours.days ?? [1, 2, 3, 4, 5, 6, 7]).includes(weekday);
  if (now < to) return (hours.days ?? [1, 2, 3, 4, 5, 6, 7]).includes(weekday === 1 ? 7 : weekday - 1);
  return false;
}

/**
 * What a passage says that security staff must know, judged against the visit as it was before the passage.
 * Pure: the caller stores, publishes and emails what comes back.
 */
export function incidentsForPassage(
  p: PassageForIncidents,
  visit: VisitForIncidents | null,
  rules: SiteRules,
): IncidentFinding[] {
  if (!visit) return [];
  const out: IncidentFinding[] = [];
  const facts = { guest: visit.guestName, door: p.doorName };
  if (p.result === "denied") {
    if (visit.status === "active" && visit.access === "granted")
      out.push(
        finding("denied_with_active_visit", "warning", {
          ...facts,
          ...(p.reasonCode ? { reason: p.reasonCode } : {}),
        }),
      );
    return out;
  }
  if (p.direction === "entry" && visit.endedAt !== null && p.occurredAt > visit.endedAt)
    out.push(finding("passage_after_revoke", "critical", facts));
  if (p.direction === "exit" && (visit.firstEntryAt === null || visit.firstEntryAt > p.occurredAt))
    out.push(finding("exit_without_entry", "warning", facts));
  if (
    p.direction === "entry" &&
    rules.openingHours &&
    !withinOpeningHours(new Date(p.occurredAt), rules.openingHours, rules.timeZone)
  )
    out.push(
      finding("entry_outside_hours", "warning", {
        ...facts,
        from: rules.openingHours.from,
        to: rules.openingHours.to,
      }),
    );
  return out;
}

/** A guest inside longer than the site allows; `since` is the event time of the entry that put them inside. */
export function overstay(
  v: { guestName: string; inside: boolean; since: string | null },
  maxStayMinutes: number,
  now: Date,
): IncidentFinding | null {
  if (!v.inside || v.since === null) return null;
  const stayed = (now.getTime() - Date.parse(v.since)) / 60_000;
  if (stayed < maxStayMinutes) return null;
  return finding("overstay", "warning", {
    guest: v.guestName,
    hours: Math.floor(stayed / 60),
    minutes: Math.floor(stayed % 60),
    allowedHours: maxStayMinutes / 60,
  });
}
