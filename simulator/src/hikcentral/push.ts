import { formatInZone } from "@gatehouse/shared";
import { request } from "undici";
import type { HikState, SimEvent } from "./state.js";

export interface PushOptions {
  timeZone: string;
  /** Events per OnEventNotify push; HCP sends at most 50. */
  batchSize: number;
  /** Attempts per batch before HCP gives up on it (its real retry policy is not documented). */
  attempts: number;
  retryDelayMs: number;
  /** Fraction of batches silently dropped, for gap-filling tests. */
  dropRate: () => number;
  log: (msg: string) => void;
}

/** Delivers access events to subscribers as HikCentral does: POST `OnEventNotify` batches, in order, per destination. */
export class EventPusher {
  private queues = new Map<string, { events: SimEvent[]; sending: boolean }>();
  private stopped = false;
  pushed = 0;
  dropped = 0;

  constructor(
    private state: HikState,
    private opts: PushOptions,
  ) {}

  publish(event: SimEvent): void {
    const sub = this.state.subscriptions.get(event.eventType);
    if (!sub || this.stopped) return;
    let q = this.queues.get(sub.eventDest);
    if (!q) {
      q = { events: [], sending: false };
      this.queues.set(sub.eventDest, q);
    }
    q.events.push(event);
    if (!q.sending) void this.drain(sub.eventDest, q);
  }

  stop(): void {
    this.stopped = true;
  }

  /** Resolves when every queue is empty (tests use it to wait for deliveries). */
  async idle(): Promise<void> {
    while ([...this.queues.values()].some((q) => q.events.length > 0 || q.sending)) {
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  private async drain(dest: string, q: { events: SimEvent[]; sending: boolean }) {
    q.sending = true;
    try {
      while (q.events.length > 0 && !this.stopped) {
        const batch = q.events.splice(0, this.opts.batchSize);
        if (Math.random() < this.opts.dropRate()) {
          this.dropped += batch.length;
          continue;
        }
        const body = JSON.stringify(this.envelope(batch));
        let delivered = false;
        for (let attempt = 1; attempt <= this.opts.attempts && !delivered && !this.stopped; attempt++) {
          try {
            // undici's `request`, not `fetch`: at thousands of pushes a second fetch's own cost made the simulator
            // the busiest process of a benchmark.
            const res = await request(dest, {
              method: "POST",
              headers: { "content-type": "application/json", accept: "application/json" },
              body,
              signal: AbortSignal.timeout(5000),
            });
            await res.body.dump();
            delivered = res.statusCode >= 200 && res.statusCode < 300;
          } catch {
            delivered = false;
          }
          if (!delivered) await new Promise((r) => setTimeout(r, this.opts.retryDelayMs * attempt));
        }
        if (delivered) this.pushed += batch.length;
        else {
          this.dropped += batch.length;
          // The origin only: the path of a callback URL often carries the subscriber's secret token.
          this.opts.log(`push of ${batch.length} events to ${new URL(dest).origin} failed; dropped`);
        }
      }
    } finally {
      q.sending = false;
    }
  }

  private envelope(batch: SimEvent[]) {
    const tz = this.opts.timeZone;
    const withMs = (d: Date) =>
      formatInZone(d, tz).replace(/([+-]\d{2}:\d{2})$/, `.${String(d.getMilliseconds()).padStart(3, "0")}$1`);
    return {
      method: "OnEventNotify",
      params: {
        ability: "event_acs",
        sendTime: withMs(new Date()),
        events: batch.map((e) => {
          const door = this.state.doors.get(e.doorIndexCode);
          return {
            eventId: e.eventId,
            eventType: e.eventType,
            srcIndex: e.doorIndexCode,
            srcType: "door",
            srcName: door?.doorName ?? "",
            srcParentIndex: door?.acsDevIndexCode ?? "",
            status: 0,
            timeout: 0,
            happenTime: withMs(e.happenTime),
            data: {
              ExtEventCode: e.eventType,
              ExtEventCardNo: e.cardNo ?? "",
              ExtEventPersonNo: e.personId ?? "",
              personCode: e.personCode ?? "",
              personName: e.personName ?? "",
              ExtEventInOut: e.inAndOutType,
              ExtEventDoorID: Number(e.doorIndexCode),
              ExtEventReaderID: 1,
              ExtEventPictureURL: e.picUri ?? "",
              svrIndexCode: "1",
              ExtReceiveTime: String(e.receiveTime.getTime() * 1000),
              Seq: e.seq,
            },
          };
        }),
      },
    };
  }
}
