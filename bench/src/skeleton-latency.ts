import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSmtpSink, startStack } from "@gatehouse/test";
import { connectAsync } from "mqtt";
import pino from "pino";
import { type BenchResult, percentile } from "./results.js";

/**
 * The demo's two user-visible latencies, measured through the same stack the demo starts:
 * POST /v1/visits → access granted (seen by polling GET /v1/visits/{id} every 2 ms), and
 * POST /_sim/passages → the passage on gatehouse/v1/passages/{site} at an independent MQTT client.
 * Baseline in the same run: a bare GET /healthz round trip to the same control plane (the cost of one
 * HTTP exchange on this machine), so the ratio says how many such round trips a grant or a passage costs.
 */
export async function skeletonLatency(
  samples: number,
  hikRate: number,
  latencyProfile: "none" | "realistic" = "none",
): Promise<BenchResult[]> {
  const smtp = await startSmtpSink();
  const token = `gh_bench_${randomBytes(18).toString("base64url")}`;
  const stack = await startStack({
    dataDir: mkdtempSync(join(tmpdir(), "gatehouse-bench-")),
    smtpUrl: smtp.url,
    adminToken: token,
    log: pino({ level: "error" }),
    agentEnv: { AGENT_HIKCENTRAL_RATE: String(hikRate) },
    simulator: { latencyProfile },
  });
  const consumer = await connectAsync(stack.controlPlane.mqttUrl, { username: "bench", password: token });
  const arrivals = new Map<string, number>();
  consumer.on("message", (_t, payload) => {
    const p = JSON.parse(payload.toString()) as { sourceEventId: string };
    arrivals.set(p.sourceEventId, performance.now());
  });
  await consumer.subscribeAsync(`gatehouse/v1/passages/${stack.siteId}`, { qos: 1 });

  const grant: number[] = [];
  const passage: number[] = [];
  const http: number[] = [];
  const codes: string[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    const r = await stack.api("POST", "/v1/visits", {
      site: stack.siteId,
      kind: "guest",
      guest: { name: `Bench Guest ${i}` },
      host: { name: "Bench Host" },
      validFrom: new Date(Date.now() - 60_000).toISOString(),
      validUntil: new Date(Date.now() + 3600_000).toISOString(),
    });
    for (;;) {
      const v = (await stack.api("GET", `/v1/visits/${r.body.id}`)).body;
      if (v.access === "granted") break;
      if (v.access === "failed") throw new Error(`grant failed: ${v.accessError}`);
      await new Promise((res) => setTimeout(res, 2));
    }
    grant.push(performance.now() - t0);
    codes.push(r.body.personCode);

    const h0 = performance.now();
    await fetch(`${stack.controlPlane.httpUrl}/healthz`).then((x) => x.arrayBuffer());
    http.push(performance.now() - h0);
  }
  for (const code of codes) {
    const t0 = performance.now();
    const res = await fetch(`${stack.simulator.url}/_sim/passages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ personCode: code, direction: "entry" }),
    });
    const { eventId } = (await res.json()) as { eventId: string };
    while (!arrivals.has(eventId)) await new Promise((r) => setImmediate(r));
    passage.push(arrivals.get(eventId)! - t0);
  }

  await consumer.endAsync();
  await stack.stop();
  await smtp.close();

  const sort = (a: number[]) => [...a].sort((x, y) => x - y);
  const g = sort(grant);
  const p = sort(passage);
  const h = sort(http);
  const hp50 = percentile(h, 50);
  const r = (name: string, value: number, baseline: number | null, target: number | null): BenchResult => ({
    name,
    value: Math.round(value * 100) / 100,
    unit: "ms",
    baseline: baseline === null ? null : Math.round(baseline * 100) / 100,
    ratio: baseline ? Math.round((value / baseline) * 10) / 10 : null,
    target,
    met: target === null ? null : value <= target,
  });
  const at = `HikCentral limit ${hikRate} req/s`;
  if (latencyProfile === "realistic") {
    // The floor is HikCentral's own time for the calls of one grant (personCode lookup, add, read back,
    // add to group, reapplication, download status), so the ratio is Gatehouse's overhead on top of it.
    const floor = 15 + 45 + 15 + 54 + 27 + 20;
    return [
      r(
        "grant_latency_p50 (realistic HikCentral latencies; baseline: HCP's own time per grant)",
        percentile(g, 50),
        floor,
        null,
      ),
      r("grant_latency_p99 (realistic HikCentral latencies)", percentile(g, 99), floor, null),
    ];
  }
  return [
    r(`grant_latency_p50 (POST /v1/visits → granted; ${at})`, percentile(g, 50), hp50, null),
    // The targets assume HikCentral is not the bottleneck (simulator at zero latency, no client-side limit).
    r(`grant_latency_p99 (${at})`, percentile(g, 99), percentile(h, 99), hikRate >= 1000 ? 200 : null),
    r(`passage_latency_p50 (/_sim/passages → MQTT consumer; ${at})`, percentile(p, 50), hp50, null),
    r(`passage_latency_p99 (${at})`, percentile(p, 99), percentile(h, 99), hikRate >= 1000 ? 50 : null),
  ];
}
