import { describe, expect, it } from "vitest";
import { type DriftContext, type HeldPerson, planRepairs, planUnknown, type WantedPerson } from "./drift.js";

const now = Date.parse("2026-11-23T12:00:00Z");
const hour = 3600_000;
const ctx: DriftContext = { now, retentionMs: 30 * 86_400_000, managedGroups: new Set(["1", "2", "3"]) };
const want = (over: Partial<WantedPerson> = {}): WantedPerson => ({
  personCode: "GHA",
  visitId: "v1",
  state: "granted",
  groups: ["1"],
  validFrom: new Date(now - hour).toISOString(),
  validUntil: new Date(now + hour).toISOString(),
  givenName: "Ada",
  familyName: "Lovelace",
  endedAt: null,
  ...over,
});
const held = (over: Partial<HeldPerson> = {}): HeldPerson => ({
  personId: "7",
  begin: now - hour,
  end: now + hour,
  givenName: "Ada",
  familyName: "Lovelace",
  groups: new Set(["1"]),
  ...over,
});

describe("planRepairs", () => {
  it("finds nothing to do when HikCentral holds what the replica wants (to the second)", () => {
    expect(planRepairs(want(), held({ begin: now - hour + 400 }), ctx)).toEqual([]);
  });

  it("creates a granted person someone deleted by hand", () => {
    expect(planRepairs(want(), undefined, ctx)).toEqual([{ kind: "create" }]);
  });

  it("puts back an edited window and name, and levels missing or added by hand", () => {
    const r = planRepairs(
      want({ groups: ["1", "2"] }),
      held({ end: now + 5 * hour, givenName: "Eve", groups: new Set(["1", "3", "99"]) }),
      ctx,
    );
    expect(r).toEqual([
      { kind: "update", fields: ["window", "name"] },
      { kind: "add_groups", groups: ["2"] },
      { kind: "remove_groups", groups: ["3"] },
    ]);
  });

  it("expires a granted person whose validUntil passed", () => {
    expect(planRepairs(want({ validUntil: new Date(now - 1).toISOString() }), held(), ctx)).toEqual([
      { kind: "expire" },
    ]);
  });

  it("takes a revoked person out of levels someone put it back in, and ends a validity extended by hand", () => {
    const endedAt = new Date(now - hour).toISOString();
    expect(planRepairs(want({ state: "revoked", endedAt }), held({ end: now + hour }), ctx)).toEqual([
      { kind: "remove_groups", groups: ["1"] },
      { kind: "end_validity" },
    ]);
    expect(
      planRepairs(
        want({ state: "revoked", endedAt }),
        held({ end: now - hour + 30_000, groups: new Set() }),
        ctx,
      ),
    ).toEqual([]);
  });

  it("deletes after the retention period, and forgets one HikCentral no longer has", () => {
    const endedAt = new Date(now - 31 * 86_400_000).toISOString();
    expect(planRepairs(want({ state: "expired", endedAt }), held(), ctx)).toEqual([{ kind: "delete" }]);
    expect(planRepairs(want({ state: "expired", endedAt }), undefined, ctx)).toEqual([{ kind: "forget" }]);
    const recent = new Date(now - 29 * 86_400_000).toISOString();
    expect(planRepairs(want({ state: "expired", endedAt: recent }), undefined, ctx)).toEqual([]);
  });
});

describe("planUnknown", () => {
  it("leaves a person the replica does not know without access, and deletes it after the retention period", () => {
    expect(planUnknown(held({ groups: new Set(["2", "99"]) }), ctx)).toEqual([
      { kind: "remove_groups", groups: ["2"] },
      { kind: "end_validity" },
    ]);
    expect(planUnknown(held({ end: now - hour, groups: new Set() }), ctx)).toEqual([]);
    expect(planUnknown(held({ end: now - 40 * 86_400_000 }), ctx)).toEqual([{ kind: "delete" }]);
  });
});
