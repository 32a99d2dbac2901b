/** The visit as the domain sees it. Pure data and functions: no I/O. */
export type VisitStatus =
  | "held"
  | "scheduled"
  | "active"
  | "checked_out"
  | "cancelled"
  | "expired"
  | "refused";
export type Access = "pending" | "granted" | "failed" | "revoked";

export interface VisitCounts {
  firstEntryAt: string | null;
  firstExitAt: string | null;
  entryCount: number;
  exitCount: number;
  inside: boolean;
  /** Event time of the latest passage counted: `inside` follows it, whatever order passages arrive in. */
  lastPassageAt: string | null;
}

/** The counts of a visit nobody has passed a turnstile for yet. */
export const NO_PASSAGES: VisitCounts = {
  firstEntryAt: null,
  firstExitAt: null,
  entryCount: 0,
  exitCount: 0,
  inside: false,
  lastPassageAt: null,
};

export function initialStatus(validFrom: Date, now: Date): VisitStatus {
  return validFrom.getTime() > now.getTime() ? "scheduled" : "active";
}

/** A stable HikCentral personCode per visit: the agent finds the person by it before creating one. */
export function personCodeFor(visitId: string): string {
  return `GH${visitId.replace(/-/g, "").slice(0, 20).toUpperCase()}`;
}

export type CommandStatus = "pending" | "received" | "applied" | "failed" | "expired" | "rejected";
const FINAL: CommandStatus[] = ["applied", "failed", "expired", "rejected"];

/** Acks may arrive twice or late; a command's status only moves forward. */
export function nextCommandStatus(current: CommandStatus, incoming: CommandStatus): CommandStatus {
  if (FINAL.includes(current)) return current;
  if (incoming === "pending") return current;
  return incoming;
}

/** What a final ack of a command means for the visit's access. */
export function accessAfterAck(current: Access, commandType: string, status: CommandStatus): Access {
  if (commandType === "grant") {
    if (current === "revoked") return current; // a late grant ack never reopens a revoked visit
    if (status === "applied") return "granted";
    if (status === "failed" || status === "expired" || status === "rejected") return "failed";
  }
  if (commandType === "revoke" && status === "applied") return "revoked";
  return current;
}

export type NotificationKind = "first_entry" | "first_exit";

export interface PassageFacts {
  direction: "entry" | "exit" | "unknown";
  result: "granted" | "denied";
  occurredAt: string;
}

/**
 * How a passage changes a visit's counts, and which host notifications it causes (each kind once ever).
 * Passages may arrive late (found by a gap fill after newer ones were pushed), so the result depends only
 * on the set of passages, not their arrival order: first entry/exit are the earliest by event time, and
 * `inside` follows the latest passage by event time. All times are UTC ISO strings, so they compare as text.
 */
export function applyPassage(
  counts: VisitCounts,
  p: PassageFacts,
): { counts: VisitCounts; notify: NotificationKind[] } {
  if (p.result !== "granted" || p.direction === "unknown") return { counts, notify: [] };
  const next = { ...counts };
  const notify: NotificationKind[] = [];
  // Ties go to the exit, so that the same set of passages always gives the same answer.
  const latest =
    counts.lastPassageAt === null ||
    p.occurredAt > counts.lastPassageAt ||
    (p.occurredAt === counts.lastPassageAt && p.direction === "exit");
  if (latest) {
    next.lastPassageAt = p.occurredAt;
    next.inside = p.direction === "entry";
  }
  if (p.direction === "entry") {
    next.entryCount += 1;
    if (!counts.firstEntryAt) notify.push("first_entry");
    if (!counts.firstEntryAt || p.occurredAt < counts.firstEntryAt) next.firstEntryAt = p.occurredAt;
  } else {
    next.exitCount += 1;
    if (!counts.firstExitAt) notify.push("first_exit");
    if (!counts.firstExitAt || p.occurredAt < counts.firstExitAt) next.firstExitAt = p.occurredAt;
  }
  return { counts: next, notify };
}
