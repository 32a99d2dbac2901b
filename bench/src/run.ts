#!/usr/bin/env node
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { grantThroughput, outboxDrain, replicaMemory } from "./agent-throughput.js";
import { commandSigning } from "./command-signing.js";
import { passageLatencyAtRates, passageThroughput } from "./passage-flow.js";
import { type BenchResult, writeResults } from "./results.js";
import { bulkGrants, manyAgents } from "./scale-out.js";
import { simulatorIntake } from "./simulator-intake.js";
import { skeletonLatency } from "./skeleton-latency.js";
import { visitsApi } from "./visits-api.js";

const quick = process.argv.includes("--quick");
const results: BenchResult[] = [];
console.log(
  `gatehouse bench (${quick ? "quick" : "full"}) on ${cpus().length} cores, Node ${process.version}`,
);

/** Each benchmark by name: `--only NAME[,NAME]` runs those alone (a name matches by its prefix). */
const benches: Array<[string, () => Promise<BenchResult[]> | BenchResult[]]> = [
  // The agent's default HikCentral limit (10 req/s; a grant is 5 calls, so a run of grants queues), and a
  // limit high enough that the figures show Gatehouse's own cost with the simulator at zero latency.
  [
    "grant-latency",
    async () => [
      ...(await skeletonLatency(quick ? 10 : 200, 10)),
      ...(await skeletonLatency(quick ? 20 : 200, 1000)),
      ...(await skeletonLatency(quick ? 10 : 100, 1000, "realistic")),
    ],
  ],
  ["command-signing", () => commandSigning(quick ? 2000 : 20_000)],
  // The size (100,000 visits, 1,000,000 passages) in the full run; the quick run a tenth of it.
  ["visits-api", () => visitsApi(quick ? 10_000 : 100_000, quick ? 100_000 : 1_000_000, quick ? 100 : 1000)],
  // The agent: a week of a busy site's passages (200,000) draining, bulk grants at HikCentral's default
  // limit (10 req/s), and the replica's memory at 100,000 persons.
  ["outbox-drain", () => outboxDrain(quick ? 5_000 : 200_000)],
  ["grant-throughput", () => grantThroughput(quick ? 10 : 60, 10)],
  ["replica-memory", () => replicaMemory(quick ? 20_000 : 100_000)],
  // Passages at 100 and 1,000 a second (60 s each in the full run), end-to-end durable throughput.
  ["passage-latency", () => passageLatencyAtRates([100, 1000], quick ? 3 : 60)],
  ["passage-throughput", () => passageThroughput(quick ? 5_000 : 100_000)],
  // The load generator's own limit: passages the simulator takes from one client.
  ["simulator-intake", () => simulatorIntake(quick ? 5_000 : 50_000)],
  // Bulk grants against HikCentral's rate limit: 100 req/s (ten times the agent's default) is what the
  // target is judged at. The full run adds 500 and 1,000 req/s: there a call is due every 1–2 ms, Node's
  // timers start some late, and on two cores the agent, simulator and control plane together carry about
  // 1,000 calls a second, so those figures measure the box more than the agent.
  [
    "bulk-grants",
    async () => [
      ...(await bulkGrants(quick ? 100 : 10_000, 100)),
      ...(quick ? [] : [...(await bulkGrants(10_000, 500)), ...(await bulkGrants(10_000, 1000))]),
    ],
  ],
  ["many-agents", () => manyAgents(quick ? 30 : 500, quick ? 5 : 30)],
];
const only = process.argv
  .find((a) => a.startsWith("--only="))
  ?.slice(7)
  .split(",");
/** One figure as a line: printed as soon as its benchmark ends, so a later failure loses none. */
function print(r: BenchResult): void {
  const base = r.baseline === null ? "" : `  baseline ${r.baseline} ${r.unit}  ratio ${r.ratio}x`;
  const target =
    r.target === null
      ? ""
      : r.floor
        ? `  target ≥ ${r.target} ${r.unit}: ${r.met ? "met" : "MISSED"}`
        : r.atLeast
          ? `  target ratio ≥ ${r.target}: ${r.met ? "met" : "MISSED"}`
          : `  target ≤ ${r.target} ${r.unit}: ${r.met ? "met" : "MISSED"}`;
  console.log(`${r.name}: ${r.value} ${r.unit}${base}${target}`);
}

for (const [name, run] of benches)
  if (!only || only.some((o) => name.startsWith(o))) {
    const figures = await run();
    figures.forEach(print);
    results.push(...figures);
  }
const out = fileURLToPath(new URL("../results.json", import.meta.url));
writeResults(out, results);
console.log(`wrote ${out}`);
process.exit(0);
