import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { RunningAgent } from "@gatehouse/agent";
import type { Command, GrantCommand } from "@gatehouse/shared";
import { Database } from "@gatehouse/shared/db";
import { type Simulator, simulatePassage, startSimulator } from "@gatehouse/simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeControlPlane } from "../fake-control-plane.js";
import { commandEnvelope, grantCommand, startStandaloneAgent } from "../standalone-agent.js";
import { eventually, sleep, tempDir, testLogger } from "../support.js";

/**
 * The agent as campus IT meets it: HikCentral failing and slow, commands arriving with holes in their
 * sequence, the cloud away for a while, someone editing HikCentral by hand, the box replaced.
 */
const SITE = "north";
const ZONE = "Asia/Almaty";
const VISITORS = "7";
const cli = fileURLToPath(new URL("../../../agent/dist/cli.js", import.meta.url));

let sim: Simulator;
let cp: FakeControlPlane;
let agent: RunningAgent;
let dir: string;
let seq = 0;
const env: Record<string, string> = { AGENT_HIKCENTRAL_RATE: "200", AGENT_HIKCENTRAL_TIMEOUT_MS: "400" };

const start = async (over: Record<string, string> = {}, at = dir) =>
  startStandaloneAgent({
    site: SITE,
    mqttUrl: cp.url,
    sim,
    dir: at,
    commandPublicKey: cp.signer.text,
    timeZone: ZONE,
    env: { ...env, ...over },
    log: testLogger("agent-reliability"),
  });

beforeAll(async () => {
  sim = await startSimulator({ timeZone: ZONE, pushAttempts: 1 });
  cp = new FakeControlPlane(SITE);
  await cp.start();
  dir = tempDir("reliability");
  agent = await start();
});

afterAll(async () => {
  await agent?.stop();
  await cp?.stop();
  await sim?.stop();
});

const code = () => `GH${randomUUID().replace(/-/g, "").slice(0, 12).toUpperCase()}`;
const grant = (personCode: string, over: Parameters<typeof grantCommand>[3] = {}) =>
  grantCommand(SITE, ++seq, personCode, over) as GrantCommand;
const envelope = (type: Command["type"], payload: unknown): Command =>
  commandEnvelope(SITE, ++seq, type, payload);
const revoke = (personCode: string) =>
  envelope("revoke", {
    visitId: `visit-${personCode}`,
    personCode,
    accessGroups: ["Visitors"],
    reason: "manual",
  });
const validity = (personCode: string, validUntil: Date) =>
  envelope("validity", {
    visitId: `visit-${personCode}`,
    personCode,
    validFrom: new Date(Date.now() - 60_000).toISOString(),
    validUntil: validUntil.toISOString(),
  });
const person = (c: string) => sim.state.personByCode(c);
const inVisitors = (c: string) => {
  const p = person(c);
  return p !== undefined && sim.state.groups.get(VISITORS)!.members.has(p.personId);
};
const calls = (path: string) => sim.faults.calls.get(path) ?? 0;
const health = async (a = agent) =>
  (await (await fetch(`${a.healthUrl}/healthz`)).json()) as { status: string; lastAppliedSeq: number };

