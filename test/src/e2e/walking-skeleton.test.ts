import { randomBytes } from "node:crypto";
import { connectAsync, type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SmtpSink, startSmtpSink } from "../smtp-sink.js";
import { type Stack, startStack } from "../stack.js";
import { eventually, sleep, tempDir, testLogger } from "../support.js";

let stack: Stack;
let smtp: SmtpSink;
let consumer: MqttClient;
const received: Array<{ topic: string; body: any }> = [];

beforeAll(async () => {
  smtp = await startSmtpSink();
  stack = await startStack({
    dataDir: tempDir("e2e"),
    smtpUrl: smtp.url,
    adminToken: `gh_test_${randomBytes(18).toString("base64url")}`,
    log: testLogger("walking-skeleton"),
    siteKinds: {
      guest: { accessGroups: ["Visitors"] },
      vip: { accessGroups: ["7", "Nonexistent level"] },
    },
  });
  // An independent consumer: an API token is its password.
  consumer = await connectAsync(stack.controlPlane.mqttUrl, {
    username: "consumer",
    password: stack.adminToken,
    clientId: `consumer-${randomBytes(4).toString("hex")}`,
  });
  consumer.on("message", (topic, payload) => received.push({ topic, body: JSON.parse(payload.toString()) }));
  await consumer.subscribeAsync(["gatehouse/v1/passages/#", "gatehouse/v1/occupancy/#"], { qos: 1 });
});

afterAll(async () => {
  await consumer?.endAsync();
  await stack?.stop();
  await smtp?.close();
});

const inHours = (h: number) => new Date(Date.now() + h * 3600_000).toISOString();

/** A visit of this kind for the next hour, created through the API. */
const hourVisit = (kind: string, name: string) =>
  stack.api("POST", "/v1/visits", {
    site: stack.siteId,
    kind,
    guest: { name },
    host: { name: "Host" },
    validFrom: inHours(0),
    validUntil: inHours(1),
  });

