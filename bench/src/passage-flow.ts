import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadControlPlaneConfig, startControlPlane } from "@gatehouse/control-plane";
import { startSimulator } from "@gatehouse/simulator";
import {
  AgentProcess,
  ControlPlaneProcess,
  deployedEnvironment,
  freePort,
  seedAgentDatabase,
} from "@gatehouse/test";
import { connectAsync } from "mqtt";
import pino from "pino";
import { bareBroker, p } from "./bare-broker.js";
import { DemoProcess } from "./demo-process.js";
import { benchAgentEnv, benchApi, benchControlPlane, benchSite, grantedVisit } from "./fixtures.js";
import type { LoadPlan, LoadResult } from "./load-generator.js";
import { cpuSeconds } from "./process-usage.js";
import { type BenchResult, result } from "./results.js";
import { SimulatorProcess } from "./simulator-process.js";

/**
 * Passages sent at each rate before any is counted. Services started cold fall behind for their first 0.6–2 s
 * at 1,000/s (V8 still compiling the path; the backlog drains once it is compiled): with a 1-s warm-up that
 * backlog was counted, and moved the p99 at 1,000/s alone (20 s) from 25 to 410 ms run to run. It is reported
 * apart.
 */
const WARM_UP_SECONDS = 3;

/**
 * Passage latency under load, everything a process of its own as deployed: the load generator (it streams
 * passages to the simulator and listens as an MQTT consumer), the HikCentral simulator (it pushes each passage
 * to the agent as it happens), the agent (it stores and sends it), and the control plane (it commits and
 * republishes it). Then the same load on the demo, where the control plane, agent and simulator share one
 * process. Sent on a fixed schedule (open loop) at each rate after WARM_UP_SECONDS of warm-up. Two figures
 * each: end to end (sent to the simulator → at the consumer) and from the agent's receipt (the passage's
 * `receivedAt`) → at the consumer. Baseline in the same run: a bare QoS 1 publish → delivery through aedes.
 */
export async function passageLatencyAtRates(rates: number[], seconds: number): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-bench-rate-"));
  const { token, env } = benchControlPlane(dir);
  // Each service with the runtime settings of its systemd unit, as deployed.
  const cp = new ControlPlaneProcess(
    { ...env, ...deployedEnvironment("gatehouse.service"), GATEHOUSE_LOG_LEVEL: "info" },
    join(dir, "control-plane.log"),
  );
  const url = await cp.start();
  const mqttUrl = (/"mqtt":"([^"]+)"/.exec(cp.log) ?? [])[1]!;
  const api = benchApi(url, token);
  const site = await benchSite(api);
  const sim = await new SimulatorProcess(join(dir, "simulator.log")).start();
  const agentHttp = await freePort();
  const agent = new AgentProcess(
    {
      ...benchAgentEnv(dir, sim, { mqttUrl, ...site, http: agentHttp, events: await freePort() }),
      ...deployedEnvironment("gatehouse-agent.service"),
    },
    join(dir, "agent.log"),
  );
  await agent.start();
  const visit = await grantedVisit(api, "bench");
  const plan: LoadPlan = {
    simulatorUrl: sim.url,
    mqttUrl,
    token,
    site: "bench",
    personCode: visit.personCode,
    rates,
    seconds,
    warmUpSeconds: WARM_UP_SECONDS,
  };
  // How long each service's event loop was held at worst during the run: prom-client's gauge, which starts
  // over at each scrape (so one scrape now leaves start-up out).
  const lagMax = async (base: string) => {
    const text = await (await fetch(`${base}/metrics`)).text();
    return Number(/^nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text)?.[1] ?? Number.NaN) * 1000;
  };
  const agentUrl = `http://127.0.0.1:${agentHttp}`;
  await Promise.all([lagMax(url), lagMax(agentUrl)]);
  // The agent's commits wait for the disk, and HikCentral's next push for the answer after them.
  const syncs = async () =>
    histogram(await (await fetch(`${agentUrl}/metrics`)).text(), "gatehouse_agent_db_sync_seconds");
  const syncsBefore = await syncs();
  // How busy the box was: each process's CPU time over the load (Linux only), as a share of one core.
  const pids = { "control plane": cp.pid, agent: agent.pid, simulator: sim.pid };
  const cpuBefore = Object.entries(pids).map(([name, pid]) => [name, pid, cpuSeconds(pid)] as const);
  const loadStarted = performance.now();
  const load = await runLoadGenerator(plan, join(dir, "load.log"));
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  const cpuShares = cpuBefore.flatMap(([name, pid, before]) => {
    const after = cpuSeconds(pid);
    return before === undefined || after === undefined
      ? []
      : [[name, (after - before) / loadSeconds] as const];
  });
  if (cpuShares.length > 0) cpuShares.push(["load generator", load.cpuSeconds / loadSeconds]);
  const lag = { controlPlane: await lagMax(url), agent: await lagMax(agentUrl) };
  const sync = since(await syncs(), syncsBefore);
  await agent.stop();
  await cp.stop();
  await sim.stop();

  // The same load on the demo as `pnpm demo` runs it: everything in one process, as an outside check measures.
  const demo = await demoLoad(rates, seconds);

  const bare = await bareBroker();
  const results: BenchResult[] = [];
  for (const r of load.rates) {
    const base = await bare.latency(r.rate, seconds, 1);
    results.push(...rateFigures(r, base, seconds, ""));
    const d = demo.load.rates.find((x) => x.rate === r.rate);
    if (d) results.push(...rateFigures(d, base, seconds, ", the demo (one process)"));
  }
  await bare.close();
  results.push(
    result(
      "event loop held at most during that run, control plane",
      lag.controlPlane,
      "ms",
      null,
      null,
      null,
    ),
    result("event loop held at most during that run, agent", lag.agent, "ms", null, null, null),
    result(
      `agent database syncs during that run (${sync.count}): mean`,
      sync.count > 0 ? Math.round((sync.sum / sync.count) * 1e5) / 100 : Number.NaN,
      "ms",
      null,
      null,
      null,
    ),
    result(
      "agent database syncs during that run: p99 at most (histogram bucket)",
      sync.quantileBound(0.99) * 1000,
      "ms",
      null,
      null,
      null,
    ),
    result(
      `CPU used during the demo's run (all rates), the demo, of one core's time (${cpus().length} cores)`,
      demo.cpuShare * 100,
      "%",
      null,
      null,
      null,
    ),
    ...cpuShares.map(([name, share]) =>
      result(
        `CPU used during that run (all rates), ${name}, of one core's time (${cpus().length} cores)`,
        share * 100,
        "%",
        null,
        null,
        null,
      ),
    ),
  );
  return results;
}

