import { describe, expect, it } from "vitest";
import { directionOf, type HikAccessEvent, interpretAccessEvent } from "./passage.js";

const ctx = {
  site: "campus-a",
  timeZone: "Asia/Almaty",
  doorDirections: { "1": "entry", "2": "exit" } as Record<string, "entry" | "exit">,
  receivedAt: new Date("2025-10-03T04:00:01Z"),
};
const event: HikAccessEvent = {
  eventId: "E2D61699",
  eventType: 196893,
  doorIndexCode: "1",
  doorName: "Turnstile Entry",
  happenTime: "2025-10-03T09:00:00.000+05:00",
  personId: "15",
  personCode: "GH0001",
  inAndOut: 0,
  pictureUri: "/pic?1",
};

describe("passage interpretation", () => {
  it("maps a face-granted event at an entry turnstile to an entry", () => {
    const p = interpretAccessEvent(event, ctx)!;
    expect(p).toMatchObject({
      id: "campus-a:hikcentral:E2D61699",
      result: "granted",
      direction: "entry",
      verifyMode: "face",
      occurredAt: "2025-10-03T09:00:00.000+05:00",
      personCode: "GH0001",
    });
  });

  it("treats 197151 as a denied face, not a grant", () => {
    expect(interpretAccessEvent({ ...event, eventType: 197151 }, ctx)).toMatchObject({
      result: "denied",
      reasonCode: "FACE_NOT_RECOGNISED",
    });
  });

  it("reads a time without an offset in the site's zone", () => {
    const p = interpretAccessEvent({ ...event, happenTime: "2025-10-03 09:00:00" }, ctx)!;
    expect(p.occurredAt).toBe("2025-10-03T09:00:00.000+05:00");
  });

  it("prefers the door map and falls back to the in/out flag", () => {
    expect(directionOf("2", 1, ctx.doorDirections)).toBe("exit");
    expect(directionOf("9", 1, ctx.doorDirections)).toBe("entry");
    expect(directionOf("9", 0, ctx.doorDirections)).toBe("exit");
    expect(directionOf(undefined, -1, ctx.doorDirections)).toBe("unknown");
  });

  it("ignores codes that are not access decisions", () => {
    expect(interpretAccessEvent({ ...event, eventType: 131331 }, ctx)).toBeNull();
  });
});
