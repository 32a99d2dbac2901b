import { randomUUID } from "node:crypto";
import { TerminalAlarm } from "@gatehouse/shared";
import type { IntakeRepo } from "../../adapters/db/intake-repo.js";
import { alarmIncident } from "../../domain/alarm-incident.js";
import type { TopicDeps, TopicHandler } from "./topic-handler.js";

/** A turnstile alarm (ISAPI mode): a security incident and its email, once per alarm. */
export function alarmHandler(d: TopicDeps & { intake: IntakeRepo }): TopicHandler<TerminalAlarm> {
  return {
    schema: TerminalAlarm,
    async handle(site, alarm) {
      const incident = alarmIncident(alarm, new Date(), randomUUID());
      if (!(await d.intake.recordAlarm(alarm, incident))) return true;
      d.metrics.incidents.inc({ type: incident.type });
      d.log.warn({ site, alarm: alarm.alarm, terminal: alarm.terminal }, "security incident");
      d.effects.live.emit({ type: "incident", site, data: incident });
      d.effects.wakeNotifier();
      return true;
    },
  };
}
