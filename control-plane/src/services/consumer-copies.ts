import type { Logger } from "pino";
import type { IntakeRepo } from "../adapters/db/intake-repo.js";

/** Passages cleared in one statement at most (SQLite's bound parameters). */
const CHUNK = 500;

/**
 * Records that passages' consumer copies reached the broker, many in one write: at a thousand passages a
 * second, one write each would double the intake's commits. A record lost to a crash only means the copy is
 * published again if the passage comes in again (consumers take each passage by its id).
 */
export class ConsumerCopies {
  private sent: string[] = [];
  private scheduled = false;

  constructor(
    private readonly intake: Pick<IntakeRepo, "consumerCopiesSent">,
    private readonly log: Logger,
  ) {}

  published(passageId: string): void {
    this.sent.push(passageId);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const ids = this.sent.splice(0);
    for (let i = 0; i < ids.length; i += CHUNK)
      this.intake
        .consumerCopiesSent(ids.slice(i, i + CHUNK))
        .catch((e: Error) => this.log.warn({ err: e.message }, "recording published consumer copies failed"));
  }
}
