import type { Incident, TerminalAlarm } from "@gatehouse/shared";

const ALARM_TEXT: Record<TerminalAlarm["alarm"], string> = {
  tailgating: "Tailgating: someone followed a guest through",
  reverse_passage: "Someone went through the turnstile the wrong way",
  forced_passage: "The turnstile was forced",
  climbing_over: "Someone climbed over the turnstile",
  passing_timeout: "A passage through the turnstile took too long",
  intrusion: "Intrusion at the turnstile",
  free_passage_not_authenticated: "Someone passed without authenticating",
  barrier_blocked: "The turnstile's barrier is blocked",
  barrier_block_cleared: "The turnstile's barrier is free again",
};

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
    message: `${ALARM_TEXT[a.alarm]} at ${doorName}`,
  };
}
