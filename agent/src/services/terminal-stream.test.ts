import { fileURLToPath } from "node:url";
import type { Passage } from "@gatehouse/shared";
import { openTempDatabase } from "@gatehouse/shared/db";
import { SimTerminal, type TerminalOptions } from "@gatehouse/simulator";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { AgentStore } from "../adapters/db/agent-store.js";
import { IsapiClient } from "../adapters/isapi/client.js";
import { TerminalGateway } from "../adapters/isapi/terminal-gateway.js";
import { type StreamState, TerminalEventStream } from "./terminal-stream.js";

const ZONE = "Asia/Almaty";
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const until = async (check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
};

async function setup(opts: Partial<TerminalOptions> = {}) {
  const t = new SimTerminal({ id: "gate-1", timeZone: ZONE, ...opts });
  await t.start();
  cleanup.push(() => t.stop());
  const { db } = await openTempDatabase({
    prefix: "stream",
    migrations: fileURLToPath(new URL("../../migrations", import.meta.url)),
  });
  cleanup.push(async () => db.close());
  const store = new AgentStore(db, "north");
  const client = new IsapiClient({
    id: "gate-1",
    baseUrl: t.url,
    credentials: { username: t.username, password: t.password },
    timeoutMs: 2000,
    refusedLogins: { refused: async () => false, noteRefused: async () => {} },
  });
  const gateway = new TerminalGateway(client, ZONE);
  const passages: Passage[] = [];
  const alarms: string[] = [];
  const states: StreamState[] = [];
  const stream = new TerminalEventStream(
    gateway,
    store,
    pino({ level: process.env.DBG ? "debug" : "silent" }),
    {
      context: {
        site: "north",
        terminal: "gate-1",
        timeZone: ZONE,
        doorDirections: { 1: "entry", 2: "exit" },
      },
      idleTimeoutMs: 400,
      minBackoffMs: 50,
      maxBackoffMs: 200,
      onPassages: (p) => passages.push(...p),
      onAlarm: (a) => alarms.push(a.alarm),
      onState: (s) => states.push(s),
    },
  );
  cleanup.push(() => stream.stop());
  await gateway.upsertPerson({
    employeeNo: "GH1",
    name: "Ada",
    validFrom: new Date(Date.now() - 3600_000),
    validUntil: new Date(Date.now() + 3600_000),
    doors: [1, 2],
  });
  return { t, store, stream, passages, alarms, states };
}

const serials = (ps: Passage[]) =>
  ps.map((p) => Number(p.sourceEventId.split(":").pop())).sort((a, b) => a - b);

describe("TerminalEventStream", () => {
  it("takes the replayed log once, then live events, with a header boundary that differs from the body", async () => {
    const { t, stream, passages, alarms } = await setup({ streamHeaderBoundary: "mime_boundary" });
    t.present("GH1", 1);
    t.present("GH1", 2);
    stream.start();
    await until(() => passages.length === 2);
    t.present("GH1", 1);
    t.present("NOBODY", 1);
    t.logEvent({ major: 5, minor: 133, doorNo: 1 });
    await until(() => passages.length === 4 && alarms.length === 1);
    expect(passages.map((p) => [p.direction, p.result])).toEqual([
      ["entry", "granted"],
      ["exit", "granted"],
      ["entry", "granted"],
      ["entry", "denied"],
    ]);
    expect(alarms).toEqual(["tailgating"]);
    expect(new Set(passages.map((p) => p.id)).size).toBe(4);
  });

  it("loses and repeats nothing across a reboot mid-stream: the replay and the serial search fill the gap", async () => {
    const { t, stream, passages, states } = await setup();
    stream.start();
    await until(() => t.openStreams === 1);
    for (let i = 0; i < 5; i++) t.present("GH1", 1 + (i % 2));
    await until(() => passages.length === 5);
    t.setOffline(true);
    await until(() => states.includes("unavailable"));
    for (let i = 0; i < 40; i++) t.present("GH1", 1);
    t.setOffline(false);
    await until(() => passages.length === 45, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(passages).toHaveLength(45);
    // Events 1 (the agent's own login) and the logins at each reconnect are not passages.
    const expected = t.events.filter((e) => e.major === 5).map((e) => e.serialNo);
    expect(serials(passages)).toEqual(expected);
  });

  it("reports a hung stream (heartbeats stop) as unavailable and reconnects", async () => {
    const { t, stream, passages, states } = await setup({ heartbeatMs: 50 });
    stream.start();
    await until(() => t.openStreams === 1);
    await new Promise((r) => setTimeout(r, 150));
    t.freezeStreams();
    await until(() => states.filter((s) => s === "unavailable").length >= 1, 3000);
    t.present("GH1", 1);
    await until(() => passages.length === 1, 5000);
    expect(states).toContain("up");
  });

  it("says when the terminal's stream slot is taken", async () => {
    const { t, stream, states } = await setup({ streamSlots: 1 });
    const holder = new IsapiClient({
      id: "other",
      baseUrl: t.url,
      credentials: { username: t.username, password: t.password },
      timeoutMs: 2000,
      refusedLogins: { refused: async () => false, noteRefused: async () => {} },
    });
    const abort = new AbortController();
    await holder.openStream("/ISAPI/Event/notification/alertStream", abort.signal);
    cleanup.push(async () => abort.abort());
    stream.start();
    await until(() => states.includes("slot_taken"));
    expect(stream.state).toBe("slot_taken");
  });
});
