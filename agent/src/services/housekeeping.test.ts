import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { type Database, openTempDatabase } from "@gatehouse/shared/db";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { AgentStore } from "../adapters/db/agent-store.js";
import { housekeeping } from "./housekeeping.js";

const open: Database[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

const DAY = 86_400_000;
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();

/** The agent's database as `main.ts` opens it (synced commits, deleted content overwritten). */
async function agentStore(): Promise<AgentStore> {
  const { db } = await openTempDatabase({
    prefix: "housekeeping",
    synchronous: "FULL",
    secureDelete: true,
    migrations: fileURLToPath(new URL("../../migrations", import.meta.url)),
  });
  open.push(db);
  return new AgentStore(db, "north");
}

/** `count` passage identities taken in `msAgo` ago, in one statement. */
const seen = (prefix: string, count: number, msAgo: number) => ({
  sql: `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
        INSERT INTO seen_passages (id, occurred_at)
        SELECT 'north:hikcentral:' || ? || '-' || i, ? FROM n WHERE i > 0`,
  args: [count, prefix, iso(msAgo)],
});

const inbox = (seq: number, status: string, finishedMsAgo: number | null) => ({
  sql: `INSERT INTO inbox (id, seq, type, body, status, received_at, finished_at)
        VALUES (?, ?, 'grant', '{}', ?, ?, ?)`,
  args: [`c${seq}`, seq, status, iso(40 * DAY), finishedMsAgo === null ? null : iso(finishedMsAgo)],
});

describe("housekeeping", () => {
  it("forgets old passage identities and finished commands, and keeps what is still needed", async () => {
    const store = await agentStore();
    await store.db.write([
      seen("old", 500, 20 * DAY),
      seen("recent", 20, 2 * DAY),
      inbox(1, "applied", 40 * DAY),
      inbox(2, "failed", 31 * DAY),
      // Old, but above the watermark: a restart would still need to know it was done.
      inbox(3, "applied", 40 * DAY),
      inbox(4, "pending", null),
      inbox(5, "applied", DAY),
      { sql: "INSERT INTO meta (key, value) VALUES ('last_applied_seq', '2')", args: [] },
    ]);
    await housekeeping(store, pino({ level: "silent" }), { passageDedupDays: 14, retentionDays: 30 })();

    const left = await store.db.read("SELECT id FROM seen_passages");
    expect(left.rows.length).toBe(20);
    expect(left.rows.every((r) => String(r.id).includes(":recent-"))).toBe(true);
    const commands = await store.db.read("SELECT seq FROM inbox ORDER BY seq");
    expect(commands.rows.map((r) => Number(r.seq))).toEqual([3, 4, 5]);
  });

  // An hour of passages at a thousand a second ages out at once; one DELETE of them held the agent's event
  // loop (pushes, MQTT, its HTTP API) for seconds. The same bound as the control plane's commit test.
  it("never holds the event loop longer than 50 ms while it forgets 300,000 passage identities", async () => {
    const store = await agentStore();
    await store.db.write([seen("old", 300_000, 20 * DAY), seen("recent", 10, DAY)]);

    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    // The monitor measures each of its ticks against the one before: a stall before its first tick is not seen.
    await new Promise((r) => setTimeout(r, 20));
    await housekeeping(store, pino({ level: "silent" }), { passageDedupDays: 14, retentionDays: 30 })();
    delay.disable();

    const heldMs = delay.max / 1e6;
    console.log(`event loop while 300,000 passage identities were forgotten: max ${heldMs.toFixed(1)} ms`);
    expect(heldMs).toBeLessThan(50);
    const left = await store.db.read("SELECT count(*) AS n FROM seen_passages");
    expect(Number(left.rows[0]!.n)).toBe(10);
  }, 60_000);
});
