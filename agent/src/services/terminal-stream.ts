import { randomUUID } from "node:crypto";
import { GatehouseError, type Passage, type TerminalAlarm } from "@gatehouse/shared";
import type { Logger } from "pino";
import type { AgentStore } from "../adapters/db/agent-store.js";
import { MultipartStreamReader } from "../adapters/isapi/multipart-stream.js";
import type { TerminalGateway } from "../adapters/isapi/terminal-gateway.js";
import {
  fromAcsEventSearch,
  fromAlertStream,
  interpretTerminalEvent,
  type TerminalContext,
  type TerminalEvent,
  terminalEventId,
} from "../domain/terminal-events.js";

export type StreamState = "connecting" | "up" | "unavailable" | "slot_taken" | "login_refused";

export interface TerminalStreamOptions {
  context: Omit<TerminalContext, "receivedAt">;
  /** With heartbeats seen, silence this long means the stream is dead (terminals beat every 10–30 s). */
  idleTimeoutMs: number;
  /** Reconnect backoff bounds. */
  minBackoffMs: number;
  maxBackoffMs: number;
  onPassages: (fresh: Passage[]) => void;
  /** A turnstile alarm was queued for the control plane (once per event). */
  onAlarm: (alarm: TerminalAlarm) => void;
  onState: (state: StreamState, detail?: string) => void;
}

const SERIAL_KEY = (terminal: string) => `isapi_last_serial:${terminal}`;

/**
 * Holds one alert stream to one terminal (stream slots are few) and turns it into passages: replayed events
 * (`currentEvent:false`, on every reconnect) are deduplicated by terminal and serial number; after each
 * (re)connect an `AcsEvent` search from the last serial number seen fills what the stream missed (a reboot,
 * a dropped connection). A dead stream is reported `unavailable`, not left silent, and reconnected with
 * backoff; a taken slot is reported as such.
 */
export class TerminalEventStream {
  private abort: AbortController | undefined;
  private stopped = false;
  private loop: Promise<void> | undefined;
  state: StreamState = "connecting";

  constructor(
    private readonly gateway: TerminalGateway,
    private readonly store: AgentStore,
    private readonly log: Logger,
    private readonly opts: TerminalStreamOptions,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort?.abort();
    await this.loop;
  }

  private setState(state: StreamState, detail?: string): void {
    if (state === this.state && state !== "unavailable") return;
    this.state = state;
    this.opts.onState(state, detail);
  }

  private async run(): Promise<void> {
    let backoff = this.opts.minBackoffMs;
    while (!this.stopped) {
      const started = Date.now();
      try {
        await this.connectOnce();
      } catch (e) {
        const err = e instanceof GatehouseError ? e : undefined;
        if (err?.code === "ISAPI_LOGIN_REFUSED") {
          this.setState("login_refused", err.message);
          return;
        }
        if (!this.stopped) {
          this.setState(
            err?.code === "ISAPI_NO_STREAM_SLOT" ? "slot_taken" : "unavailable",
            (e as Error).message,
          );
          this.log.warn(
            { terminal: this.opts.context.terminal, err: (e as Error).message },
            "terminal event stream down",
          );
        }
      }
      if (this.stopped) break;
      // A stream that lived a while starts the backoff again.
      if (Date.now() - started > 60_000) backoff = this.opts.minBackoffMs;
      await sleep(backoff * (0.5 + Math.random() / 2));
      backoff = Math.min(this.opts.maxBackoffMs, backoff * 2);
    }
  }