describe("agent: commands in order, gaps asked for", () => {
  it("asks for a missing seq, waits for it, then applies all in seq order", async () => {
    const a = code();
    const b = code();
    const first = grant(a);
    const missing = grant(b);
    const third = validity(a, new Date(Date.now() + 7200_000));
    await cp.send(first);
    await cp.send(third);
    await cp.waitFinal(first.id);
    const ask = await eventually(
      async () => cp.resyncs.find((r) => r.fromSeq === missing.seq),
      10_000,
      "a resync request",
    );
    expect(ask).toMatchObject({ site: SITE, fromSeq: missing.seq, toSeq: missing.seq });
    await sleep(300);
    expect(cp.finalAck(third.id)).toBeUndefined();
    await cp.send(missing);
    expect((await cp.waitFinal(missing.id)).status).toBe("applied");
    expect((await cp.waitFinal(third.id)).status).toBe("applied");
    expect((await health()).lastAppliedSeq).toBe(third.seq);
    const until = Date.parse((third.payload as { validUntil: string }).validUntil);
    expect(Math.abs(Date.parse(person(a)!.endTime!) - until)).toBeLessThan(1000);
  });

  it("carries out one person's grant, validity and revoke in order while other persons go alongside", async () => {
    sim.faults.set({ rules: [{ path: "resource/v1/person/*", latencyMs: 40 }] });
    const one = code();
    const others = Array.from({ length: 6 }, code);
    const sequence = [grant(one), validity(one, new Date(Date.now() + 9000_000)), revoke(one)];
    const rest = others.map((c) => grant(c));
    for (const c of [...sequence, ...rest]) await cp.send(c);
    for (const c of [...sequence, ...rest]) expect((await cp.waitFinal(c.id)).status).toBe("applied");
    const order = sequence.map((c) =>
      cp.acks.findIndex((x) => x.commandId === c.id && x.status === "applied"),
    );
    expect([...order].sort((x, y) => x - y)).toEqual(order);
    expect(inVisitors(one)).toBe(false);
    for (const c of others) expect(inVisitors(c)).toBe(true);
    expect((await health()).lastAppliedSeq).toBe(seq);
    sim.faults.set({});
  });
});

describe("agent: HikCentral failing", () => {
  it("converges every grant when 30% of calls fail with 5xx or time out", async () => {
    sim.faults.set({
      rules: [
        { path: "*", rate: 0.15, error: { http: 503 } },
        { path: "*", rate: 0.18, error: "timeout" },
      ],
    });
    const codes = Array.from({ length: 30 }, code);
    const cmds = codes.map((c) => grant(c));
    for (const c of cmds) await cp.send(c);
    for (const c of cmds) expect((await cp.waitFinal(c.id, 120_000)).status).toBe("applied");
    sim.faults.set({});
    for (const c of codes) expect(inVisitors(c)).toBe(true);
    // Never two persons for one guest, however many times a call was tried again.
    for (const c of codes)
      expect([...sim.state.persons.values()].filter((p) => p.personCode === c)).toHaveLength(1);
  }, 150_000);

  it("fails a permanent error at once with HikCentral's code and message, and calls no more", async () => {
    sim.faults.set({ rules: [{ path: "resource/v1/person/single/add", error: { code: "128" } }] });
    const before = calls("resource/v1/person/single/add");
    const cmd = grant(code());
    await cp.send(cmd);
    const ack = await cp.waitFinal(cmd.id);
    expect(ack.status).toBe("failed");
    expect(ack.reason).toMatchObject({ code: "FACE_REJECTED", retryable: false });
    expect(ack.reason?.message).toContain("code 128");
    await sleep(1500);
    expect(calls("resource/v1/person/single/add") - before).toBe(1);

    sim.faults.set({});
    const groupCalls = calls("acs/v1/privilege/group");
    const unknown = grant(code());
    unknown.payload.accessGroups = ["No Such Level"];
    await cp.send(unknown);
    const nack = await cp.waitFinal(unknown.id);
    expect(nack).toMatchObject({
      status: "failed",
      reason: { code: "UNKNOWN_ACCESS_GROUP", retryable: false },
    });
    await sleep(1500);
    // One look in the cache's list, one fresh one: no storm.
    expect(calls("acs/v1/privilege/group") - groupCalls).toBeLessThanOrEqual(1);
  });

  it("keeps a command that is failing for now across a restart, and finishes it after", async () => {
    sim.faults.set({ rules: [{ path: "resource/v1/person/single/add", error: { http: 503 } }] });
    const c = code();
    const cmd = grant(c);
    await cp.send(cmd);
    await eventually(
      async () => calls("resource/v1/person/single/add") > 0 && cp.acks.some((a) => a.commandId === cmd.id),
    );
    await sleep(1500);
    expect(cp.finalAck(cmd.id)).toBeUndefined();
    await agent.stop();
    sim.faults.set({});
    agent = await start();
    expect((await cp.waitFinal(cmd.id, 90_000)).status).toBe("applied");
    expect(inVisitors(c)).toBe(true);
  }, 120_000);
});

