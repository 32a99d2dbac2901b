import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RunningAgent } from "@gatehouse/agent";
import {
  CONSUMER_USER,
  CONTROL_PLANE_USER,
  mosquittoAcl,
  mosquittoPasswordLine,
} from "@gatehouse/control-plane";
import { type Simulator, startSimulator } from "@gatehouse/simulator";
import { connectAsync, type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ControlPlaneProcess } from "../control-plane-process.js";
import { deployedMosquittoSettings, mosquittoBinary, startMosquitto } from "../mosquitto.js";
import { type SmtpSink, startSmtpSink } from "../smtp-sink.js";
import { startStandaloneAgent } from "../standalone-agent.js";
import { eventually, sleep, tempDir } from "../support.js";

const bin = mosquittoBinary();
if (!bin) console.warn("SKIP scale-out: no mosquitto binary on this machine (apt-get install mosquitto)");

const SITE = "north";
const ZONE = "Europe/Berlin";
const cli = fileURLToPath(new URL("../../../control-plane/dist/cli.js", import.meta.url));

/** Sums a counter's samples in a Prometheus exposition. */
function total(metrics: string, name: string): number {
  return metrics
    .split("\n")
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .reduce((n, l) => n + Number(l.split(" ").pop()), 0);
}

describe.skipIf(!bin)("several control-plane instances on Mosquitto and one database", () => {
  const dir = tempDir("scale-out");
  const adminToken = `gh_${randomBytes(24).toString("base64url")}`;
  const cpPassword = randomBytes(18).toString("base64url");
  const consumerPassword = randomBytes(18).toString("base64url");
  let broker: Awaited<ReturnType<typeof startMosquitto>>;
  let smtp: SmtpSink;
  let sim: Simulator;
  let agent: RunningAgent;
  let consumer: MqttClient;
  const instances: Record<string, ControlPlaneProcess> = {};
  const published: string[] = [];

  const api = async (url: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
  };
  const metricsOf = async (cp: ControlPlaneProcess) => (await fetch(`${cp.httpUrl}/metrics`)).text();
  const holderOf = async (role: string) => {
    for (const [name, cp] of Object.entries(instances)) {
      const m = await metricsOf(cp).catch(() => "");
      if (m.includes(`gatehouse_lease_held{role="${role}"} 1`)) return name;
    }
    return undefined;
  };
  const newVisit = async (url: string, guest: string, validForMs = 2 * 3600_000) => {
    const r = await api(url, "POST", "/v1/visits", {
      site: SITE,
      kind: "guest",
      guest: { name: guest },
      host: { name: "Host", email: "host@north.test" },
      validFrom: new Date(Date.now() - 60_000).toISOString(),
      validUntil: new Date(Date.now() + validForMs).toISOString(),
    });
    expect(r.status).toBe(201);
    return r.body as { id: string; personCode: string };
  };
  const passage = async (personCode: string, direction: "entry" | "exit") => {
    const res = await fetch(`${sim.url}/_sim/passages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ personCode, direction }),
    });
    expect(res.ok).toBe(true);
  };

  beforeAll(async () => {
    // Run as root, Mosquitto drops to its own user, which must be able to read these files.
    chmodSync(dir, 0o755);
    const env: Record<string, string> = {
      GATEHOUSE_DB_URL: `file:${join(dir, "gatehouse.db")}`,
      GATEHOUSE_SIGNING_KEY_FILE: join(dir, "command-signing-key.pem"),
      GATEHOUSE_ADMIN_TOKEN: adminToken,
      GATEHOUSE_HTTP_HOST: "127.0.0.1",
      GATEHOUSE_HTTP_PORT: "0",
      GATEHOUSE_MQTT_PASSWORD: cpPassword,
      GATEHOUSE_LEASE_SECONDS: "3",
      GATEHOUSE_SCHEDULER_SECONDS: "1",
      GATEHOUSE_MQTT_INTAKE_CONNECTIONS: "2",
      GATEHOUSE_COMMAND_RESEND_SECONDS: "5",
    };
    // The site and its agent's login, as campus IT adds them: `gatehouse site add --mosquitto-passwd`.
    writeFileSync(
      join(dir, "passwd"),
      `${mosquittoPasswordLine(CONTROL_PLANE_USER, cpPassword)}\n${mosquittoPasswordLine(CONSUMER_USER, consumerPassword)}\n`,
      { mode: 0o644 },
    );
    const added = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        [
          cli,
          "site",
          "add",
          SITE,
          "--name",
          "North campus",
          "--time-zone",
          ZONE,
          "--mosquitto-passwd",
          join(dir, "passwd"),
        ],
        { env: { PATH: process.env.PATH ?? "", ...env } },
        (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout)),
      ),
    );
    chmodSync(join(dir, "passwd"), 0o644);
    const creds = Object.fromEntries(
      added
        .trim()
        .split("\n")
        .map((l) => l.split(/=(.*)/s).slice(0, 2)),
    );
    writeFileSync(join(dir, "acl"), mosquittoAcl([SITE]), { mode: 0o644 });
    broker = await startMosquitto(dir, deployedMosquittoSettings(dir), false);
    smtp = await startSmtpSink();

    for (const name of ["cp-a", "cp-b"]) {
      instances[name] = new ControlPlaneProcess(
        {
          ...env,
          GATEHOUSE_MQTT_URL: broker.url,
          GATEHOUSE_INSTANCE_ID: name,
          GATEHOUSE_SMTP_URL: smtp.url,
        },
        join(dir, `${name}.log`),
      );
      await instances[name].start();
    }

    sim = await startSimulator({ timeZone: ZONE });
    agent = await startStandaloneAgent({
      site: SITE,
      mqttUrl: broker.url,
      sim,
      dir,
      commandPublicKey: creds.AGENT_COMMAND_PUBLIC_KEY!,
      timeZone: ZONE,
      env: { AGENT_MQTT_PASSWORD: creds.AGENT_MQTT_PASSWORD! },
    });
    consumer = await connectAsync(broker.url, {
      username: CONSUMER_USER,
      password: consumerPassword,
      clientId: `consumer-${randomBytes(4).toString("hex")}`,
    });
    consumer.on("message", (_t, p) => published.push((JSON.parse(p.toString()) as { id: string }).id));
    await consumer.subscribeAsync(`gatehouse/v1/passages/${SITE}`, { qos: 1 });
  }, 90_000);

  afterAll(async () => {
    await consumer?.endAsync();
    await agent?.stop();
    for (const cp of Object.values(instances)) await cp.stop();
    await sim?.stop();
    await smtp?.close();
    await broker?.stop();
  });

  it("share the intake: every passage is stored, published and emailed about once", async () => {
    const [a, b] = [instances["cp-a"]!, instances["cp-b"]!];
    // Made on one instance, granted through the agent's ack that either may take in, read on the other.
    const visit = await newVisit(a.httpUrl, "Grace Hopper");
    await eventually(
      async () => (await api(b.httpUrl, "GET", `/v1/visits/${visit.id}`)).body?.access === "granted",
      20_000,
      "the visit granted",
    );
    for (let i = 0; i < 40; i++) await passage(visit.personCode, i % 2 === 0 ? "entry" : "exit");
    await eventually(async () => published.length >= 40, 20_000, "40 passages published");
    await sleep(500);
    expect(published.length).toBe(40);
    expect(new Set(published).size).toBe(40);

    const stored = await api(b.httpUrl, "GET", `/v1/visits/${visit.id}/passages?limit=100`);
    expect(stored.body.items).toHaveLength(40);
    // Both instances took part: the broker spread the shared subscription over them.
    const counts = [
      total(await metricsOf(a), "gatehouse_passages_total"),
      total(await metricsOf(b), "gatehouse_passages_total"),
    ];
    expect(counts[0]! + counts[1]!).toBe(40);
    expect(counts[0]).toBeGreaterThan(0);
    expect(counts[1]).toBeGreaterThan(0);
    // One scheduler sends mail: first entry and first exit, once each.
    await eventually(async () => smtp.mails.length >= 2, 15_000, "two host emails");
    await sleep(1500);
    expect(smtp.mails.map((m) => m.subject).sort()).toHaveLength(2);
    // Each scheduler runs on exactly one instance.
    for (const role of ["visit-scheduler", "notifier", "command-resend"]) {
      const held = [await metricsOf(a), await metricsOf(b)].filter((m) =>
        m.includes(`gatehouse_lease_held{role="${role}"} 1`),
      );
      expect(held, role).toHaveLength(1);
    }
  }, 60_000);

  it("when the instance holding the leases dies, the other takes them over and nothing is lost", async () => {
    const holder = (await holderOf("notifier"))!;
    expect(holder).toBeDefined();
    const survivorName = holder === "cp-a" ? "cp-b" : "cp-a";
    const survivor = instances[survivorName]!;
    const visit = await newVisit(survivor.httpUrl, "Katherine Johnson");
    await eventually(
      async () => (await api(survivor.httpUrl, "GET", `/v1/visits/${visit.id}`)).body?.access === "granted",
      20_000,
      "the second visit granted",
    );
    const before = published.length;
    const mailsBefore = smtp.mails.length;
    // Passages keep coming while the holder is killed mid-stream.
    for (let i = 0; i < 60; i++) {
      if (i === 20) await instances[holder]!.kill();
      await passage(visit.personCode, i % 2 === 0 ? "entry" : "exit");
    }
    await eventually(
      async () => (await holderOf("notifier")) === survivorName,
      20_000,
      "the lease taken over",
    );
    // Every passage's copy reaches consumers, at least once: one the dead instance had stored but not yet
    // published is published by the survivor when the broker redelivers it; one it had published but not yet
    // acknowledged may come twice, with the same id.
    const fresh = () => new Set(published.slice(before));
    await eventually(async () => fresh().size >= 60, 30_000, "60 more passages published");
    await sleep(500);
    expect(fresh().size).toBe(60);
    expect(published.length - before).toBeLessThanOrEqual(60 + 5);
    const stored = await api(survivor.httpUrl, "GET", `/v1/visits/${visit.id}/passages?limit=100`);
    expect(stored.body.items).toHaveLength(60);
    // The messages the broker had routed to the dead instance's sessions were taken over, not left there.
    await eventually(
      async () => survivor.log.includes("adopted a dead instance's broker sessions"),
      10_000,
      "the dead instance's sessions adopted",
    );
    // The survivor's notifier sends this visit's two emails; its scheduler now ends visits whose time is up.
    await eventually(async () => smtp.mails.length - mailsBefore >= 2, 15_000, "the second visit's emails");
    const short = await newVisit(survivor.httpUrl, "Dorothy Vaughan", 2000);
    await eventually(
      async () => (await api(survivor.httpUrl, "GET", `/v1/visits/${short.id}`)).body?.status === "expired",
      20_000,
      "the short visit expired by the survivor's scheduler",
    );
  }, 120_000);
});
