import { AgentStatus, topics } from "@gatehouse/shared";
import type { SitesRepo } from "../../adapters/db/sites-repo.js";
import type { TopicDeps, TopicHandler } from "./topic-handler.js";

/** An agent's retained status: recorded for the API, republished checked for consumers. */
export function statusHandler(d: TopicDeps & { sites: SitesRepo }): TopicHandler<AgentStatus> {
  return {
    schema: AgentStatus,
    async handle(site, status) {
      await d.sites.recordStatus(site, status);
      // Consumers read the checked copy: on an external broker the agent's own topic holds whatever was sent.
      d.effects
        .publish(topics.agentStatus(site), JSON.stringify(status), true)
        .catch((e: Error) => d.log.warn({ err: e.message }, "republishing an agent status failed"));
      d.effects.live.emit({ type: "agent_status", site, data: status });
      if (status.state === "online") d.effects.resendPending(site);
      if (status.state === "online" && status.login) d.effects.agentLoginInUse(site, status.login);
      return true;
    },
  };
}
