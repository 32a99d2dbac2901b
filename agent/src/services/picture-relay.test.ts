import { MAX_PICTURE_BYTES, type Passage, type PassagePicture } from "@gatehouse/shared";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { PictureRelay } from "./picture-relay.js";

const passage = (n: number, pictureUri?: string): Passage => ({
  id: `north:hikcentral:${n}`,
  site: "north",
  source: "hikcentral",
  sourceEventId: String(n),
  door: { id: "1" },
  direction: "entry",
  result: "granted",
  eventType: 196893,
  occurredAt: "2026-11-24T09:00:00+05:00",
  receivedAt: "2026-11-24T04:00:00.100Z",
  ...(pictureUri ? { pictureUri } : {}),
});

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 1]);

describe("the passage picture relay", () => {
  it("sends each picture after its passage, skips what is not an image or too large, drops the oldest beyond its queue", async () => {
    const sent: PassagePicture[] = [];
    const counts: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const relay = new PictureRelay({
      fetch: async (uri) => {
        await gate;
        if (uri === "/pic?big")
          return { contentType: "image/jpeg", bytes: Buffer.alloc(MAX_PICTURE_BYTES + 1, 0xff) };
        if (uri === "/pic?html") return { contentType: "text/html", bytes: Buffer.from("<html>") };
        return { contentType: "", bytes: JPEG };
      },
      publish: async (p) => {
        sent.push(p);
      },
      count: (r) => counts.push(r),
      log: pino({ level: "silent" }),
      maxQueued: 3,
    });
    // The first is taken at once (and waits on the gate); four more queue behind it, one too many.
    relay.offer([passage(1, "/pic?1"), passage(2), passage(3, "/pic?big"), passage(4, "/pic?html")]);
    relay.offer([passage(5, "/pic?5"), passage(6, "/pic?6")]);
    release();
    await new Promise((r) => setTimeout(r, 20));
    expect(sent.map((p) => p.passageId)).toEqual([
      "north:hikcentral:1",
      "north:hikcentral:5",
      "north:hikcentral:6",
    ]);
    expect(sent[0]).toMatchObject({
      site: "north",
      contentType: "image/jpeg",
      data: JPEG.toString("base64"),
    });
    expect(counts.sort()).toEqual(["dropped", "failed", "sent", "sent", "sent"]);
  });
});
