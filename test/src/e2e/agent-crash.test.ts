import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { Database } from "@gatehouse/shared/db";
import { simulatePassage } from "@gatehouse/simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgentProcess } from "../agent-process.js";
import { freePort } from "../ports.js";
import { type Stack, startStack } from "../stack.js";
import { eventually, sleep, tempDir, testLogger } from "../support.js";

/**
 * Power cuts: the agent process is SIGKILLed at random moments while it carries out 500 grants (with
 * validity changes and revocations mixed in) and takes in 5,000 passages. After the last restart HikCentral
 * must hold exactly what the control plane wants, every passage must be at the control plane once, and no
 * person's commands may have been carried out out of order.
 */
const GRANTS = 500;
const PASSAGES = 5000;
const KILLS = 20;
const VISITORS = "7";

let stack: Stack;
let agent: AgentProcess;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDir("crash");
  stack = await startStack({
    dataDir,
    mqttPort: await freePort(),
    adminToken: `gh_test_${randomBytes(18).toString("base64url")}`,
    log: testLogger("agent-crash"),
    simulator: { pushAttempts: 1 },
    agentEnv: {
      // Slow enough that the work outlasts the power cuts: about 45 s of HikCentral calls.
      AGENT_HIKCENTRAL_RATE: "100",
      AGENT_COMMAND_CONCURRENCY: "8",
      AGENT_GAP_FILL_SECONDS: "1",
      AGENT_GAP_FILL_OVERLAP_SECONDS: "300",
      AGENT_DOWNLOAD_WAIT_SECONDS: "5",
    },
  });
  await stack.stopAgent();
  agent = new AgentProcess(
    {
      ...stack.agentEnv,
      AGENT_HTTP_PORT: String(await freePort()),
      AGENT_EVENT_LISTEN: `127.0.0.1:${await freePort()}`,
      AGENT_LOG_LEVEL: "warn",
    },
    join("test-output", "agent-crash-process.log"),
  );
  await agent.start();
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await stack?.stop();
});

interface Visit {
  id: string;
  personCode: string;
  validUntil: string;
  cancelled: boolean;
}

