import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadControlPlaneConfig, startControlPlane } from "@gatehouse/control-plane";
import { startSimulator } from "@gatehouse/simulator";
import { AgentProcess, ControlPlaneProcess, freePort } from "@gatehouse/test";
import { connectAsync } from "mqtt";
import pino from "pino";
import { seed } from "./agent-throughput.js";
import { bareBroker, openLoopTicks, p } from "./bare-broker.js";
import { benchAgentEnv, benchApi, benchControlPlane, benchSite, visitBody } from "./fixtures.js";
import { type BenchResult, result } from "./results.js";

/**
 * Passage latency under load: HikCentral's event push reaches the agent (the simulator pushes each passage
 * as it is posted to /_sim/passages), the agent stores and sends it, the control plane commits and
 * republishes it, and an independent MQTT client receives it on gatehouse/v1/passages/{site}. Posted on a
 * fixed schedule (open loop) at each rate after a second of warm-up; latency from the post to the arrival.
 * The control plane and the agent run as processes of their own, as deployed; the simulator, the load and
 * the subscriber share this one. Baseline in the same run: a bare QoS 1 publish → delivery through an aedes
 * broker at the same rate.
 */
export async function passageLatencyAtRates(rates: number[], seconds: number): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-bench-rate-"));
  const { token, env } = benchControlPlane(dir);
  const cp = new ControlPlaneProcess({ ...env, GATEHOUSE_LOG_LEVEL: "info" }, join(dir, "control-plane.log"));
  const url = await cp.start();
  const mqttUrl = (/"mqtt":"([^"]+)"/.exec(cp.log) ?? [])[1]!;
  const api = benchApi(url, token);
  const site = await benchSite(api);
  const sim = await startSimulator({ timeZone: "Asia/Almaty" });
  const agent = new AgentProcess(
    benchAgentEnv(dir, sim, {
      mqttUrl,
      ...site,
      http: await freePort(),
      events: await freePort(),
    }),
    join(dir, "agent.log"),
  );
  await agent.start();
  const visit = await api("POST", "/v1/visits", visitBody("bench", 0));
  while ((await api("GET", `/v1/visits/${visit.body.id}`)).body.access !== "granted")
    await new Promise((r) => setTimeout(r, 20));
  const consumer = await connectAsync(mqttUrl, { username: "bench", password: token });
  const arrived = new Map<string, number>();
  const waiting = new Map<string, (t: number) => void>();
  consumer.on("message", (_t, payload) => {
    const { sourceEventId } = JSON.parse(payload.toString()) as { sourceEventId: string };
    const now = performance.now();
    const w = waiting.get(sourceEventId);
    if (w) w(now);
    else arrived.set(sourceEventId, now);
  });
  await consumer.subscribeAsync("gatehouse/v1/passages/bench", { qos: 1 });
  const bare = await bareBroker();

  const results: BenchResult[] = [];
  for (const rate of rates) {
    // The first second at each rate warms up (connections opened, code compiled, caches filled) and is
    // not counted; the baseline is treated the same way.
    const warmUp = rate;
    const n = warmUp + Math.round(rate * seconds);
    const latencies: Promise<number>[] = [];
    // The passages due at each tick go to the simulator in one request: a thousand requests a second
    // would make the load generator, not Gatehouse, the busiest thing on two cores.
    await openLoopTicks(rate, n, (from, to) => {
      const t0 = performance.now();
      const posted = fetch(`${sim.url}/_sim/passages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(
          Array.from({ length: to - from }, (_, k) => ({
            personCode: visit.body.personCode,
            direction: (from + k) % 2 ? "exit" : "entry",
          })),
        ),
      }).then((r) => r.json() as Promise<{ eventId: string }[]>);
      for (let k = 0; k < to - from; k++)
        latencies.push(
          posted.then(
            (events) =>
              new Promise<number>((resolve) => {
                const eventId = events[k]!.eventId;
                const t = arrived.get(eventId);
                if (t !== undefined) return resolve(t - t0);
                waiting.set(eventId, (at) => resolve(at - t0));
              }),
          ),
        );
    });
    const sorted = (await Promise.all(latencies)).slice(warmUp).sort((a, b) => a - b);
    const base = await bare.latency(rate, seconds, 1);
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
  await agent.stop();
  await cp.stop();
  await sim.stop();
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
  const site = await benchSite(benchApi(cp.httpUrl, token));
  await seed(dir, { passages: n, persons: 0 });
  const sim = await startSimulator({ timeZone: "Asia/Almaty" });
  const consumer = await connectAsync(cp.mqttUrl, { username: "bench", password: token });
  let got = 0;
  let first = 0;
  let last = 0;
  consumer.on("message", () => {
    got += 1;
    last = performance.now();
    if (got === 1) first = last;
  });
  await consumer.subscribeAsync("gatehouse/v1/passages/bench", { qos: 1 });
  const statsBefore = { ...cp.db.stats };
  const agent = new AgentProcess(
    benchAgentEnv(dir, sim, {
      mqttUrl: cp.mqttUrl,
      ...site,
      http: await freePort(),
      events: await freePort(),
    }),
    join(dir, "agent.log"),
  );
  await agent.start();
  const deadline = Date.now() + 600_000;
  while (got < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (got < n) throw new Error(`only ${got} of ${n} passages arrived`);
  // Sustained: from the first passage to arrive to the last, without the agent process's start-up.
  const rate = (n - 1) / ((last - first) / 1000);
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
