import { SerialLoop } from "@gatehouse/shared";
import type { Logger } from "pino";
import type { AgentStore } from "../adapters/db/agent-store.js";
import type { AgentLink } from "../adapters/mqtt/agent-link.js";

/**
 * Publishes the outbox oldest first with QoS 1 and deletes a row only after its PUBACK: with the embedded
 * broker the control plane has committed the message by then.
 */
export class OutboxRelay {
  private readonly loop: SerialLoop;

  constructor(
    private readonly store: AgentStore,
    private readonly link: AgentLink,
    log: Logger,
    private readonly batchSize = 200,
  ) {
    this.loop = new SerialLoop(
      () => this.drain(),
      (e) => log.warn({ err: e.message }, "outbox relay paused"),
    );
  }

  wake(): void {
    this.loop.wake();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  private async drain(): Promise<void> {
    while (!this.loop.isStopped && this.link.connected) {
      const rows = await this.store.takeOutbox(this.batchSize);
      if (rows.length === 0) return;
      // MQTT.js keeps the send order on one connection; all of a batch is in flight at once.
      await Promise.all(rows.map((r) => this.link.publish(r.topic, r.payload)));
      await this.store.deleteOutbox(rows.map((r) => r.id));
    }
  }
}
