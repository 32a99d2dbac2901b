import { formatInZone, type Passage, parseDeviceTime } from "@gatehouse/shared";

/**
 * An access-control event as a terminal reports it, in the alert stream (`majorEventType`, `subEventType`,
 * `dateTime`) or in an `AcsEvent` search (`major`, `minor`, `time`); normalised by the caller.
 */
export interface TerminalEvent {
  major: number;
  minor: number;
  /** The terminal's monotonic event counter: the identity of the event on that terminal. */
  serialNo: number;
  time: string;
  doorNo?: number | undefined;
  employeeNo?: string | undefined;
  verifyMode?: string | undefined;
  /** false: replayed from the terminal's log (on every reconnect), not live. */
  currentEvent?: boolean | undefined;
}

export interface TerminalContext {
  site: string;
  /** The terminal's id in the agent's config. */
  terminal: string;
  timeZone: string;
  /** Door number → direction; turnstiles: door 1 is the entrance, door 2 the exit. */
  doorDirections: Record<number, "entry" | "exit">;
  receivedAt: Date;
}

type Decision = { result: "granted" | "denied"; verifyMode: string; reasonCode?: string };

const granted = (verifyMode: string): Decision => ({ result: "granted", verifyMode });
const denied = (verifyMode: string, reasonCode: string): Decision => ({
  result: "denied",
  verifyMode,
  reasonCode,
});

/** Major 5 (event) minors that are access decisions (isapi.md §7.2, from Hikvision's tables). */
const DECISIONS: Record<number, Decision> = {
  1: granted("card"),
  2: granted("card"),
  3: denied("card", "PIN_MISMATCH"),
  4: denied("card", "VERIFY_TIMEOUT"),
  6: denied("card", "NO_ACCESS_LEVEL"),
  7: denied("card", "OUTSIDE_SCHEDULE"),
  8: denied("card", "EXPIRED"),
  9: denied("card", "CARD_NOT_FOUND"),
  10: denied("card", "ANTI_PASSBACK"),
  38: granted("fingerprint"),
  39: denied("fingerprint", "FINGERPRINT_MISMATCH"),
  49: denied("fingerprint", "FINGERPRINT_NOT_FOUND"),
  75: granted("face"),
  76: denied("face", "FACE_NOT_RECOGNISED"),
  80: denied("face", "FACE_NOT_RECOGNISED"),
  113: denied("card", "BLOCKLIST"),
  117: denied("card", "DOOR_DORMANT"),
  118: denied("card", "SCHEDULE_DORMANT"),
  151: denied("card", "PIN_MISMATCH"),
  152: denied("card", "PERSON_NOT_FOUND"),
  153: granted("combined"),
  154: denied("combined", "VERIFY_TIMEOUT"),
  155: denied("combined", "VERIFY_MODE_MISMATCH"),
  156: granted("qr"),
  157: denied("qr", "QR_INVALID"),
  181: granted("pin"),
};

/** Turnstile alarms (major 5, minors 133–141): no one was let through, security staff must know. */
export const TURNSTILE_ALARMS: Record<number, string> = {
  133: "tailgating",
  134: "reverse_passage",
  135: "forced_passage",
  136: "climbing_over",
  137: "passing_timeout",
  138: "intrusion",
  139: "free_passage_not_authenticated",
  140: "barrier_blocked",
  141: "barrier_block_cleared",
};

export type TerminalEventMeaning =
  | { kind: "passage"; passage: Passage }
  | { kind: "alarm"; alarm: string; door: string; occurredAt: string; serialNo: number }
  | { kind: "ignored"; why: string };

/** The id of a terminal's event, the same however it arrived (stream, push, search). */
export function terminalEventId(site: string, terminal: string, serialNo: number): string {
  return `${site}:isapi:${terminal}:${serialNo}`;
}

