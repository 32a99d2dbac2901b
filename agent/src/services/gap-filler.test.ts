import pino from "pino";
import { describe, expect, it } from "vitest";
import type { AgentStore } from "../adapters/db/agent-store.js";
import type { HikCentralClient } from "../adapters/hikcentral/client.js";
import { GapFiller } from "./gap-filler.js";

/** A HikCentral that records each search's window and has nothing to find, and a store keeping the cursor. */
function rig() {
  const windows: Array<{ startTime: string; endTime: string }> = [];
  const hik = {
    doorEvents: async (q: { startTime: string; endTime: string }) => {
      windows.push({ startTime: q.startTime, endTime: q.endTime });
      return { list: [], total: 0, pageNo: 1, pageSize: 500 };
    },
  } as unknown as HikCentralClient;
  const meta = new Map<string, string>();
  const store = {
    meta: { get: async (k: string) => meta.get(k), set: async (k: string, v: string) => void meta.set(k, v) },
    outbox: { unseen: async () => new Set<string>(), recordPassages: async () => [] },
  } as unknown as AgentStore;
  const gaps = new GapFiller(hik, store, pino({ level: "silent" }), {
    ctx: { site: "north", timeZone: "UTC", doorDirections: {} },
    overlapMs: 900_000,
    recentOverlapMs: 120_000,
    fullEveryMs: 15 * 60_000,
    firstLookbackMs: 15 * 60_000,
    pageSize: 500,
    onQueued: () => {},
  });
  /** How far before the previous pass each search reached, in seconds. */
  const reach = (i: number, previous: Date) =>
    (previous.getTime() - Date.parse(windows[i]!.startTime)) / 1000;
  return { gaps, windows, reach };
}

const at = (minute: number) => new Date(Date.UTC(2026, 11, 3, 10, minute));

describe("the gap fill's searches", () => {
  it("reach back the full overlap on the first pass and every fifteen minutes, the recent one between", async () => {
    const { gaps, reach } = rig();
    await gaps.pass(at(0));
    for (let m = 1; m <= 16; m++) await gaps.pass(at(m));
    // Pass 1 (at minute 1) … pass 14 (minute 14): recent; pass 15 (minute 15): full again; then recent.
    expect(reach(1, at(0))).toBe(120);
    expect(reach(14, at(13))).toBe(120);
    expect(reach(15, at(14))).toBe(900);
    expect(reach(16, at(15))).toBe(120);
  });

  it("reach back the full overlap when asked (after an outage, a forgotten subscription)", async () => {
    const { gaps, reach } = rig();
    await gaps.pass(at(0));
    await gaps.pass(at(1));
    await gaps.pass(at(2), () => false, true);
    expect([reach(1, at(0)), reach(2, at(1))]).toEqual([120, 900]);
  });
});
