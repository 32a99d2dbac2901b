import { randomUUID } from "node:crypto";
import type { DriftRepair } from "@gatehouse/shared";
import type { Logger } from "pino";
import type { AgentStore } from "../adapters/db/agent-store.js";
import type { AgentMetrics } from "../metrics.js";
import type { Executor } from "./access-executor.js";
import type { Lanes } from "./lanes.js";

/**
 * Revokes each granted person at its visit's validUntil, whether or not the control plane is reachable, and
 * reports each one (the report waits in the outbox while the cloud is away). A revoke command that follows finds
 * nothing left to do; a validity command that extends the visit gives the access levels back.
 */
export class ExpiryWatch {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;
  private wakeAt = Number.POSITIVE_INFINITY;

  constructor(
    private readonly store: AgentStore,
    private readonly executor: Executor,
    private readonly lanes: Lanes,
    private readonly log: Logger,
    private readonly metrics: AgentMetrics,
    private readonly opts: { site: string; onQueued: () => void; maxSleepMs: number },
  ) {}

  start(): void {
    this.schedule(0);
  }

  /** A grant or validity command set this validUntil: wake for it if it comes before the planned wake-up. */
  notice(validUntil: string): void {
    const at = Date.parse(validUntil);
    if (this.running || !(at < this.wakeAt)) return;
    this.schedule(Math.max(0, at - Date.now()));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.wakeAt = Date.now() + ms;
    this.timer = setTimeout(() => {
      this.running = this.pass()
        .catch((e: Error) => {
          this.log.warn({ err: e.message }, "expiring visits failed; will try again");
          return 5000;
        })
        .then((next) => {
          this.running = undefined;
          this.schedule(next);
        });
    }, ms);
  }

  /** Revokes what is due; returns how long to sleep. */
  private async pass(): Promise<number> {
    const changes: DriftRepair[] = [];
    let failed = false;
    for (;;) {
      const due = await this.store.replica.dueExpiries(new Date(), 50);
      if (due.length === 0 || this.stopped) break;
      const results = await Promise.allSettled(
        due.map((p) =>
          this.lanes.run(`person:${p.personCode}`, async (): Promise<DriftRepair | undefined> => {
            // Looked at again in the lane: a command may have changed it while this waited.
            const now = await this.store.replica.get(p.personCode);
            if (now?.desired.state !== "granted" || Date.parse(now.desired.validUntil ?? "") > Date.now())
              return undefined;
            try {
              const r = await this.executor.expire(now);
              const change: DriftRepair = {
                action: "revoked",
                personCode: now.personCode,
                visitId: now.visitId,
                detail: `validUntil ${now.desired.validUntil} passed; removed from its access levels`,
              };
              const at = new Date().toISOString();
              // The report goes in the same batch as the state: a crash cannot leave one without the other.
              await this.store.replica.update(
                {
                  personCode: now.personCode,
                  visitId: now.visitId,
                  personId: r.personId,
                  desired: { state: "expired" },
                },
                {
                  report: this.store.outbox.reportStatement({
                    id: randomUUID(),
                    site: this.opts.site,
                    trigger: "expiry",
                    startedAt: at,
                    finishedAt: at,
                    checked: 1,
                    changes: [change],
                    truncated: 0,
                  }),
                },
              );
              return change;
            } catch (e) {
              this.log.warn(
                { personCode: now.personCode, err: (e as Error).message },
                "could not expire a visit; will retry",
              );
              throw e;
            }
          }),
        ),
      );
      let progressed = false;
      for (const r of results)
        if (r.status === "fulfilled" && r.value) {
          changes.push(r.value);
          progressed = true;
        }
      if (results.some((r) => r.status === "rejected")) {
        failed = true;
        break;
      }
      if (!progressed || changes.length >= 500) break;
    }
    if (changes.length > 0) {
      for (const c of changes) this.metrics.repairs.inc({ trigger: "expiry", action: c.action });
      this.opts.onQueued();
      this.log.info({ count: changes.length }, "revoked visits at their validUntil");
    }
    if (failed) return 5000;
    const next = await this.store.replica.nextExpiry();
    const wait = next ? next.getTime() - Date.now() : this.opts.maxSleepMs;
    return Math.max(50, Math.min(this.opts.maxSleepMs, wait));
  }
}
