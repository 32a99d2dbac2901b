import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { Ack, type AgentStatus, Passage, topics } from "@gatehouse/shared";
import fc from "fast-check";
import { connectAsync, type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../stack.js";
import { eventually, tempDir, testLogger } from "../support.js";

/**
 * Random and almost-right inputs at every door the outside world has: the REST API and the agent topics of
 * the embedded broker. Nothing may crash or answer 5xx, and every refusal must say which field and why.
 */
let stack: Stack;
let fuzzAgent: { username: string; password: string };
const LOG = "fuzz";
beforeAll(async () => {
  stack = await startStack({
    dataDir: tempDir("fuzz"),
    adminToken: `gh_test_${randomBytes(18).toString("base64url")}`,
    log: testLogger(LOG),
  });
  // A site with no agent running: valid fuzzed visits queue their commands there and go no further.
  fuzzAgent = (await stack.api("POST", "/v1/sites", { id: "fuzz", name: "Fuzz" })).body.agentCredentials;
});
afterAll(() => stack?.stop());

/** A JSON value of any shape, or one field of a valid object changed to one. */
const anyJson = fc.jsonValue({ maxDepth: 3 });
const nearly = (valid: Record<string, unknown>) =>
  fc.oneof(
    anyJson,
    fc
      .tuple(fc.constantFrom(...Object.keys(valid)), fc.oneof(anyJson, fc.constant(undefined)))
      .map(([key, value]) => ({ ...valid, [key]: value })),
    fc.tuple(fc.string({ maxLength: 12 }), anyJson).map(([key, value]) => ({ ...valid, [key]: value })),
  );

async function call(method: string, path: string, body?: unknown, raw?: string) {
  const res = await fetch(`${stack.controlPlane.httpUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${stack.adminToken}`, "content-type": "application/json" },
    ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, type: res.headers.get("content-type") ?? "", text: await res.text() };
}

/** No 5xx; a 4xx is a problem body naming at least one field, each with a message. */
function expectClearAnswer(r: Awaited<ReturnType<typeof call>>, input: unknown) {
  const where = `${r.status} for ${JSON.stringify(input)?.slice(0, 200)}: ${r.text.slice(0, 300)}`;
  expect(r.status, where).toBeLessThan(500);
  if (r.status >= 400) {
    expect(r.type, where).toContain("application/problem+json");
    const body = JSON.parse(r.text) as { detail: string; errors: Array<{ path: string; message: string }> };
    expect(body.detail, where).toBeTruthy();
    expect(body.errors.length, where).toBeGreaterThan(0);
    for (const e of body.errors) {
      expect(typeof e.path === "string" && e.path.length > 0, where).toBe(true);
      expect(typeof e.message === "string" && e.message.length > 0, where).toBe(true);
    }
    expect(r.text, where).not.toMatch(/\n\s+at |node_modules/);
  }
}

const now = Date.now();
const validVisit = {
  site: "fuzz",
  kind: "guest",
  guest: { name: "Fuzz Guest", email: "g@fuzz.test" },
  host: { name: "Fuzz Host" },
  validFrom: new Date(now).toISOString(),
  validUntil: new Date(now + 3600_000).toISOString(),
};

describe("REST API inputs", () => {
  it("POST /v1/visits: any body gets a visit or a problem naming the field", async () => {
    const guest = nearly(validVisit.guest);
    const body = fc.oneof(
      nearly(validVisit),
      guest.map((g) => ({ ...validVisit, guest: g })),
      fc.string({ maxLength: 40 }).map((raw) => ({ raw })),
    );
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const raw = (b as { raw?: string } | null)?.raw;
        const r = await call("POST", "/v1/visits", raw === undefined ? b : undefined, raw);
        expectClearAnswer(r, b);
      }),
      { numRuns: 150 },
    );
  });

  it("POST /v1/sites, PATCH and actions on visits, list filters: never a 5xx, always a reason", async () => {
    const site = { id: "fuzz-site", name: "Fuzz site", timeZone: "Asia/Almaty" };
    await fc.assert(
      fc.asyncProperty(nearly(site), async (b) => expectClearAnswer(await call("POST", "/v1/sites", b), b)),
      { numRuns: 100 },
    );
    const visit = (await call("POST", "/v1/visits", validVisit)).text;
    const id = (JSON.parse(visit) as { id: string }).id;
    const times = { validFrom: validVisit.validFrom, validUntil: validVisit.validUntil };
    const ids = fc.oneof(fc.constant(id), fc.string({ minLength: 1, maxLength: 20 }).map(encodeURIComponent));
    await fc.assert(
      fc.asyncProperty(ids, nearly(times), async (i, b) =>
        expectClearAnswer(await call("PATCH", `/v1/visits/${i}`, b), b),
      ),
      { numRuns: 100 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 20 }).map(encodeURIComponent),
        fc.constantFrom("cancel", "checkout", "revoke", "passages"),
        async (i, action) =>
          expectClearAnswer(
            await call(action === "passages" ? "GET" : "POST", `/v1/visits/${i}/${action}`),
            i,
          ),
      ),
      { numRuns: 60 },
    );
    const query = fc.dictionary(
      fc.constantFrom("site", "status", "inside", "q", "limit", "cursor", "other"),
      fc.string({ maxLength: 30 }),
    );
    await fc.assert(
      fc.asyncProperty(query, fc.constantFrom("/v1/visits", "/v1/passages"), async (q, path) =>
        expectClearAnswer(await call("GET", `${path}?${new URLSearchParams(q)}`), q),
      ),
      { numRuns: 100 },
    );
  });
});

