import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  accessAfterAck,
  applyPassage,
  NO_PASSAGES,
  nextCommandStatus,
  type PassageFacts,
  personCodeFor,
  type VisitCounts,
} from "./visit.js";

const empty = NO_PASSAGES;

describe("visit domain", () => {
  it("makes a personCode HikCentral accepts", () => {
    expect(personCodeFor("0b6f8f44-8a4b-4c56-9a53-1f9b3f1f2a10")).toMatch(/^GH[0-9A-F]{20}$/);
  });

  it("moves command status forward only", () => {
    expect(nextCommandStatus("pending", "received")).toBe("received");
    expect(nextCommandStatus("received", "applied")).toBe("applied");
    expect(nextCommandStatus("applied", "received")).toBe("applied");
    expect(nextCommandStatus("failed", "applied")).toBe("failed");
  });

  it("derives access from acks, and a late grant never reopens a revoked visit", () => {
    expect(accessAfterAck("pending", "grant", "applied")).toBe("granted");
    expect(accessAfterAck("pending", "grant", "failed")).toBe("failed");
    expect(accessAfterAck("revoked", "grant", "applied")).toBe("revoked");
    expect(accessAfterAck("granted", "revoke", "applied")).toBe("revoked");
    expect(accessAfterAck("pending", "grant", "received")).toBe("pending");
  });

  it("notifies on the first entry and the first exit only", () => {
    const t1 = "2025-10-03T09:00:00+05:00";
    const a = applyPassage(empty, { direction: "entry", result: "granted", occurredAt: t1 });
    expect(a.notify).toEqual(["first_entry"]);
    expect(a.counts).toMatchObject({ entryCount: 1, inside: true, firstEntryAt: t1 });
    const b = applyPassage(a.counts, { direction: "entry", result: "granted", occurredAt: t1 });
    expect(b.notify).toEqual([]);
    expect(b.counts.entryCount).toBe(2);
    const c = applyPassage(b.counts, { direction: "exit", result: "granted", occurredAt: t1 });
    expect(c.notify).toEqual(["first_exit"]);
    expect(c.counts.inside).toBe(false);
  });

  it("does not count denied passages", () => {
    const d = applyPassage(empty, {
      direction: "entry",
      result: "denied",
      occurredAt: "2025-10-03T09:00:00Z",
    });
    expect(d).toEqual({ counts: empty, notify: [] });
  });

  it("counts a late entry (found after the exit) without putting the guest back inside", () => {
    const exit = applyPassage(empty, {
      direction: "exit",
      result: "granted",
      occurredAt: "2025-10-03T10:05:00.000Z",
    });
    const lateEntry = applyPassage(exit.counts, {
      direction: "entry",
      result: "granted",
      occurredAt: "2025-10-03T10:00:00.000Z",
    });
    expect(lateEntry.counts).toMatchObject({
      inside: false,
      entryCount: 1,
      firstEntryAt: "2025-10-03T10:00:00.000Z",
    });
    expect(lateEntry.notify).toEqual(["first_entry"]);
  });

  it("gives the same visit state and the same notifications whatever order passages arrive in", () => {
    const passage = fc.record({
      direction: fc.constantFrom("entry" as const, "exit" as const, "unknown" as const),
      result: fc.constantFrom("granted" as const, "denied" as const),
      occurredAt: fc
        .integer({ min: 0, max: 3600 })
        .map((s) => new Date(Date.UTC(2025, 9, 3, 9, 0, s)).toISOString()),
    });
    const run = (ps: PassageFacts[]) => {
      let c: VisitCounts = empty;
      const notified: string[] = [];
      for (const p of ps) {
        const r = applyPassage(c, p);
        c = r.counts;
        notified.push(...r.notify);
      }
      return { c, notified: notified.sort() };
    };
    fc.assert(
      fc.property(
        fc
          .array(passage, { maxLength: 30 })
          .chain((ps) =>
            fc.tuple(
              fc.constant(ps),
              fc.shuffledSubarray(ps, { minLength: ps.length, maxLength: ps.length }),
            ),
          ),
        ([inOrder, shuffled]) => {
          expect(run(shuffled)).toEqual(run(inOrder));
        },
      ),
      { numRuns: 500 },
    );
  });
});
