import type { Passage } from "@gatehouse/shared";
import { describe, expect, it } from "vitest";
import { planAck } from "./ack-plan.js";
import { planPassage, type SiteForPassage, type VisitForPassage } from "./passage-plan.js";
import { NO_PASSAGES } from "./visit.js";

const now = new Date("2026-12-03T10:00:00Z");
const visit: VisitForPassage = {
  id: "v1",
  site: "north",
  kind: "guest",
  personCode: "GH1",
  guest: { name: "Ada Lovelace" },
  host: { email: null },
  status: "active",
  access: "granted",
  validUntil: "2026-12-03T18:00:00Z",
  endedAt: null,
  revokeOnExit: true,
  ...NO_PASSAGES,
};
const site: SiteForPassage = {
  name: "North",
  timeZone: "Asia/Almaty",
  openingHours: null,
  maxStayMinutes: 480,
  fallbackEmail: "desk@north.test",
  securityEmail: null,
  language: "en",
  kinds: { guest: { accessGroups: ["Visitors"] } },
};
const passage = (direction: "entry" | "exit", at: string): Passage => ({
  id: `north:hikcentral:${at}`,
  site: "north",
  source: "hikcentral",
  sourceEventId: at,
  door: { id: "1", name: "Main" },
  direction,
  result: "granted",
  eventType: 196893,
  occurredAt: at,
  receivedAt: at,
  personCode: "GH1",
});
let n = 0;
const id = () => `id-${++n}`;

describe("planPassage", () => {
  it("counts an entry and mails the first one to the site's fallback when the host has no address", () => {
    const plan = planPassage(passage("entry", "2026-12-03T09:00:00Z"), visit, site, now, id);
    expect(plan.visit).toMatchObject({
      entryCount: 1,
      inside: true,
      status: "active",
      updatedAt: now.toISOString(),
    });
    expect(plan.notifications).toEqual([{ kind: "first_entry", recipient: "desk@north.test" }]);
    expect(plan.incidents).toEqual([]);
    expect(plan.revoke).toBeNull();
  });

  it("ends a revokeOnExit visit at its first exit, with the revoke of its kind's levels", () => {
    const inside = { ...visit, entryCount: 1, inside: true, firstEntryAt: "2026-12-03T09:00:00.000Z" };
    const plan = planPassage(passage("exit", "2026-12-03T09:30:00Z"), inside, site, now, id);
    expect(plan.visit).toMatchObject({ status: "checked_out", endedAt: now.toISOString(), inside: false });
    expect(plan.revoke).toEqual({ accessGroups: ["Visitors"], statusBefore: "active" });
  });

  it("sees an exit with no entry before it as an incident, in the visit's own words", () => {
    const plan = planPassage(
      passage("exit", "2026-12-03T09:30:00Z"),
      { ...visit, revokeOnExit: false },
      site,
      now,
      id,
    );
    expect(plan.incidents.map((i) => [i.type, i.guestName, i.detectedAt])).toEqual([
      ["exit_without_entry", "Ada Lovelace", now.toISOString()],
    ]);
    expect(plan.revoke).toBeNull();
  });

  it("changes nothing for a passage of no visit", () => {
    expect(planPassage(passage("entry", "2026-12-03T09:00:00Z"), null, site, now, id)).toEqual({
      visit: null,
      incidents: [],
      notifications: [],
      revoke: null,
    });
  });
});

describe("planAck", () => {
  const ack = (status: "received" | "applied" | "failed", code?: string) => ({
    id: "a",
    commandId: "c",
    site: "north",
    seq: 1,
    status,
    at: now.toISOString(),
    ...(code ? { reason: { code, message: "no such level", retryable: false } } : {}),
  });

  it("moves a grant to applied and the visit to granted, dropping the photo", () => {
    expect(planAck(ack("applied"), { type: "grant", status: "received" }, "pending")).toEqual({
      command: { status: "applied", error: null, devices: null, dropPhoto: true },
      access: { access: "granted", accessError: null },
    });
  });

  it("keeps the reason of a failed grant on the visit", () => {
    expect(
      planAck(ack("failed", "UNKNOWN_ACCESS_GROUP"), { type: "grant", status: "pending" }, "pending").access,
    ).toEqual({
      access: "failed",
      accessError: "UNKNOWN_ACCESS_GROUP: no such level",
    });
  });

  it("changes nothing for a late or repeated ack", () => {
    expect(planAck(ack("received"), { type: "grant", status: "applied" }, "granted")).toEqual({
      command: null,
      access: null,
    });
  });
});
