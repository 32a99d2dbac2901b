import {
  Ack,
  AgentReport,
  AgentStatus,
  type Command,
  type ConsumerPassage,
  firstIssue,
  Passage,
  PassagePicture,
  ResyncRequest,
  TerminalAlarm,
  topics,
} from "@gatehouse/shared";
import type { Logger } from "pino";
import type { ZodError } from "zod";
import type { IntakeRepo } from "../adapters/db/intake-repo.js";
import type { PicturesRepo } from "../adapters/db/pictures-repo.js";
import type { SitesRepo } from "../adapters/db/sites-repo.js";
import type { AgentTopic } from "../adapters/mqtt/agent-topics.js";
import type { ControlPlaneMetrics } from "../metrics.js";
import type { LiveEvents } from "./live-events.js";

export interface IntakeEffects {
  publish(topic: string, payload: string, retain?: boolean): Promise<void>;
  onPassageStored(): void;
  onAgentOnline(site: string): void;
  /** Someone may have come in or gone out at this site. */
  onOccupancyChanged(site: string): void;
  /** A command the intake caused (a revoke at first exit), stored already, to publish. */
  onCommand(command: Command): void;
  /** Incident emails were queued. */
  onMailQueued(): void;
  /** The agent saw a gap in command seq and asks for these again. */
  onResync(site: string, fromSeq: number, toSeq: number | undefined): Promise<number>;
  live: LiveEvents;
}

/** Commits what agents send: acks, passages, status. Invalid payloads are logged, counted and dropped. */
export class AgentIntake {
  constructor(
    private readonly intake: IntakeRepo,
    private readonly sites: SitesRepo,
    private readonly log: Logger,
    private readonly metrics: ControlPlaneMetrics,
    private readonly effects: IntakeEffects,
    private readonly pictures: PicturesRepo,
  ) {}