describe("agent crash safety", () => {
  it(`loses, repeats and reorders nothing across ${KILLS} SIGKILLs during ${GRANTS} grants and ${PASSAGES} passages`, async () => {
    const visits: Visit[] = [];
    const eventIds = new Set<string>();
    let working = true;

    // The power cuts, at random moments while there is work: visits being added, or commands the control
    // plane has not seen applied.
    const unapplied = async () =>
      Number(
        (
          await stack.controlPlane.db.read(
            "SELECT count(*) AS n FROM commands WHERE site_id = ? AND status <> 'applied'",
            [stack.siteId],
          )
        ).rows[0]?.n,
      );
    let busyKills = 0;
    const killer = (async () => {
      while (busyKills < KILLS) {
        await sleep(200 + Math.random() * 800);
        const busy = working || (await unapplied()) > 0;
        if (!busy) break;
        await agent.kill();
        busyKills += 1;
        await sleep(Math.random() * 300);
        await agent.start();
      }
    })();

    // Visits: created, some given new times, some cancelled, as admins do.
    const hour = 3600_000;
    for (let i = 0; i < GRANTS; i++) {
      const r = await stack.api("POST", "/v1/visits", {
        site: stack.siteId,
        guest: { name: `Crash Guest ${i}` },
        host: { name: "Host" },
        validFrom: new Date(Date.now() - hour).toISOString(),
        validUntil: new Date(Date.now() + 4 * hour).toISOString(),
      });
      expect(r.status).toBe(201);
      const v: Visit = {
        id: r.body.id,
        personCode: r.body.personCode,
        validUntil: r.body.validUntil,
        cancelled: false,
      };
      visits.push(v);
      if (i % 5 === 4) {
        const earlier = visits[i - 3]!;
        const until = new Date(Date.now() + 6 * hour + i * 1000).toISOString();
        const p = await stack.api("PATCH", `/v1/visits/${earlier.id}`, { validUntil: until });
        expect(p.status).toBe(200);
        earlier.validUntil = p.body.validUntil;
      }
      if (i % 10 === 9) {
        const gone = visits[i - 1]!;
        expect((await stack.api("POST", `/v1/visits/${gone.id}/cancel`)).status).toBe(200);
        gone.cancelled = true;
      }
      // Ten passages per visit, at the turnstiles, whether or not the agent is up: guests HikCentral
      // knows already, and strangers.
      const known = [...stack.simulator.state.persons.values()];
      for (let k = 0; k < PASSAGES / GRANTS; k++) {
        const guest =
          known.length > 0 && k % 3 !== 0 ? known[Math.floor(Math.random() * known.length)] : undefined;
        const e = simulatePassage(stack.simulator.state, {
          ...(guest ? { personCode: guest.personCode } : {}),
          direction: k % 2 === 0 ? "entry" : "exit",
          verifyMode: "face",
          result: guest ? "granted" : "denied",
        });
        stack.simulator.pusher.publish(e);
        eventIds.add(e.eventId);
      }
      if (i % 25 === 0) await sleep(50);
    }
    working = false;
    await killer;
    expect(busyKills).toBeGreaterThanOrEqual(KILLS);

    // Every command acknowledged as applied, once the last agent has caught up.
    await eventually(async () => (await unapplied()) === 0, 180_000, "every command applied");

    // HikCentral holds exactly the desired persons and levels: one person per visit, in Visitors unless
    // cancelled, with the latest validity.
    const sim = stack.simulator.state;
    const group = sim.groups.get(VISITORS)!;
    const byCode = new Map<string, string[]>();
    for (const p of sim.persons.values())
      byCode.set(p.personCode, [...(byCode.get(p.personCode) ?? []), p.personId]);
    for (const v of visits) {
      const ids = byCode.get(v.personCode) ?? [];
      expect(ids, `persons for ${v.personCode}`).toHaveLength(1);
      const person = sim.persons.get(ids[0]!)!;
      expect(group.members.has(person.personId), `${v.personCode} in Visitors`).toBe(!v.cancelled);
      if (!v.cancelled)
        expect(Math.abs(Date.parse(person.endTime!) - Date.parse(v.validUntil))).toBeLessThan(1000);
    }
    expect(sim.persons.size).toBe(visits.length);
    expect(group.members.size).toBe(visits.filter((v) => !v.cancelled).length);

    // Every passage at the control plane, once.
    const stored = await eventually(
      async () => {
        const r = await stack.controlPlane.db.read("SELECT id FROM passages WHERE site_id = ?", [
          stack.siteId,
        ]);
        const ids = r.rows.map((row) => String(row.id).split(":").pop()!);
        return ids.length >= eventIds.size ? ids : undefined;
      },
      180_000,
      `${eventIds.size} passages at the control plane`,
    );
    expect(stored).toHaveLength(eventIds.size);
    expect(new Set(stored)).toEqual(eventIds);

    // One person's commands finished in seq order, every time.
    await agent.stop();
    const db = await Database.open({ url: stack.agentEnv.AGENT_DB_URL! });
    const rows = await db.read(
      "SELECT seq, lane, finished_at FROM inbox WHERE lane IS NOT NULL ORDER BY seq",
    );
    db.close();
    const lastByLane = new Map<string, string>();
    for (const r of rows.rows) {
      const lane = String(r.lane);
      const at = String(r.finished_at);
      const before = lastByLane.get(lane);
      if (before) expect(at >= before, `${lane} seq ${r.seq} finished before an earlier command`).toBe(true);
      lastByLane.set(lane, at);
    }
    expect(rows.rows.length).toBeGreaterThanOrEqual(GRANTS);
    await agent.start();
  }, 600_000);
});
