import type { AgentStatus, RefusedCommand, SourceHealth } from "@gatehouse/shared";
import type { z } from "zod";
import type { HikCentralHealth } from "./hikcentral-health.js";

type Health = z.infer<typeof SourceHealth>;

/** What the status says about each source of the agent's work. */
export interface StatusSources {
  /** HikCentral's API, when the agent uses it. */
  hikcentral?: HikCentralHealth;
  /** HikCentral's event push, when passages come from it. */
  push?: { subscribed(): boolean; lastEventAt(): Date | undefined };
  /** The terminals' alert streams (ISAPI). */
  terminals?: { sources(): Health[]; healthy(): boolean };
}

export interface StatusReporterOptions {
  site: string;
  version: string;
  /** The MQTT username it logs in with, so the control plane knows when a rotated login is in use. */
  login?: string | undefined;
  depths(): Promise<{ inbox: number; outbox: number }>;
  lastAppliedSeq(): Promise<number>;
  sources: StatusSources;
  link: { readonly connected: boolean; publishStatus(s: AgentStatus): Promise<void> };
  /** How often the status is said again while nothing changes. */
  everyMs: number;
}

/**
 * The agent's retained status: said on every connect (a restarted broker forgets what it did not persist),
 * every `everyMs`, and at once when something worth saying changes (a refused command, HikCentral's push
 * coming or going) — at most once a second however fast changes come.
 */
export class StatusReporter {
  private readonly since = new Date().toISOString();
  private readonly refused: { total: number; last?: RefusedCommand } = { total: 0 };
  private soon: NodeJS.Timeout | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: StatusReporterOptions) {}

  /** HikCentral's event push, once it is built (its changes are said through `changed`). */
  watchPush(push: NonNullable<StatusSources["push"]>): void {
    this.opts.sources.push = push;
  }

  async status(state: "online" | "offline"): Promise<AgentStatus> {
    const { hikcentral, push, terminals } = this.opts.sources;
    const lastEventAt = push?.lastEventAt();
    return {
      site: this.opts.site,
      state,
      since: this.since,
      version: this.opts.version,
      ...(this.opts.login ? { login: this.opts.login } : {}),
      queues: await this.opts.depths(),
      lastAppliedSeq: await this.opts.lastAppliedSeq(),
      refusedCommands: { ...this.refused },
      sources: [
        ...(hikcentral
          ? [
              {
                name: "hikcentral-api",
                state: hikcentral.state,
                ...(hikcentral.error ? { error: hikcentral.error } : {}),
              },
            ]
          : []),
        ...(push
          ? [
              {
                name: "hikcentral-push",
                state: push.subscribed() ? ("up" as const) : ("down" as const),
                ...(lastEventAt ? { lastEventAt: lastEventAt.toISOString() } : {}),
              },
            ]
          : []),
        ...(terminals ? terminals.sources() : []),
      ],
    };
  }

  /** What `/healthz` answers: degraded when the broker, HikCentral, its push or a terminal is away. */
  async health() {
    const { hikcentral, push, terminals } = this.opts.sources;
    const s = await this.status("online");
    const connected = this.opts.link.connected;
    const degraded =
      !connected ||
      hikcentral?.state === "down" ||
      (terminals ? !terminals.healthy() : push ? !push.subscribed() : false);
    return {
      status: degraded ? "degraded" : "ok",
      mqtt: connected ? "connected" : "disconnected",
      ...(hikcentral ? { hikcentral: hikcentral.state } : {}),
      ...(terminals
        ? { terminals: terminals.sources() }
        : { eventSubscription: push?.subscribed() ? "active" : "missing" }),
      queues: s.queues,
      lastAppliedSeq: s.lastAppliedSeq,
    };
  }

  /** A command was refused: counted, and said on the status topic. */
  refusedCommand(r: RefusedCommand): void {
    this.refused.total += 1;
    this.refused.last = r;
    this.changed();
  }

  /** Something worth saying changed: the status goes out within a second. */
  changed(): void {
    this.soon ??= setTimeout(() => {
      this.soon = undefined;
      void this.publish();
    }, 1000);
  }

  /** Says the status now, if connected; a failure waits for the next time. */
  publish(): Promise<void> {
    if (!this.opts.link.connected) return Promise.resolve();
    return this.status("online")
      .then((s) => this.opts.link.publishStatus(s))
      .catch(() => {});
  }

  start(): void {
    this.timer = setInterval(() => void this.publish(), this.opts.everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
    clearTimeout(this.soon);
  }
}