/**
 * What one terminal event means for Gatehouse: a passage (granted or denied, with its direction from the
 * door), a turnstile alarm, or nothing (door states, the agent's own remote logins — major 3, minors
 * 112/113 — and the rest). Pure.
 */
export function interpretTerminalEvent(e: TerminalEvent, ctx: TerminalContext): TerminalEventMeaning {
  if (e.major === 3 && (e.minor === 112 || e.minor === 113)) return { kind: "ignored", why: "remote login" };
  if (e.major !== 5) return { kind: "ignored", why: `major ${e.major}` };
  const occurred = parseDeviceTime(e.time, ctx.timeZone);
  const occurredAt = formatInZone(occurred, ctx.timeZone, { ms: true });
  const door = String(e.doorNo ?? 1);
  const alarm = TURNSTILE_ALARMS[e.minor];
  if (alarm) return { kind: "alarm", alarm, door, occurredAt, serialNo: e.serialNo };
  const d = DECISIONS[e.minor];
  if (!d) return { kind: "ignored", why: `minor ${e.minor}` };
  const passage: Passage = {
    id: terminalEventId(ctx.site, ctx.terminal, e.serialNo),
    site: ctx.site,
    source: "isapi",
    sourceEventId: `${ctx.terminal}:${e.serialNo}`,
    door: { id: `${ctx.terminal}:${door}` },
    direction: ctx.doorDirections[Number(door)] ?? "unknown",
    result: d.result,
    // Major × 65536 + minor: ISAPI's code in one number (HikCentral's own codes are a different space).
    eventType: e.major * 65536 + e.minor,
    verifyMode: e.verifyMode && e.verifyMode !== "invalid" ? e.verifyMode : d.verifyMode,
    occurredAt,
    receivedAt: ctx.receivedAt.toISOString(),
  };
  if (e.employeeNo) passage.personCode = e.employeeNo;
  if (d.reasonCode) passage.reasonCode = d.reasonCode;
  return { kind: "passage", passage };
}

/** The alert stream's field names (`majorEventType`, `subEventType`, `dateTime`) in the common shape. */
export function fromAlertStream(json: unknown): TerminalEvent | undefined {
  const o = json as {
    eventType?: string;
    dateTime?: string;
    AccessControllerEvent?: {
      majorEventType?: number;
      subEventType?: number;
      serialNo?: number;
      doorNo?: number;
      cardReaderNo?: number;
      employeeNoString?: string;
      currentVerifyMode?: string;
      currentEvent?: boolean;
    };
  };
  const a = o?.AccessControllerEvent;
  if (o?.eventType !== "AccessControllerEvent" || !a || typeof o.dateTime !== "string") return undefined;
  if (
    !Number.isInteger(a.majorEventType) ||
    !Number.isInteger(a.subEventType) ||
    !Number.isInteger(a.serialNo)
  )
    return undefined;
  return {
    major: a.majorEventType!,
    minor: a.subEventType!,
    serialNo: a.serialNo!,
    time: o.dateTime,
    doorNo: a.doorNo ?? a.cardReaderNo,
    employeeNo: a.employeeNoString || undefined,
    verifyMode: a.currentVerifyMode,
    currentEvent: a.currentEvent,
  };
}

/** An `AcsEvent` search row in the common shape. */
export function fromAcsEventSearch(row: unknown): TerminalEvent | undefined {
  const r = row as {
    major?: number;
    minor?: number;
    serialNo?: number;
    time?: string;
    doorNo?: number;
    employeeNoString?: string;
    currentVerifyMode?: string;
  };
  if (!Number.isInteger(r?.major) || !Number.isInteger(r.minor) || !Number.isInteger(r.serialNo) || !r.time)
    return undefined;
  return {
    major: r.major!,
    minor: r.minor!,
    serialNo: r.serialNo!,
    time: r.time,
    doorNo: r.doorNo,
    employeeNo: r.employeeNoString || undefined,
    verifyMode: r.currentVerifyMode,
    currentEvent: false,
  };
}
