import { describe, expect, it } from "vitest";
import {
  fromAcsEventSearch,
  fromAlertStream,
  interpretTerminalEvent,
  type TerminalContext,
} from "./terminal-events.js";

const ctx: TerminalContext = {
  site: "north",
  terminal: "gate-1",
  timeZone: "Asia/Almaty",
  doorDirections: { 1: "entry", 2: "exit" },
  receivedAt: new Date("2026-11-23T10:00:01Z"),
};

describe("terminal events", () => {
  it("makes a face grant on door 1 an entry and on door 2 an exit, with the serial number as identity", () => {
    const e = fromAlertStream({
      eventType: "AccessControllerEvent",
      dateTime: "2026-11-23T15:00:00+05:00",
      AccessControllerEvent: {
        majorEventType: 5,
        subEventType: 75,
        serialNo: 18,
        doorNo: 1,
        employeeNoString: "GH1",
        currentVerifyMode: "cardOrFace",
        currentEvent: false,
      },
    })!;
    const r = interpretTerminalEvent(e, ctx);
    expect(r).toMatchObject({
      kind: "passage",
      passage: {
        id: "north:isapi:gate-1:18",
        source: "isapi",
        personCode: "GH1",
        direction: "entry",
        result: "granted",
        eventType: 5 * 65536 + 75,
        verifyMode: "cardOrFace",
        occurredAt: "2026-11-23T15:00:00.000+05:00",
      },
    });
    expect(interpretTerminalEvent({ ...e, doorNo: 2 }, ctx)).toMatchObject({
      passage: { direction: "exit" },
    });
  });

  it("gives denials their reason, and the same id to the same event from a search", () => {
    const searched = fromAcsEventSearch({
      major: 5,
      minor: 8,
      time: "2026-11-23T15:01:00+05:00",
      doorNo: 1,
      serialNo: 19,
      employeeNoString: "GH1",
      currentVerifyMode: "invalid",
    })!;
    expect(interpretTerminalEvent(searched, ctx)).toMatchObject({
      passage: { id: "north:isapi:gate-1:19", result: "denied", reasonCode: "EXPIRED", verifyMode: "card" },
    });
  });

  it("turns turnstile alarms into alarms, and ignores the agent's own logins and door states", () => {
    const base = { time: "2026-11-23T15:02:00+05:00", serialNo: 20, doorNo: 1 };
    expect(interpretTerminalEvent({ ...base, major: 5, minor: 133 }, ctx)).toMatchObject({
      kind: "alarm",
      alarm: "tailgating",
      door: "1",
    });
    expect(interpretTerminalEvent({ ...base, major: 5, minor: 136 }, ctx)).toMatchObject({
      kind: "alarm",
      alarm: "climbing_over",
    });
    expect(interpretTerminalEvent({ ...base, major: 3, minor: 112 }, ctx)).toEqual({
      kind: "ignored",
      why: "remote login",
    });
    expect(interpretTerminalEvent({ ...base, major: 5, minor: 21 }, ctx)).toEqual({
      kind: "ignored",
      why: "minor 21",
    });
  });

  it("refuses what is not an access controller event", () => {
    expect(fromAlertStream({ eventType: "heartBeat" })).toBeUndefined();
    expect(
      fromAlertStream({
        eventType: "AccessControllerEvent",
        dateTime: "x",
        AccessControllerEvent: { majorEventType: 5 },
      }),
    ).toBeUndefined();
  });
});
