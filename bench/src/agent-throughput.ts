import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { type GrantCommand, topics } from "@gatehouse/shared";
import { type Simulator, startSimulator } from "@gatehouse/simulator";
import {
  AgentProcess,
  deployedEnvironment,
  FakeControlPlane,
  freePort,
  grantCommand,
  seedAgentDatabase,
  tempDir,
} from "@gatehouse/test";
import { connectAsync } from "mqtt";
import { memoryMb } from "./process-usage.js";
import { type BenchResult, result } from "./results.js";

const SITE = "bench";
const ZONE = "Asia/Almaty";

function agentEnv(o: {
  dir: string;
  cp: FakeControlPlane;
  sim: Simulator;
  rate: number;
  http: number;
  events: number;
}) {
  return {
    AGENT_SITE_ID: SITE,
    AGENT_MQTT_URL: o.cp.url,
    AGENT_MQTT_USERNAME: `agent-${SITE}`,
    AGENT_MQTT_PASSWORD: "unused",
    AGENT_COMMAND_PUBLIC_KEY: o.cp.signer.text,
    AGENT_DB_URL: `file:${join(o.dir, "agent.db")}`,
    AGENT_HIKCENTRAL_URL: o.sim.url,
    AGENT_HIKCENTRAL_APP_KEY: o.sim.appKey,
    AGENT_HIKCENTRAL_APP_SECRET: o.sim.appSecret,
    AGENT_HIKCENTRAL_RATE: String(o.rate),
    AGENT_TIME_ZONE: ZONE,
    AGENT_EVENT_LISTEN: `127.0.0.1:${o.events}`,
    AGENT_HTTP_HOST: "127.0.0.1",
    AGENT_HTTP_PORT: String(o.http),
    AGENT_LOG_LEVEL: "warn",
  };
}

/** The simulator holding the same persons as the seeded replica, in the Visitors level. */
function seedSimulator(sim: Simulator, persons: number): void {
  const group = sim.state.groups.get("7")!;
  const begin = new Date().toISOString();
  const end = new Date(Date.now() + 86_400_000).toISOString();
  for (let k = 0; k < persons; k++) {
    const personId = String(100_000 + k);
    sim.state.persons.set(personId, {
      personId,
      personCode: `GH${String(k).padStart(10, "0")}`,
      personGivenName: `Guest ${k}`,
      personFamilyName: "Bench",
      orgIndexCode: "1",
      beginTime: begin,
      endTime: end,
    } as never);
    group.members.add(personId);
  }
}

/**
 * Outbox drain: `passages` undelivered passages in the agent's database, the broker comes up, the agent
 * empties the outbox (QoS 1, a row deleted after its PUBACK). Baseline in the same run: a bare MQTT.js
 * client publishing as many messages of the same size with QoS 1 to the same broker.
 */
