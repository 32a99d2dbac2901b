import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { Aedes } from "aedes";
import { connectAsync } from "mqtt";
import { percentile } from "./results.js";

/**
 * The baseline the passage figures are set against: a bare aedes broker (the embedded broker's engine, same
 * limits) on this machine, one QoS 1 publisher and one QoS 1 subscriber, nothing stored.
 */
export async function bareBroker() {
  const broker = await Aedes.createBroker({ concurrency: 1000, queueLimit: 10_000, maxTopicLevels: 12 });
  const server = createServer(broker.handle);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const pub = await connectAsync(url, { clientId: "bare-pub" });
  const sub = await connectAsync(url, { clientId: "bare-sub" });
  await sub.subscribeAsync("bare/#", { qos: 1 });
  const payload = (i: number) => JSON.stringify({ i, pad: "x".repeat(330) });

  return {
    /** Messages a second from publish to delivery, `n` in flight in windows of 200. */
    async throughput(n: number): Promise<number> {
      let got = 0;
      const done = new Promise<void>((resolve) => {
        const on = () => {
          got += 1;
          if (got === n) {
            sub.off("message", on);
            resolve();
          }
        };
        sub.on("message", on);
      });
      const t0 = performance.now();
      for (let i = 0; i < n; i += 200)
        await Promise.all(
          Array.from({ length: Math.min(200, n - i) }, (_, k) =>
            pub.publishAsync("bare/passages", payload(i + k), { qos: 1 }),
          ),
        );
      await done;
      return n / ((performance.now() - t0) / 1000);
    },
    /**
     * Publish → delivery latency (ms, sorted) at `rate` messages a second for `seconds`, after `warmUpSeconds`
     * at that rate that are not counted.
     */
    async latency(rate: number, seconds: number, warmUpSeconds = 0): Promise<number[]> {
      const sent = new Map<number, number>();
      const lat: number[] = [];
      const warmUp = Math.round(rate * warmUpSeconds);
      let arrived = 0;
      const on = (_t: string, p: Buffer) => {
        const { i } = JSON.parse(p.toString()) as { i: number };
        arrived += 1;
        if (i >= warmUp) lat.push(performance.now() - sent.get(i)!);
      };
      sub.on("message", on);
      const n = warmUp + Math.round(rate * seconds);
      await openLoop(rate, n, (i) => {
        sent.set(i, performance.now());
        void pub.publishAsync("bare/latency", payload(i), { qos: 1 });
      });
      while (arrived < n) await new Promise((r) => setTimeout(r, 10));
      sub.off("message", on);
      return lat.sort((a, b) => a - b);
    },
    async close() {
      await pub.endAsync();
      await sub.endAsync();
      await new Promise<void>((r) => broker.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Calls `send(i)` for i < n at `rate` a second on a fixed schedule (open loop: a slow system gets no pause). */
export async function openLoop(rate: number, n: number, send: (i: number) => void): Promise<void> {
  await openLoopTicks(rate, n, (from, to) => {
    for (let i = from; i < to; i++) send(i);
  });
}

/**
 * `n` sends at `rate` a second on a fixed schedule (open loop: a slow answer does not slow the sending), the
 * ones due at each tick of about a millisecond handed over together as the range [from, to).
 */
export async function openLoopTicks(
  rate: number,
  n: number,
  send: (from: number, to: number) => void,
): Promise<void> {
  const t0 = performance.now();
  let i = 0;
  while (i < n) {
    const due = Math.min(n, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
    if (due > i) send(i, due);
    i = Math.max(i, due);
    await new Promise((r) => setTimeout(r, 1));
  }
}

export const p = (sorted: number[], q: number) => Math.round(percentile(sorted, q) * 100) / 100;
