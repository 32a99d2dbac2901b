import { randomBytes } from "node:crypto";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { visitRequest } from "../requests.js";
import { type Stack, startStack } from "../stack.js";
import { tempDir, testLogger } from "../support.js";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    dataDir: tempDir("agent-credentials"),
    adminToken: `gh_test_${randomBytes(18).toString("base64url")}`,
    log: testLogger("agent-credentials"),
  });
});
afterAll(() => stack?.stop());

/** A login as the site's agent would make it (a doctor's client id, so the running agent is not displaced). */
const login = (username: string, password: string) =>
  mqtt
    .connectAsync(stack.controlPlane.mqttUrl, {
      clientId: `gatehouse-doctor-${stack.siteId}-${randomBytes(3).toString("hex")}`,
      username,
      password,
      reconnectPeriod: 0,
    })
    .then(async (c) => {
      await c.endAsync();
      return "accepted";
    })
    .catch((e: Error) => e.message);

describe("rotating an agent's broker login without a gap", { timeout: 30_000 }, () => {
  it("keeps the old login good until the agent uses the new one, then refuses it", async () => {
    const old = {
      username: stack.agentEnv.AGENT_MQTT_USERNAME!,
      password: stack.agentEnv.AGENT_MQTT_PASSWORD!,
    };
    const r = await stack.api("POST", `/v1/sites/${stack.siteId}/agent-credentials/rotate`, {
      graceHours: 1,
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ username: `agent-${stack.siteId}.2`, previousUsername: old.username });
    expect(Date.parse(r.body.previousValidUntil) - Date.now()).toBeGreaterThan(59 * 60_000);
    expect((await stack.api("GET", `/v1/sites/${stack.siteId}`)).body.agent.username).toBe(r.body.username);

    // Both work while the agent has not switched: a restart with the old settings still connects.
    expect(await login(old.username, old.password)).toBe("accepted");
    expect(await login(r.body.username, r.body.password)).toBe("accepted");
    // The new login has been used: the old one is over.
    expect(await login(old.username, old.password)).toMatch(/Bad username or password/);

    // The agent restarted with its new login works as before.
    await stack.stopAgent();
    await stack.startAgent({ AGENT_MQTT_USERNAME: r.body.username, AGENT_MQTT_PASSWORD: r.body.password });
    const v = await stack.api("POST", "/v1/visits", visitRequest(stack.siteId, "After Rotation"));
    await stack.visitWhen(v.body.id, (x) => x.access === "granted", "a grant after the rotation");
    const audit = (await stack.api("GET", "/v1/audit?entity=site")).body.items.map((a: any) => a.action);
    expect(audit).toContain("site.rotate_agent_login");
    expect(JSON.stringify((await stack.api("GET", "/v1/audit?entity=site")).body)).not.toContain(
      r.body.password,
    );
  });

  it("ends the old login at once with no grace, and answers 404 for a site that does not exist", async () => {
    const before = {
      username: stack.agentEnv.AGENT_MQTT_USERNAME!,
      password: stack.agentEnv.AGENT_MQTT_PASSWORD!,
    };
    const r = await stack.api("POST", `/v1/sites/${stack.siteId}/agent-credentials/rotate`, {
      graceHours: 0,
    });
    expect(r.body.username).toBe(`agent-${stack.siteId}.3`);
    expect(await login(before.username, before.password)).toMatch(/Bad username or password/);
    expect(await login(r.body.username, r.body.password)).toBe("accepted");
    expect((await stack.api("POST", "/v1/sites/nowhere/agent-credentials/rotate", {})).status).toBe(404);
    // Operators may not rotate; only admins.
    const operator = await stack.controlPlane.tokens.create("operator", "desk");
    const refused = await fetch(
      `${stack.controlPlane.httpUrl}/v1/sites/${stack.siteId}/agent-credentials/rotate`,
      {
        method: "POST",
        headers: { authorization: `Bearer ${operator}` },
      },
    );
    expect(refused.status).toBe(403);
  });
});
