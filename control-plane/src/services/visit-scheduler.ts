import { randomUUID } from "node:crypto";
import { SerialLoop } from "@gatehouse/shared";
import type { Database } from "@gatehouse/shared/db";
import type { Logger } from "pino";
import { SYSTEM } from "../adapters/db/audit.js";
import { guestsInside, type IncidentsRepo } from "../adapters/db/incidents-repo.js";
import type { PicturesRepo } from "../adapters/db/pictures-repo.js";
import type { VisitQueries } from "../adapters/db/visit-queries.js";
import { ERASE_BATCH, type VisitWrites } from "../adapters/db/visit-writes.js";
import { overstay } from "../domain/incidents.js";
import type { GroupEventService } from "./group-events.js";
import type { LiveEvents } from "./live-events.js";
import { FieldError, type VisitService } from "./visits.js";

export interface SchedulerDeps {
  db: Database;
  visits: VisitQueries;
  visitWrites: VisitWrites;
  service: VisitService;
  groupEvents: GroupEventService;
  incidents: IncidentsRepo;
  live: LiveEvents;
  log: Logger;
  /** A new email is queued (an incident, an organiser's notice). */
  onMailQueued: () => void;
  /** Passage pictures are deleted after the same retention period. */
  pictures: PicturesRepo;
}

/**
 * The control plane's timed work: closes visits whose time is over (queuing their revoke), activates
 * scheduled ones, closes group events past their registration deadline, raises overstays, and erases
 * guests' personal data past the retention period. Every step re-checks its row under the write lock or is
 * keyed so that it happens once, so running it again, on several instances at once, or while a person acts
 * on the same visit, changes nothing twice.
 */
export class VisitScheduler {
  private readonly loop: SerialLoop;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: SchedulerDeps,
    private readonly intervalMs: number,
    /** Guests' personal data is erased this long after their visit closed. */
    private readonly retentionMs: number,
  ) {
    this.loop = new SerialLoop(
      async () => {
        await this.tick();
      },
      (e) => deps.log.error({ err: e.message }, "visit scheduler pass failed"),
    );
  }

  start(): void {
    this.loop.resume();
    this.loop.wake();
    this.timer = setInterval(() => this.loop.wake(), this.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.loop.stop();
  }

  /** One pass; returns how many visits it closed. */
  async tick(now = new Date()): Promise<number> {
    const { visits, service, log } = this.deps;
    const due = await visits.due(now.toISOString());
    let closed = 0;
    for (const id of due.ended) {
      try {
        await service.act(id, "expire", SYSTEM.scheduler, now);
        closed++;
        log.info({ visitId: id }, "visit expired; revoke queued");
      } catch (e) {
        if (!(e instanceof FieldError && e.status === 409)) throw e; // closed meanwhile: nothing to do
      }
    }
    for (const id of due.started) await service.activate(id, SYSTEM.scheduler, now);
    const events = await this.deps.groupEvents.closeDue(SYSTEM.scheduler, now);
    if (events > 0) log.info({ events }, "closed group events at their registration deadline");
    await this.raiseOverstays(now);
    const cutoff = new Date(now.getTime() - this.retentionMs).toISOString();
    let erased = 0;
    for (let batch = ERASE_BATCH; batch === ERASE_BATCH; ) {
      batch = (await this.deps.visitWrites.erasePersonalData(cutoff, now.toISOString())).length;
      erased += batch;
    }
    if (erased > 0) log.info({ visits: erased }, "erased guests' personal data past retention");
    const pictures = await this.deps.pictures.prune(cutoff);
    if (pictures > 0) log.info({ pictures }, "deleted passage pictures past retention");
    return closed;
  }

  private async raiseOverstays(now: Date): Promise<void> {
    let raised = 0;
    for (const g of await guestsInside(this.deps.db)) {
      const f = overstay({ guestName: g.guestName, inside: true, since: g.since }, g.maxStayMinutes, now);
      if (!f) continue;
      const incident = {
        id: randomUUID(),
        site: g.site,
        type: f.type,
        severity: f.severity,
        visitId: g.visitId,
        passageId: null,
        guestName: g.guestName,
        doorName: null,
        occurredAt: now.toISOString(),
        detectedAt: now.toISOString(),
        params: f.params,
        message: f.message,
      };
      // One per stay: the entry that started it is part of the key.
      if (await this.deps.incidents.raise(incident, `overstay:${g.visitId}:${g.since}`, g)) {
        this.deps.live.emit({ type: "incident", site: g.site, data: incident });
        raised++;
      }
    }
    if (raised > 0) this.deps.onMailQueued();
  }
}
