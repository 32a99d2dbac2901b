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
  /** After an outage, or a subscription HikCentral had forgotten, the next search reaches back the full overlap. */
  private fullNext = true;
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

  /** Runs a pass now (after an outage, or on request), reaching back the full overlap. */
  wake(): void {
    this.fullNext = true;
    this.loop.wake();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.loop.stop();
  }

  private async pass(): Promise<void> {
    if (await this.ensureSubscribed()) this.fullNext = true;
    const full = this.fullNext;
    this.fullNext = false;
    try {
      await this.gaps.pass(new Date(), () => this.loop.isStopped, full);
    } catch (e) {
      this.fullNext ||= full;
      throw e;
    }
    this.lastError = undefined;
  }

  /** True when the subscription had to be made again: pushes may have been missed meanwhile. */
  private async ensureSubscribed(): Promise<boolean> {
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
    return !present;
  }

  private setSubscribed(now: boolean): void {
    if (now === this.subscribed) return;
    this.subscribed = now;
    this.opts.onSubscribedChange?.(now);
  }
}
