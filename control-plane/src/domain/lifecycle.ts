import type { Access, VisitStatus } from "./visit.js";

/** What a person or a scheduler can do to a visit. */
export type VisitAction =
  | "cancel"
  | "checkout"
  | "revoke"
  | "expire"
  | "change_validity"
  | "approve"
  | "refuse"
  | "retry";

export type Transition =
  | { ok: true; status: VisitStatus; command: "grant" | "revoke" | "validity" | null; reason: string }
  | { ok: false; reason: string };

const CLOSED: VisitStatus[] = ["checked_out", "cancelled", "expired", "refused"];

export const isClosed = (s: VisitStatus) => CLOSED.includes(s);

/**
 * The visit state machine. Every transition that ends a visit queues a revoke (even when the grant is still
 * pending: the revoke is applied after it, in seq order, so the door closes either way); changing the times
 * of an open visit queues a validity command. A visit held by the deny list has had no grant yet: an admin
 * approves it (the grant is queued then) or refuses it, and ending it queues nothing. A closed visit changes
 * no more.
 */
export function transition(
  v: {
    status: VisitStatus;
    access: Access;
    validFrom?: string;
    validUntil: string;
    /** Set once the visit closed or its access was taken away. */
    endedAt?: string | null;
  },
  action: VisitAction,
  now: Date,
): Transition {
  if (isClosed(v.status)) return { ok: false, reason: `the visit is ${v.status}` };
  if (v.status === "held") return held(v, action, now);
  switch (action) {
    case "cancel":
      return { ok: true, status: "cancelled", command: "revoke", reason: "cancelled" };
    case "checkout":
      if (v.status !== "active")
        return { ok: false, reason: `the visit is ${v.status}; only an active visit checks out` };
      return { ok: true, status: "checked_out", command: "revoke", reason: "checked_out" };
    case "revoke":
      if (v.access === "revoked") return { ok: false, reason: "access is revoked already" };
      return { ok: true, status: v.status, command: "revoke", reason: "manual" };
    case "expire":
      if (Date.parse(v.validUntil) > now.getTime())
        return { ok: false, reason: "the visit has not ended yet" };
      return { ok: true, status: "expired", command: "revoke", reason: "expired" };
    case "change_validity":
      return {
        ok: true,
        status: v.status,
        command: v.access === "revoked" ? null : "validity",
        reason: "validity",
      };
    case "approve":
    case "refuse":
      return { ok: false, reason: `the visit is ${v.status}; only a held visit is approved or refused` };
    case "retry":
      // A new grant, after the failed one in seq order; nothing else has touched HikCentral for this visit.
      if (v.access !== "failed")
        return { ok: false, reason: `access is ${v.access}; only a failed grant is retried` };
      // A revoke queued after the failed grant would run before the new grant and be undone by it.
      if (v.endedAt) return { ok: false, reason: "access was taken away; create a new visit instead" };
      if (Date.parse(v.validUntil) <= now.getTime())
        return { ok: false, reason: "the visit has ended; nothing to grant" };
      return { ok: true, status: v.status, command: "grant", reason: "retry" };
  }
}

function held(v: { validFrom?: string; validUntil: string }, action: VisitAction, now: Date): Transition {
  switch (action) {
    case "approve": {
      if (Date.parse(v.validUntil) <= now.getTime())
        return { ok: false, reason: "the visit has ended; nothing to grant" };
      const started = v.validFrom === undefined || Date.parse(v.validFrom) <= now.getTime();
      return { ok: true, status: started ? "active" : "scheduled", command: "grant", reason: "approved" };
    }
    case "refuse":
      return { ok: true, status: "refused", command: null, reason: "refused" };
    case "cancel":
      return { ok: true, status: "cancelled", command: null, reason: "cancelled" };
    case "expire":
      if (Date.parse(v.validUntil) > now.getTime())
        return { ok: false, reason: "the visit has not ended yet" };
      return { ok: true, status: "expired", command: null, reason: "expired" };
    case "change_validity":
      return { ok: true, status: "held", command: null, reason: "validity" };
    case "checkout":
    case "revoke":
      return { ok: false, reason: "the visit is held for approval; it has no access to take away" };
    case "retry":
      return { ok: false, reason: "the visit is held for approval; approve it to grant access" };
  }
}
