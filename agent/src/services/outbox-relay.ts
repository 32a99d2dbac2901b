import { SerialLoop, settledWithin } from "@gatehouse/shared";
import type { Logger } from "pino";
import type { OutboxRow, OutboxStore } from "../adapters/db/outbox-store.js";

/** What the relay needs of the outbox: the oldest rows, and deleting those the control plane has. */
export type OutboxPort = Pick<OutboxStore, "take" | "delete">;

import type { AgentLink } from "../adapters/mqtt/agent-link.js";

export interface OutboxRelayOptions {
  /** Rows read and published at once. */
  batchSize: number;
  /** Batches in flight at once: waiting for one batch's acks before reading the next idles both ends. */
  window: number;
  /** Acknowledged rows are deleted together at most this long after their ack, or at `deleteAt` rows. */
  deleteAfterMs: number;
  deleteAt: number;
}

const DEFAULTS: OutboxRelayOptions = { batchSize: 200, window: 4, deleteAfterMs: 200, deleteAt: 2000 };

/**
 * Publishes the outbox oldest first with QoS 1 and deletes a row only after its PUBACK: with the embedded
 * broker the control plane has committed the message by then.
 *
 * Acknowledged rows are deleted in groups, not one transaction per batch: every commit of the agent's
 * database waits for the disk (synchronous=FULL; the sync runs off the event loop, but it takes the disk's
 * time), and at a thousand passages a second one delete per batch doubled those waits. A cursor keeps
 * acknowledged rows that are not deleted yet from being sent again. A crash before their delete sends them again after the restart, as a crash between
 * PUBACK and delete always could; the control plane takes each message once by its id.
 */
export class OutboxRelay {
  private readonly loop: SerialLoop;
  private readonly opts: OutboxRelayOptions;
  /** Rows up to this id have been published (acknowledged, or in flight on the connection). */
  private sentUpTo = 0;
  private acked: number[] = [];
  private deleteTimer: NodeJS.Timeout | undefined;
  private deleting: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Rows sent before their commit was durable (`sendEarly`), until deleted: the passes skip them. */
  private readonly early = new Set<number>();
  /** A pass found nothing left to send since the link last failed: nothing older waits in the outbox. */
  private caughtUp = false;
  /** The newest row `sendEarly` left to the passes: rows after it go early only once a pass has taken it. */
  private heldBackUpTo = 0;

  constructor(
    private readonly outbox: OutboxPort,
    private readonly link: AgentLink,
    private readonly log: Logger,
    opts: Partial<OutboxRelayOptions> = {},
  ) {
    this.opts = { ...DEFAULTS, ...opts };
    this.loop = new SerialLoop(
      () => this.drain(),
      (e) => log.warn({ err: e.message }, "outbox relay paused"),
    );
  }

  wake(): void {
    this.loop.wake();
  }

  /**
   * Publishes rows as soon as they are written, while their commit still waits for the disk: a passage
   * reaches the control plane in the broker's time, not the fsync's. A row is deleted only once both its
   * PUBACK and its commit are in. A commit that fails leaves no row (what was sent is dropped by id at the
   * control plane, and the event comes again); a publish that fails leaves the row to the next pass. Only
   * when nothing older waits: after a reconnect the backlog goes first, in order, so that an exit does not
   * reach the control plane before the entry queued behind the outage.
   */
  sendEarly(rows: OutboxRow[], durable: Promise<void>): void {
    if (rows.length === 0) return;
    const ids = rows.map((r) => r.id);
    const inOrder = this.caughtUp && this.sentUpTo >= this.heldBackUpTo;
    if (this.stopped || this.loop.isStopped || !this.link.connected || !inOrder) {
      this.caughtUp &&= this.link.connected;
      this.heldBackUpTo = Math.max(this.heldBackUpTo, ids[ids.length - 1]!);
      return;
    }
    for (const id of ids) this.early.add(id);
    // Right after the cursor, with no row between: the cursor moves past them, so the next pass does not read
    // them back only to skip them (at a thousand passages a second, a read of every passage for nothing).
    const last = ids[ids.length - 1]!;
    if (ids[0] === this.sentUpTo + 1 && last - ids[0] === ids.length - 1) this.sentUpTo = last;
    const published = Promise.all(rows.map((r) => this.link.publish(r.topic, r.payload)));
    Promise.all([published, durable]).then(
      () => this.ackedRows(ids),
      () => {
        for (const id of ids) this.early.delete(id);
        // Not acknowledged: the next pass sends them (a cursor past them would skip them), before any new one.
        this.sentUpTo = Math.min(this.sentUpTo, ids[0]! - 1);
        this.caughtUp = false;
        this.wake();
      },
    );
  }

  /**
   * Stops sending; rows acknowledged by then are deleted before it resolves. Waits at most `waitMs` for acks
   * still due: with the broker gone they never come (the rows stay, and go out again after the restart).
   */
  async stop(waitMs = 2000): Promise<void> {
    await settledWithin(this.loop.stop(), waitMs);
    this.stopped = true;
    await this.deleteAcked();
  }

  private async drain(): Promise<void> {
    const inFlight: Promise<void>[] = [];
    let failure: unknown;
    try {
      while (!this.loop.isStopped && this.link.connected) {
        const rows = await this.outbox.take(this.opts.batchSize, this.sentUpTo);
        if (rows.length === 0) {
          this.caughtUp = true;
          break;
        }
        this.sentUpTo = rows[rows.length - 1]!.id;
        const unsent = rows.filter((r) => !this.early.has(r.id));
        // MQTT.js keeps the send order on one connection; all of a batch is in flight at once.
        const acked = Promise.all(unsent.map((r) => this.link.publish(r.topic, r.payload))).then(() =>
          this.ackedRows(unsent.map((r) => r.id)),
        );
        // Observed below, or after the loop even when an earlier batch fails first.
        acked.catch(() => {});
        inFlight.push(acked);
        if (inFlight.length >= this.opts.window) await inFlight.shift();
      }
    } catch (e) {
      failure = e;
    }
    const failed = (await Promise.allSettled(inFlight)).find((r) => r.status === "rejected");
    failure ??= (failed as PromiseRejectedResult | undefined)?.reason;
    if (failure !== undefined) {
      // Everything not deleted goes out again, in order, on the next pass; duplicates are dropped by id.
      this.sentUpTo = 0;
      this.caughtUp = false;
      throw failure;
    }
  }

  private ackedRows(ids: number[]): void {
    // After stop the database may be closed: an ack that comes that late is sent again after the restart.
    if (this.stopped) return;
    this.acked.push(...ids);
    if (this.acked.length >= this.opts.deleteAt) void this.deleteAcked();
    else if (!this.deleteTimer) {
      this.deleteTimer = setTimeout(() => void this.deleteAcked(), this.opts.deleteAfterMs);
      this.deleteTimer.unref();
    }
  }

  private deleteAcked(): Promise<void> {
    clearTimeout(this.deleteTimer);
    this.deleteTimer = undefined;
    const ids = this.acked;
    this.acked = [];
    if (ids.length > 0)
      this.deleting = this.deleting.then(() =>
        this.outbox.delete(ids).then(
          () => {
            for (const id of ids) this.early.delete(id);
          },
          (e: Error) => {
            // Kept for the next delete; until then the cursor keeps them from being sent again.
            this.acked.push(...ids);
            this.log.warn({ err: e.message, rows: ids.length }, "could not delete sent outbox rows");
          },
        ),
      );
    return this.deleting;
  }
}
