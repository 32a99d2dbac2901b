import type { Logger } from "pino";
import type { IntakeRepo } from "../adapters/db/intake-repo.js";

/** Passages cleared in one statement at most (SQLite's bound parameters). */
const CHUNK = 500;
/** How long a record waits for others to share its write, at most (ms). */
const FLUSH_MS = 1000;

/**
 * Records that passages' consumer copies reached the broker, many in one write, at most a second late: one
 * write a passage (or one each event-loop turn, which at a steady thousand a second is nearly the same) would
 * double the intake's commits, each a transaction of its own with its log writes. A record lost to a crash
 * only means the copy is published again if the passage comes in again (consumers take each passage by its
 * id).
 */
export class ConsumerCopies {
  private sent: string[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly intake: Pick<IntakeRepo, "consumerCopiesSent">,
    private readonly log: Logger,
  ) {}

  published(passageId: string): void {
    this.sent.push(passageId);
    if (this.sent.length >= CHUNK) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Writes the records waiting now (at stop: a mark left behind only republishes on a redelivery). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const ids = this.sent.splice(0);
    const writes: Promise<void>[] = [];
    for (let i = 0; i < ids.length; i += CHUNK)
      writes.push(
        this.intake
          .consumerCopiesSent(ids.slice(i, i + CHUNK))
          .catch((e: Error) =>
            this.log.warn({ err: e.message }, "recording published consumer copies failed"),
          ),
      );
    return Promise.all(writes).then(() => {});
  }
}
