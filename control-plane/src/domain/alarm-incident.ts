import type { Incident, TerminalAlarm } from "@gatehouse/shared";
import { incidentSentence } from "./incident-words.js";

/** Someone got through who should not have, or may have: the rest are the turnstile's own troubles. */
const CRITICAL: ReadonlySet<TerminalAlarm["alarm"]> = new Set([
  "tailgating",
  "reverse_passage",
  "forced_passage",
  "climbing_over",
  "intrusion",
  "free_passage_not_authenticated",
]);

/** The security incident a turnstile alarm raises. Pure. */
export function alarmIncident(a: TerminalAlarm, now: Date, id: string): Incident {
  const doorName = a.door.name ?? `${a.terminal} door ${a.door.id.split(":").pop()}`;
  return {
    id,
    site: a.site,
    type: "turnstile_alarm",
    severity: CRITICAL.has(a.alarm) ? "critical" : "warning",
    visitId: null,
    passageId: null,
    guestName: null,
    doorName,
    occurredAt: a.occurredAt,
    detectedAt: now.toISOString(),
    params: { alarm: a.alarm, door: doorName },
    message: incidentSentence("turnstile_alarm", { alarm: a.alarm, door: doorName }),
  };
}
