import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadControlPlaneConfig, startControlPlane } from "@gatehouse/control-plane";
import { startSimulator } from "@gatehouse/simulator";
import { AgentProcess, freePort, startStack } from "@gatehouse/test";
import { connectAsync } from "mqtt";
import pino from "pino";
import { seed } from "./agent-throughput.js";
import { bareBroker, openLoop, p } from "./bare-broker.js";
import { benchControlPlane, visitBody } from "./fixtures.js";
import { type BenchResult, result } from "./results.js";

/**
 * Passage latency under load: HikCentral's event push reaches the agent (the simulator pushes each passage
 * as it is posted to /_sim/passages), the agent stores and sends it, the control plane commits and
 * republishes it, and an independent MQTT client receives it on gatehouse/v1/passages/{site}. Posted on a
 * fixed schedule (open loop) at each rate; latency from the post to the arrival. Baseline in the same run:
 * a bare QoS 1 publish → delivery through an aedes broker at the same rate.
 */
export async function passageLatencyAtRates(rates: number[], seconds: number): Promise<BenchResult[]> {
  const token = `gh_bench_${randomBytes(18).toString("base64url")}`;
  const stack = await startStack({
    dataDir: mkdtempSync(join(tmpdir(), "gatehouse-bench-rate-")),
    adminToken: token,
    log: pino({ level: "error" }),
    agentEnv: { AGENT_HIKCENTRAL_RATE: "1000", AGENT_LOG_LEVEL: "error" },
  });
  const visit = await stack.api("POST", "/v1/visits", visitBody(stack.siteId, 0));
  while ((await stack.api("GET", `/v1/visits/${visit.body.id}`)).body.access !== "granted")
    await new Promise((r) => setTimeout(r, 20));
  const consumer = await connectAsync(stack.controlPlane.mqttUrl, { username: "bench", password: token });
  const arrived = new Map<string, number>();
  const waiting = new Map<string, (t: number) => void>();
  consumer.on("message", (_t, payload) => {
    const { sourceEventId } = JSON.parse(payload.toString()) as { sourceEventId: string };
    const now = performance.now();
    const w = waiting.get(sourceEventId);
    if (w) w(now);
    else arrived.set(sourceEventId, now);
  });
  await consumer.subscribeAsync(`gatehouse/v1/passages/${stack.siteId}`, { qos: 1 });
  const bare = await bareBroker();

  const results: BenchResult[] = [];
  for (const rate of rates) {
    const n = Math.round(rate * seconds);
    const latencies: Promise<number>[] = [];
    await openLoop(rate, n, (i) => {
      const t0 = performance.now();
      latencies.push(
        fetch(`${stack.simulator.url}/_sim/passages`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ personCode: visit.body.personCode, direction: i % 2 ? "exit" : "entry" }),
        })
          .then((r) => r.json() as Promise<{ eventId: string }>)
          .then(
            ({ eventId }) =>
              new Promise<number>((resolve) => {
                const t = arrived.get(eventId);
                if (t !== undefined) return resolve(t - t0);
                waiting.set(eventId, (at) => resolve(at - t0));
              }),
          ),
      );
    });
    const sorted = (await Promise.all(latencies)).sort((a, b) => a - b);
    const base = await bare.latency(rate, seconds);
    const p99 = p(sorted, 99);
    results.push(
      result(
        `passage_latency_p50 at ${rate}/s (push → consumer; baseline: bare QoS 1 p50)`,
        p(sorted, 50),
        "ms",
        p(base, 50),
        null,
        null,
      ),
      result(
        `passage_latency_p99 at ${rate}/s (baseline: bare QoS 1 p99)`,
        p99,
        "ms",
        p(base, 99),
        50,
        p99 <= 50,
      ),
    );
  }
  await bare.close();
  await consumer.endAsync();
  await stack.stop();
  return results;
}

/**
 * Sustained passage throughput end to end with everything durable: `n` passages waiting in the agent's
 * outbox (synchronous=FULL), the agent (its own process) sends them with QoS 1 to the control plane, which
 * commits each to its database before the PUBACK (group commits) and republishes it; an independent MQTT
 * client counts arrivals. Baseline in the same run: bare QoS 1 publish → subscribe through an aedes broker.
 */
export async function passageThroughput(n: number): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-bench-e2e-"));
  const { token, env } = benchControlPlane(dir);
  const cp = await startControlPlane(loadControlPlaneConfig(env), pino({ level: "error" }));
  const site = await fetch(`${cp.httpUrl}/v1/sites`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ id: "bench", name: "Bench", timeZone: "Asia/Almaty" }),
  }).then((r) => r.json() as Promise<{ agentCredentials: { username: string; password: string } }>);
  await seed(dir, { passages: n, persons: 0 });
  const sim = await startSimulator({ timeZone: "Asia/Almaty" });
  const consumer = await connectAsync(cp.mqttUrl, { username: "bench", password: token });
  let got = 0;
  let last = 0;
  consumer.on("message", () => {
    got += 1;
    last = performance.now();
  });
  await consumer.subscribeAsync("gatehouse/v1/passages/bench", { qos: 1 });
  const statsBefore = { ...cp.db.stats };
  const agent = new AgentProcess(
    {
      AGENT_SITE_ID: "bench",
      AGENT_MQTT_URL: cp.mqttUrl,
      AGENT_MQTT_USERNAME: site.agentCredentials.username,
      AGENT_MQTT_PASSWORD: site.agentCredentials.password,
      AGENT_COMMAND_PUBLIC_KEY: cp.commandPublicKeys,
      AGENT_DB_URL: `file:${join(dir, "agent.db")}`,
      AGENT_HIKCENTRAL_URL: sim.url,
      AGENT_HIKCENTRAL_APP_KEY: sim.appKey,
      AGENT_HIKCENTRAL_APP_SECRET: sim.appSecret,
      AGENT_TIME_ZONE: "Asia/Almaty",
      AGENT_EVENT_LISTEN: `127.0.0.1:${await freePort()}`,
      AGENT_HTTP_HOST: "127.0.0.1",
      AGENT_HTTP_PORT: String(await freePort()),
      AGENT_LOG_LEVEL: "error",
    },
    join(dir, "agent.log"),
  );
  const t0 = performance.now();
  await agent.start();
  const deadline = Date.now() + 600_000;
  while (got < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (got < n) throw new Error(`only ${got} of ${n} passages arrived`);
  const rate = n / ((last - t0) / 1000);
  const commits = cp.db.stats.commits - statsBefore.commits;
  const units = cp.db.stats.units - statsBefore.units;
  const stored = Number((await cp.db.read("SELECT count(*) AS n FROM passages")).rows[0]!.n);
  if (stored !== n) throw new Error(`${stored} passages stored, ${n} sent`);
  await agent.stop();
  await consumer.endAsync();
  await cp.stop();
  await sim.stop();

  const bare = await bareBroker();
  const baseline = await bare.throughput(n);
  await bare.close();
  return [
    {
      ...result(
        `passage throughput end to end, ${n} passages, all durable (baseline: bare QoS 1 pub→sub; target ratio ≥ 0.5)`,
        Math.round(rate),
        "msg/s",
        Math.round(baseline),
        0.5,
        rate / baseline >= 0.5,
      ),
      atLeast: true,
    },
    result(
      "control-plane units of work per commit during that run (group commit size)",
      units / Math.max(1, commits),
      "units/commit",
      null,
      null,
      null,
    ),
  ];
}
