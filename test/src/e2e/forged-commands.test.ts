import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:net";
import type { RunningAgent } from "@gatehouse/agent";
import {
  type Ack,
  type AgentStatus,
  type Command,
  generateSigningKeyPem,
  signerFromPem,
  topics,
} from "@gatehouse/shared";
import { type Simulator, startSimulator } from "@gatehouse/simulator";
import { Aedes } from "aedes";
import fc from "fast-check";
import { connectAsync, type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grantCommand, startStandaloneAgent } from "../standalone-agent.js";
import { eventually, sleep, tempDir } from "../support.js";

/**
 * The threat: someone who can publish to the agent's commands topic (a leaked broker password, a broker
 * without ACLs) but does not hold the control plane's signing key. The broker here is an aedes on a free
 * port with no authentication at all, so every forgery reaches the agent.
 */
const SITE = "north";
const trustedSigner = signerFromPem(generateSigningKeyPem());
const attackerSigner = signerFromPem(generateSigningKeyPem());

let server: Server;
let broker: Aedes;
let sim: Simulator;
let agent: RunningAgent;
let attacker: MqttClient;
const acks: Ack[] = [];
let lastStatus: AgentStatus | undefined;

beforeAll(async () => {
  broker = await Aedes.createBroker();
  server = createServer(broker.handle);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`;
  sim = await startSimulator({ timeZone: "Asia/Almaty" });
  attacker = await connectAsync(url, { clientId: "attacker" });
  attacker.on("message", (topic, payload) => {
    const body = JSON.parse(payload.toString());
    if (topic === topics.acks(SITE)) acks.push(body);
    if (topic === topics.status(SITE)) lastStatus = body;
  });
  await attacker.subscribeAsync([topics.acks(SITE), topics.status(SITE)], { qos: 1 });
  agent = await startStandaloneAgent({
    site: SITE,
    mqttUrl: url,
    sim,
    dir: tempDir("forged"),
    commandPublicKey: trustedSigner.text,
    timeZone: "Asia/Almaty",
  });
});

afterAll(async () => {
  await agent?.stop();
  await attacker?.endAsync();
  await sim?.stop();
  await new Promise<void>((r) => broker?.close(() => r()));
  await new Promise<void>((r) => server?.close(() => r()));
});

const grant = (
  seq: number,
  personCode: string,
  over: Partial<Command> & { givenName?: string } = {},
): Command => grantCommand(SITE, seq, personCode, { givenName: "Mallory", familyName: "Forger", ...over });

/** A command of this site valid for an hour (unsigned). */
const command = (seq: number, type: Command["type"], payload: unknown): Command =>
  ({
    id: randomUUID(),
    site: SITE,
    seq,
    type,
    issuedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 3600_000).toISOString(),
    payload,
  }) as Command;

const publish = (body: unknown) =>
  attacker.publishAsync(topics.commands(SITE), typeof body === "string" ? body : JSON.stringify(body), {
    qos: 1,
  });
const finalAck = (id: string) => acks.find((a) => a.commandId === id && a.status !== "received");
const snapshot = () =>
  JSON.stringify({
    persons: [...sim.state.persons.values()].map((p) => [p.personCode, p.beginTime, p.endTime]).sort(),
    groups: [...sim.state.groups.values()].map((g) => [g.privilegeGroupId, [...g.members].sort()]),
  });
const refusals = async (reason: string) => {
  const text = await (await fetch(`${agent.healthUrl}/metrics`)).text();
  return Number(
    new RegExp(`gatehouse_agent_commands_rejected_total\\{reason="${reason}"\\} (\\d+)`).exec(text)?.[1] ??
      NaN,
  );
};

/** Publishes a forgery and checks it was refused for `reason` and changed nothing in HikCentral. */
async function expectRefused(forgery: unknown, reason: string, id?: string) {
  const before = snapshot();
  const count = await refusals(reason);
  await publish(forgery);
  await eventually(async () => (await refusals(reason)) === count + 1, 5000, `${reason} refusal counted`);
  await eventually(async () => lastStatus?.refusedCommands?.last?.reason === reason, 5000, "status says so");
  await sleep(200);
  expect(snapshot()).toBe(before);
  if (id) expect(acks.filter((a) => a.commandId === id && a.status === "applied")).toEqual([]);
}

describe("forged commands through a broker anyone can publish to", () => {
  let applied: Command;

  it("applies a command the control plane signed (the path the forgeries try)", async () => {
    applied = grant(1, "GHREAL0001");
    await publish(trustedSigner.sign(applied));
    expect((await eventually(async () => finalAck(applied.id), 10_000, "applied")).status).toBe("applied");
    expect(sim.state.personByCode("GHREAL0001")).toBeDefined();
  });

  it("refuses an unsigned command", async () => {
    const c = grant(2, "GHFORGED01");
    await expectRefused(c, "unsigned", c.id);
    expect(sim.state.personByCode("GHFORGED01")).toBeUndefined();
  });

  it("refuses a signed command that was changed afterwards", async () => {
    const c = trustedSigner.sign(grant(2, "GHFORGED02"));
    const changed = { ...c, payload: { ...c.payload, accessGroups: ["Staff"] } };
    await expectRefused(changed, "bad_signature", c.id);
    const later = { ...c, expiresAt: new Date(Date.now() + 86_400_000 * 365).toISOString() };
    await expectRefused(later, "bad_signature", c.id);
    expect(sim.state.personByCode("GHFORGED02")).toBeUndefined();
  });

  it("refuses a command signed by a key the agent does not trust, even under a trusted key's id", async () => {
    const c = grant(2, "GHFORGED03");
    await expectRefused(attackerSigner.sign(c), "unknown_key", c.id);
    await expectRefused({ ...attackerSigner.sign(c), keyId: trustedSigner.keyId }, "bad_signature", c.id);
    expect(sim.state.personByCode("GHFORGED03")).toBeUndefined();
  });

  it("refuses another site's command, validly signed, and does not answer it", async () => {
    const c = grant(2, "GHFORGED04", { site: "south" });
    await expectRefused(trustedSigner.sign(c), "wrong_site", c.id);
    expect(acks.filter((a) => a.commandId === c.id)).toEqual([]);
  });

  it("refuses an expired command and acks it expired (its seq is used up, nothing applied)", async () => {
    const c = grant(2, "GHFORGED05", { expiresAt: new Date(Date.now() - 1000).toISOString() });
    await expectRefused(trustedSigner.sign(c), "expired", c.id);
    expect((await eventually(async () => finalAck(c.id), 5000, "expired ack")).status).toBe("expired");
    expect(sim.state.personByCode("GHFORGED05")).toBeUndefined();
  });

  it("never re-applies a replayed grant after its revoke", async () => {
    const revoke = trustedSigner.sign(
      command(3, "revoke", {
        visitId: "visit-GHREAL0001",
        personCode: "GHREAL0001",
        accessGroups: [],
        reason: "manual",
      }),
    );
    await publish(revoke);
    expect((await eventually(async () => finalAck(revoke.id), 10_000, "revoke applied")).status).toBe(
      "applied",
    );
    const personId = sim.state.personByCode("GHREAL0001")!.personId;
    expect(sim.state.groupsOf(personId)).toEqual([]);

    // The exact signed grant again: answered with its old result, not applied.
    const adds = sim.faults.calls.get("acs/v1/privilege/group/single/addPersons") ?? 0;
    await publish(trustedSigner.sign(applied));
    await eventually(async () => acks.filter((a) => a.commandId === applied.id).length >= 3, 5000, "repeat");
    // A signed command with an old seq under a new id (a restored control-plane database): refused.
    const old = grant(1, "GHREAL0001");
    await expectRefused(trustedSigner.sign(old), "replay");
    expect(finalAck(old.id)).toMatchObject({ status: "rejected", reason: { code: "REPLAY" } });
    expect(sim.faults.calls.get("acs/v1/privilege/group/single/addPersons") ?? 0).toBe(adds);
    expect(sim.state.groupsOf(personId)).toEqual([]);
  });

  it("fails a signed command it cannot parse, and the commands after it go on at once", async () => {
    const first = grant(4, "GHGOOD0001");
    const bad = grant(5, "GHBAD00001", { givenName: "B".repeat(200) });
    const second = grant(6, "GHGOOD0002");
    for (const c of [first, bad, second]) await publish(trustedSigner.sign(c));
    const [a, b] = await Promise.all(
      [first, second].map((c) => eventually(async () => finalAck(c.id), 10_000, `grant seq ${c.seq}`)),
    );
    expect(a!.status).toBe("applied");
    expect(b!.status).toBe("applied");
    expect(Math.abs(Date.parse(b!.at) - Date.parse(a!.at))).toBeLessThan(1000);
    expect(finalAck(bad.id)).toMatchObject({
      status: "failed",
      seq: 5,
      reason: {
        code: "INVALID_COMMAND",
        retryable: false,
        message: expect.stringContaining("payload.person.givenName"),
      },
    });
    expect(sim.state.personByCode("GHBAD00001")).toBeUndefined();
    // Delivered again, it is answered the same way and still applies nothing.
    await publish(trustedSigner.sign(bad));
    await eventually(async () => acks.filter((x) => x.commandId === bad.id).length >= 2, 5000, "repeat");
    expect(acks.filter((x) => x.commandId === bad.id).every((x) => x.status === "failed")).toBe(true);
  });

  it("counts a skip's seq as done (the control plane could not sign what it stored there)", async () => {
    const skip = trustedSigner.sign(
      command(7, "skip", { commandId: randomUUID(), reason: "the command could not be signed" }),
    );
    const after = grant(8, "GHGOOD0003");
    await publish(skip);
    await publish(trustedSigner.sign(after));
    expect((await eventually(async () => finalAck(after.id), 10_000, "grant after skip")).status).toBe(
      "applied",
    );
    expect(finalAck(skip.id)?.status).toBe("applied");
  });

  it("survives garbage on the commands topic", async () => {
    await expectRefused("not json {", "not_json");
    await expectRefused("[1,2,3]", "unsigned");
    const health = (await (await fetch(`${agent.healthUrl}/healthz`)).json()) as { mqtt: string };
    expect(health.mqtt).toBe("connected");
  });

  it("refuses hundreds of random and almost-right commands, each with a reason, applying none", async () => {
    const before = snapshot();
    const total = async () => {
      const text = await (await fetch(`${agent.healthUrl}/metrics`)).text();
      return [...text.matchAll(/gatehouse_agent_commands_rejected_total\{reason="[a-z_]+"\} (\d+)/g)].reduce(
        (n, m) => n + Number(m[1]),
        0,
      );
    };
    const start = await total();
    const signed = trustedSigner.sign(grant(100, "GHFUZZ0001"));
    const payloads = fc.sample(
      fc.oneof(
        fc.string({ maxLength: 40 }),
        fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? "null"),
        fc
          .tuple(fc.constantFrom(...Object.keys(signed)), fc.jsonValue({ maxDepth: 2 }))
          .filter(([k, v]) => JSON.stringify((signed as Record<string, unknown>)[k]) !== JSON.stringify(v))
          .map(([k, v]) => JSON.stringify({ ...signed, [k]: v })),
      ),
      300,
    );
    for (const p of payloads) await publish(p);
    await eventually(
      async () => (await total()) === start + payloads.length,
      10_000,
      "every payload refused",
    );
    expect(snapshot()).toBe(before);
    expect(sim.state.personByCode("GHFUZZ0001")).toBeUndefined();
    expect(lastStatus?.refusedCommands?.last?.message).toBeTruthy();
  });
});
