import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import type { BenchResult } from "./results.js";

const run = fileURLToPath(new URL("../dist/run.js", import.meta.url));
const results = fileURLToPath(new URL("../results.json", import.meta.url));

// CI runs the benchmarks' quick mode: it fails on an error (a lost passage, a failed grant, a crash), never
// on a timing, which a shared machine cannot promise.
it("pnpm bench --quick runs every benchmark to the end and prints its figures", async () => {
  const out = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, [run, "--quick"], { maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
  console.log(out);
  const figures = JSON.parse(readFileSync(results, "utf8")) as BenchResult[];
  for (const name of [
    "passage_latency_p99 at 1000/s",
    "passage throughput end to end",
    "bulk:",
    "agents: control-plane CPU",
  ])
    expect(
      figures.some((f) => f.name.includes(name) && Number.isFinite(f.value)),
      name,
    ).toBe(true);
}, 300_000);
