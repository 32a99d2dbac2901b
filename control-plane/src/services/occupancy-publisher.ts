import { type Occupancy, topics } from "@gatehouse/shared";
import type { Logger } from "pino";
import type { VisitQueries } from "../adapters/db/visit-queries.js";

/**
 * Publishes a site's muster list (retained) when it may have changed, at most once per `intervalMs` per
 * site: a burst of passages costs one query and one message, and the last one always reflects the end state.
 */
export class OccupancyPublisher {
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly visits: VisitQueries,
    private readonly publish: (topic: string, payload: string, retain: boolean) => Promise<void>,
    private readonly log: Logger,
    /** Live watchers (the stream) get the same list. */
    private readonly onOccupancy: (o: Occupancy) => void = () => {},
    private readonly intervalMs = 200,
  ) {}

  changed(site: string): void {
    if (this.pending.has(site)) return;
    this.pending.set(
      site,
      setTimeout(() => {
        this.pending.delete(site);
        void this.visits
          .occupancy(site)
          .then(([o]) => {
            if (!o) return;
            this.onOccupancy(o);
            return this.publish(topics.occupancy(site), JSON.stringify(o), true);
          })
          .catch((e: Error) => this.log.warn({ err: e.message, site }, "publishing occupancy failed"));
      }, this.intervalMs),
    );
  }

  stop(): void {
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
  }
}
