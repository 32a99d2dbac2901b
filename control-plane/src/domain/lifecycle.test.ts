import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isClosed, transition, type VisitAction } from "./lifecycle.js";
import { type Access, accessAfterAck, type VisitStatus } from "./visit.js";

const now = new Date("2025-10-03T12:00:00Z");
const open = {
  status: "active" as VisitStatus,
  access: "granted" as Access,
  validUntil: "2025-10-03T18:00:00Z",
};

describe("visit lifecycle", () => {
  it("ends a visit with a revoke, and refuses to change a closed one", () => {
    expect(transition(open, "checkout", now)).toMatchObject({
      ok: true,
      status: "checked_out",
      command: "revoke",
    });
    expect(transition(open, "cancel", now)).toMatchObject({
      ok: true,
      status: "cancelled",
      command: "revoke",
    });
    expect(transition({ ...open, status: "cancelled" }, "checkout", now)).toMatchObject({ ok: false });
    expect(transition({ ...open, status: "scheduled" }, "checkout", now)).toMatchObject({ ok: false });
  });

  it("expires only a visit whose time is over", () => {
    expect(transition(open, "expire", now)).toMatchObject({ ok: false });
    expect(transition(open, "expire", new Date("2025-10-03T18:00:01Z"))).toMatchObject({
      ok: true,
      status: "expired",
    });
  });

  it("no sequence of actions and acks leaves a closed visit granted once its revoke is acked", () => {
    type Step =
      | { kind: "action"; action: VisitAction }
      | { kind: "ack"; of: "grant" | "revoke" | "validity"; ok: boolean };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({
        kind: fc.constant("action" as const),
        action: fc.constantFrom<VisitAction>(
          "cancel",
          "checkout",
          "revoke",
          "expire",
          "change_validity",
          "approve",
          "refuse",
          "retry",
        ),
      }),
      fc.record({
        kind: fc.constant("ack" as const),
        of: fc.constantFrom("grant" as const, "revoke" as const, "validity" as const),
        ok: fc.boolean(),
      }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 25 }), fc.boolean(), (steps, startsHeld) => {
        let v = {
          status: (startsHeld ? "held" : "active") as VisitStatus,
          access: "pending" as Access,
          validUntil: "2025-10-03T19:00:00Z",
          endedAt: null as string | null,
        };
        // Commands queue in order; an ack answers the oldest unanswered one of its type, as seq order makes them.
        // A visit held by the deny list has no grant until it is approved.
        const queued: Array<"grant" | "revoke" | "validity"> = startsHeld ? [] : ["grant"];
        let revokeAckedAfterClose = false;
        for (const s of steps) {
          if (s.kind === "action") {
            const t = transition(v, s.action, now);
            if (t.ok) {
              // As the service does: ending a visit or revoking stamps endedAt; a retry makes access pending.
              const ends = (isClosed(t.status) || s.action === "revoke") && v.endedAt === null;
              v = {
                ...v,
                status: t.status,
                ...(ends ? { endedAt: now.toISOString() } : {}),
                ...(s.action === "retry" ? { access: "pending" as Access } : {}),
              };
              if (t.command) queued.push(t.command);
            }
          } else {
            const i = queued.indexOf(s.of);
            if (i < 0) continue;
            // Acks come in seq order: everything before it was answered already.
            const answered = queued.splice(0, i + 1);
            for (const type of answered) {
              const ok = type === s.of ? s.ok : true;
              v = { ...v, access: accessAfterAck(v.access, type, ok ? "applied" : "failed") };
              if (type === "revoke" && ok && isClosed(v.status)) revokeAckedAfterClose = true;
            }
          }
          if (revokeAckedAfterClose && isClosed(v.status)) expect(v.access).not.toBe("granted");
          // Once access was taken away, no grant is ever queued behind the revoke.
          if (v.endedAt !== null) {
            const revokeAt = queued.indexOf("revoke");
            if (revokeAt >= 0) expect(queued.slice(revokeAt)).not.toContain("grant");
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe("retrying a failed grant", () => {
  it("queues a new grant only for an open visit whose grant failed and whose access was not taken away", () => {
    const failed = { ...open, access: "failed" as Access };
    expect(transition(failed, "retry", now)).toMatchObject({ ok: true, status: "active", command: "grant" });
    expect(transition(open, "retry", now)).toMatchObject({ ok: false });
    expect(transition({ ...failed, endedAt: "2025-10-03T11:00:00Z" }, "retry", now)).toMatchObject({
      ok: false,
    });
    expect(transition({ ...failed, status: "cancelled" }, "retry", now)).toMatchObject({ ok: false });
    expect(transition(failed, "retry", new Date("2025-10-03T18:00:01Z"))).toMatchObject({ ok: false });
    expect(transition({ ...failed, status: "held" }, "retry", now)).toMatchObject({ ok: false });
  });
});

describe("a visit held by the deny list", () => {
  const held = {
    status: "held" as VisitStatus,
    access: "pending" as Access,
    validUntil: "2025-10-03T18:00:00Z",
  };

  it("gets its grant only when an admin approves it", () => {
    expect(transition({ ...held, validFrom: "2025-10-03T09:00:00Z" }, "approve", now)).toMatchObject({
      ok: true,
      status: "active",
      command: "grant",
    });
    expect(transition({ ...held, validFrom: "2025-10-04T09:00:00Z" }, "approve", now)).toMatchObject({
      ok: true,
      status: "scheduled",
    });
    expect(transition({ ...held, validUntil: "2025-10-03T11:00:00Z" }, "approve", now)).toMatchObject({
      ok: false,
    });
  });

  it("ends without a revoke (nothing was granted), and cannot be checked out", () => {
    expect(transition(held, "refuse", now)).toMatchObject({ ok: true, status: "refused", command: null });
    expect(transition(held, "cancel", now)).toMatchObject({ ok: true, status: "cancelled", command: null });
    expect(transition(held, "checkout", now)).toMatchObject({ ok: false });
    expect(transition(held, "revoke", now)).toMatchObject({ ok: false });
    expect(transition({ ...held, status: "refused" }, "approve", now)).toMatchObject({ ok: false });
    expect(transition(open, "approve", now)).toMatchObject({ ok: false });
  });
});