  private async connectOnce(): Promise<void> {
    const abort = new AbortController();
    this.abort = abort;
    const body = await this.gateway.client.openStream("/ISAPI/Event/notification/alertStream", abort.signal);
    this.setState("up");
    // What the stream missed while it was down, from the last serial number taken in.
    await this.fillFromLastSerial().catch((e: Error) =>
      this.log.warn(
        { terminal: this.opts.context.terminal, err: e.message },
        "event search after reconnect failed",
      ),
    );
    const reader = new MultipartStreamReader();
    let heartbeats = false;
    // The serial numbers of this connection: a jump means the stream lost events (a part it could not read).
    let streamSerial = 0;
    let watchdog: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(watchdog);
      if (heartbeats)
        watchdog = setTimeout(() => abort.abort(new Error("no heartbeat")), this.opts.idleTimeoutMs);
    };
    try {
      for await (const chunk of body) {
        arm();
        const events: TerminalEvent[] = [];
        for (const part of reader.push(Buffer.from(chunk))) {
          const text = part.body.toString("utf8");
          if (text.trimStart().startsWith("<")) {
            // The XML videoloss/inactive alert is the stream's heartbeat.
            if (/<eventType>\s*videoloss\s*<\/eventType>/.test(text)) heartbeats = true;
            continue;
          }
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            continue;
          }
          if ((json as { eventType?: string })?.eventType === "heartBeat") {
            heartbeats = true;
            continue;
          }
          const e = fromAlertStream(json);
          if (e) events.push(e);
        }
        if (events.length > 0) {
          await this.take(events);
          for (const e of events.sort((a, b) => a.serialNo - b.serialNo)) {
            if (streamSerial > 0 && e.serialNo > streamSerial + 1)
              await this.fill(streamSerial + 1, e.serialNo - 1).catch((err: Error) =>
                this.log.warn(
                  { terminal: this.opts.context.terminal, err: err.message },
                  "event search for a gap failed",
                ),
              );
            streamSerial = Math.max(streamSerial, e.serialNo);
          }
        }
      }
    } finally {
      clearTimeout(watchdog);
    }
    if (!this.stopped)
      throw new GatehouseError(
        "ISAPI_STREAM_ENDED",
        `terminal ${this.opts.context.terminal} ended its event stream`,
        { retryable: true },
      );
  }

  /** An event the terminal pushed to the agent (HTTP host): taken in like a streamed one. */
  async takePushed(json: unknown): Promise<boolean> {
    const e = fromAlertStream(json);
    if (!e) return false;
    await this.take([e]);
    return true;
  }

  /** Searches the terminal's log from the last serial number taken in. */
  async fillFromLastSerial(): Promise<number> {
    const last = Number((await this.store.meta.get(SERIAL_KEY(this.opts.context.terminal))) ?? 0);
    return this.fill(last + 1, 3_000_000_000);
  }

  /** Searches the terminal's log for serial numbers `from`..`to`, 30 a page, and takes in what is new. */
  private async fill(from: number, to: number): Promise<number> {
    const searchID = randomUUID();
    let taken = 0;
    for (let position = 0; ; ) {
      const r = await this.gateway.client.json<{
        AcsEvent?: { responseStatusStrg?: string; numOfMatches?: number; InfoList?: unknown[] };
      }>("POST", "/ISAPI/AccessControl/AcsEvent", {
        AcsEventCond: {
          searchID,
          searchResultPosition: position,
          maxResults: 30,
          major: 0,
          minor: 0,
          beginSerialNo: from,
          endSerialNo: to,
        },
      });
      const list = r?.AcsEvent?.InfoList ?? [];
      const events = list.map(fromAcsEventSearch).filter((e): e is TerminalEvent => e !== undefined);
      if (events.length > 0) taken += await this.take(events);
      if (r?.AcsEvent?.responseStatusStrg !== "MORE" || list.length === 0) break;
      position += r.AcsEvent.numOfMatches ?? list.length;
    }
    return taken;
  }

  /** Interprets and records events; passages already taken in (by serial number) are dropped. */
  private async take(events: TerminalEvent[]): Promise<number> {
    const ctx = { ...this.opts.context, receivedAt: new Date() };
    const passages: Passage[] = [];
    for (const e of events) {
      const m = interpretTerminalEvent(e, ctx);
      if (m.kind === "passage") passages.push(m.passage);
      else if (m.kind === "alarm") {
        const alarm: TerminalAlarm = {
          id: terminalEventId(ctx.site, ctx.terminal, m.serialNo),
          site: ctx.site,
          terminal: ctx.terminal,
          door: { id: `${ctx.terminal}:${m.door}` },
          alarm: m.alarm as TerminalAlarm["alarm"],
          serialNo: m.serialNo,
          occurredAt: m.occurredAt,
          receivedAt: ctx.receivedAt.toISOString(),
        };
        // Alarms found by a search after a reconnect count too: each event once, by its serial number.
        if (await this.store.outbox.recordAlarm(alarm)) this.opts.onAlarm(alarm);
      }
    }
    for (const p of passages) await this.store.replica.attachVisit(p);
    const fresh = await this.store.outbox.recordPassages(passages);
    const top = Math.max(...events.map((e) => e.serialNo));
    const last = Number((await this.store.meta.get(SERIAL_KEY(ctx.terminal))) ?? 0);
    if (top > last) await this.store.meta.set(SERIAL_KEY(ctx.terminal), String(top));
    if (fresh.length > 0) this.opts.onPassages(fresh);
    return fresh.length;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
