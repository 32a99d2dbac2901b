import type { ReportTrigger } from "@gatehouse/shared";
import type { Logger } from "pino";
import type { MetaStore } from "../adapters/db/meta-store.js";
import type { Lanes } from "./lanes.js";

/**
 * Reconciliation on its own — at start, every `everyMs`, after an import — alone against the place persons
 * live (no command runs beside it, as for a sync). One at a time; a failed run is tried again a minute later.
 * The same timer runs the housekeeping.
 */
export class ReconcileScheduler {
  private running: Promise<unknown> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(
    private readonly lanes: Lanes,
    private readonly meta: MetaStore,
    private readonly log: Logger,
    private readonly opts: {
      run: (trigger: ReportTrigger) => Promise<unknown>;
      housekeeping: () => Promise<void>;
      everyMs: number;
      retryMs?: number;
    },
  ) {}

  reconcile(trigger: ReportTrigger): Promise<unknown> {
    clearTimeout(this.retry);
    this.running ??= this.lanes
      .runExclusive(() => this.opts.run(trigger))
      // The import's reconciliation is owed until it has run: a crash before then runs it again as such.
      .then(() => (trigger === "import" ? this.meta.delete("imported_at") : undefined))
      .catch((e: Error) => {
        this.log.warn({ trigger, err: e.message }, "reconciliation failed; trying again in a minute");
        if (!this.stopping)
          this.retry = setTimeout(() => void this.reconcile(trigger), this.opts.retryMs ?? 60_000);
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  /** Reconciles now — as an import's when a restored replica waits for one — and then on the timer. */
  async start(): Promise<void> {
    void this.reconcile((await this.meta.get("imported_at")) ? "import" : "start");
    this.timer = setInterval(() => {
      void this.reconcile("schedule");
      void this.opts
        .housekeeping()
        .catch((e: Error) => this.log.warn({ err: e.message }, "housekeeping failed"));
    }, this.opts.everyMs);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    clearTimeout(this.retry);
    await this.running;
  }
}