describe("agent: reconciliation", () => {
  it("repairs drift both ways on a sync command and reports each change", async () => {
    const [deleted, removed, extended, revoked] = [code(), code(), code(), code()];
    for (const c of [deleted, removed, extended, revoked]) await cp.send(grant(c, { givenName: "Drift" }));
    const rev = revoke(revoked);
    await cp.send(rev);
    await cp.waitFinal(rev.id);
    // Someone works in HikCentral by hand.
    const group = sim.state.groups.get(VISITORS)!;
    const gone = person(deleted)!;
    sim.state.persons.delete(gone.personId);
    group.members.delete(gone.personId);
    group.members.delete(person(removed)!.personId);
    person(extended)!.endTime = "2030-01-01T00:00:00+05:00";
    group.members.add(person(revoked)!.personId);
    const stranger = sim.state.allocatePersonId();
    sim.state.persons.set(stranger, { ...person(removed)!, personId: stranger, personCode: "GHSTRANGER1" });
    group.members.add(stranger);

    const sync = envelope("sync", { reason: "test" });
    await cp.send(sync);
    expect((await cp.waitFinal(sync.id, 30_000)).status).toBe("applied");
    const report = await eventually(async () => cp.reports.find((r) => r.commandId === sync.id));
    const actions = (c: string) => report.changes.filter((x) => x.personCode === c).map((x) => x.action);
    expect(report.trigger).toBe("sync");
    expect(actions(deleted)).toEqual(["created"]);
    expect(actions(removed)).toEqual(["regranted"]);
    expect(actions(extended)).toEqual(["updated"]);
    expect(actions(revoked)).toEqual(["removed_from_group"]);
    expect(actions("GHSTRANGER1")).toEqual(["removed_from_group", "revoked"]);
    for (const c of [deleted, removed, extended]) expect(inVisitors(c)).toBe(true);
    expect(inVisitors(revoked)).toBe(false);
    expect(group.members.has(stranger)).toBe(false);
    expect(person(extended)!.endTime).not.toContain("2030");

    // Nothing left to repair: a second sync changes nothing.
    const again = envelope("sync", { reason: "test" });
    await cp.send(again);
    const quiet = await eventually(async () => cp.reports.find((r) => r.commandId === again.id), 30_000);
    expect(quiet.changes).toEqual([]);

    // Past the retention period, the revoked person is deleted from HikCentral and from the replica.
    const db = await Database.open({ url: `file:${join(dir, "agent.db")}` });
    await db.write([
      {
        sql: "UPDATE persons SET ended_at = ? WHERE person_code = ?",
        args: [new Date(Date.now() - 31 * 86_400_000).toISOString(), revoked],
      },
    ]);
    db.close();
    const third = envelope("sync", { reason: "retention" });
    await cp.send(third);
    const r3 = await eventually(async () => cp.reports.find((r) => r.commandId === third.id), 30_000);
    expect(r3.changes.filter((x) => x.personCode === revoked).map((x) => x.action)).toEqual(["deleted"]);
    expect(person(revoked)).toBeUndefined();
    expect(await agent.store.replica.get(revoked)).toBeUndefined();
  }, 60_000);
});

