import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../ports.js";
import { type SmtpSink, startSmtpSink } from "../smtp-sink.js";
import { type Stack, startStack } from "../stack.js";
import { eventually, sleep, tempDir, testLogger } from "../support.js";

let stack: Stack;
let smtp: SmtpSink;

beforeAll(async () => {
  // Mail goes nowhere at first: the passage is stored, its email is not sent yet.
  const deadPort = await freePort();
  stack = await startStack({
    dataDir: tempDir("email-crash"),
    adminToken: `gh_test_${randomBytes(18).toString("base64url")}`,
    log: testLogger("email-crash"),
    // Fixed ports, so that the agent finds the broker again after the restart.
    httpPort: await freePort(),
    mqttPort: await freePort(),
    smtpUrl: `smtp://127.0.0.1:${deadPort}`,
    agentEnv: { AGENT_HIKCENTRAL_RATE: "100" },
  });
  smtp = await startSmtpSink();
});

afterAll(async () => {
  await stack?.stop();
  await smtp?.close();
});

describe("the host's email across a control-plane restart", () => {
  it("is sent once when the control plane stops after storing the passage and before sending it", async () => {
    const created = await stack.api("POST", "/v1/visits", {
      site: stack.siteId,
      guest: { name: "Restart Rita" },
      host: { name: "Host", email: "host-restart@campus.test" },
      validFrom: new Date(Date.now() - 60_000).toISOString(),
      validUntil: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const id = created.body.id;
    const v = await eventually(
      async () => {
        const x = (await stack.api("GET", `/v1/visits/${id}`)).body;
        return x.access === "granted" ? x : undefined;
      },
      15_000,
      "granted",
    );
    await fetch(`${stack.simulator.url}/_sim/passages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ personCode: v.personCode, direction: "entry" }),
    });
    // Stored with its outbox row; the first attempt fails against the dead SMTP port.
    const pending = await eventually(
      async () => {
        const n = (await stack.api("GET", `/v1/visits/${id}`)).body.notifications;
        return n.length === 1 && n[0].attempts >= 1 ? n[0] : undefined;
      },
      15_000,
      "a failed first attempt",
    );
    expect(pending).toMatchObject({ kind: "first_entry", status: "pending" });

    await stack.restartControlPlane({ GATEHOUSE_SMTP_URL: smtp.url });
    await eventually(async () => smtp.mails.length === 1, 30_000, "the email after the restart");
    // And once more: a second restart sends nothing again.
    await stack.restartControlPlane({ GATEHOUSE_SMTP_URL: smtp.url });
    await sleep(1500);
    expect(smtp.mails.map((m) => [m.to, m.subject])).toEqual([
      [["host-restart@campus.test"], "Restart Rita has arrived"],
    ]);
    const after = (await stack.api("GET", `/v1/visits/${id}`)).body;
    expect(after.notifications).toMatchObject([{ kind: "first_entry", status: "sent" }]);
    expect(after.entryCount).toBe(1);
  });
});
