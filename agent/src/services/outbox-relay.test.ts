import { fileURLToPath } from "node:url";
import type { Passage } from "@gatehouse/shared";
import { type Database, openTempDatabase } from "@gatehouse/shared/db";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { OutboxStore } from "../adapters/db/outbox-store.js";
import type { AgentLink } from "../adapters/mqtt/agent-link.js";
import { type OutboxPort, OutboxRelay } from "./outbox-relay.js";

const open: Database[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

/** The outbox with `rows` queued, seen by the relay through a wrapper that records each delete's size. */
async function storeWith(rows: number): Promise<{ db: Database; outbox: OutboxPort; deletes: number[] }> {
  const { db } = await openTempDatabase({
    prefix: "outbox",
    synchronous: "FULL",
    migrations: fileURLToPath(new URL("../../migrations", import.meta.url)),
  });
  open.push(db);
  const store = new OutboxStore(db, "north");
  await add(db, 0, rows);
  const deletes: number[] = [];
  const outbox: OutboxPort = {
    take: (limit, afterId) => store.take(limit, afterId),
    async delete(ids) {
      deletes.push(ids.length);
      await store.delete(ids);
    },
  };
  return { db, outbox, deletes };
}

const add = (db: Database, from: number, count: number) =>
  db.write(
    Array.from({ length: count }, (_, k) => ({
      sql: "INSERT INTO outbox (topic, payload, created_at) VALUES (?, ?, ?)",
      args: ["gatehouse/v1/sites/north/events/passage", `m${from + k}`, new Date().toISOString()],
    })),
  );

/**
 * A connection that records what it is asked to send. At `dropAt` the connection is lost: that send and every
 * later one fail (as MQTT.js fails what it cannot send once the client gives up) until `reconnect`.
 */
function link(dropAt?: string) {
  const sent: string[] = [];
  const l = {
    connected: true,
    async publish(_topic: string, payload: string) {
      await new Promise((r) => setImmediate(r));
      if (payload === dropAt) {
        l.connected = false;
        dropAt = undefined;
      }
      if (!l.connected) throw new Error("connection lost");
      sent.push(payload);
    },
  };
  return {
    sent,
    link: l as unknown as AgentLink,
    reconnect: () => {
      l.connected = true;
    },
  };
}

const depth = async (db: Database) =>
  Number((await db.read("SELECT count(*) AS n FROM outbox")).rows[0]?.n ?? 0);
const waitFor = async (ok: () => Promise<boolean> | boolean) => {
  for (let i = 0; i < 400 && !(await ok()); i++) await new Promise((r) => setTimeout(r, 10));
};
const relayOf = (outbox: OutboxPort, l: AgentLink, opts: ConstructorParameters<typeof OutboxRelay>[3]) =>
  new OutboxRelay(outbox, l, pino({ level: "silent" }), opts);

const names = (n: number, from = 0) => Array.from({ length: n }, (_, k) => `m${from + k}`);

describe("the outbox relay", () => {
  it("sends every row once in order, with several batches in flight, and deletes them in one go", async () => {
    const { db, outbox, deletes } = await storeWith(950);
    const { sent, link: l } = link();
    const relay = relayOf(outbox, l, { batchSize: 100, deleteAfterMs: 50 });
    relay.wake();
    await waitFor(async () => (await depth(db)) === 0);
    expect(sent).toEqual(names(950));
    expect(await depth(db)).toBe(0);
    // Ten batches, far fewer delete transactions.
    expect(deletes.reduce((a, b) => a + b, 0)).toBe(950);
    expect(deletes.length).toBeLessThanOrEqual(3);
    await relay.stop();
  });

  it("does not send again a row that is acknowledged but not deleted yet, and deletes it on stop", async () => {
    const { db, outbox } = await storeWith(10);
    const { sent, link: l } = link();
    const relay = relayOf(outbox, l, { deleteAfterMs: 60_000 });
    relay.wake();
    await waitFor(() => sent.length === 10);
    await add(db, 10, 5);
    relay.wake();
    await waitFor(() => sent.length === 15);
    await new Promise((r) => setTimeout(r, 50));
    expect(sent).toEqual(names(15));
    expect(await depth(db)).toBe(15);
    await relay.stop();
    expect(await depth(db)).toBe(0);
  });

  it("after a lost connection, sends everything not deleted again in order and loses nothing", async () => {
    const { db, outbox } = await storeWith(500);
    const { sent, link: l, reconnect } = link("m250");
    const relay = relayOf(outbox, l, { batchSize: 100, deleteAfterMs: 20 });
    relay.wake();
    // m250's batch (m200–m299) stays: part of it may not have reached the broker.
    await waitFor(async () => (await depth(db)) === 300);
    expect(sent).toEqual(names(250));
    expect(await depth(db)).toBe(300);
    // The agent wakes the relay when the connection is back; the pass starts from the oldest row left. What
    // reached the broker twice (m200–m249) the control plane takes once, by id.
    reconnect();
    relay.wake();
    await waitFor(async () => (await depth(db)) === 0);
    expect(sent).toEqual([...names(250), ...names(300, 200)]);
    await relay.stop();
  });

  it("sends a new row early only when nothing older waits: after an outage the backlog goes first", async () => {
    const { db, outbox } = await storeWith(0);
    const store = new OutboxStore(db, "north");
    const { sent, link: l } = link();
    const relay = relayOf(outbox, l, { deleteAfterMs: 20 });
    // What the outbox reads of a passage: its id (for deduplication) and time.
    const passage = (n: number) =>
      ({ id: `north:hikcentral:p${n}`, occurredAt: new Date().toISOString() }) as unknown as Passage;
    const record = (n: number) =>
      store.recordPassages([passage(n)], (rows, durable) => relay.sendEarly(rows, durable));
    const payloadsSent = () => sent.map((p) => (JSON.parse(p) as { id: string }).id.slice(-2));

    relay.wake();
    await new Promise((r) => setTimeout(r, 50));
    // Caught up: a new passage goes as it is written.
    await record(1);
    await waitFor(() => sent.length === 1);
    // The link is down: p2 and p3 wait in the outbox.
    (l as unknown as { connected: boolean }).connected = false;
    await record(2);
    await record(3);
    (l as unknown as { connected: boolean }).connected = true;
    // Back, before the relay's pass: p4 is written while p2 and p3 still wait; it does not overtake them.
    await record(4);
    relay.wake();
    await waitFor(() => sent.length === 4);
    expect(payloadsSent()).toEqual(["p1", "p2", "p3", "p4"]);
    // Caught up again: early once more.
    await record(5);
    await waitFor(() => sent.length === 5);
    expect(payloadsSent()).toEqual(["p1", "p2", "p3", "p4", "p5"]);
    await waitFor(async () => (await depth(db)) === 0);
    expect(await depth(db)).toBe(0);
    await relay.stop();
  });
});