  async handle(site: string, topic: AgentTopic, payload: Buffer): Promise<boolean> {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString("utf8"));
    } catch {
      return this.invalid(site, topic, "not JSON");
    }
    if (topic === "acks") {
      const r = this.parse(Ack, json, site);
      if ("reason" in r) return this.invalid(site, topic, r.reason);
      await this.recordAck(r.data);
      return true;
    }
    if (topic === "events/passage") {
      const r = this.parse(Passage, json, site);
      if ("reason" in r) return this.invalid(site, topic, r.reason);
      const p = r.data;
      const outcome = await this.intake.recordPassage(p);
      if (outcome.kind === "duplicate") {
        this.metrics.passagesDuplicate.inc();
        return true;
      }
      this.metrics.passages.inc({ result: p.result, direction: p.direction });
      this.metrics.passageLatency.observe(Math.max(0, (Date.now() - Date.parse(p.occurredAt)) / 1000));
      const v = outcome.visit;
      const enriched: ConsumerPassage = {
        ...p,
        ...(v ? { visitId: v.id } : {}),
        visit: v ? { id: v.id, kind: v.kind, guestName: v.guest.name, hostName: v.host.name } : null,
      };
      // Committed already: the republish may fail without losing anything consumers can't re-read by API.
      this.effects
        .publish(topics.passages(site), JSON.stringify(enriched))
        .catch((e: Error) => this.log.warn({ err: e.message }, "republishing a passage failed"));
      this.effects.live.emit({ type: "passage", site, data: enriched });
      if (v && outcome.before) this.effects.live.visitChanged(outcome.before, v, "agent");
      for (const incident of outcome.incidents) {
        this.metrics.incidents.inc({ type: incident.type });
        this.log.warn({ site, type: incident.type, visitId: incident.visitId }, "security incident");
        this.effects.live.emit({ type: "incident", site, data: incident });
      }
      if (outcome.incidents.length > 0) this.effects.onMailQueued();
      if (outcome.notify.length > 0) this.effects.onPassageStored();
      if (v && p.result === "granted") this.effects.onOccupancyChanged(site);
      if (outcome.command) {
        this.metrics.commandsCreated.inc({ type: outcome.command.type });
        this.effects.onCommand(outcome.command);
      }
      return true;
    }
    if (topic === "events/report") {
      const r = this.parse(AgentReport, json, site);
      if ("reason" in r) return this.invalid(site, topic, r.reason);
      const report = r.data;
      if (!(await this.intake.recordReport(report))) return true;
      for (const c of report.changes)
        this.metrics.agentRepairs.inc({ trigger: report.trigger, action: c.action });
      const level = report.changes.some((c) => c.action === "failed") ? "warn" : "info";
      this.log[level](
        {
          site,
          trigger: report.trigger,
          checked: report.checked,
          changes: report.changes.length + report.truncated,
        },
        report.trigger === "expiry"
          ? "agent revoked expired visits on its own"
          : "agent reconciled HikCentral",
      );
      this.effects.live.emit({ type: "agent_report", site, data: report });
      return true;
    }
    if (topic === "events/alarm") {
      const r = this.parse(TerminalAlarm, json, site);
      if ("reason" in r) return this.invalid(site, topic, r.reason);
      const incident = await this.intake.recordAlarm(r.data);
      if (!incident) return true;
      this.metrics.incidents.inc({ type: incident.type });
      this.log.warn({ site, alarm: r.data.alarm, terminal: r.data.terminal }, "security incident");
      this.effects.live.emit({ type: "incident", site, data: incident });
      this.effects.onMailQueued();
      return true;
    }
    if (topic === "events/picture") {
      const r = this.parse(PassagePicture, json, site);
      if ("reason" in r) return this.invalid(site, topic, r.reason);
      // Passage ids begin with their site: one site's agent may not picture another site's passages.
      if (!r.data.passageId.startsWith(`${site}:`))
        return this.invalid(site, topic, `passageId: '${r.data.passageId}' is not a passage of this site`);
      // A picture is stored even before its passage: the two travel separately and either may come first.
      if (await this.pictures.store(r.data)) {
        this.metrics.pictures.inc();
        this.effects.live.emit({ type: "picture", site, data: { passageId: r.data.passageId, site } });
      }
      return true;
    }
    if (topic === "resync") {
      const r = this.parse(ResyncRequest, json, site);
      if ("reason" in r) return this.invalid(site, topic, r.reason);
      const { fromSeq, toSeq } = r.data;
      // Not before the PUBACK: re-sending a thousand commands must not hold up the agent's connection, and a
      // request lost to a crash here is asked again by the agent, which still sees its gap.
      void this.effects
        .onResync(site, fromSeq, toSeq)
        .then((count) => this.log.info({ site, fromSeq, toSeq, count }, "agent asked for commands again"))
        .catch((e: Error) => this.log.warn({ site, err: e.message }, "re-sending commands failed"));
      return true;
    }
    const r = this.parse(AgentStatus, json, site);
    if ("reason" in r) return this.invalid(site, topic, r.reason);
    await this.sites.recordStatus(site, r.data);
    // Consumers read the checked copy: on an external broker the agent's own topic holds whatever was sent.
    this.effects
      .publish(topics.agentStatus(site), JSON.stringify(r.data), true)
      .catch((e: Error) => this.log.warn({ err: e.message }, "republishing an agent status failed"));
    this.effects.live.emit({ type: "agent_status", site, data: r.data });
    if (r.data.state === "online") this.effects.onAgentOnline(site);
    return true;
  }

  /** An agent's answer to a command (or the control plane's own, for a command it could not send). */
  async recordAck(ack: Ack): Promise<void> {
    const outcome = await this.intake.recordAck(ack);
    if (outcome.kind === "updated") {
      this.metrics.commandAcks.inc({ type: outcome.commandType, status: outcome.status });
      if (outcome.status !== "received")
        this.metrics.commandLatency.observe(
          { type: outcome.commandType, status: outcome.status },
          Math.max(0, (Date.now() - Date.parse(outcome.createdAt)) / 1000),
        );
      if (outcome.visit) this.effects.live.visitChanged(outcome.visit.before, outcome.visit.after, "agent");
      this.log.info(
        { commandId: ack.commandId, status: outcome.status, visitId: outcome.visitId },
        "command ack",
      );
    } else if (outcome.kind === "unknown_command") {
      this.log.warn({ commandId: ack.commandId, site: ack.site }, "ack for an unknown command");
    }
  }

  /** The message if it is valid and for this agent's site, else why not. */
  private parse<T extends { site: string }>(
    schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: ZodError } },
    json: unknown,
    site: string,
  ): { data: T } | { reason: string } {
    const r = schema.safeParse(json);
    if (!r.success) return { reason: firstIssue(r.error) };
    if (r.data.site !== site) return { reason: `site: '${r.data.site}' is not this agent's site` };
    return { data: r.data };
  }

  /** Logged, counted and dropped: not forwarded to subscribers, and never retained. */
  private invalid(site: string, topic: string, reason: string): false {
    this.metrics.mqttInvalid.inc({ topic: topic.replace("/", "_") });
    this.log.warn({ site, topic, reason }, "dropped an invalid agent message");
    return false;
  }
}
