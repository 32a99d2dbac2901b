import { SerialLoop } from "@gatehouse/shared";
import type { Logger } from "pino";
import type { VisitsRepo } from "../adapters/db/visits-repo.js";
import { FieldError, type VisitService } from "./visits.js";

/**
 * Closes visits whose time is over (queuing their revoke), activates scheduled ones whose time has
 * come, and erases guests' personal data past the retention period. Each step re-checks the visit's state under the write lock, so running it again, or while a person
 * checks the same visit out, changes nothing twice.
 */
export class VisitScheduler {
  private readonly loop: SerialLoop;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly visits: VisitsRepo,
    private readonly service: VisitService,
    private readonly log: Logger,
    private readonly intervalMs: number,
    /** Guests' personal data is erased this long after their visit closed. */
    private readonly retentionMs: number,
  ) {
    this.loop = new SerialLoop(
      async () => {
        await this.tick();
      },
      (e) => log.error({ err: e.message }, "visit scheduler pass failed"),
    );
  }

  start(): void {
    this.loop.wake();
    this.timer = setInterval(() => this.loop.wake(), this.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.loop.stop();
  }

  /** One pass; returns how many visits it closed. */
  async tick(now = new Date()): Promise<number> {
    const due = await this.visits.due(now.toISOString());
    let closed = 0;
    for (const id of due.ended) {
      try {
        await this.service.act(id, "expire", now);
        closed++;
        this.log.info({ visitId: id }, "visit expired; revoke queued");
      } catch (e) {
        if (!(e instanceof FieldError && e.status === 409)) throw e; // closed meanwhile: nothing to do
      }
    }
    for (const id of due.started) await this.service.activate(id, now);
    const cutoff = new Date(now.getTime() - this.retentionMs).toISOString();
    const erased = await this.visits.erasePersonalData(cutoff, now.toISOString());
    if (erased.length > 0)
      this.log.info({ visits: erased.length }, "erased guests' personal data past retention");
    return closed;
  }
}