/** One rate's figures beside the bare baseline's; `where` names the arrangement (empty: separate processes). */
function rateFigures(
  r: LoadResult["rates"][number],
  base: number[],
  seconds: number,
  where: string,
): BenchResult[] {
  const receiptTarget = r.rate >= 1000 ? 20 : 10;
  const e2e99 = p(r.endToEnd, 99);
  const receipt99 = p(r.receiptToConsumer, 99);
  return [
    result(
      `passage_latency_p50 at ${r.rate}/s${where} for ${seconds} s (simulator → consumer, end to end; baseline: bare QoS 1 p50)`,
      p(r.endToEnd, 50),
      "ms",
      p(base, 50),
      null,
      null,
    ),
    result(
      `passage_latency_p99 at ${r.rate}/s${where} (end to end; baseline: bare QoS 1 p99)`,
      e2e99,
      "ms",
      p(base, 99),
      r.rate >= 1000 ? 30 : null,
      r.rate >= 1000 ? e2e99 <= 30 : null,
    ),
    result(
      `passage_receipt_to_consumer_p50 at ${r.rate}/s${where} (the agent's receipt → consumer)`,
      p(r.receiptToConsumer, 50),
      "ms",
      p(base, 50),
      null,
      null,
    ),
    result(
      `passage_receipt_to_consumer_p99 at ${r.rate}/s${where} (baseline: bare QoS 1 p99)`,
      receipt99,
      "ms",
      p(base, 99),
      receiptTarget,
      receipt99 <= receiptTarget,
    ),
    result(
      `passage_push_p99 at ${r.rate}/s${where} (sent → the agent's receipt: the simulator's push, behind the agent's answer to the one before)`,
      p(r.sentToReceipt, 99),
      "ms",
      null,
      null,
      null,
    ),
    result(
      `passage_receipt_to_consumer at ${r.rate}/s${where} in the ${WARM_UP_SECONDS}-s warm-up before (not counted above): max`,
      r.warmUpReceiptToConsumer.at(-1) ?? Number.NaN,
      "ms",
      null,
      null,
      null,
    ),
    result(
      `passages of that warm-up${where} over ${receiptTarget} ms (of ${r.warmUpReceiptToConsumer.length})`,
      r.warmUpReceiptToConsumer.filter((ms) => ms > receiptTarget).length,
      "passages",
      null,
      null,
      null,
    ),
  ];
}

interface Histogram {
  count: number;
  sum: number;
  /** Cumulative counts by upper bound (seconds), ascending. */
  buckets: Array<[number, number]>;
}

