import { randomBytes } from "node:crypto";
import type { AgentReport } from "@gatehouse/shared";
import { simulatePassage } from "@gatehouse/simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../ports.js";
import { type Stack, startStack } from "../stack.js";
import { eventually, sleep, tempDir, testLogger } from "../support.js";

/**
 * The cloud away for a stretch: the control plane and its broker are down while 50,000 passages arrive and
 * several visits end. The agent revokes each at its validUntil on its own, keeps every passage, and delivers
 * all of them once the cloud is back, each once.
 */
const PASSAGES = Number(process.env.GATEHOUSE_OFFLINE_TEST_PASSAGES ?? 50_000);
const VISITORS = "7";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    dataDir: tempDir("offline"),
    mqttPort: await freePort(),
    adminToken: `gh_test_${randomBytes(18).toString("base64url")}`,
    log: testLogger("agent-offline"),
    // Pushes carry the passages here; gap filling (tested on its own) would only search the same 50,000 again.
    agentEnv: { AGENT_HIKCENTRAL_RATE: "500", AGENT_GAP_FILL_SECONDS: "600" },
  });
}, 60_000);
afterAll(() => stack?.stop());

const createVisit = async (name: string, validUntil: Date) => {
  const r = await stack.api("POST", "/v1/visits", {
    site: stack.siteId,
    guest: { name },
    host: { name: "Host" },
    validFrom: new Date(Date.now() - 3600_000).toISOString(),
    validUntil: validUntil.toISOString(),
  });
  expect(r.status).toBe(201);
  return r.body as { id: string; personCode: string; validUntil: string };
};

describe("agent offline", () => {
  it(`revokes on time and delivers ${PASSAGES} passages once after the cloud comes back`, async () => {
    const staying = await Promise.all(
      [0, 1, 2, 3].map((i) => createVisit(`Staying ${i}`, new Date(Date.now() + 3600_000))),
    );
    const leaving = await Promise.all(
      [0, 1, 2].map((i) => createVisit(`Leaving ${i}`, new Date(Date.now() + 15_000 + i * 2000))),
    );
    for (const v of [...staying, ...leaving])
      await eventually(
        async () => (await stack.api("GET", `/v1/visits/${v.id}`)).body.access === "granted",
        15_000,
      );

    await stack.stopControlPlane();
    const agent = stack.agent;
    await eventually(
      async () =>
        ((await (await fetch(`${agent.healthUrl}/healthz`)).json()) as { status: string }).status ===
        "degraded",
      10_000,
      "degraded health",
    );

    const sim = stack.simulator;
    const group = sim.state.groups.get(VISITORS)!;
    const inVisitors = (code: string) => group.members.has(sim.state.personByCode(code)!.personId);
    const revokedAt = new Map<string, number>();
    const watch = setInterval(() => {
      for (const v of leaving)
        if (!revokedAt.has(v.personCode) && !inVisitors(v.personCode))
          revokedAt.set(v.personCode, Date.now());
    }, 50);

    const ids = new Set<string>();
    for (let i = 0; i < PASSAGES; i++) {
      const guest = staying[i % staying.length]!;
      const e = simulatePassage(sim.state, {
        personCode: guest.personCode,
        direction: i % 2 === 0 ? "entry" : "exit",
        verifyMode: "face",
        result: "granted",
      });
      sim.pusher.publish(e);
      ids.add(e.eventId);
      if (i % 2000 === 1999) await sleep(20);
    }
    await sim.pusher.idle();
    await eventually(async () => revokedAt.size === leaving.length, 30_000, "every leaving visit revoked");
    clearInterval(watch);
    for (const v of leaving) {
      // On time: within a few seconds of validUntil (the expiry watch sleeps until the next validUntil).
      expect(revokedAt.get(v.personCode)! - Date.parse(v.validUntil)).toBeLessThan(3000);
      expect(revokedAt.get(v.personCode)! - Date.parse(v.validUntil)).toBeGreaterThanOrEqual(-1000);
    }
    for (const v of staying) expect(inVisitors(v.personCode)).toBe(true);
    const depth = async () =>
      ((await (await fetch(`${agent.healthUrl}/healthz`)).json()) as { queues: { outbox: number } }).queues
        .outbox;
    expect(await depth()).toBeGreaterThanOrEqual(PASSAGES);
    await stack.startControlPlane();
    const stored = await eventually(
      async () => {
        const r = await stack.controlPlane.db.read("SELECT count(*) AS n FROM passages WHERE site_id = ?", [
          stack.siteId,
        ]);
        return Number(r.rows[0]?.n) >= ids.size ? true : undefined;
      },
      300_000,
      `${ids.size} passages at the control plane`,
    );
    expect(stored).toBe(true);
    const r = await stack.controlPlane.db.read("SELECT id FROM passages WHERE site_id = ?", [stack.siteId]);
    const got = r.rows.map((row) => String(row.id).split(":").pop()!);
    expect(got).toHaveLength(ids.size);
    expect(new Set(got)).toEqual(ids);
    await eventually(async () => (await depth()) === 0, 30_000, "an empty outbox");

    // The control plane hears what the agent did on its own, in its audit log.
    const audit = await eventually(
      async () => {
        const a = await stack.api("GET", `/v1/audit?entity=site&entityId=${stack.siteId}`);
        const reports = (a.body.items as { action: string; after: AgentReport }[]).filter(
          (e) => e.action === "agent.expired",
        );
        const revoked = reports.flatMap((e) => e.after.changes.map((c) => c.personCode));
        return leaving.every((v) => revoked.includes(v.personCode)) ? revoked : undefined;
      },
      20_000,
      "the expiry reports in the audit log",
    );
    expect(audit.filter((c) => leaving.some((v) => v.personCode === c))).toHaveLength(leaving.length);
  }, 420_000);
});