describe("agent: the cloud away", () => {
  it("revokes at validUntil while offline, keeps taking passages and serving health, and reports when back", async () => {
    const leaving = code();
    const staying = code();
    const g1 = grant(leaving);
    g1.payload.validUntil = new Date(Date.now() + 4000).toISOString();
    const g2 = grant(staying);
    await cp.send(g1);
    await cp.send(g2);
    await cp.waitFinal(g2.id);
    await cp.waitFinal(g1.id);
    await cp.stop();
    await eventually(async () => (await health()).status === "degraded", 10_000, "degraded health");
    const metrics = await fetch(`${agent.healthUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain("gatehouse_agent_mqtt_connected 0");

    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const e = simulatePassage(sim.state, { personCode: staying, direction: "entry", verifyMode: "face" });
      sim.pusher.publish(e);
      ids.push(e.eventId);
    }
    await eventually(async () => !inVisitors(leaving), 8000, "the expired visit out of its level");
    const revokedAt = Date.now();
    expect(revokedAt - Date.parse(g1.payload.validUntil)).toBeLessThan(3000);
    expect(inVisitors(staying)).toBe(true);

    await cp.start();
    const report = await eventually(async () => cp.reports.find((r) => r.trigger === "expiry"), 20_000);
    expect(report.changes).toEqual([
      expect.objectContaining({ action: "revoked", personCode: leaving, visitId: `visit-${leaving}` }),
    ]);
    await eventually(async () => cp.passages.length >= 50, 20_000, "passages after reconnect");
    const got = cp.passages.map((p) => p.id.split(":").pop());
    expect(new Set(got).size).toBe(got.length);
    for (const id of ids) expect(got).toContain(id);

    // The visit is extended afterwards: the access comes back.
    const ext = validity(leaving, new Date(Date.now() + 3600_000));
    await cp.send(ext);
    expect((await cp.waitFinal(ext.id)).status).toBe("applied");
    expect(inVisitors(leaving)).toBe(true);
  }, 60_000);
});

describe("agent: a new box", () => {
  it("exports the replica, imports it on an empty database, reconciles, and asks for later commands", async () => {
    const file = join(tempDir("export"), "replica.jsonl");
    const cliEnv = {
      PATH: process.env.PATH ?? "",
      AGENT_SITE_ID: SITE,
      AGENT_MQTT_URL: cp.url,
      AGENT_MQTT_USERNAME: "agent-north",
      AGENT_MQTT_PASSWORD: "x",
      AGENT_COMMAND_PUBLIC_KEY: cp.signer.text,
      AGENT_HIKCENTRAL_URL: sim.url,
      AGENT_HIKCENTRAL_APP_KEY: sim.appKey,
      AGENT_HIKCENTRAL_APP_SECRET: sim.appSecret,
    };
    const watermark = (await health()).lastAppliedSeq;
    const persons = await agent.store.replica.count();
    await agent.stop();
    const run = promisify(execFile);
    const out = await run(process.execPath, [cli, "export", file], {
      env: { ...cliEnv, AGENT_DB_URL: `file:${join(dir, "agent.db")}` },
    });
    expect(out.stdout).toContain(`${persons} persons`);

    const fresh = tempDir("new-box");
    const imported = await run(process.execPath, [cli, "import", file], {
      env: { ...cliEnv, AGENT_DB_URL: `file:${join(fresh, "agent.db")}` },
    });
    expect(imported.stdout).toContain(`${persons} persons`);
    // Not twice into the same database.
    const twice = await run(process.execPath, [cli, "import", file], {
      env: { ...cliEnv, AGENT_DB_URL: `file:${join(fresh, "agent.db")}` },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(twice).toMatchObject({ code: 1, stderr: expect.stringContaining("--force") });

    const removed = [...sim.state.persons.values()].find(
      (p) => p.personCode.startsWith("GH") && inVisitors(p.personCode),
    )!;
    sim.state.groups.get(VISITORS)!.members.delete(removed.personId);
    dir = fresh;
    agent = await start();
    expect((await health()).lastAppliedSeq).toBe(watermark);
    expect(await agent.store.replica.count()).toBe(persons);
    const report = await eventually(async () => cp.reports.find((r) => r.trigger === "import"), 30_000);
    expect(report.changes).toContainEqual(
      expect.objectContaining({ personCode: removed.personCode, action: "regranted" }),
    );
    const ask = await eventually(async () =>
      cp.resyncs.find((r) => r.fromSeq === watermark + 1 && r.toSeq === undefined),
    );
    expect(ask.site).toBe(SITE);
    // The next command carries on from the watermark.
    const next = grant(code());
    await cp.send(next);
    expect((await cp.waitFinal(next.id)).status).toBe("applied");
  }, 60_000);
});

describe("agent: HikCentral's request rate", () => {
  it("stays under the configured rate: bulk grants queue instead of meeting HTTP 429", async () => {
    sim.faults.set({ rateLimit: { perSecond: 25, burst: 2 } });
    await agent.stop();
    agent = await start({ AGENT_HIKCENTRAL_RATE: "20", AGENT_COMMAND_CONCURRENCY: "8" });
    const cmds = Array.from({ length: 15 }, () => grant(code()));
    for (const c of cmds) await cp.send(c);
    for (const c of cmds) expect((await cp.waitFinal(c.id, 60_000)).status).toBe("applied");
    const faults = (await (await fetch(`${sim.url}/_sim/faults`)).json()) as { rateLimited: number };
    expect(faults.rateLimited).toBe(0);
    sim.faults.set({});
  }, 90_000);
});
