import { describe, expect, it } from "vitest";
import { incidentsForPassage, overstay, withinOpeningHours } from "./incidents.js";

const rules = {
  timeZone: "Asia/Almaty",
  openingHours: { from: "07:00", to: "21:00", days: [1, 2, 3, 4, 5] },
  maxStayMinutes: 480,
};
const visit = {
  guestName: "Aigerim Bekova",
  status: "active" as const,
  access: "granted" as const,
  endedAt: null,
  firstEntryAt: "2025-10-03T04:00:00.000Z",
};
// 2025-10-03 is a Friday; Almaty is UTC+5.
const entry = {
  direction: "entry" as const,
  result: "granted" as const,
  occurredAt: "2025-10-03T05:00:00.000Z",
  doorName: "Main",
};

describe("security incidents", () => {
  it("reads opening hours on the site's clock, with weekdays and overnight hours", () => {
    expect(withinOpeningHours(new Date("2025-10-03T02:00:00Z"), rules.openingHours, rules.timeZone)).toBe(
      true,
    ); // 07:00 Fri
    expect(withinOpeningHours(new Date("2025-10-03T01:59:00Z"), rules.openingHours, rules.timeZone)).toBe(
      false,
    ); // 06:59
    expect(withinOpeningHours(new Date("2025-10-03T16:00:00Z"), rules.openingHours, rules.timeZone)).toBe(
      false,
    ); // 21:00
    expect(withinOpeningHours(new Date("2025-10-04T05:00:00Z"), rules.openingHours, rules.timeZone)).toBe(
      false,
    ); // Sat
    const night = { from: "22:00", to: "06:00", days: [5] };
    expect(withinOpeningHours(new Date("2025-10-03T22:00:00Z"), night, rules.timeZone)).toBe(true); // Sat 03:00, opened Fri
    expect(withinOpeningHours(new Date("2025-10-04T17:30:00Z"), night, rules.timeZone)).toBe(false); // Sat 22:30
  });

  it("finds each kind of passage incident, and none for an ordinary passage", () => {
    expect(incidentsForPassage(entry, visit, rules)).toEqual([]);
    expect(
      incidentsForPassage({ ...entry, result: "denied", reasonCode: "FACE_NOT_RECOGNISED" }, visit, rules),
    ).toMatchObject([
      { type: "denied_with_active_visit", message: expect.stringContaining("FACE_NOT_RECOGNISED") },
    ]);
    expect(
      incidentsForPassage({ ...entry, result: "denied" }, { ...visit, status: "expired" }, rules),
    ).toEqual([]);
    expect(
      incidentsForPassage({ ...entry, direction: "exit" }, { ...visit, firstEntryAt: null }, rules),
    ).toMatchObject([{ type: "exit_without_entry" }]);
    expect(
      incidentsForPassage({ ...entry, occurredAt: "2025-10-03T17:00:00.000Z" }, visit, rules),
    ).toMatchObject([{ type: "entry_outside_hours" }]);
    expect(
      incidentsForPassage(entry, { ...visit, access: "revoked", endedAt: "2025-10-03T04:30:00.000Z" }, rules),
    ).toMatchObject([{ type: "passage_after_revoke", severity: "critical" }]);
    // Leaving after the visit ended is how a visit should end.
    expect(
      incidentsForPassage(
        { ...entry, direction: "exit" },
        { ...visit, endedAt: "2025-10-03T04:30:00.000Z" },
        rules,
      ),
    ).toEqual([]);
    expect(incidentsForPassage(entry, null, rules)).toEqual([]);
  });

  it("flags a stay longer than the site allows", () => {
    const now = new Date("2025-10-03T12:00:00Z");
    expect(overstay({ guestName: "A", inside: true, since: "2025-10-03T04:00:00Z" }, 480, now)).toMatchObject(
      {
        type: "overstay",
      },
    );
    expect(overstay({ guestName: "A", inside: true, since: "2025-10-03T04:00:01Z" }, 480, now)).toBeNull();
    expect(overstay({ guestName: "A", inside: false, since: "2025-10-01T04:00:00Z" }, 480, now)).toBeNull();
  });
});
