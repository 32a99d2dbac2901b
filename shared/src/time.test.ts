import { describe, expect, it } from "vitest";
import { formatInZone, parseDeviceTime, zoneOffsetMinutes } from "./time.js";

describe("time", () => {
  it("formats an instant in the site's zone with a numeric offset, never Z", () => {
    const t = new Date("2025-10-03T04:00:00Z");
    expect(formatInZone(t, "Asia/Almaty")).toBe("2025-10-03T09:00:00+05:00");
    expect(formatInZone(t, "UTC")).toBe("2025-10-03T04:00:00+00:00");
    expect(formatInZone(t, "America/New_York")).toBe("2025-10-03T00:00:00-04:00");
    expect(formatInZone(new Date("2025-10-03T04:00:00.042Z"), "Asia/Almaty", { ms: true })).toBe(
      "2025-10-03T09:00:00.042+05:00",
    );
  });

  it("knows DST offsets", () => {
    expect(zoneOffsetMinutes(new Date("2025-01-15T12:00:00Z"), "Europe/Berlin")).toBe(60);
    expect(zoneOffsetMinutes(new Date("2025-07-15T12:00:00Z"), "Europe/Berlin")).toBe(120);
  });

  it("parses HikCentral's forms: offset, milliseconds, none, and the old space form", () => {
    const want = "2025-10-03T04:00:00.000Z";
    expect(parseDeviceTime("2025-10-03T09:00:00+05:00", "UTC").toISOString()).toBe(want);
    expect(parseDeviceTime("2025-10-03T09:00:00.000+05:00", "UTC").toISOString()).toBe(want);
    expect(parseDeviceTime("2025-10-03T09:00:00", "Asia/Almaty").toISOString()).toBe(want);
    expect(parseDeviceTime("2025-10-03 09:00:00", "Asia/Almaty").toISOString()).toBe(want);
    expect(parseDeviceTime("2025-10-03T04:00:00Z", "Asia/Almaty").toISOString()).toBe(want);
    expect(parseDeviceTime("2025-10-03T09:00:00+0500", "UTC").toISOString()).toBe(want);
    expect(parseDeviceTime("2025-10-03T09:00:00.525+05:00", "UTC").toISOString()).toBe(
      "2025-10-03T04:00:00.525Z",
    );
  });

  it("rejects what is not a time", () => {
    expect(() => parseDeviceTime("yesterday", "UTC")).toThrow(/not a date-time/);
  });
});
