import type { Passage } from "@gatehouse/shared";
import type { Logger } from "pino";
import type { AgentStore } from "../adapters/db/agent-store.js";
import type { OutboxRow } from "../adapters/db/outbox-store.js";
import { EventNotify, PushedEvent } from "../adapters/hikcentral/schemas.js";
import { type HikAccessEvent, interpretAccessEvent, type PassageContext } from "../domain/passage.js";
import type { AgentMetrics } from "../metrics.js";

export function fromPush(e: PushedEvent): HikAccessEvent {
  return {
    eventId: e.eventId,
    eventType: e.eventType,
    doorIndexCode:
      e.srcIndex ?? (e.data.ExtEventDoorID !== undefined ? String(e.data.ExtEventDoorID) : undefined),
    doorName: e.srcName,
    happenTime: e.happenTime,
    personId: e.data.ExtEventPersonNo || undefined,
    personCode: e.data.personCode || undefined,
    inAndOut: e.data.ExtEventInOut,
    pictureUri: e.data.ExtEventPictureURL || undefined,
  };
}

/**
 * Takes HikCentral's `OnEventNotify` pushes in: each access event becomes a passage, deduplicated by its
 * HikCentral identity and queued in the outbox before the push is answered.
 */
export class EventIntake {
  lastEventAt: Date | undefined;

  constructor(
    private readonly store: AgentStore,
    private readonly log: Logger,
    private readonly metrics: AgentMetrics,
    private readonly ctx: Omit<PassageContext, "receivedAt">,
    private readonly onQueued: (fresh: Passage[]) => void,
    /** New passages' outbox rows as soon as they are written (before their commit is durable). */
    private readonly onWritten?: (rows: OutboxRow[], durable: Promise<void>) => void,
  ) {}

  /** Returns how many passages were new; throws only when storing failed (HikCentral should push again). */
  async handlePush(body: unknown): Promise<{ accepted: number; ignored: number }> {
    const envelope = EventNotify.safeParse(body);
    if (!envelope.success) {
      this.log.warn(
        { issues: envelope.error.issues.slice(0, 3) },
        "ignored a push that is not OnEventNotify",
      );
      return { accepted: 0, ignored: 0 };
    }
    const receivedAt = new Date();
    const passages: Passage[] = [];
    let ignored = 0;
    for (const raw of envelope.data.params.events) {
      const e = PushedEvent.safeParse(raw);
      if (!e.success) {
        ignored++;
        this.log.warn({ issues: e.error.issues.slice(0, 3) }, "ignored a malformed access event");
        continue;
      }
      try {
        const p = interpretAccessEvent(fromPush(e.data), { ...this.ctx, receivedAt });
        if (p) passages.push(p);
        else ignored++;
      } catch (err) {
        ignored++;
        this.log.warn(
          { eventId: e.data.eventId, err: (err as Error).message },
          "ignored an unreadable access event",
        );
      }
    }
    for (const p of passages) await this.store.replica.attachVisit(p);
    const fresh = await this.store.outbox.recordPassages(passages, this.onWritten);
    this.metrics.duplicatePassages.inc(passages.length - fresh.length);
    for (const p of fresh) {
      this.metrics.passages.inc({ result: p.result });
      this.metrics.doorEvents.inc({ event_type: p.direction });
    }
    if (fresh.length > 0) {
      this.lastEventAt = receivedAt;
      this.onQueued(fresh);
      this.log.debug({ count: fresh.length }, "passages queued");
    }
    return { accepted: fresh.length, ignored };
  }
}
