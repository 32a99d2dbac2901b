import { randomBytes, randomUUID } from "node:crypto";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  CONSUMER_USER,
  CONTROL_PLANE_USER,
  mosquittoAcl,
  mosquittoPasswordLine,
} from "@gatehouse/control-plane";
import { topics } from "@gatehouse/shared";
import { connectAsync, type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployedMosquittoSettings, mosquittoBinary, startMosquitto } from "../mosquitto.js";
import { sleep, tempDir } from "../support.js";

const bin = mosquittoBinary();
if (!bin) console.warn("SKIP mosquitto-acl: no mosquitto binary on this machine (apt-get install mosquitto)");

const deployAcl = fileURLToPath(new URL("../../../deploy/mosquitto/acl.example", import.meta.url));

describe("deploy/mosquitto's ACL", () => {
  it("is what `gatehouse mosquitto acl` generates (regenerate the example when the generator changes)", () => {
    expect(readFileSync(deployAcl, "utf8")).toBe(mosquittoAcl(["north-campus", "south-campus"]));
  });
});

describe.skipIf(!bin)("Mosquitto with Gatehouse's password and ACL files", () => {
  let broker: Awaited<ReturnType<typeof startMosquitto>>;
  const users = ["agent-north", "agent-south", CONTROL_PLANE_USER, CONSUMER_USER] as const;
  const passwords = Object.fromEntries(users.map((u) => [u, randomBytes(18).toString("base64url")]));
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    const dir = tempDir("mosq-acl");
    // Run as root, Mosquitto drops to its own user, which must be able to read these files.
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, "passwd"), users.map((u) => mosquittoPasswordLine(u, passwords[u]!)).join("\n"), {
      mode: 0o644,
    });
    writeFileSync(join(dir, "acl"), mosquittoAcl(["north", "south"]), { mode: 0o644 });
    broker = await startMosquitto(dir, deployedMosquittoSettings(dir), false);
  });
  afterAll(async () => {
    for (const c of clients) c.end(true);
    await broker?.stop();
  });

  const login = async (username: string, password = passwords[username]) => {
    const c = await connectAsync(broker.url, {
      username,
      password,
      clientId: `t-${randomUUID()}`,
      reconnectPeriod: 0,
    });
    clients.push(c);
    return c;
  };
  const granted = (c: MqttClient, filter: string) =>
    c.subscribeAsync(filter, { qos: 1 }).then(
      (g) => g[0]!.qos,
      (e: { packet?: { granted?: number[] } }) => e.packet?.granted?.[0] ?? 128,
    );
  /** What `reader` receives on `topic` when `writer` publishes there. */
  async function delivered(writer: MqttClient, reader: MqttClient, topic: string): Promise<boolean> {
    const marker = randomUUID();
    let got = false;
    const onMessage = (t: string, p: Buffer) => {
      if (t === topic && p.toString() === marker) got = true;
    };
    reader.on("message", onMessage);
    await writer.publishAsync(topic, marker, { qos: 1 }).catch(() => {});
    await sleep(300);
    reader.off("message", onMessage);
    return got;
  }

  it("accepts the generated password lines and refuses a wrong password or no login", async () => {
    await expect(login("agent-north")).resolves.toBeTruthy();
    await expect(login("agent-north", "wrong")).rejects.toThrow(/Not authorized|Bad username/i);
    await expect(login("anonymous", "")).rejects.toThrow(/Not authorized|Bad username/i);
  });

  it("lets a site's agent read only its own commands", async () => {
    const north = await login("agent-north");
    const south = await login("agent-south");
    const cloud = await login(CONTROL_PLANE_USER);
    expect(await granted(north, topics.commands("north"))).toBe(1);
    // Mosquitto 2.0 grants such a subscription and denies at each delivery: what counts is what arrives.
    await granted(north, topics.commands("south"));
    await granted(south, topics.commands("south"));
    expect(await delivered(cloud, south, topics.commands("south"))).toBe(true);
    expect(await delivered(cloud, north, topics.commands("south"))).toBe(false);
  });

  it("drops a second site's agent publishing on the first site's acks, status and passages", async () => {
    const north = await login("agent-north");
    const south = await login("agent-south");
    const cloud = await login(CONTROL_PLANE_USER);
    for (const t of [topics.acks("north"), topics.status("north"), topics.passageEvents("north")])
      expect(await granted(cloud, t)).toBe(1);
    expect(await delivered(north, cloud, topics.acks("north"))).toBe(true);
    for (const t of [topics.acks("north"), topics.status("north"), topics.passageEvents("north")])
      expect(await delivered(south, cloud, t), t).toBe(false);
    // Nor may an agent publish commands, its own site's included.
    expect(await delivered(north, north, topics.commands("north"))).toBe(false);
  });

  it("lets consumers read the consumer topics and nothing else, and publish nothing", async () => {
    const consumer = await login(CONSUMER_USER);
    const cloud = await login(CONTROL_PLANE_USER);
    expect(await granted(consumer, "gatehouse/v1/passages/#")).toBe(1);
    expect(await delivered(cloud, consumer, topics.passages("north"))).toBe(true);
    await granted(consumer, topics.commands("north"));
    expect(await delivered(cloud, consumer, topics.commands("north"))).toBe(false);
    const other = await login(CONSUMER_USER);
    await granted(other, "gatehouse/v1/passages/#");
    expect(await delivered(consumer, other, topics.passages("north"))).toBe(false);
    // Status: the control plane's checked copy, never what an agent wrote on its own topic.
    const north = await login("agent-north");
    await granted(consumer, topics.agentStatus("north"));
    expect(await delivered(cloud, consumer, topics.agentStatus("north"))).toBe(true);
    await granted(consumer, topics.status("north"));
    expect(await delivered(north, consumer, topics.status("north"))).toBe(false);
  });
});
