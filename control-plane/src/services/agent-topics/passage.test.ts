import { fileURLToPath } from "node:url";
import type { Passage } from "@gatehouse/shared";
import { type Database, openTempDatabase } from "@gatehouse/shared/db";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { IntakeRepo } from "../../adapters/db/intake-repo.js";
import { createControlPlaneMetrics } from "../../metrics.js";
import { LiveEvents } from "../live-events.js";
import { passageHandler } from "./passage.js";
import type { IntakeEffects } from "./topic-handler.js";

let db: Database;
beforeAll(async () => {
  ({ db } = await openTempDatabase({
    prefix: "consumer-copy",
    migrations: fileURLToPath(new URL("../../../migrations", import.meta.url)),
  }));
});
afterAll(() => db?.close());

const passage = (id: string): Passage => {
  const now = new Date().toISOString();
  return {
    id: `north:hikcentral:${id}`,
    site: "north",
    source: "hikcentral",
    sourceEventId: id,
    occurredAt: now,
    receivedAt: now,
    door: { id: "1", name: "Turnstile Entry" },
    direction: "entry",
    result: "denied",
    reasonCode: "FACE_NOT_RECOGNISED",
    verifyMode: "face",
    eventType: 197634,
  } as Passage;
};

const pending = async (id: string) =>
  Number((await db.read("SELECT consumer_copy_pending AS p FROM passages WHERE id = ?", [id])).rows[0]!.p);

describe("a passage's consumer copy", () => {
  it("is published once; one that never reached the broker is published when the passage comes again", async () => {
    const published: string[] = [];
    let brokerDown = false;
    const effects = {
      publish: async (_topic: string, payload: string) => {
        if (brokerDown) throw new Error("broker gone");
        published.push((JSON.parse(payload) as { id: string }).id);
      },
      live: new LiveEvents(),
      wakeNotifier: () => {},
      occupancyChanged: () => {},
      sendCommand: () => {},
      resendPending: () => {},
      resendRange: async () => 0,
      agentLoginInUse: () => {},
    } satisfies IntakeEffects;
    const handler = passageHandler({
      intake: new IntakeRepo(db),
      log: pino({ level: "silent" }),
      metrics: createControlPlaneMetrics("test", {
        guestsInside: async () => 0,
        commandQueues: async () => [],
        agentStates: async () => [],
      }),
      effects,
    });
    const settle = () => new Promise((r) => setTimeout(r, 50));

    // Stored and published: a repeat publishes nothing.
    const a = passage("a");
    await handler.handle("north", a);
    await settle();
    expect(published).toEqual([a.id]);
    // Recorded as sent in a write shared with others, within a second, or when the control plane stops.
    expect(await pending(a.id)).toBe(1);
    await handler.flush();
    expect(await pending(a.id)).toBe(0);
    await handler.handle("north", a);
    expect(published).toEqual([a.id]);

    // Stored, but the copy never reached the broker: the message is not acknowledged (the handler throws), and
    // its redelivery publishes the copy, once.
    const b = passage("b");
    brokerDown = true;
    await expect(handler.handle("north", b)).rejects.toThrow("broker gone");
    expect(await pending(b.id)).toBe(1);
    brokerDown = false;
    await handler.handle("north", b);
    await settle();
    expect(published).toEqual([a.id, b.id]);
    expect(await pending(b.id)).toBe(1);
    await vi.waitFor(async () => expect(await pending(b.id)).toBe(0), { timeout: 3000, interval: 100 });
    await handler.handle("north", b);
    expect(published).toEqual([a.id, b.id]);
    expect(Number((await db.read("SELECT count(*) AS n FROM passages")).rows[0]!.n)).toBe(2);
  });
});
