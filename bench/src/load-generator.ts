#!/usr/bin/env node
import { connectAsync } from "mqtt";
import { openLoopTicks } from "./bare-broker.js";
import { passageAnswers } from "./passage-answers.js";

/**
 * The passage load as a process of its own (as an outside load generator is): it streams passages to the
 * simulator (`POST /_sim/passages`, application/x-ndjson, one line a passage) on a fixed schedule, and listens
 * as an MQTT consumer on `gatehouse/v1/passages/{site}`. For each passage it records, on this process's
 * clock, when it was sent and when it arrived, and the agent's own `receivedAt` (the wall clock of the same
 * machine). Its argument is a JSON `LoadPlan`; it prints one JSON `LoadResult` line.
 */
export interface LoadPlan {
  simulatorUrl: string;
  mqttUrl: string;
  token: string;
  site: string;
  personCode: string;
  /** Passages a second, each run in turn, with `warmUpSeconds` of it not counted. */
  rates: number[];
  seconds: number;
  warmUpSeconds: number;
}

export interface LoadResult {
  /** CPU seconds this process used for the whole load. */
  cpuSeconds: number;
  rates: Array<{
    rate: number;
    sent: number;
    /** Sent → consumer, ms, sorted, warm-up left out. */
    endToEnd: number[];
    /** The agent's receipt → consumer, ms, sorted. */
    receiptToConsumer: number[];
    /** Sent → the agent's receipt (the simulator's push, and the agent's answer to the one before), ms, sorted. */
    sentToReceipt: number[];
    /** The agent's receipt → consumer during the warm-up (services just started: code not yet compiled), ms, sorted. */
    warmUpReceiptToConsumer: number[];
  }>;
}

const now = () => performance.timeOrigin + performance.now();

async function run(plan: LoadPlan): Promise<LoadResult> {
  const consumer = await connectAsync(plan.mqttUrl, {
    username: "load",
    password: plan.token,
    clientId: `load-${process.pid}`,
  });
  const arrived = new Map<string, { at: number; receivedAt: number }>();
  consumer.on("message", (_t, payload) => {
    const p = JSON.parse(payload.toString()) as { sourceEventId: string; receivedAt: string };
    arrived.set(p.sourceEventId, { at: now(), receivedAt: Date.parse(p.receivedAt) });
  });
  await consumer.subscribeAsync(`gatehouse/v1/passages/${plan.site}`, { qos: 1 });

  let send!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      send = c;
    },
  });
  const encoder = new TextEncoder();
  const response = fetch(`${plan.simulatorUrl}/_sim/passages`, {
    method: "POST",
    body,
    duplex: "half",
    headers: { "content-type": "application/x-ndjson" },
  } as RequestInit);
  /** Sent times, in order; the answers come in the same order and name each passage's event. */
  const sentAt: number[] = [];
  const events: string[] = [];
  const answers = (async () => {
    for await (const eventId of passageAnswers((await response).body!)) events.push(eventId);
  })();

  const cpuBefore = process.cpuUsage();
  const result: LoadResult = { cpuSeconds: 0, rates: [] };
  for (const rate of plan.rates) {
    const warmUp = Math.round(rate * plan.warmUpSeconds);
    const n = warmUp + Math.round(rate * plan.seconds);
    const first = sentAt.length;
    await openLoopTicks(rate, n, (from, to) => {
      const lines: string[] = [];
      for (let k = from; k < to; k++) {
        sentAt.push(now());
        lines.push(JSON.stringify({ personCode: plan.personCode, direction: k % 2 ? "exit" : "entry" }));
      }
      send.enqueue(encoder.encode(`${lines.join("\n")}\n`));
    });
    const deadline = now() + 60_000;
    const counted = () => {
      let got = 0;
      for (let i = first; i < first + n; i++) if (events[i] && arrived.has(events[i]!)) got++;
      return got;
    };
    while (counted() < n && now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (counted() < n) throw new Error(`only ${counted()} of ${n} passages arrived at ${rate}/s`);
    const e2e: number[] = [];
    const receipt: number[] = [];
    const push: number[] = [];
    const warmUpReceipt: number[] = [];
    for (let i = first; i < first + n; i++) {
      const a = arrived.get(events[i]!)!;
      if (i < first + warmUp) {
        warmUpReceipt.push(a.at - a.receivedAt);
        continue;
      }
      e2e.push(a.at - sentAt[i]!);
      receipt.push(a.at - a.receivedAt);
      push.push(a.receivedAt - sentAt[i]!);
    }
    result.rates.push({
      rate,
      sent: n - warmUp,
      endToEnd: e2e.sort((a, b) => a - b),
      receiptToConsumer: receipt.sort((a, b) => a - b),
      sentToReceipt: push.sort((a, b) => a - b),
      warmUpReceiptToConsumer: warmUpReceipt.sort((a, b) => a - b),
    });
  }
  const cpu = process.cpuUsage(cpuBefore);
  result.cpuSeconds = (cpu.user + cpu.system) / 1e6;
  send.close();
  await answers;
  await consumer.endAsync();
  return result;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  run(JSON.parse(process.argv[2]!) as LoadPlan).then(
    // Exits once the line is written: a pipe's writes are asynchronous, and exit would cut them short.
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`, () => process.exit(0)),
    (e: Error) => {
      process.stderr.write(`${e.stack ?? e.message}\n`);
      process.exit(1);
    },
  );
}
