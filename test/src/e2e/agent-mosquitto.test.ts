import type { RunningAgent } from "@gatehouse/agent";
import {
  type Ack,
  type Command,
  generateSigningKeyPem,
  type Passage,
  signerFromPem,
  topics,
} from "@gatehouse/shared";
import { type Simulator, startSimulator } from "@gatehouse/simulator";
import { connectAsync, type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mosquittoBinary, startMosquitto } from "../mosquitto.js";
import { grantCommand, startStandaloneAgent } from "../standalone-agent.js";
import { eventually, sleep, tempDir } from "../support.js";

const bin = mosquittoBinary();
if (!bin)
  console.warn("SKIP agent-mosquitto: no mosquitto binary on this machine (apt-get install mosquitto)");

const SITE = "north";
const signer = signerFromPem(generateSigningKeyPem());

describe.skipIf(!bin)("the agent against Mosquitto, an independent broker", () => {
  let broker: Awaited<ReturnType<typeof startMosquitto>>;
  let sim: Simulator;
  let agent: RunningAgent;
  let cloud: MqttClient;
  const acks: Ack[] = [];
  const passages: Passage[] = [];

  beforeAll(async () => {
    const dir = tempDir("mosq");
    broker = await startMosquitto(dir);
    sim = await startSimulator({ timeZone: "Europe/Berlin" });
    cloud = await connectAsync(broker.url, { clientId: "cloud-test" });
    cloud.on("message", (topic, payload) => {
      const body = JSON.parse(payload.toString());
      if (topic === topics.acks(SITE)) acks.push(body);
      if (topic === topics.passageEvents(SITE)) passages.push(body);
    });
    await cloud.subscribeAsync([topics.acks(SITE), topics.passageEvents(SITE)], { qos: 1 });
    agent = await startStandaloneAgent({
      site: SITE,
      mqttUrl: broker.url,
      sim,
      dir,
      commandPublicKey: signer.text,
      timeZone: "Europe/Berlin",
    });
  });

  afterAll(async () => {
    await agent?.stop();
    await cloud?.endAsync();
    await sim?.stop();
    await broker?.stop();
  });

  const grant = (seq: number, visitId: string, personCode: string): Command =>
    grantCommand(SITE, seq, personCode, { visitId, givenName: "Jürgen", familyName: "Groß" });
  const send = (c: Command) =>
    cloud.publishAsync(topics.commands(SITE), JSON.stringify(signer.sign(c)), { qos: 1 });
  const finalAck = (id: string) => acks.find((a) => a.commandId === id && a.status !== "received");

  it("applies a grant, acks received then applied, and makes HikCentral hold the person", async () => {
    const c = grant(1, "visit-1", "GHMOSQ0001");
    await send(c);
    const applied = await eventually(async () => finalAck(c.id), 10_000, "applied ack");
    expect(applied.status).toBe("applied");
    expect(acks.filter((a) => a.commandId === c.id).map((a) => a.status)).toEqual(["received", "applied"]);
    const p = sim.state.personByCode("GHMOSQ0001")!;
    expect(p.personGivenName).toBe("Jürgen");
    expect(sim.state.groups.get("7")!.members.has(p.personId)).toBe(true);
    expect(p.endTime).toMatch(/\+0[12]:00$/);
  });

  it("applies nothing twice when the same command is delivered again", async () => {
    const c = grant(2, "visit-2", "GHMOSQ0002");
    await send(c);
    await eventually(async () => finalAck(c.id), 10_000, "applied ack");
    const before = sim.faults.calls.get("resource/v1/person/single/add") ?? 0;
    await send(c);
    await eventually(async () => acks.filter((a) => a.commandId === c.id).length >= 3, 5000, "repeated ack");
    const [received, first, repeated] = acks.filter((a) => a.commandId === c.id);
    expect(received!.status).toBe("received");
    // The repeat is the original answer, terminal results included, under a new ack id.
    expect(repeated).toMatchObject({ status: "applied", devices: first!.devices });
    expect(first!.devices!.length).toBeGreaterThan(0);
    expect(repeated!.id).not.toBe(first!.id);
    expect(sim.faults.calls.get("resource/v1/person/single/add") ?? 0).toBe(before);
    expect([...sim.state.persons.values()].filter((p) => p.personCode === "GHMOSQ0002")).toHaveLength(1);
  });

  it("holds a command back until the one before it in seq arrives", async () => {
    const c3 = grant(3, "visit-3", "GHMOSQ0003");
    const c4 = grant(4, "visit-4", "GHMOSQ0004");
    await send(c4);
    await eventually(async () => acks.find((a) => a.commandId === c4.id), 5000, "received ack");
    await sleep(300);
    expect(finalAck(c4.id)).toBeUndefined();
    expect(sim.state.personByCode("GHMOSQ0004")).toBeUndefined();
    await send(c3);
    await eventually(async () => finalAck(c4.id), 10_000, "applied ack of seq 4");
    const order = acks.filter((a) => a.status === "applied").map((a) => a.seq);
    expect(order.indexOf(3)).toBeLessThan(order.indexOf(4));
  });

  it("ignores a command for another site, and fails one that does not parse, applying nothing", async () => {
    const other = { ...grant(5, "visit-x", "GHMOSQXXXX"), site: "south" };
    await send(other as Command);
    const broken = { ...grant(5, "visit-y", "GHMOSQYYYY"), payload: { visitId: "visit-y" } };
    await send(broken as unknown as Command);
    await eventually(async () => finalAck(broken.id), 5000, "failed ack");
    // Signed, so answered: failed for good, and its seq is done (nothing waits behind it).
    expect(finalAck(broken.id)).toMatchObject({
      status: "failed",
      seq: 5,
      reason: { code: "INVALID_COMMAND", retryable: false },
    });
    expect(acks.find((a) => a.commandId === other.id)).toBeUndefined();
    expect(sim.state.personByCode("GHMOSQXXXX")).toBeUndefined();
    expect(sim.state.personByCode("GHMOSQYYYY")).toBeUndefined();
  });

  it("publishes a turnstile passage with its visit and the door map's direction", async () => {
    const res = await fetch(`${sim.url}/_sim/passages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ personCode: "GHMOSQ0001", door: "2" }),
    });
    const { eventId } = (await res.json()) as { eventId: string };
    const p = await eventually(
      async () => passages.find((x) => x.sourceEventId === eventId),
      5000,
      "passage",
    );
    expect(p).toMatchObject({
      site: SITE,
      visitId: "visit-1",
      direction: "exit",
      result: "granted",
      eventType: 196893,
    });
    expect(p.occurredAt).toMatch(/\+0[12]:00$/);
  });
});
