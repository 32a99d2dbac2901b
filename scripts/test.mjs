#!/usr/bin/env node
// The README's test command: lint, typecheck, every test, then the plain closing line CI reads.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";

const run = (cmd, args) => spawnSync(cmd, args, { stdio: "inherit", shell: false }).status ?? 1;
const bin = (name) => `node_modules/.bin/${name}`;

if (run(bin("biome"), ["check", "."]) !== 0) {
  console.error("lint failed: run `pnpm format` to fix formatting, then fix what biome reports");
  console.log("0 passed, 1 failed");
  process.exit(1);
}
if (run(bin("tsc"), ["-b"]) !== 0) {
  console.error("typecheck failed");
  console.log("0 passed, 1 failed");
  process.exit(1);
}
mkdirSync("test-output", { recursive: true });
// Tests that measure this process's own timing (the event loop under load) run after the rest and alone: on a
// two-core machine the other tests' processes would take the CPU they measure.
const ALONE = ["test/src/e2e/event-loop.test.ts"];
const filters = process.argv.slice(2);
const runs = filters.length > 0 ? [filters] : [ALONE.flatMap((f) => ["--exclude", f]), ALONE];
let status = 0;
const totals = { passed: 0, failed: 0, skipped: 0 };
for (const [i, args] of runs.entries()) {
  const json = `test-output/vitest-${i}.json`;
  rmSync(json, { force: true });
  const code = run(bin("vitest"), [
    "run",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${json}`,
    ...args,
  ]);
  if (code !== 0) status = code;
  try {
    const r = JSON.parse(readFileSync(json, "utf8"));
    // A suite that failed to load counts as a failure even when it ran no test.
    const failedSuites = (r.testResults ?? []).filter(
      (t) => t.status === "failed" && (t.assertionResults ?? []).length === 0,
    ).length;
    totals.passed += r.numPassedTests;
    totals.failed += r.numFailedTests + failedSuites;
    totals.skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  } catch {
    totals.failed += 1;
    status ||= 1;
  }
}
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(status);
