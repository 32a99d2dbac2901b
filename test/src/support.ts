import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), `gatehouse-${prefix}-`));

/** Component logs of a test run, kept in test-output/ so CI keeps them when a test fails. */
export function testLogger(name: string) {
  return pino(
    { level: process.env.GATEHOUSE_TEST_LOG_LEVEL ?? "debug" },
    pino.destination({ dest: `test-output/${name}.log`, mkdir: true, sync: true, append: false }),
  );
}

/** Polls until `check` returns a value (not undefined/false), or fails with what it last saw. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 10_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