describe("agent messages through the broker", () => {
  let agent: MqttClient;
  beforeAll(async () => {
    agent = await connectAsync(stack.controlPlane.mqttUrl, {
      username: fuzzAgent.username,
      password: fuzzAgent.password,
      clientId: "gatehouse-agent-fuzz",
      reconnectPeriod: 200,
    });
  });
  afterAll(() => agent?.endAsync());

  const invalidCount = async (topic: string) => {
    const text = await (await fetch(`${stack.controlPlane.httpUrl}/metrics`)).text();
    const m = new RegExp(`gatehouse_mqtt_invalid_messages_total\\{topic="${topic}"\\} (\\d+)`).exec(text);
    return Number(m?.[1] ?? 0);
  };

  it("acks and passages: each invalid one is dropped with a reason, counted, and nothing crashes", async () => {
    const ack = {
      id: randomUUID(),
      commandId: randomUUID(),
      site: "fuzz",
      seq: 1,
      status: "applied",
      at: new Date().toISOString(),
    };
    const passage = {
      id: `fuzz:hikcentral:${randomUUID()}`,
      site: "fuzz",
      source: "hikcentral",
      sourceEventId: "e1",
      door: { id: "1" },
      direction: "entry",
      result: "granted",
      eventType: 196893,
      occurredAt: new Date().toISOString(),
      receivedAt: new Date().toISOString(),
    };
    const cases = [
      { topic: topics.acks("fuzz"), label: "acks", schema: Ack, valid: ack },
      { topic: topics.passageEvents("fuzz"), label: "events_passage", schema: Passage, valid: passage },
    ];
    for (const c of cases) {
      const before = await invalidCount(c.label);
      let invalid = 0;
      // Each sample is the text published: JSON of an almost-right message, or any string at all.
      const samples = fc.sample(
        fc.oneof(
          nearly(c.valid).map((v) => JSON.stringify(v) ?? "null"),
          fc.string({ maxLength: 30 }),
        ),
        150,
      );
      for (const text of samples) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        const r = c.schema.safeParse(parsed);
        if (parsed === undefined || !r.success || (r.data as { site: string }).site !== "fuzz") invalid++;
        await agent.publishAsync(c.topic, text, { qos: 1 });
      }
      expect(invalid).toBeGreaterThan(50);
      expect(await invalidCount(c.label)).toBe(before + invalid);
    }
    const health = await fetch(`${stack.controlPlane.httpUrl}/healthz`);
    expect(health.status).toBe(200);
    const dropped = readFileSync(`test-output/${LOG}.log`, "utf8")
      .split("\n")
      .filter((l) => l.includes("dropped an invalid agent message"))
      .map((l) => JSON.parse(l) as { reason?: string });
    expect(dropped.length).toBeGreaterThan(100);
    for (const d of dropped) expect(d.reason, JSON.stringify(d)).toMatch(/^(not JSON|[^:]+: .+)$/);
  });

  it("status: an invalid one is acknowledged but neither retained nor delivered; a valid one is", async () => {
    const consumer = await connectAsync(stack.controlPlane.mqttUrl, {
      username: "consumer",
      password: stack.adminToken,
      clientId: `t-${randomUUID()}`,
      reconnectPeriod: 0,
    });
    const seen: string[] = [];
    consumer.on("message", (_t, p) => seen.push(p.toString()));
    await consumer.subscribeAsync(topics.status("fuzz"), { qos: 1 });
    const before = await invalidCount("status");
    const bad = { site: "fuzz", state: "sideways", since: "yesterday", version: 1 };
    await agent.publishAsync(topics.status("fuzz"), JSON.stringify(bad), { qos: 1, retain: true });
    expect(await invalidCount("status")).toBe(before + 1);
    expect(agent.connected).toBe(true);
    const good: AgentStatus = {
      site: "fuzz",
      state: "online",
      since: new Date().toISOString(),
      version: "fuzz",
    };
    await agent.publishAsync(topics.status("fuzz"), JSON.stringify(good), { qos: 1, retain: true });
    await eventually(async () => seen.length > 0, 5000, "valid status delivered");
    expect(seen.map((p) => JSON.parse(p).state)).toEqual(["online"]);
    expect((await stack.api("GET", "/v1/sites/fuzz")).body.agent.state).toBe("online");
    // A late subscriber gets the valid status retained, never the refused one.
    const late = await connectAsync(stack.controlPlane.mqttUrl, {
      username: "consumer",
      password: stack.adminToken,
      clientId: `t-${randomUUID()}`,
      reconnectPeriod: 0,
    });
    const retained: string[] = [];
    late.on("message", (_t, p) => retained.push(p.toString()));
    await late.subscribeAsync(topics.status("fuzz"), { qos: 1 });
    await eventually(async () => retained.length > 0, 5000, "retained status");
    expect(JSON.parse(retained[0]!).state).toBe("online");
    await consumer.endAsync();
    await late.endAsync();
  });
});
