import pino from "pino";
import { describe, expect, it } from "vitest";
import { ERASE_BATCH } from "../adapters/db/visit-writes.js";
import { type SchedulerDeps, VisitScheduler } from "./visit-scheduler.js";

describe("the visit scheduler's erasure", () => {
  it("erases a backlog a batch after another in one pass, until a batch comes back short", async () => {
    const backlog = ERASE_BATCH * 2 + 7;
    let left = backlog;
    const batches: number[] = [];
    const deps = {
      db: { read: async () => ({ rows: [] }) },
      visits: { due: async () => ({ ended: [], started: [] }) },
      groupEvents: { closeDue: async () => 0 },
      pictures: { prune: async () => 0 },
      visitWrites: {
        async erasePersonalData() {
          const n = Math.min(ERASE_BATCH, left);
          left -= n;
          batches.push(n);
          return Array.from({ length: n }, (_, i) => `v${left + i}`);
        },
      },
      log: pino({ level: "silent" }),
    } as unknown as SchedulerDeps;

    await new VisitScheduler(deps, 30_000, 30 * 86_400_000).tick(new Date("2026-12-01T12:00:00Z"));
    expect(batches).toEqual([ERASE_BATCH, ERASE_BATCH, 7]);
    expect(left).toBe(0);
  });
});
