import { createPrivateKey, randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runDoctor } from "@gatehouse/agent/doctor";
import { connectAsync } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SmtpSink, startSmtpSink } from "../smtp-sink.js";
import { type Stack, startStack } from "../stack.js";
import { eventually, tempDir, testLogger } from "../support.js";

/**
 * A whole run at debug level — grant, passage, host email over an SMTP login, tokens, MQTT logins good and
 * bad, refused input, doctor — and then a search of everything it printed for every secret it used.
 */
const LOG = "secret-scan";
let stack: Stack;
let smtp: SmtpSink;
let dataDir: string;
const smtpPass = `smtp-${randomBytes(12).toString("base64url")}`;

beforeAll(async () => {
  process.env.GATEHOUSE_TEST_LOG_LEVEL = "debug";
  smtp = await startSmtpSink({ auth: { user: "gatehouse-mailer", pass: smtpPass } });
  dataDir = tempDir("secret-scan");
  stack = await startStack({
    dataDir,
    adminToken: `gh_test_${randomBytes(18).toString("base64url")}`,
    smtpUrl: smtp.url,
    log: testLogger(LOG),
  });
});
afterAll(async () => {
  await stack?.stop();
  await smtp?.close();
});

describe("secrets", () => {
  it("appear in no log line, metric, doctor output or API answer of a full run", async () => {
    const operator = await stack.controlPlane.tokens.create("operator", "scan");
    const created = await stack.api("POST", "/v1/visits", {
      site: stack.siteId,
      guest: { name: "Scan Guest" },
      host: { name: "Scan Host", email: "host@scan.test" },
      validFrom: new Date(Date.now() - 60_000).toISOString(),
      validUntil: new Date(Date.now() + 3600_000).toISOString(),
    });
    expect(created.status).toBe(201);
    await eventually(
      async () => (await stack.api("GET", `/v1/visits/${created.body.id}`)).body.access === "granted",
      15_000,
      "granted",
    );
    await fetch(`${stack.simulator.url}/_sim/passages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ personCode: created.body.personCode, direction: "entry" }),
    });
    await eventually(async () => smtp.mails.length > 0, 15_000, "host email over the SMTP login");

    // Refusals log too: a bad token, bad MQTT logins, a wrong agent password for the right user.
    await fetch(`${stack.controlPlane.httpUrl}/v1/visits`, {
      headers: { authorization: `Bearer ${operator}x` },
    });
    for (const [username, password] of [
      ["agent-demo", `${stack.agentConfig.AGENT_MQTT_PASSWORD}x`],
      ["consumer", `${operator}x`],
    ] as const) {
      await connectAsync(stack.controlPlane.mqttUrl, {
        username,
        password,
        clientId: `t-${randomUUID()}`,
        reconnectPeriod: 0,
      }).then(
        (c) => c.endAsync(),
        () => {},
      );
    }
    const consumer = await connectAsync(stack.controlPlane.mqttUrl, {
      username: "consumer",
      password: operator,
      clientId: `t-${randomUUID()}`,
      reconnectPeriod: 0,
    });
    await consumer.endAsync();

    const doctor = await runDoctor(
      { ...stack.agentConfig, AGENT_EVENT_PUBLIC_URL: new URL(stack.agent.eventUrl).origin },
      await stack.agent.store.meta.get("event_token"),
    );
    const printed = [
      readFileSync(`test-output/${LOG}.log`, "utf8"),
      await (await fetch(`${stack.controlPlane.httpUrl}/metrics`)).text(),
      await (await fetch(`${stack.agent.healthUrl}/metrics`)).text(),
      await (await fetch(`${stack.agent.healthUrl}/healthz`)).text(),
      JSON.stringify(doctor),
      JSON.stringify((await stack.api("GET", `/v1/sites/${stack.siteId}`)).body),
      JSON.stringify((await stack.api("GET", `/v1/visits/${created.body.id}`)).body),
    ].join("\n");
    expect(printed).toContain("visit"); // the run did print

    const pem = readFileSync(join(dataDir, "command-signing-key.pem"), "utf8");
    const secrets: Record<string, string> = {
      "admin token": stack.adminToken,
      "operator token": operator,
      "agent MQTT password": stack.agentConfig.AGENT_MQTT_PASSWORD,
      "HikCentral app secret": stack.agentConfig.AGENT_HIKCENTRAL_APP_SECRET!,
      "SMTP password": smtpPass,
      "event callback token": (await stack.agent.store.meta.get("event_token"))!,
      "signing key (PEM)": pem.split("\n")[1]!,
      "signing key (raw)": createPrivateKey(pem).export({ format: "jwk" }).d!,
    };
    for (const [what, secret] of Object.entries(secrets)) {
      expect(secret.length, what).toBeGreaterThan(8);
      expect(printed.includes(secret), `the ${what} was printed`).toBe(false);
    }
  });
});
