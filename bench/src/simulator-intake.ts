import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { passageAnswers } from "./passage-answers.js";
import { type BenchResult, result } from "./results.js";
import { SimulatorProcess } from "./simulator-process.js";

/** A stranger at the entry turnstile: denied, no person needed, the event pushed like any other. */
const STRANGER = JSON.stringify({ result: "denied", direction: "entry" });

/**
 * How fast one client can have the simulator (its own process) carry out passages: the NDJSON stream of
 * `POST /_sim/passages` (one request, a line a passage, a line back for each), against the same client
 * posting one passage per request. A benchmark's load generator must not be what limits it.
 */
export async function simulatorIntake(n: number): Promise<BenchResult[]> {
  const sim = await new SimulatorProcess(
    join(mkdtempSync(join(tmpdir(), "gatehouse-bench-sim-")), "sim.log"),
  ).start();
  try {
    const single = Math.max(200, Math.round(n / 10));
    let t = performance.now();
    for (let i = 0; i < single; i++) {
      const r = await fetch(`${sim.url}/_sim/passages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: STRANGER,
      });
      if (r.status !== 201) throw new Error(`a single passage: ${r.status} ${await r.text()}`);
    }
    const perRequest = single / ((performance.now() - t) / 1000);

    t = performance.now();
    const answered = await streamPassages(sim.url, n);
    const streamed = answered / ((performance.now() - t) / 1000);
    if (answered !== n) throw new Error(`${answered} of ${n} streamed passages answered`);
    return [
      {
        ...result(
          `simulator: passages carried out from one client, ${n} on one NDJSON stream (baseline: one POST a passage; target ≥ 5,000/s)`,
          Math.round(streamed),
          "passages/s",
          Math.round(perRequest),
          5000,
          streamed >= 5000,
        ),
        floor: true,
      },
    ];
  } finally {
    await sim.stop();
  }
}

async function streamPassages(url: string, n: number): Promise<number> {
  const encoder = new TextEncoder();
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    // Pulled as the connection takes it: a thousand lines a chunk, like a load generator's tick.
    pull(c) {
      if (sent >= n) return c.close();
      const lines = Math.min(1000, n - sent);
      sent += lines;
      c.enqueue(encoder.encode(`${STRANGER}\n`.repeat(lines)));
    },
  });
  const res = await fetch(`${url}/_sim/passages`, {
    method: "POST",
    body,
    duplex: "half",
    headers: { "content-type": "application/x-ndjson" },
  } as RequestInit);
  let answered = 0;
  for await (const _ of passageAnswers(res.body!)) answered += 1;
  return answered;
}