/** A histogram from Prometheus text. */
function histogram(text: string, name: string): Histogram {
  const value = (suffix: string) =>
    Number(new RegExp(`^${name}_${suffix} (\\S+)$`, "m").exec(text)?.[1] ?? Number.NaN);
  const buckets = [...text.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\S+)$`, "gm"))].map(
    (m) => [m[1] === "+Inf" ? Number.POSITIVE_INFINITY : Number(m[1]), Number(m[2])] as [number, number],
  );
  return { count: value("count"), sum: value("sum"), buckets };
}

/** What a histogram counted between two scrapes, and the smallest bucket bound `q` of it falls under. */
function since(after: Histogram, before: Histogram) {
  const count = after.count - before.count;
  const buckets = after.buckets.map(([le, n], i) => [le, n - (before.buckets[i]?.[1] ?? 0)] as const);
  return {
    count,
    sum: after.sum - before.sum,
    quantileBound: (q: number) => buckets.find(([, n]) => n >= q * count)?.[0] ?? Number.NaN,
  };
}

/** The load plan run against the demo (`pnpm demo` in a process of its own), and the share of a core it used. */
async function demoLoad(rates: number[], seconds: number): Promise<{ load: LoadResult; cpuShare: number }> {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-bench-demo-"));
  const demo = new DemoProcess(join(dir, "data"), join(dir, "demo.log"));
  try {
    const ready = await demo.start();
    const api = benchApi(ready.api, ready.token);
    const visit = await grantedVisit(api, "demo");
    const before = cpuSeconds(demo.pid);
    const started = performance.now();
    const load = await runLoadGenerator(
      {
        simulatorUrl: ready.simulator,
        mqttUrl: ready.mqtt,
        token: ready.token,
        site: "demo",
        personCode: visit.personCode,
        rates,
        seconds,
        warmUpSeconds: WARM_UP_SECONDS,
      },
      join(dir, "load.log"),
    );
    const after = cpuSeconds(demo.pid);
    const cpuShare =
      before === undefined || after === undefined
        ? Number.NaN
        : (after - before) / ((performance.now() - started) / 1000);
    return { load, cpuShare };
  } finally {
    await demo.stop();
  }
}

/** Runs the load generator as a process of its own and reads its one-line result. */
async function runLoadGenerator(plan: LoadPlan, logFile: string): Promise<LoadResult> {
  const script = fileURLToPath(new URL("./load-generator.js", import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [script, JSON.stringify(plan)],
      { maxBuffer: 256 * 1024 * 1024, env: { PATH: process.env.PATH ?? "" } },
      (err, stdout, stderr) => {
        writeFileSync(logFile, stderr);
        if (err) reject(new Error(`the load generator failed: ${stderr.slice(-2000) || err.message}`));
        else resolve(JSON.parse(stdout) as LoadResult);
      },
    );
  });
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
  await seedAgentDatabase(dir, "bench", { passages: n, persons: 0 });
  const sim = await startSimulator({ timeZone: "Asia/Almaty" });
  const consumer = await connectAsync(cp.mqttUrl, { username: "bench", password: token });
  let got = 0;
  let first = 0;
  let last = 0;
  // CPU from the first arrival to the last: this process (the control plane and the consumer) and the agent's.
  let cpuAtFirst: NodeJS.CpuUsage | undefined;
  let agentCpuAtFirst: number | undefined;
  consumer.on("message", () => {
    got += 1;
    last = performance.now();
    if (got === 1) {
      first = last;
      cpuAtFirst = process.cpuUsage();
      agentCpuAtFirst = cpuSeconds(agent.pid);
    }
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
  const cpu = process.cpuUsage(cpuAtFirst);
  const controlPlaneUs = (cpu.user + cpu.system) / (n - 1);
  const agentCpu = cpuSeconds(agent.pid);
  const agentUs =
    agentCpu === undefined || agentCpuAtFirst === undefined
      ? Number.NaN
      : ((agentCpu - agentCpuAtFirst) * 1e6) / (n - 1);
  const commits = cp.db.stats.commits - statsBefore.commits;
  const units = cp.db.stats.units - statsBefore.units;
  const stored = Number((await cp.db.read("SELECT count(*) AS n FROM passages")).rows[0]!.n);
  if (stored !== n) throw new Error(`${stored} passages stored, ${n} sent`);
  await agent.stop();
  await consumer.endAsync();
  await cp.stop();
  await sim.stop();

  const bare = await bareBroker();
  const bareCpuBefore = process.cpuUsage();
  const baseline = await bare.throughput(n);
  const bareCpu = process.cpuUsage(bareCpuBefore);
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
    // What the ratio costs: CPU a durable passage against a bare message's, and the cores the durable path
    // would need at half the baseline's rate (the box has cpus().length).
    result(
      "CPU a durable passage during that run: control plane, with the consumer (baseline: CPU a bare QoS 1 message, publisher, broker and subscriber together)",
      Math.round(controlPlaneUs),
      "µs",
      Math.round(((bareCpu.user + bareCpu.system) / n) * 10) / 10,
      null,
      null,
    ),
    result("CPU a durable passage during that run: agent", Math.round(agentUs), "µs", null, null, null),
    result(
      `cores the durable path would need at half the baseline's rate (${cpus().length} cores here)`,
      Math.round((baseline / 2) * (controlPlaneUs + agentUs) * 1e-4) / 100,
      "cores",
      null,
      null,
      null,
    ),
  ];
}
