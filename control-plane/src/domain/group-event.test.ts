import { describe, expect, it } from "vitest";
import { closesAtDeadline, decideRegistration, decideReopen } from "./group-event.js";

const now = new Date("2025-10-03T12:00:00Z");
const open = {
  capacity: 2,
  registered: 0,
  registrationDeadline: "2025-10-04T00:00:00Z",
  endsAt: "2025-10-05T00:00:00Z",
  state: "open" as const,
};

describe("group event registration", () => {
  it("closes itself when the last place is taken, and refuses more", () => {
    expect(decideRegistration(open, now)).toEqual({ ok: true, closes: null });
    expect(decideRegistration({ ...open, registered: 1 }, now)).toEqual({ ok: true, closes: "capacity" });
    expect(decideRegistration({ ...open, registered: 2, state: "closed" }, now)).toMatchObject({ ok: false });
  });

  it("closes at the deadline, once", () => {
    const late = new Date("2025-10-04T00:00:00Z");
    expect(decideRegistration(open, late)).toMatchObject({ ok: false, closes: "deadline" });
    expect(decideRegistration({ ...open, state: "closed" }, late)).toMatchObject({ ok: false, closes: null });
    expect(closesAtDeadline(open, late)).toBe(true);
    expect(closesAtDeadline(open, now)).toBe(false);
  });

  it("reopens only with room and time left", () => {
    expect(decideReopen({ ...open, state: "closed", registered: 2 }, now)).toMatchObject({
      ok: false,
      path: "capacity",
    });
    expect(decideReopen({ ...open, state: "closed", capacity: 5, registered: 2 }, now)).toEqual({ ok: true });
    expect(decideReopen({ ...open, state: "closed" }, new Date("2025-10-04T01:00:00Z"))).toMatchObject({
      path: "registrationDeadline",
    });
    expect(decideReopen(open, now)).toMatchObject({ ok: false, path: "state" });
  });
});
