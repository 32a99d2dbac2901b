import { AgentReport } from "@gatehouse/shared";
import type { IntakeRepo } from "../../adapters/db/intake-repo.js";
import type { TopicDeps, TopicHandler } from "./topic-handler.js";

/** What an agent changed in HikCentral without a command (reconciliation, expiries): audited once. */
export function reportHandler(d: TopicDeps & { intake: IntakeRepo }): TopicHandler<AgentReport> {
  return {
    schema: AgentReport,
    async handle(site, report) {
      if (!(await d.intake.recordReport(report))) return true;
      for (const c of report.changes)
        d.metrics.agentRepairs.inc({ trigger: report.trigger, action: c.action });
      const level = report.changes.some((c) => c.action === "failed") ? "warn" : "info";
      d.log[level](
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
      d.effects.live.emit({ type: "agent_report", site, data: report });
      return true;
    },
  };
}
