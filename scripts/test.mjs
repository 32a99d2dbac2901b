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
rmSync("test-output/vitest.json", { force: true });
const status = run(bin("vitest"), [
  "run",
  "--reporter=default",
  "--reporter=json",
  "--outputFile.json=test-output/vitest.json",
  ...process.argv.slice(2),
]);
let summary;
try {
  const r = JSON.parse(readFileSync("test-output/vitest.json", "utf8"));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  // A suite that failed to load counts as a failure even when it ran no test.
  const failedSuites = (r.testResults ?? []).filter(
    (t) => t.status === "failed" && (t.assertionResults ?? []).length === 0,
  ).length;
  summary = `${r.numPassedTests} passed, ${r.numFailedTests + failedSuites} failed, ${skipped} skipped`;
} catch {
  summary = `0 passed, 1 failed`;
}
console.log(summary);
process.exit(status);
