import { randomBytes, randomUUID } from "node:crypto";
import { runDoctor } from "@gatehouse/agent/doctor";
import { selfSignedCertificate } from "@gatehouse/simulator";
import { connect, connectAsync, type MqttClient } from "mqtt";
import { Agent, fetch } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../stack.js";
import { eventually, tempDir, testLogger } from "../support.js";

/** The control plane over TLS (https, mqtts) with CORS for one origin and a low failed-login limit. */
let stack: Stack;
let cert: { cert: string; key: string; fingerprint256: string };
let trusting: Agent;
const clients: MqttClient[] = [];
const ORIGIN = "https://console.campus.test";

beforeAll(async () => {
  cert = await selfSignedCertificate("127.0.0.1");
  trusting = new Agent({ connect: { ca: cert.cert } });
  stack = await startStack({
    dataDir: tempDir("api-security"),
    adminToken: `gh_test_${randomBytes(18).toString("base64url")}`,
    log: testLogger("api-security"),
    tls: cert,
    controlPlaneEnv: { GATEHOUSE_CORS_ORIGINS: ORIGIN, GATEHOUSE_AUTH_FAILURES_PER_MINUTE: "5" },
  });
});
afterAll(async () => {
  for (const c of clients) c.end(true);
  await stack?.stop();
  await trusting?.close();
});

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${stack.controlPlane.httpUrl}${path}`, { dispatcher: trusting, headers });

/** A token made straight in the database: it has never logged in from anywhere. */
const createViewerToken = () => stack.controlPlane.tokens.create("viewer", `t-${randomUUID()}`);

const mqttLogin = (token: string) =>
  connectAsync(stack.controlPlane.mqttUrl, {
    username: "consumer",
    password: token,
    ca: cert.cert,
    clientId: `t-${randomUUID()}`,
    reconnectPeriod: 0,
  }).then(
    (c) => {
      clients.push(c);
      return "connected";
    },
    (e: Error) => e.message,
  );

describe("TLS", () => {
  it("serves the API over https and the broker over mqtts; the agent verified the broker and works", async () => {
    expect(stack.controlPlane.httpUrl).toMatch(/^https:/);
    expect(stack.controlPlane.mqttUrl).toMatch(/^mqtts:/);
    const r = await stack.api("POST", "/v1/visits", {
      site: stack.siteId,
      guest: { name: "Tessa Tls" },
      host: { name: "Host" },
      validFrom: new Date().toISOString(),
      validUntil: new Date(Date.now() + 3600_000).toISOString(),
    });
    expect(r.status).toBe(201);
    await eventually(
      async () => (await stack.api("GET", `/v1/visits/${r.body.id}`)).body.access === "granted",
      15_000,
      "grant over mqtts",
    );
  });

  it("refuses clients that do not trust the certificate, and plain MQTT", async () => {
    await expect(fetch(`${stack.controlPlane.httpUrl}/healthz`)).rejects.toThrow();
    const plain = stack.controlPlane.mqttUrl.replace("mqtts:", "mqtt:");
    const err = await new Promise<string>((resolve) => {
      const c = connect(plain, { reconnectPeriod: 0, connectTimeout: 2000, clientId: `t-${randomUUID()}` });
      clients.push(c);
      c.once("connect", () => resolve("connected"));
      c.once("error", (e) => resolve(e.message));
      c.once("close", () => resolve("closed"));
    });
    expect(err).not.toBe("connected");
  });

  it("doctor explains a broker certificate it cannot trust, with the fingerprint to check", async () => {
    const { AGENT_MQTT_CA_FILE: _ca, ...untrusting } = stack.agentConfig;
    const checks = await runDoctor({
      ...untrusting,
      AGENT_EVENT_PUBLIC_URL: new URL(stack.agent.eventUrl).origin,
    });
    const tls = checks.find((c) => c.name === "mqtt-tls")!;
    expect(tls.status).toBe("fail");
    expect(tls.detail).toContain("self-signed");
    expect(tls.detail).toContain(cert.fingerprint256);
    expect(tls.fix).toContain("AGENT_MQTT_CA_FILE");
    const trusted = await runDoctor({
      ...stack.agentConfig,
      AGENT_EVENT_PUBLIC_URL: new URL(stack.agent.eventUrl).origin,
    });
    expect(trusted.find((c) => c.name === "mqtt-tls")?.status).toBe("pass");
  });
});

describe("HTTP hardening", () => {
  it("sends security headers, HSTS over TLS, and a CSP that allows no inline script", async () => {
    const r = await get("/docs");
    expect(r.status).toBe(200);
    const csp = r.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(await r.text()).not.toMatch(/<script>[^<]/);
    expect(r.headers.get("x-frame-options")).toBe("DENY");
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
    expect(r.headers.get("strict-transport-security")).toContain("max-age=");
  });

  it("answers CORS only for the configured origin", async () => {
    const preflight = (origin: string) =>
      fetch(`${stack.controlPlane.httpUrl}/v1/visits`, {
        method: "OPTIONS",
        dispatcher: trusting,
        headers: { origin, "access-control-request-method": "POST" },
      });
    expect((await preflight(ORIGIN)).headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect((await preflight("https://evil.example")).headers.get("access-control-allow-origin")).toBeNull();
  });

  it("limits body sizes and answers bad JSON with a problem, never a stack trace", async () => {
    // Its own connection: the server answers 413 early and closes the socket the rest of the body was on.
    const once = new Agent({ connect: { ca: cert.cert } });
    const big = await fetch(`${stack.controlPlane.httpUrl}/v1/sites`, {
      method: "POST",
      dispatcher: once,
      headers: { authorization: `Bearer ${stack.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ id: "big", name: "x".repeat(2 * 1024 * 1024) }),
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { errors: unknown[] }).errors).toHaveLength(1);
    await once.close();
    const bad = await fetch(`${stack.controlPlane.httpUrl}/v1/visits`, {
      method: "POST",
      dispatcher: trusting,
      headers: { authorization: `Bearer ${stack.adminToken}`, "content-type": "application/json" },
      body: '{"site": "demo", ',
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toContain("application/problem+json");
    const text = await bad.text();
    expect(text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
  });

  it("refuses a token that keeps failing, but not the good tokens behind the same address", async () => {
    for (let i = 0; i < 5; i++)
      expect((await get("/v1/sites", { authorization: "Bearer gh_wrong-one" })).status).toBe(401);
    const locked = await get("/v1/sites", { authorization: "Bearer gh_wrong-one" });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another client behind the same NAT, with a token never used from here before: in at once.
    const other = await createViewerToken();
    expect((await get("/v1/sites", { authorization: `Bearer ${other}` })).status).toBe(200);
    expect(await mqttLogin(other)).toBe("connected");
  });

  it("locks an address that guesses many tokens for strangers (HTTP and MQTT), not for tokens known there", async () => {
    // Five different failed tokens a minute lock the address (the test before this one left one of them).
    let guesses = 0;
    while ((await get("/v1/sites", { authorization: `Bearer gh_guess-${guesses}` })).status === 401)
      guesses++;
    expect(guesses).toBeGreaterThanOrEqual(4);
    expect(guesses).toBeLessThanOrEqual(5);
    const stranger = await createViewerToken();
    const blocked = await get("/v1/sites", { authorization: `Bearer ${stranger}` });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    // The broker shares the count: the stranger's token cannot log in from this address now either.
    expect(await mqttLogin(stranger)).toMatch(/Not authorized|Server unavailable|unavailable/i);
    // The admin token has logged in from here before: it goes on working.
    expect((await get("/v1/sites", { authorization: `Bearer ${stack.adminToken}` })).status).toBe(200);
    const metrics = await (await get("/metrics")).text();
    expect(metrics).toMatch(/gatehouse_http_auth_failures_total\{reason="invalid"\} (9|10)\n/);
    expect(metrics).toMatch(/gatehouse_http_auth_failures_total\{reason="throttled"\} [1-9]/);
    // Nothing secret reaches the metrics.
    expect(metrics).not.toContain(stack.adminToken);
    expect(metrics).not.toContain(stack.agentConfig.AGENT_MQTT_PASSWORD);
  });
});
