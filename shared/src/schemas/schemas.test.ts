import { describe, expect, it } from "vitest";
import { Command } from "./command.js";
import { SiteId } from "./common.js";

const grant = {
  id: "0b6f8f44-8a4b-4c56-9a53-1f9b3f1f2a10",
  site: "campus-a",
  seq: 1,
  type: "grant",
  issuedAt: "2025-10-03T09:00:00+05:00",
  expiresAt: "2025-10-04T09:00:00+05:00",
  payload: {
    visitId: "v1",
    personCode: "GH-0001",
    person: { givenName: "Павел", familyName: "Дуров" },
    kind: "guest",
    accessGroups: ["Visitors"],
    validFrom: "2025-10-03T09:00:00+05:00",
    validUntil: "2025-10-03T18:00:00+05:00",
  },
};

describe("command schema", () => {
  it("accepts a grant", () => {
    expect(Command.parse(grant).type).toBe("grant");
  });

  it("names the field that is wrong", () => {
    const r = Command.safeParse({ ...grant, payload: { ...grant.payload, validUntil: "tomorrow" } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(["payload", "validUntil"]);
  });

  it("refuses an unknown type and a topic-breaking site id", () => {
    expect(Command.safeParse({ ...grant, type: "open-everything" }).success).toBe(false);
    expect(SiteId.safeParse("a/b").success).toBe(false);
    expect(SiteId.safeParse("+").success).toBe(false);
  });
});
