import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunningAgent } from "@gatehouse/agent";
import type { Command, GrantCommand, Passage } from "@gatehouse/shared";
import { Database } from "@gatehouse/shared/db";
import { SimTerminal, type Simulator, startSimulator } from "@gatehouse/simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeControlPlane } from "../fake-control-plane.js";
import { commandEnvelope, grantCommand, startStandaloneAgent } from "../standalone-agent.js";
import { eventually, tempDir, testLogger } from "../support.js";

/**
 * A site without HikCentral: the agent speaks ISAPI to three turnstile terminals. A grant reaches every
 * terminal of the access level (the ack says which did), one terminal away during the grant gets it when it
 * is back, passages come from the terminals' alert streams, a revoke takes every door, a door command opens one.
 */
const SITE = "south";
const ZONE = "Asia/Almaty";
let sim: Simulator;
let cp: FakeControlPlane;
let agent: RunningAgent;
const terminals: SimTerminal[] = [];
let seq = 0;
let dir: string;

beforeAll(async () => {
  dir = tempDir("isapi-mode");
  for (const id of ["gate-1", "gate-2", "gate-3"]) {
    const t = new SimTerminal({ id, timeZone: ZONE, heartbeatMs: 1000 });
    await t.start();
    writeFileSync(join(dir, id), t.password, { mode: 0o600 });
    terminals.push(t);
  }
  // The agent still needs an (unused) HikCentral-shaped harness from the helper; in isapi mode it is not called.
  sim = await startSimulator({ timeZone: ZONE });
  cp = new FakeControlPlane(SITE);
  await cp.start();
  agent = await startStandaloneAgent({
    site: SITE,
    mqttUrl: cp.url,
    sim,
    dir,
    commandPublicKey: cp.signer.text,
    timeZone: ZONE,
    log: testLogger("isapi-mode"),
    env: {
      AGENT_MODE: "isapi",
      AGENT_TERMINALS: JSON.stringify(
        terminals.map((t) => ({
          id: t.opts.id,
          url: t.url,
          username: t.username,
          passwordFile: join(dir, t.opts.id),
          accessGroups: ["Visitors"],
          // gate-2 also pushes its events to the agent (HTTP host), besides the stream.
          ...(t.opts.id === "gate-2" ? { push: true } : {}),
        })),
      ),
      AGENT_TERMINAL_TIMEOUT_MS: "1000",
    },
  });
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await cp?.stop();
  await sim?.stop();
  for (const t of terminals) await t.stop();
});

const code = () => `GH${randomUUID().replace(/-/g, "").slice(0, 12).toUpperCase()}`;
const envelope = (type: Command["type"], payload: unknown): Command =>
  commandEnvelope(SITE, ++seq, type, payload, 60_000);

