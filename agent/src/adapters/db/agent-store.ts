import type { Database } from "@gatehouse/shared/db";
import { InboxStore } from "./inbox-store.js";
import { MetaStore } from "./meta-store.js";
import { OutboxStore } from "./outbox-store.js";
import { ReplicaStore } from "./replica-store.js";
import { TerminalStore } from "./terminal-store.js";

/**
 * The agent's durable state, one store per table group over the same database: small facts by key (`meta`),
 * commands (`inbox`), what each person should hold (`replica`), what each terminal holds and waits for
 * (`terminals`), and what the control plane has yet to commit (`outbox`). Every change and the messages it
 * causes are written in one batch.
 */
export class AgentStore {
  readonly meta: MetaStore;
  readonly inbox: InboxStore;
  readonly replica: ReplicaStore;
  readonly terminals: TerminalStore;
  readonly outbox: OutboxStore;

  /** The database the stores share (for one-shot tools and tests that read every table). */
  constructor(
    readonly db: Database,
    site: string,
  ) {
    this.meta = new MetaStore(db);
    this.inbox = new InboxStore(db, this.meta);
    this.replica = new ReplicaStore(db);
    this.terminals = new TerminalStore(db);
    this.outbox = new OutboxStore(db, site);
  }

  /** Commands waiting and messages not yet committed by the control plane (metrics, status). */
  async depths(): Promise<{ inbox: number; outbox: number }> {
    return { inbox: await this.inbox.pendingCount(), outbox: await this.outbox.depth() };
  }
}