export async function outboxDrain(passages: number): Promise<BenchResult[]> {
  const sim = await startSimulator({ timeZone: ZONE });
  const cp = new FakeControlPlane(SITE);
  await cp.start();
  const dir = tempDir("bench-drain");
  await seedAgentDatabase(dir, SITE, { passages, persons: 0 });
  await cp.stop();
  const agent = new AgentProcess(
    agentEnv({ dir, cp, sim, rate: 1000, http: await freePort(), events: await freePort() }),
    join(dir, "agent.log"),
  );
  await agent.start();
  const t0 = performance.now();
  await cp.start();
  for (;;) {
    const h = await agent.health();
    if (h.queues.outbox === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - t0) / 1000;
  const delivered = cp.passages.length;
  cp.passages.length = 0;
  await agent.stop();

  // The same topic and payload size, so the broker delivers each to the same subscriber.
  const client = await connectAsync(cp.url, { clientId: `bench-raw-${randomUUID()}` });
  const payload = JSON.stringify({ id: randomUUID(), pad: "x".repeat(330) });
  const t1 = performance.now();
  for (let i = 0; i < passages; i += 200)
    await Promise.all(
      Array.from({ length: Math.min(200, passages - i) }, () =>
        client.publishAsync(topics.passageEvents(SITE), payload, { qos: 1 }),
      ),
    );
  const rawSeconds = (performance.now() - t1) / 1000;
  await client.endAsync();
  await cp.stop();
  await sim.stop();
  if (delivered < passages) throw new Error(`only ${delivered} of ${passages} passages arrived`);
  const rate = passages / seconds;
  const raw = passages / rawSeconds;
  return [
    result(
      `agent outbox drain of ${passages} passages (baseline: bare MQTT.js QoS 1 publishes)`,
      rate,
      "msg/s",
      raw,
      null,
      null,
    ),
  ];
}

/**
 * Grant throughput against HikCentral's rate limit: `grants` grants in a burst with the simulator at zero
 * latency; the rate HikCentral sees should be within 10% of the configured limit (target ratio ≥ 0.9).
 */
export async function grantThroughput(grants: number, limit: number): Promise<BenchResult[]> {
  const sim = await startSimulator({ timeZone: ZONE });
  const cp = new FakeControlPlane(SITE);
  await cp.start();
  const dir = tempDir("bench-grants");
  const agent = new AgentProcess(
    {
      ...agentEnv({ dir, cp, sim, rate: limit, http: await freePort(), events: await freePort() }),
      AGENT_COMMAND_CONCURRENCY: "8",
      AGENT_GAP_FILL_SECONDS: "3600",
      AGENT_RECONCILE_MINUTES: "600",
    },
    join(dir, "agent.log"),
  );
  await agent.start();
  // Let the start-up work (subscription, first reconciliation, first search) finish before measuring.
  await new Promise((r) => setTimeout(r, 3000));
  const totalCalls = () => [...sim.faults.calls.values()].reduce((a, b) => a + b, 0);
  const cmds = Array.from(
    { length: grants },
    (_, i) => grantCommand(SITE, i + 1, `GH${String(i).padStart(8, "0")}B`) as GrantCommand,
  );
  const callsBefore = totalCalls();
  const t0 = performance.now();
  for (const c of cmds) await cp.send(c);
  for (const c of cmds) await cp.waitFinal(c.id, 600_000);
  const seconds = (performance.now() - t0) / 1000;
  const calls = totalCalls() - callsBefore;
  await agent.stop();
  await cp.stop();
  await sim.stop();
  const failed = cmds.filter((c) => cp.finalAck(c.id)?.status !== "applied").length;
  if (failed > 0) throw new Error(`${failed} grants not applied`);
  const callRate = calls / seconds;
  return [
    result(
      `HikCentral call rate during ${grants} grants (baseline: the configured limit)`,
      callRate,
      "req/s",
      limit,
      1.1 * limit,
      callRate >= 0.9 * limit && callRate <= 1.1 * limit,
    ),
    result(
      `grants carried out per second at a ${limit} req/s limit (${(calls / grants).toFixed(1)} calls a grant)`,
      grants / seconds,
      "grants/s",
      null,
      null,
      null,
    ),
  ];
}

/**
 * Resident memory of the agent process with `persons` persons in the replica (and in HikCentral), after its
 * start-up reconciliation has compared them all. Baseline: the same agent with an empty replica.
 */
export async function replicaMemory(persons: number): Promise<BenchResult[]> {
  const shipped = deployedEnvironment("gatehouse-agent.service");
  const measure = async (count: number, deployed: Record<string, string> | undefined) => {
    const sim = await startSimulator({ timeZone: ZONE });
    seedSimulator(sim, count);
    const cp = new FakeControlPlane(SITE);
    await cp.start();
    const dir = tempDir("bench-memory");
    await seedAgentDatabase(dir, SITE, { passages: 0, persons: count });
    const agent = new AgentProcess(
      {
        ...agentEnv({ dir, cp, sim, rate: 2000, http: await freePort(), events: await freePort() }),
        AGENT_GAP_FILL_SECONDS: "3600",
        ...deployed,
      },
      join(dir, "agent.log"),
    );
    await agent.start();
    const report = await (async () => {
      for (let i = 0; i < 1200; i++) {
        const r = cp.reports.find((x) => x.trigger === "start");
        if (r) return r;
        await new Promise((res) => setTimeout(res, 250));
      }
      throw new Error("no start-up reconciliation report");
    })();
    const mem = memoryMb(agent.pid!);
    await agent.stop();
    await cp.stop();
    await sim.stop();
    return { ...mem, report };
  };
  const empty = await measure(0, shipped);
  const full = await measure(persons, shipped);
  const defaults = await measure(persons, undefined);
  if (full.report.checked !== persons)
    throw new Error(`reconciliation checked ${full.report.checked} of ${persons}`);
  return [
    result(
      `agent resident memory with ${persons} persons in the replica after reconciling them, as deployed (${Object.entries(
        shipped,
      )
        .map(([k, v]) => `${k}=${v}`)
        .join(", ")}; baseline: empty replica)`,
      full.rss,
      "MB",
      empty.rss,
      150,
      full.rss < 150,
    ),
    result(
      `agent peak resident memory with ${persons} persons, as deployed (baseline: empty replica)`,
      full.peak,
      "MB",
      empty.peak,
      150,
      full.peak < 150,
    ),
    result(
      `agent peak resident memory with ${persons} persons on V8's default heap sizes (baseline: as deployed)`,
      defaults.peak,
      "MB",
      full.peak,
      null,
      null,
    ),
  ];
}