async function simPassage(body: object) {
  const res = await fetch(`${stack.simulator.url}/_sim/passages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { eventId: string };
}

describe("walking skeleton: visit → grant → passage → MQTT → email", () => {
  it("grants, records passages once, publishes them and emails the host once per first entry and exit", async () => {
    const created = await stack.api("POST", "/v1/visits", {
      site: stack.siteId,
      kind: "guest",
      guest: { name: "Павел Дуров", email: "pavel@guest.test" },
      host: { name: "Ada Host", email: "ada@host.test" },
      validFrom: inHours(-1),
      validUntil: inHours(8),
    });
    expect(created.status).toBe(201);
    const visit = created.body;
    expect(visit).toMatchObject({ access: "pending", status: "active", entryCount: 0 });

    const granted = await stack.visitWhen(visit.id, (v) => v.access === "granted", "access granted", 10_000);
    expect(granted.commands).toEqual([expect.objectContaining({ type: "grant", status: "applied", seq: 1 })]);

    // The grant really reached HikCentral: the person, in the Visitors access level, downloaded to devices.
    const persons = (await (await fetch(`${stack.simulator.url}/_sim/persons`)).json()) as any[];
    const person = persons.find((p) => p.personCode === visit.personCode);
    expect(person).toMatchObject({ personName: "Павел Дуров", groups: ["7"], pendingDownload: false });
    expect(person.endTime).toMatch(/\+05:00$/);

    // Entry.
    const entry = await simPassage({ personCode: visit.personCode, direction: "entry" });
    const msg = await eventually(
      async () => received.find((m) => m.body.sourceEventId === entry.eventId),
      5000,
      "passage on MQTT",
    );
    expect(msg.topic).toBe(`gatehouse/v1/passages/${stack.siteId}`);
    expect(msg.body).toMatchObject({
      direction: "entry",
      result: "granted",
      door: { id: "1", name: "Turnstile Entry" },
      visit: { id: visit.id, guestName: "Павел Дуров", hostName: "Ada Host" },
    });
    const inside = (await stack.api("GET", `/v1/visits/${visit.id}`)).body;
    expect(inside).toMatchObject({ entryCount: 1, inside: true });
    const muster = await eventually(
      async () =>
        received.findLast((m) => m.topic === `gatehouse/v1/occupancy/${stack.siteId}` && m.body.count === 1),
      5000,
      "occupancy with the guest inside",
    );
    expect(muster.body.inside).toEqual([
      expect.objectContaining({ visitId: visit.id, guestName: "Павел Дуров" }),
    ]);
    const api = (await stack.api("GET", `/v1/occupancy?site=${stack.siteId}`)).body.items;
    expect(api).toEqual([expect.objectContaining({ site: stack.siteId, count: 1 })]);
    expect(inside.firstEntryAt).not.toBeNull();

    const firstMail = await eventually(
      async () => (smtp.mails.length >= 1 ? smtp.mails[0] : undefined),
      5000,
      "entry email",
    );
    expect(firstMail.to).toEqual(["ada@host.test"]);
    expect(firstMail.subject).toContain("Павел Дуров");
    expect(firstMail.text).toContain("Turnstile Entry");
    expect(firstMail.text).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2} \(UTC\+05:00\)/);

    // Exit.
    await simPassage({ personCode: visit.personCode, direction: "exit" });
    await eventually(async () => smtp.mails.length >= 2, 5000, "exit email");
    expect(smtp.mails[1]!.text).toContain("Turnstile Exit");
    const after = (await stack.api("GET", `/v1/visits/${visit.id}`)).body;
    expect(after).toMatchObject({ entryCount: 1, exitCount: 1, inside: false });
    await eventually(
      async () =>
        received.findLast((m) => m.topic === `gatehouse/v1/occupancy/${stack.siteId}`)?.body.count === 0,
      5000,
      "occupancy empty after the exit",
    );
    expect(after.notifications.map((n: any) => [n.kind, n.status])).toEqual([
      ["first_entry", "sent"],
      ["first_exit", "sent"],
    ]);

    // HikCentral pushes the same entry event again: one passage, no third email, no second message.
    const sameEvent = stack.simulator.state.events.find((e) => e.eventId === entry.eventId)!;
    stack.simulator.pusher.publish(sameEvent);
    await stack.simulator.pusher.idle();
    await sleep(500);
    expect(smtp.mails).toHaveLength(2);
    expect(received.filter((m) => m.body.sourceEventId === entry.eventId)).toHaveLength(1);
    expect((await stack.api("GET", `/v1/visits/${visit.id}`)).body.entryCount).toBe(1);
  });

  it("marks the grant failed with HikCentral's reason when the kind's access level does not exist", async () => {
    const created = await hourVisit("vip", "Alan Turing");
    expect(created.status).toBe(201);
    const failed = await stack.visitWhen(
      created.body.id,
      (v) => v.access === "failed",
      "access failed",
      10_000,
    );
    expect(failed.accessError).toContain("UNKNOWN_ACCESS_GROUP");
    expect(failed.accessError).toContain("Nonexistent level");
    expect(failed.commands[0]).toMatchObject({ status: "failed", error: { code: "UNKNOWN_ACCESS_GROUP" } });
    // Nothing half-done reached HikCentral's access levels.
    const groups = (await (await fetch(`${stack.simulator.url}/_sim/access-groups`)).json()) as any[];
    const persons = (await (await fetch(`${stack.simulator.url}/_sim/persons`)).json()) as any[];
    expect(persons.find((p) => p.personCode === created.body.personCode)).toBeUndefined();
    expect(groups.find((g) => g.privilegeGroupId === "7").members).toHaveLength(1);
  });
});

describe("the agent goes away and comes back", () => {
  it("grants a visit created while the agent was stopped, once it is back, keeping its applied sequence", async () => {
    await stack.stopAgent();
    const status = await eventually(
      async () => {
        const site = (await stack.api("GET", `/v1/sites/${stack.siteId}`)).body;
        return site.agent.state === "offline" ? site : undefined;
      },
      5000,
      "agent offline",
    );
    expect(status.agent.status.state).toBe("offline");

    const created = await hourVisit("guest", "Late Arrival");
    expect(created.status).toBe(201);
    const site = (await stack.api("GET", `/v1/sites/${stack.siteId}`)).body;
    expect(site.commands.pending).toBeGreaterThanOrEqual(1);

    await stack.startAgent();
    const v = await stack.visitWhen(
      created.body.id,
      (x) => x.access === "granted",
      "granted after the agent came back",
    );
    expect(v.commands[0].status).toBe("applied");
    const online = (await stack.api("GET", `/v1/sites/${stack.siteId}`)).body;
    expect(online.agent.state).toBe("online");
    expect(online.commands.pending).toBe(0);
  });
});

describe("bad input is refused with a problem naming the field, and nothing is stored", () => {
  const good = () => ({
    site: stack.siteId,
    kind: "guest",
    guest: { name: "Grace Hopper" },
    host: { name: "Host" },
    validFrom: inHours(0),
    validUntil: inHours(2),
  });
  const visitCount = async () =>
    Number((await stack.controlPlane.db.read("SELECT count(*) AS n FROM visits")).rows[0]!.n);

  it.each([
    ["a missing guest name", (b: any) => ({ ...b, guest: {} }), 400, "guest.name"],
    ["an empty guest name", (b: any) => ({ ...b, guest: { name: "  " } }), 400, "guest.name"],
    ["validUntil before validFrom", (b: any) => ({ ...b, validUntil: inHours(-3) }), 400, "validUntil"],
    ["a time without an offset", (b: any) => ({ ...b, validFrom: "2025-10-03T09:00:00" }), 400, "validFrom"],
    ["an unknown site", (b: any) => ({ ...b, site: "atlantis" }), 422, "site"],
    [
      "a visit that has ended already",
      (b: any) => ({ ...b, validFrom: inHours(-5), validUntil: inHours(-4) }),
      422,
      "validUntil",
    ],
    ["an unknown kind", (b: any) => ({ ...b, kind: "astronaut" }), 422, "kind"],
    ["a field that is not the caller's to set", (b: any) => ({ ...b, access: "granted" }), 400, "access"],
  ])("%s", async (_name, mutate, status, path) => {
    const before = await visitCount();
    const r = await stack.api("POST", "/v1/visits", mutate(good()));
    expect(r.status).toBe(status);
    expect(r.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
    expect(r.body.errors.map((e: any) => e.path)).toContain(path);
    expect(await visitCount()).toBe(before);
  });

  it("a bad token", async () => {
    const before = await visitCount();
    const res = await fetch(`${stack.controlPlane.httpUrl}/v1/visits`, {
      method: "POST",
      headers: { authorization: "Bearer not-a-token", "content-type": "application/json" },
      body: JSON.stringify(good()),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    const body = (await res.json()) as any;
    expect(body.errors[0].path).toBe("header.authorization");
    expect(await visitCount()).toBe(before);
  });

  it("a body that is not JSON", async () => {
    const res = await fetch(`${stack.controlPlane.httpUrl}/v1/visits`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.adminToken}`, "content-type": "application/json" },
      body: "{nope",
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).errors.length).toBeGreaterThan(0);
  });
});

describe("secrets", () => {
  it("never reach the logs of the run above", async () => {
    const { readFileSync } = await import("node:fs");
    const log = readFileSync("test-output/walking-skeleton.log", "utf8");
    expect(log.length).toBeGreaterThan(1000); // the run did log
    const secrets = [
      stack.adminToken,
      stack.agentConfig.AGENT_MQTT_PASSWORD,
      stack.agentConfig.AGENT_HIKCENTRAL_APP_SECRET!,
      (await stack.agent.store.meta.get("event_token"))!,
    ];
    for (const s of secrets) {
      expect(s.length).toBeGreaterThan(8);
      expect(log.includes(s), `a secret of ${s.length} characters is in the log`).toBe(false);
    }
  });
});
