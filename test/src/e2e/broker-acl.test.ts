import { randomBytes, randomUUID } from "node:crypto";
import { topics } from "@gatehouse/shared";
import { connect, connectAsync, type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../stack.js";
import { sleep, tempDir, testLogger } from "../support.js";

let stack: Stack;
let south: { username: string; password: string };
const clients: MqttClient[] = [];

beforeAll(async () => {
  stack = await startStack({
    dataDir: tempDir("acl"),
    adminToken: `gh_test_${randomBytes(18).toString("base64url")}`,
    log: testLogger("broker-acl"),
  });
  const r = await stack.api("POST", "/v1/sites", { id: "south", name: "South campus" });
  south = r.body.agentCredentials;
});
afterAll(async () => {
  for (const c of clients) c.end(true);
  await stack?.stop();
});

const login = async (username: string, password: string) => {
  const c = await connectAsync(stack.controlPlane.mqttUrl, {
    username,
    password,
    // Agent credentials only work under their site's client ids; the doctor's prefix leaves the agent be.
    clientId: username.startsWith("agent-")
      ? `gatehouse-doctor-${username.slice(6)}-${randomUUID()}`
      : `t-${randomUUID()}`,
    reconnectPeriod: 0,
  });
  clients.push(c);
  return c;
};

/** Publishes QoS 1 and reports whether the broker closed the connection instead of acknowledging. */
const publishRefused = (c: MqttClient, topic: string, payload: string) =>
  new Promise<boolean>((resolve) => {
    c.once("close", () => resolve(true));
    c.publish(topic, payload, { qos: 1 }, (err) => resolve(Boolean(err)));
  });

/** The QoS the broker granted, 128 when it refused (MQTT.js 5 rejects the promise then). */
const granted = (c: MqttClient, filter: string) =>
  c.subscribeAsync(filter, { qos: 1 }).then(
    (g) => g[0]!.qos,
    (e: { packet?: { granted?: number[] } }) => e.packet?.granted?.[0] ?? 128,
  );

const passageCount = async () =>
  Number((await stack.controlPlane.db.read("SELECT count(*) AS n FROM passages")).rows[0]!.n);

describe("the embedded broker's per-site ACL", () => {
  it("refuses a wrong password", async () => {
    const err = await new Promise<Error>((resolve) => {
      const c = connect(stack.controlPlane.mqttUrl, {
        username: "agent-south",
        password: "guess",
        reconnectPeriod: 0,
      });
      clients.push(c);
      c.once("error", resolve);
    });
    expect(err.message).toMatch(/Bad username or password|Not authorized/i);
  });

  it("refuses another site's agent, or a consumer, the client id of this site's agent (no session takeover)", async () => {
    for (const [username, password] of [
      [south.username, south.password],
      ["consumer", stack.adminToken],
    ] as const) {
      const err = await new Promise<Error>((resolve) => {
        const c = connect(stack.controlPlane.mqttUrl, {
          username,
          password,
          clientId: `gatehouse-agent-${stack.siteId}`,
          clean: false,
          reconnectPeriod: 0,
        });
        clients.push(c);
        c.once("error", resolve);
        c.once("connect", () => resolve(new Error("connected")));
      });
      expect(err.message).toMatch(/Identifier rejected/i);
    }
    // The site's own agent kept its connection.
    const health = (await (await fetch(`${stack.agent.healthUrl}/healthz`)).json()) as { mqtt: string };
    expect(health.mqtt).toBe("connected");
  });

  it("lets a site's agent subscribe only to its own commands", async () => {
    const c = await login(south.username, south.password);
    expect(await granted(c, topics.commands("south"))).toBe(1);
    expect(await granted(c, topics.commands(stack.siteId))).toBe(128);
    expect(await granted(c, "gatehouse/#")).toBe(128);
  });

  it("refuses a site's agent publishing a passage on another site's topic, and stores nothing", async () => {
    const before = await passageCount();
    const c = await login(south.username, south.password);
    const forged = {
      id: `${stack.siteId}:hikcentral:forged`,
      site: stack.siteId,
      source: "hikcentral",
      sourceEventId: "forged",
      door: { id: "1" },
      direction: "entry",
      result: "granted",
      eventType: 196893,
      occurredAt: new Date().toISOString(),
      receivedAt: new Date().toISOString(),
    };
    expect(await publishRefused(c, topics.passageEvents(stack.siteId), JSON.stringify(forged))).toBe(true);
    await sleep(100);
    expect(await passageCount()).toBe(before);
  });

  it("refuses a site's agent publishing acks or status for another site, or commands at all", async () => {
    const before = await stack.controlPlane.db.read("SELECT agent_status FROM sites WHERE id = ?", [
      stack.siteId,
    ]);
    const offline = { site: stack.siteId, state: "offline", since: new Date().toISOString(), version: "x" };
    for (const [topic, body] of [
      [topics.status(stack.siteId), offline],
      [topics.acks(stack.siteId), { id: randomUUID(), commandId: randomUUID(), site: stack.siteId, seq: 1 }],
      [topics.commands("south"), { id: randomUUID() }],
    ] as const) {
      const c = await login(south.username, south.password);
      expect(await publishRefused(c, topic, JSON.stringify(body)), topic).toBe(true);
    }
    const after = await stack.controlPlane.db.read("SELECT agent_status FROM sites WHERE id = ?", [
      stack.siteId,
    ]);
    expect(after.rows[0]!.agent_status).toBe(before.rows[0]!.agent_status);
  });

  it("lets a consumer subscribe to passages and status but never publish", async () => {
    const c = await login("consumer", stack.adminToken);
    expect(await granted(c, "gatehouse/v1/passages/#")).toBe(1);
    expect(await granted(c, "gatehouse/v1/sites/+/status")).toBe(1);
    expect(await granted(c, topics.commands(stack.siteId))).toBe(128);
    expect(await publishRefused(c, topics.commands(stack.siteId), "{}")).toBe(true);
  });

  it("counts what it refused", async () => {
    const metrics = await (await fetch(`${stack.controlPlane.httpUrl}/metrics`)).text();
    const value = (action: string) =>
      Number(new RegExp(`gatehouse_mqtt_refused_total\\{action="${action}"\\} (\\d+)`).exec(metrics)?.[1]);
    expect(value("login")).toBeGreaterThanOrEqual(1);
    expect(value("subscribe")).toBeGreaterThanOrEqual(3);
    expect(value("publish")).toBeGreaterThanOrEqual(5);
  });
});
