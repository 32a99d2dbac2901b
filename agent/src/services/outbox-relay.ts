import type { Logger } from "pino";
import type { AgentStore } from "../adapters/db/agent-store.js";
import type { AgentLink } from "../adapters/mqtt/agent-link.js";

/**
 * Publishes the outbox oldest first with QoS 1 and deletes a row only after its PUBACK: with the embedded
 * broker the control plane has committed the message by then.
 */
export class OutboxRelay {
  private running = false;
  private again = false;
  private stopped = false;
  private current: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: AgentStore,
    private readonly link: AgentLink,
    private readonly log: Logger,
    private readonly batchSize = 200,
  ) {}

  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.current = this.drain()
      .catch((e: Error) => this.log.warn({ err: e.message }, "outbox relay paused"))
      .finally(() => {
        this.running = false;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.current;
  }

  private async drain(): Promise<void> {
    while (!this.stopped && this.link.connected) {
      const rows = await this.store.takeOutbox(this.batchSize);
      if (rows.length === 0) return;
      // MQTT.js keeps the send order on one connection; all of a batch is in flight at once.
      await Promise.all(rows.map((r) => this.link.publish(r.topic, r.payload)));
      await this.store.deleteOutbox(rows.map((r) => r.id));
    }
  }
}
