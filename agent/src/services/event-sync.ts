import { SerialLoop } from "@gatehouse/shared";
import type { Logger } from "pino";
import type { HikCentralClient } from "../adapters/hikcentral/client.js";
import { SUBSCRIBED_EVENT_TYPES } from "../domain/access-events.js";
import type { GapFiller } from "./gap-filler.js";

export interface EventSyncOptions {
  eventUrl: string;
  token: string;
  intervalMs: number;
  /** Told when the subscription comes or goes, so the agent's status says so at once. */
  onSubscribedChange?: (subscribed: boolean) => void;
}

/**
 * Keeps HikCentral pushing to this agent and fills what the pushes missed: on start, then every interval,
 * it checks the subscription (HCP forgets it across its own restarts) and searches access records from
 * the stored cursor. A failed pass is retried at the next interval.
 */
export class EventSync {
  subscribed = false;
  lastError: string | undefined;
  private readonly loop: SerialLoop;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly hik: HikCentralClient,
    private readonly gaps: GapFiller,
    private readonly log: Logger,
    private readonly opts: EventSyncOptions,
  ) {
    this.loop = new SerialLoop(
      () => this.pass(),
      (e) => {
        this.lastError = e.message;
        log.warn({ err: e.message }, "event sync pass failed; retrying at the next interval");
      },
    );
  }

  start(): void {
    this.loop.wake();
    this.timer = setInterval(() => this.loop.wake(), this.opts.intervalMs);
  }

  /** Runs a pass now (after an outage, or on request). */
  wake(): void {
    this.loop.wake();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.loop.stop();
  }

  private async pass(): Promise<void> {
    await this.ensureSubscribed();
    await this.gaps.pass(new Date(), () => this.loop.isStopped);
    this.lastError = undefined;
  }

  private async ensureSubscribed(): Promise<void> {
    let present = false;
    try {
      const subs = await this.hik.subscriptions();
      const ours = new Set(
        subs.filter((s) => s.eventDest === this.opts.eventUrl).flatMap((s) => s.eventTypes),
      );
      present = SUBSCRIBED_EVENT_TYPES.every((t) => ours.has(t));
    } catch (e) {
      // Some versions lack the view: subscribing again is harmless.
      this.log.debug({ err: (e as Error).message }, "could not read event subscriptions");
    }
    if (!present) {
      try {
        await this.hik.subscribeEvents(SUBSCRIBED_EVENT_TYPES, this.opts.eventUrl, this.opts.token);
      } catch (e) {
        this.setSubscribed(false);
        throw e;
      }
      this.log.info({ eventTypes: SUBSCRIBED_EVENT_TYPES.length }, "subscribed to HikCentral access events");
    }
    this.setSubscribed(true);
  }

  private setSubscribed(now: boolean): void {
    if (now === this.subscribed) return;
    this.subscribed = now;
    this.opts.onSubscribedChange?.(now);
  }
}
