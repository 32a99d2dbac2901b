/** Group events (open days, conferences): when registration is open, and when it closes by itself. Pure. */
export interface GroupEventState {
  capacity: number;
  registered: number;
  registrationDeadline: string;
  endsAt: string;
  state: "open" | "closed";
}

export type RegistrationDecision =
  | { ok: true; closes: "capacity" | null }
  | { ok: false; reason: string; closes: "deadline" | null };

export function decideRegistration(e: GroupEventState, now: Date): RegistrationDecision {
  if (Date.parse(e.registrationDeadline) <= now.getTime())
    return {
      ok: false,
      reason: `registration closed at its deadline (${e.registrationDeadline})`,
      closes: e.state === "open" ? "deadline" : null,
    };
  if (e.state === "closed") return { ok: false, reason: "registration is closed", closes: null };
  if (e.registered >= e.capacity)
    return { ok: false, reason: `the event is full (${e.capacity} places)`, closes: null };
  return { ok: true, closes: e.registered + 1 >= e.capacity ? "capacity" : null };
}

/** The scheduler's question: should this event's registration close now? */
export function closesAtDeadline(e: GroupEventState, now: Date): boolean {
  return e.state === "open" && Date.parse(e.registrationDeadline) <= now.getTime();
}

/** Reopening needs room and time left: the new capacity and deadline, when given, are checked first. */
export function decideReopen(
  e: GroupEventState,
  now: Date,
): { ok: true } | { ok: false; path: "capacity" | "registrationDeadline" | "state"; reason: string } {
  if (e.state === "open") return { ok: false, path: "state", reason: "registration is open already" };
  if (e.registered >= e.capacity)
    return {
      ok: false,
      path: "capacity",
      reason: `all ${e.capacity} places are taken; give a larger capacity`,
    };
  if (Date.parse(e.registrationDeadline) <= now.getTime())
    return { ok: false, path: "registrationDeadline", reason: "the deadline has passed; give a later one" };
  if (Date.parse(e.registrationDeadline) > Date.parse(e.endsAt))
    return {
      ok: false,
      path: "registrationDeadline",
      reason: "the deadline must not be after the event ends",
    };
  return { ok: true };
}
