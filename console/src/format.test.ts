import { afterEach, describe, expect, it } from "vitest";
import { ago, fromZoneInput, sameClock, span, toZoneInput, when, zoneName } from "./format.js";
import { setLanguage } from "./i18n.js";

// 2026-12-03 10:00 UTC: 15:00 in Almaty (UTC+5), 11:00 in Berlin, 05:00 in New York.
const now = new Date("2026-12-03T10:00:00Z");

describe("times on a site's clock", () => {
  afterEach(() => setLanguage("en"));

  it("shows the time alone when it is today on the site's clock, the date when it is not", () => {
    expect(when("2026-12-03T09:30:05Z", "Asia/Almaty", { now })).toBe("14:30:05");
    // 20:30 UTC on the 2nd is 01:30 on the 3rd in Almaty: today there, yesterday in New York.
    expect(when("2026-12-02T20:30:00Z", "Asia/Almaty", { now })).toBe("01:30:00");
    expect(when("2026-12-02T20:30:00Z", "America/New_York", { now })).toBe("2 Dec, 15:30");
    // Another year says so.
    expect(when("2025-12-02T09:00:00Z", "Asia/Almaty", { now })).toBe("2 Dec 2025, 14:00");
  });

  it("reads in Russian", () => {
    setLanguage("ru");
    expect(when("2026-12-01T09:00:00Z", "Asia/Almaty", { now })).toBe("1 дек., 14:00");
    expect(ago("2026-12-03T09:58:00Z", now)).toBe("2 мин. назад");
  });

  it("says how long ago for the last hours only", () => {
    expect(ago("2026-12-03T09:59:50Z", now)).toBe("now");
    expect(ago("2026-12-03T09:58:00Z", now)).toBe("2 min ago");
    expect(ago("2026-12-03T07:00:00Z", now)).toBe("3 hr ago");
    expect(ago("2026-12-02T07:00:00Z", now)).toBeUndefined();
  });

  it("names the zone with its offset, and knows zones that show the same clock", () => {
    expect(zoneName("Asia/Almaty", now)).toBe("Asia/Almaty (UTC+05:00)");
    expect(zoneName("UTC", now)).toBe("UTC (UTC+00:00)");
    expect(zoneName("Europe/London", now)).toBe("Europe/London (UTC+00:00)");
    expect(sameClock("Asia/Almaty", "Asia/Qostanay", now)).toBe(true);
    expect(sameClock("Asia/Almaty", "Europe/Berlin", now)).toBe(false);
  });

  it("spans a visit's window", () => {
    expect(span("2026-12-03T04:00:00Z", "2026-12-04T12:00:00Z", "Asia/Almaty", now)).toBe(
      "09:00 – 4 Dec, 17:00",
    );
  });

  it("reads and writes datetime-local values on the site's clock, across a change of offset", () => {
    expect(toZoneInput(new Date("2026-12-03T10:00:00Z"), "Asia/Almaty")).toBe("2026-12-03T15:00");
    expect(fromZoneInput("2026-12-03T15:00", "Asia/Almaty")).toBe("2026-12-03T10:00:00.000Z");
    // Berlin: summer time ends 2026-10-25 03:00 CEST → 02:00 CET.
    expect(fromZoneInput("2026-10-24T12:00", "Europe/Berlin")).toBe("2026-10-24T10:00:00.000Z");
    expect(fromZoneInput("2026-10-26T12:00", "Europe/Berlin")).toBe("2026-10-26T11:00:00.000Z");
    expect(fromZoneInput("", "Europe/Berlin")).toBe("");
  });
});
