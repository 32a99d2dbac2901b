import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../stack.js";
import { eventually, tempDir, testLogger } from "../support.js";

const N = Number(process.env.GATEHOUSE_GAP_TEST_PASSAGES ?? 10_000);
let stack: Stack;
const codes: string[] = [];

beforeAll(async () => {
  stack = await startStack({
    dataDir: tempDir("gaps"),
    adminToken: `gh_test_${randomBytes(18).toString("base64url")}`,
    log: testLogger("event-gaps"),
    simulator: { pushAttempts: 1 },
    agentEnv: {
      AGENT_GAP_FILL_SECONDS: "1",
      AGENT_GAP_FILL_OVERLAP_SECONDS: "30",
      AGENT_HIKCENTRAL_RATE: "200",
    },
  });
  for (let i = 0; i < 10; i++) {
    const r = await stack.api("POST", "/v1/visits", {
      site: stack.siteId,
      guest: { name: `Gap Guest ${i}` },
      host: { name: "Host" },
      validFrom: new Date(Date.now() - 3600_000).toISOString(),
      validUntil: new Date(Date.now() + 3600_000).toISOString(),
    });
    codes.push(r.body.personCode);
    await eventually(
      async () => (await stack.api("GET", `/v1/visits/${r.body.id}`)).body.access === "granted",
      10_000,
    );
  }
}, 120_000);
afterAll(() => stack?.stop());

const storedIds = async () =>
  new Set(
    (await stack.controlPlane.db.read("SELECT id FROM passages")).rows.map(
      (r) => String(r.id).split(":").pop()!,
    ),
  );

async function passage(i: number) {
  const res = await fetch(`${stack.simulator.url}/_sim/passages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      personCode: codes[i % codes.length],
      // Each guest cycles through all four doors (two entries, two exits).
      door: String((Math.floor(i / codes.length) % 4) + 1),
      result: i % 17 === 0 ? "denied" : "granted",
    }),
  });
  if (res.status !== 201) throw new Error(`passage ${i}: ${res.status}`);
  return ((await res.json()) as { eventId: string }).eventId;
}

describe("event intake: pushes, outages and gap filling", () => {
  it(`delivers ${N} passages exactly once with the receiver down for part of the run and pushes dropped`, async () => {
    stack.simulator.faults.set({ dropPushRate: 0.2 });
    const eventIds: string[] = [];
    for (let i = 0; i < N; i++) {
      if (i === Math.floor(N * 0.3)) await stack.stopAgent();
      if (i === Math.floor(N * 0.6)) await stack.startAgent();
      eventIds.push(await passage(i));
    }
    await stack.simulator.pusher.idle();
    expect(stack.simulator.pusher.dropped).toBeGreaterThan(N * 0.3);

    const stored = await eventually(
      async () => {
        const ids = await storedIds();
        return ids.size >= N ? ids : undefined;
      },
      120_000,
      `${N} passages at the control plane`,
    );
    expect(stored.size).toBe(N);
    for (const id of eventIds) expect(stored.has(id)).toBe(true);
    const total = Number((await stack.controlPlane.db.read("SELECT count(*) AS n FROM passages")).rows[0]!.n);
    expect(total).toBe(N);
    // Every passage of a known guest was tied to its visit, whichever path brought it.
    const orphans = await stack.controlPlane.db.read(
      "SELECT count(*) AS n FROM passages WHERE visit_id IS NULL",
    );
    expect(Number(orphans.rows[0]!.n)).toBe(0);

    // Late passages (recovered after newer ones) do not corrupt the visits: each visit's state is what the
    // whole set of its passages says, by event time, not by arrival order.
    const rows = (
      await stack.controlPlane.db.read(
        "SELECT visit_id, direction, occurred_at, stored_at FROM passages WHERE result = 'granted' AND direction != 'unknown'",
      )
    ).rows;
    let arrivedLate = 0;
    const byVisit = new Map<string, Array<{ direction: string; t: number; stored: number }>>();
    for (const r of rows) {
      const list = byVisit.get(String(r.visit_id)) ?? [];
      list.push({
        direction: String(r.direction),
        t: Date.parse(String(r.occurred_at)),
        stored: Date.parse(String(r.stored_at)),
      });
      byVisit.set(String(r.visit_id), list);
    }
    for (const [visitId, list] of byVisit) {
      const byStore = [...list].sort((a, b) => a.stored - b.stored);
      for (let i = 1; i < byStore.length; i++) if (byStore[i]!.t < byStore[i - 1]!.t) arrivedLate++;
      const latest = [...list].sort((a, b) => a.t - b.t || (a.direction === "exit" ? 1 : -1)).at(-1)!;
      const entries = list.filter((x) => x.direction === "entry").map((x) => x.t);
      expect(entries.length).toBeGreaterThan(0);
      const firstEntry = Math.min(...entries);
      const v = (await stack.api("GET", `/v1/visits/${visitId}`)).body;
      expect(v.inside, `visit ${visitId}`).toBe(latest.direction === "entry");
      expect(Date.parse(v.firstEntryAt)).toBe(firstEntry);
      expect(v.entryCount + v.exitCount).toBe(list.length);
    }
    // The run really delivered passages out of order, so the check above tested something.
    expect(arrivedLate).toBeGreaterThan(0);
  }, 300_000);

  it("subscribes again when HikCentral forgets the subscription", async () => {
    stack.simulator.state.subscriptions.clear();
    await eventually(
      async () => stack.simulator.state.subscriptions.size > 0,
      10_000,
      "subscription restored",
    );
    const before = (await storedIds()).size;
    stack.simulator.faults.set({});
    const id = await passage(1);
    await eventually(async () => (await storedIds()).has(id), 10_000, "pushed passage");
    expect((await storedIds()).size).toBe(before + 1);
  });
});
