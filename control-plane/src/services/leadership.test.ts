import { fileURLToPath } from "node:url";
import { type Database, openTempDatabase } from "@gatehouse/shared/db";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LeasesRepo } from "../adapters/db/leases-repo.js";
import { Leadership, type Role } from "./leadership.js";

let db: Database;
beforeAll(async () => {
  ({ db } = await openTempDatabase({
    prefix: "leases",
    migrations: fileURLToPath(new URL("../../migrations", import.meta.url)),
  }));
});
afterAll(() => db?.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A role that counts how many instances run it at once. */
function sharedRole(running: Set<string>, who: string, overlaps: string[]): Role {
  return {
    start() {
      if (running.size > 0) overlaps.push(`${who} started while ${[...running].join(",")} ran`);
      running.add(who);
    },
    stop() {
      running.delete(who);
    },
  };
}

describe("leadership", () => {
  it("keeps renewing its leases while it adopts a dead instance's sessions, so no role runs twice", async () => {
    const ttl = 300;
    const leases = new LeasesRepo(db);
    const running = new Set<string>();
    const overlaps: string[] = [];
    let adopting = 0;
    const a = new Leadership(
      leases,
      "a",
      ttl,
      { scheduler: sharedRole(running, "a", overlaps) },
      pino({ level: "silent" }),
      () => {},
      async () => {
        adopting += 1;
        // Far longer than a lease lives.
        await sleep(ttl * 5);
      },
    );
    await a.start();
    expect(a.holds("scheduler")).toBe(true);
    // An instance that died a while ago (its heartbeat row has expired): A finds it and adopts, slowly; B
    // starts meanwhile.
    await leases.acquire("instance:dead", "dead", ttl, Date.now() - 10_000);
    for (let i = 0; i < 100 && adopting === 0; i++) await sleep(20);
    expect(adopting).toBe(1);
    const b = new Leadership(
      leases,
      "b",
      ttl,
      { scheduler: sharedRole(running, "b", overlaps) },
      pino({ level: "silent" }),
    );
    await b.start();
    await sleep(ttl * 6);
    expect(adopting).toBe(1);
    expect(overlaps).toEqual([]);
    expect(a.holds("scheduler")).toBe(true);
    expect(b.holds("scheduler")).toBe(false);
    // The adopted instance's row is gone once the adoption is over.
    expect((await leases.all()).map((l) => l.name)).not.toContain("instance:dead");
    await a.stop();
    await b.stop();
  });
});
