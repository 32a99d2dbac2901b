import { describe, expect, it } from "vitest";
import { visitTimeline } from "./timeline.js";
import type { Visit } from "./types.js";

const visit: Visit = {
  id: "v1",
  site: "north",
  kind: "guest",
  personCode: "GH1",
  guest: { name: "Ada", email: null, phone: null, documentNumber: null },
  host: { name: "Bob", email: "bob@x.test", language: "en" },
  validFrom: "2026-11-24T08:00:00.000Z",
  validUntil: "2026-11-24T16:00:00.000Z",
  note: null,
  status: "checked_out",
  access: "revoked",
  accessError: null,
  inside: false,
  entryCount: 1,
  exitCount: 0,
  eventId: null,
  heldReason: null,
  endedAt: "2026-11-24T12:00:00.000Z",
  createdAt: "2026-11-24T07:00:00.000Z",
  updatedAt: "2026-11-24T12:00:00.000Z",
  commands: [
    {
      id: "c1",
      seq: 1,
      type: "grant",
      status: "applied",
      error: null,
      createdAt: "2026-11-24T07:00:00.000Z",
      sentAt: "2026-11-24T07:00:00.100Z",
      ackedAt: "2026-11-24T07:00:00.600Z",
    },
    {
      id: "c2",
      seq: 2,
      type: "revoke",
      status: "failed",
      error: { code: "HCP_ERROR", message: "level not found" },
      createdAt: "2026-11-24T12:00:00.000Z",
      sentAt: null,
      ackedAt: "2026-11-24T12:00:01.000Z",
    },
  ],
  notifications: [
    {
      kind: "first_exit",
      recipient: "bob@x.test",
      status: "pending",
      attempts: 1,
      lastError: "421",
      sentAt: null,
    },
    {
      kind: "first_entry",
      recipient: "bob@x.test",
      status: "sent",
      attempts: 1,
      lastError: null,
      sentAt: "2026-11-24T09:00:02.000Z",
    },
  ],
};

describe("a visit's timeline", () => {
  it("orders creation, commands, passages (on the site's offset), emails and the end by instant", () => {
    const t = visitTimeline(visit, [
      {
        id: "p1",
        site: "north",
        visitId: "v1",
        personCode: "GH1",
        guestName: "Ada",
        hostName: "Bob",
        door: "Gate 1",
        direction: "entry",
        result: "granted",
        reasonCode: null,
        verifyMode: "face",
        // 09:00:01Z written on the site's clock: after the grant, before the email.
        occurredAt: "2026-11-24T14:00:01+05:00",
        hasPicture: false,
      },
      {
        id: "p0",
        site: "north",
        visitId: "v1",
        personCode: "GH1",
        guestName: "Ada",
        hostName: "Bob",
        door: "Gate 1",
        direction: "entry",
        result: "denied",
        reasonCode: "FACE_NOT_RECOGNISED",
        verifyMode: "face",
        occurredAt: "2026-11-24T08:59:00Z",
        hasPicture: true,
      },
    ]);
    expect(t.map((e) => [e.kind, e.tone])).toEqual([
      ["created", "normal"],
      ["command", "good"],
      ["passage", "bad"],
      ["passage", "normal"],
      ["email", "good"],
      ["ended", "normal"],
      ["command", "bad"],
      ["email", "normal"],
    ]);
    expect(t[6]!.values.error).toBe("HCP_ERROR: level not found");
    expect(t[2]!.values.reason).toBe("FACE_NOT_RECOGNISED");
  });
});
