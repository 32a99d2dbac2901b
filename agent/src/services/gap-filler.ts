import { formatInZone, GatehouseError, type Passage } from "@gatehouse/shared";
import type { Logger } from "pino";
import type { AgentStore } from "../adapters/db/agent-store.js";
import type { HikCentralClient } from "../adapters/hikcentral/client.js";
import type { DoorEventRecord } from "../adapters/hikcentral/schemas.js";
import { SUBSCRIBED_EVENT_TYPES } from "../domain/access-events.js";
import {
  type HikAccessEvent,
  interpretAccessEvent,
  type PassageContext,
  passageId,
} from "../domain/passage.js";

export interface GapFillerOptions {
  ctx: Omit<PassageContext, "receivedAt">;
  /** Events are searched from the cursor minus this, since terminals upload buffered events late. */
  overlapMs: number;
  /**
   * Between full passes, a search reaches back only this far before the cursor: at a busy site the full
   * overlap re-reads hundreds of thousands of pushed events every minute, taking the CPU that passages need.
   */
  recentOverlapMs?: number;
  /** How often a pass reaches back the full overlap (the first pass, and one after an outage, always do). */
  fullEveryMs?: number;
  /** How far back the first search ever goes. */
  firstLookbackMs: number;
  pageSize: number;
  onQueued: (fresh: Passage[]) => void;
}

const CURSOR = "door_events_cursor";
const MODE = "door_events_mode";
const MAX_WINDOW_MS = 31 * 86_400_000; // HCP refuses a wider search

export function fromDoorEvent(e: DoorEventRecord): HikAccessEvent {
  return {
    eventId: e.eventId,
    eventType: e.eventType,
    doorIndexCode: e.doorIndexCode,
    doorName: e.doorName,
    happenTime: e.eventTime,
    personId: e.personId || undefined,
    personCode: undefined,
    inAndOut: e.inAndOutType,
    pictureUri: e.picUri || undefined,
  };
}

/**
 * Fills what pushes missed (agent down, callback unreachable, pushes dropped) from HikCentral's access
 * records, from a stored cursor. A passage found here has the same id as when pushed, so it is one passage.
 */
export class GapFiller {
  private lastFullAt: number | undefined;

  constructor(
    private readonly hik: HikCentralClient,
    private readonly store: AgentStore,
    private readonly log: Logger,
    private readonly opts: GapFillerOptions,
  ) {}

  /**
   * One search pass from the cursor to now; returns how many passages were new. `stopped` ends it early
   * between searches, without moving the cursor, so the next pass covers the same window.
   */
  async pass(now = new Date(), stopped: () => boolean = () => false, full = false): Promise<number> {
    const stored = await this.store.meta.get(CURSOR);
    const cursor = stored ? new Date(stored) : new Date(now.getTime() - this.opts.firstLookbackMs);
    const fullPass =
      full ||
      this.lastFullAt === undefined ||
      now.getTime() - this.lastFullAt >= (this.opts.fullEveryMs ?? 0) ||
      this.opts.recentOverlapMs === undefined;
    const overlap = fullPass
      ? this.opts.overlapMs
      : Math.min(this.opts.overlapMs, this.opts.recentOverlapMs ?? this.opts.overlapMs);
    let from = new Date(cursor.getTime() - overlap);
    if (now.getTime() - from.getTime() > MAX_WINDOW_MS) {
      this.log.warn(
        { from: from.toISOString() },
        "access records older than 31 days cannot be searched; skipping them",
      );
      from = new Date(now.getTime() - MAX_WINDOW_MS + 60_000);
    }
    const window = {
      startTime: formatInZone(from, this.opts.ctx.timeZone),
      endTime: formatInZone(now, this.opts.ctx.timeZone),
    };
    let fresh = 0;
    // Some HCP versions require an eventType (or personName) on this search: learn it once, remember it.
    let mode = (await this.store.meta.get(MODE)) ?? "all";
    if (mode === "all") {
      try {
        fresh += await this.search(window, undefined);
      } catch (e) {
        if (!(e instanceof GatehouseError && e.code === "HIKCENTRAL_PARAMETER")) throw e;
        this.log.info("HikCentral wants an eventType on door event searches; searching per event type");
        mode = "per-type";
        await this.store.meta.set(MODE, mode);
      }
    }
    if (mode === "per-type") {
      for (const eventType of SUBSCRIBED_EVENT_TYPES) {
        if (stopped()) return fresh;
        fresh += await this.search(window, eventType);
      }
    }
    await this.store.meta.set(CURSOR, now.toISOString());
    if (fullPass) this.lastFullAt = now.getTime();
    if (fresh > 0) this.log.info({ fresh, from: window.startTime }, "filled passages the pushes missed");
    return fresh;
  }

  private async search(window: { startTime: string; endTime: string }, eventType: number | undefined) {
    let fresh = 0;
    for (let pageNo = 1; ; pageNo++) {
      const page = await this.hik.doorEvents({
        ...window,
        pageNo,
        pageSize: this.opts.pageSize,
        ...(eventType === undefined ? {} : { eventType }),
      });
      const receivedAt = new Date();
      // Most of a search is what pushes brought already: drop those before any per-record work.
      const unseen = await this.store.outbox.unseen(
        page.list.map((r) => passageId(this.opts.ctx.site, r.eventId)),
      );
      const passages: Passage[] = [];
      for (const record of page.list) {
        if (!unseen.has(passageId(this.opts.ctx.site, record.eventId))) continue;
        const p = interpretAccessEvent(fromDoorEvent(record), { ...this.opts.ctx, receivedAt });
        if (!p) continue;
        await this.store.replica.attachVisit(p);
        passages.push(p);
      }
      const added = await this.store.outbox.recordPassages(passages);
      if (added.length > 0) this.opts.onQueued(added);
      fresh += added.length;
      if (page.list.length < this.opts.pageSize || pageNo * this.opts.pageSize >= page.total) return fresh;
    }
  }
}
