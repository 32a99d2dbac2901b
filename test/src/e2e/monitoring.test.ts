import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../stack.js";
import { eventually, tempDir, testLogger } from "../support.js";

const promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].find((p) => existsSync(p));
if (!promtool) console.warn("SKIP promtool checks: no promtool on this machine (apt-get install prometheus)");

const deploy = (path: string) => fileURLToPath(new URL(`../../../deploy/${path}`, import.meta.url));

let stack: Stack;
let controlPlaneMetrics: string;
let agentMetrics: string;

beforeAll(async () => {
  stack = await startStack({
    dataDir: tempDir("monitoring"),
    adminToken: `gh_test_${randomBytes(18).toString("base64url")}`,
    log: testLogger("monitoring"),
  });
  // A visit and a passage, so that labelled series exist (a counter with no labels seen has no sample).
  const v = await stack.api("POST", "/v1/visits", {
    site: stack.siteId,
    guest: { name: "Metric Mia" },
    host: { name: "Host" },
    validFrom: new Date(Date.now() - 60_000).toISOString(),
    validUntil: new Date(Date.now() + 3600_000).toISOString(),
  });
  const granted = await eventually(async () => {
    const b = (await stack.api("GET", `/v1/visits/${v.body.id}`)).body;
    return b.access === "granted" ? b : undefined;
  });
  await fetch(`${stack.simulator.url}/_sim/passages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ personCode: granted.personCode, direction: "entry" }),
  });
  await eventually(async () => (await stack.api("GET", `/v1/visits/${v.body.id}`)).body.inside === true);
  controlPlaneMetrics = await (await fetch(`${stack.controlPlane.httpUrl}/metrics`)).text();
  agentMetrics = await (await fetch(`${stack.agent.healthUrl}/metrics`)).text();
});
afterAll(() => stack?.stop());

/** Metric families an exposition declares, with the series names a histogram or summary adds. */
function exposed(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = m as unknown as [string, string, string];
    names.add(name);
    if (type === "histogram") for (const s of ["_bucket", "_sum", "_count"]) names.add(name + s);
    if (type === "summary") for (const s of ["_sum", "_count"]) names.add(name + s);
  }
  return names;
}

/** Metric names a PromQL expression reads (identifiers that are not functions, keywords or labels). */
function metricsIn(expr: string): string[] {
  const stripped = expr.replace(/\{[^}]*\}/g, "").replace(/\[[^\]]*\]/g, "");
  // Whole identifiers not followed by "(" (a function's name is not a metric's).
  const words = [...stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)]
    .filter((m) => !/^\s*\(/.test(stripped.slice(m.index! + m[0].length)))
    .map((m) => m[0]);
  const keywords = new Set(["by", "without", "and", "or", "unless", "on", "ignoring", "le", "bool"]);
  // Grouping labels follow `by (`: drop what is inside a by/without list.
  const grouping = new Set(
    [...stripped.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)].flatMap((m) =>
      m[1]!.split(",").map((s) => s.trim()),
    ),
  );
  return words.filter((w) => !keywords.has(w) && !grouping.has(w) && /_/.test(w));
}

describe("monitoring", () => {
  it("exposes metrics that promtool finds clean, from the control plane and the agent", () => {
    expect(controlPlaneMetrics).toContain("gatehouse_commands_pending{site=");
    expect(controlPlaneMetrics).toMatch(/gatehouse_command_oldest_pending_seconds\{site="demo"\} 0/);
    // The agent's commits wait for the disk (synchronous=FULL): each sync's time, from its first commits on.
    expect(agentMetrics).toMatch(/^gatehouse_agent_db_sync_seconds_count [1-9]\d*$/m);
    // Event-loop health (prom-client's, from perf_hooks.monitorEventLoopDelay), on both services.
    for (const text of [controlPlaneMetrics, agentMetrics]) {
      expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
      expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
    }
    if (!promtool) return;
    for (const [who, text] of [
      ["control plane", controlPlaneMetrics],
      ["agent", agentMetrics],
    ] as const) {
      const r = spawnSync(promtool, ["check", "metrics"], { input: text, encoding: "utf8" });
      expect(`${r.stdout}${r.stderr}`.trim(), `${who}: promtool check metrics`).toBe("");
      expect(r.status, who).toBe(0);
    }
  });

  it("has alert rules that promtool accepts and whose unit tests pass", () => {
    if (!promtool) return;
    const check = spawnSync(promtool, ["check", "rules", deploy("prometheus/gatehouse-alerts.yml")], {
      encoding: "utf8",
    });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain("SUCCESS: 9 rules found");
    const test = spawnSync(promtool, ["test", "rules", deploy("prometheus/gatehouse-alerts.test.yml")], {
      encoding: "utf8",
    });
    expect(test.status, test.stdout + test.stderr).toBe(0);
    const config = spawnSync(promtool, ["check", "config", deploy("prometheus/prometheus.example.yml")], {
      encoding: "utf8",
    });
    expect(config.status, config.stdout + config.stderr).toBe(0);
  });

  it("reads in its alerts and its Grafana dashboard only metrics that Gatehouse exposes", () => {
    const names = new Set([...exposed(controlPlaneMetrics), ...exposed(agentMetrics), "up"]);
    const rules = readFileSync(deploy("prometheus/gatehouse-alerts.yml"), "utf8");
    const ruleExprs = [...rules.matchAll(/expr: (?:>-\n)?([\s\S]*?)\n\s+(?:for|labels):/g)].map((m) => m[1]!);
    expect(ruleExprs).toHaveLength(9);
    const dashboard = JSON.parse(readFileSync(deploy("grafana/gatehouse.json"), "utf8"));
    const panelExprs = (dashboard.panels as any[]).flatMap((p) => (p.targets ?? []).map((t: any) => t.expr));
    expect(panelExprs.length).toBeGreaterThan(15);
    const unknown = [...ruleExprs, ...panelExprs].flatMap(metricsIn).filter((n) => !names.has(n));
    expect(unknown).toEqual([]);
  });
});
