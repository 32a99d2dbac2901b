import type { Access, VisitStatus } from "./visit.js";

/** What a person or a scheduler can do to a visit. */
export type VisitAction = "cancel" | "checkout" | "revoke" | "expire" | "change_validity";

export type Transition =
  | { ok: true; status: VisitStatus; command: "revoke" | "validity" | null; reason: string }
  | { ok: false; reason: string };

const CLOSED: VisitStatus[] = ["checked_out", "cancelled", "expired"];

export const isClosed = (s: VisitStatus) => CLOSED.includes(s);

/**
 * The visit state machine. Every transition that ends a visit queues a revoke (even when the grant is still
 * pending: the revoke is applied after it, in seq order, so the door closes either way); changing the times
 * of an open visit queues a validity command. A closed visit changes no more.
 */
export function transition(
  v: { status: VisitStatus; access: Access; validUntil: string },
  action: VisitAction,
  now: Date,
): Transition {
  if (isClosed(v.status)) return { ok: false, reason: `the visit is ${v.status}` };
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
  }
}