describe("a site in ISAPI mode with three terminals", () => {
  it("grants on every terminal, says which one was away, and completes it when that terminal returns", async () => {
    const guest = code();
    terminals[2]!.setOffline(true);
    const grant = grantCommand(SITE, ++seq, guest, {
      givenName: "Ada",
      familyName: "Lovelace",
    }) as GrantCommand;
    await cp.send(grant);
    const ack = await cp.waitFinal(grant.id, 30_000);
    expect(ack.status).toBe("applied");
    expect(ack.reason?.code).toBe("TERMINALS_PENDING");
    expect(ack.devices).toEqual([
      { device: "gate-1", status: "applied" },
      { device: "gate-2", status: "applied" },
      expect.objectContaining({ device: "gate-3", status: "pending" }),
    ]);
    for (const t of terminals.slice(0, 2))
      expect(t.users.get(guest)).toMatchObject({
        name: "Ada Lovelace",
        userType: "visitor",
        doorRight: "1,2",
      });
    expect(terminals[2]!.users.has(guest)).toBe(false);

    terminals[2]!.setOffline(false);
    await eventually(
      async () => terminals[2]!.users.has(guest),
      30_000,
      "the grant on the terminal that was away",
    );
    expect(terminals[2]!.users.get(guest)!.Valid.endTime).toBe(terminals[0]!.users.get(guest)!.Valid.endTime);
    const report = await eventually(async () => cp.reports.find((r) => r.trigger === "terminal"), 20_000);
    expect(report.changes).toContainEqual(
      expect.objectContaining({ action: "regranted", personCode: guest }),
    );

    // A passage at gate-2's exit comes from its alert stream, with the visit attached, once.
    const e = terminals[1]!.present(guest, 2);
    const p = await eventually(
      async () =>
        cp.passages.find((x) => (x as Passage).sourceEventId === `gate-2:${e.serialNo}`) as
          | Passage
          | undefined,
      10_000,
    );
    expect(p).toMatchObject({
      source: "isapi",
      id: `${SITE}:isapi:gate-2:${e.serialNo}`,
      personCode: guest,
      visitId: `visit-${guest}`,
      direction: "exit",
      result: "granted",
    });

    // A revoke takes the doors on every terminal.
    const revoke = envelope("revoke", {
      visitId: `visit-${guest}`,
      personCode: guest,
      accessGroups: ["Visitors"],
      reason: "checked_out",
    });
    await cp.send(revoke);
    expect((await cp.waitFinal(revoke.id, 20_000)).status).toBe("applied");
    for (const t of terminals) expect(t.users.get(guest)).toMatchObject({ doorRight: "" });
    // The terminal now turns the guest away.
    expect(terminals[0]!.present(guest, 1).minor).toBe(6);
  }, 90_000);

  it("opens a door on a signed door command, and refuses a door the site does not have", async () => {
    const open = envelope("door", { door: "gate-2:1", action: "open" });
    await cp.send(open);
    expect((await cp.waitFinal(open.id)).status).toBe("applied");
    expect(terminals[1]!.doorCommands).toContainEqual({ door: 1, cmd: "open" });
    const bad = envelope("door", { door: "gate-9:1", action: "open" });
    await cp.send(bad);
    expect(await cp.waitFinal(bad.id)).toMatchObject({ status: "failed", reason: { code: "UNKNOWN_DOOR" } });
  });

  it("sends a turnstile alarm to the control plane once, though the terminal replays it on reconnect", async () => {
    const e = terminals[0]!.logEvent({ major: 5, minor: 136, doorNo: 1 });
    const id = `${SITE}:isapi:gate-1:${e.serialNo}`;
    await eventually(async () => cp.alarms.some((a) => a.id === id), 10_000, "the alarm");
    expect(cp.alarms.find((a) => a.id === id)).toMatchObject({ alarm: "climbing_over", terminal: "gate-1" });
    terminals[0]!.reboot();
    await eventually(async () => terminals[0]!.openStreams === 1, 10_000, "the stream back");
    await new Promise((r) => setTimeout(r, 500));
    expect(cp.alarms.filter((a) => a.id === id)).toHaveLength(1);
  });

  it("points gate-2's event push at the agent, takes events from it, and points it again after a reboot", async () => {
    const gate2 = terminals[1]!;
    const slot = await eventually(async () => gate2.httpHosts.get("2"), 10_000, "the push slot configured");
    expect(slot.url).toMatch(/^\/isapi\/events\/gate-2\/[A-Za-z0-9_-]+$/);
    const guest = code();
    const grant = grantCommand(SITE, ++seq, guest) as GrantCommand;
    await cp.send(grant);
    await cp.waitFinal(grant.id, 20_000);
    // The stream hangs; the push still brings the passage, once.
    gate2.freezeStreams();
    const e = gate2.present(guest, 1);
    const id = `${SITE}:isapi:gate-2:${e.serialNo}`;
    await eventually(async () => cp.passages.some((p) => p.id === id), 10_000, "the pushed passage");
    expect(gate2.pushes.sent).toBeGreaterThan(0);
    gate2.reboot();
    expect(gate2.httpHosts.size).toBe(0);
    await eventually(
      async () => gate2.httpHosts.get("2")?.url === slot.url,
      15_000,
      "the push configured again",
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(cp.passages.filter((p) => p.id === id)).toHaveLength(1);
  }, 40_000);

  it("repairs terminals edited by hand on a sync command, and reports it", async () => {
    const guest = code();
    const grant = grantCommand(SITE, ++seq, guest) as GrantCommand;
    await cp.send(grant);
    await cp.waitFinal(grant.id, 20_000);
    // By hand: the guest deleted from gate-1; a stranger under Gatehouse's prefix given doors on gate-3.
    terminals[0]!.users.delete(guest);
    terminals[2]!.users.set("GHSTRANGER9", { ...terminals[2]!.users.get(guest)!, employeeNo: "GHSTRANGER9" });
    const sync = envelope("sync", { reason: "test" });
    await cp.send(sync);
    expect((await cp.waitFinal(sync.id, 30_000)).status).toBe("applied");
    const report = await eventually(async () => cp.reports.find((r) => r.commandId === sync.id), 10_000);
    expect(report.changes).toContainEqual(expect.objectContaining({ action: "created", personCode: guest }));
    expect(report.changes).toContainEqual(
      expect.objectContaining({ action: "removed_from_group", personCode: "GHSTRANGER9" }),
    );
    expect(terminals[0]!.users.get(guest)).toMatchObject({ doorRight: "1,2" });
    expect(terminals[2]!.users.get("GHSTRANGER9")).toMatchObject({ doorRight: "" });

    // Revoked, and ended longer ago than the retention period: deleted from every terminal and the replica.
    const rev = envelope("revoke", {
      visitId: `visit-${guest}`,
      personCode: guest,
      accessGroups: ["Visitors"],
      reason: "cancelled",
    });
    await cp.send(rev);
    await cp.waitFinal(rev.id, 20_000);
    const db = await Database.open({ url: `file:${join(dir, "agent.db")}` });
    await db.write([
      {
        sql: "UPDATE persons SET ended_at = ? WHERE person_code = ?",
        args: [new Date(Date.now() - 31 * 86_400_000).toISOString(), guest],
      },
    ]);
    db.close();
    const again = envelope("sync", { reason: "retention" });
    await cp.send(again);
    const r2 = await eventually(async () => cp.reports.find((r) => r.commandId === again.id), 30_000);
    expect(r2.changes.filter((c) => c.personCode === guest && c.action === "deleted")).toHaveLength(3);
    for (const t of terminals) expect(t.users.has(guest)).toBe(false);
    expect(await agent.store.replica.get(guest)).toBeUndefined();
  }, 40_000);

  it("reports each terminal's stream in the agent's health", async () => {
    const h = (await (await fetch(`${agent.healthUrl}/healthz`)).json()) as {
      status: string;
      terminals: { name: string; state: string }[];
    };
    expect(h.status).toBe("ok");
    expect(h.terminals.map((t) => [t.name, t.state])).toEqual([
      ["terminal:gate-1", "up"],
      ["terminal:gate-2", "up"],
      ["terminal:gate-3", "up"],
    ]);
  });
});

describe("a site in both modes: HikCentral for grants, the terminal's stream for passages", () => {
  it("grants through HikCentral and takes passages from the terminal, with serial numbers, once", async () => {
    const dir = tempDir("both-mode");
    const t = new SimTerminal({ id: "lane-1", timeZone: ZONE });
    await t.start();
    writeFileSync(join(dir, "lane-1"), t.password, { mode: 0o600 });
    const both = new FakeControlPlane("east");
    await both.start();
    const a = await startStandaloneAgent({
      site: "east",
      mqttUrl: both.url,
      sim,
      dir,
      commandPublicKey: both.signer.text,
      timeZone: ZONE,
      log: testLogger("both-mode"),
      env: {
        AGENT_MODE: "both",
        AGENT_TERMINALS: JSON.stringify([{ id: "lane-1", url: t.url, passwordFile: join(dir, "lane-1") }]),
      },
    });
    try {
      const guest = code();
      const grant = grantCommand("east", 1, guest) as GrantCommand;
      await both.send(grant);
      expect((await both.waitFinal(grant.id, 20_000)).status).toBe("applied");
      expect(sim.state.personByCode(guest)).toBeDefined();
      // HikCentral downloads the person to the terminal; the terminal reports the passage with its serial.
      const e = t.logEvent({ major: 5, minor: 75, doorNo: 1, employeeNo: guest });
      const p = await eventually(
        async () =>
          both.passages.find((x) => x.id === `east:isapi:lane-1:${e.serialNo}`) as Passage | undefined,
        10_000,
      );
      expect(p).toMatchObject({
        source: "isapi",
        personCode: guest,
        visitId: `visit-${guest}`,
        direction: "entry",
      });
      const h = (await (await fetch(`${a.healthUrl}/healthz`)).json()) as {
        status: string;
        hikcentral: string;
      };
      expect(h).toMatchObject({ status: "ok", hikcentral: "up" });
      // Doors go through the terminals in this mode too.
      const door = commandEnvelope("east", 2, "door", { door: "lane-1:2", action: "always_open" }, 30_000);
      await both.send(door);
      expect((await both.waitFinal(door.id)).status).toBe("applied");
      expect(t.doorCommands).toEqual([{ door: 2, cmd: "alwaysOpen" }]);
      // HikCentral's own event push is not subscribed: the same passage never comes twice by two routes.
      expect(sim.state.subscriptions.size).toBe(0);
    } finally {
      await a.stop();
      await both.stop();
      await t.stop();
    }
  }, 60_000);
});
