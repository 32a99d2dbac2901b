import { type Ack, firstIssue, isAgentTopic } from "@gatehouse/shared";
import type { IntakeRepo } from "../adapters/db/intake-repo.js";
import type { PicturesRepo } from "../adapters/db/pictures-repo.js";
import type { SitesRepo } from "../adapters/db/sites-repo.js";
import { ackHandler } from "./agent-topics/acks.js";
import { alarmHandler } from "./agent-topics/alarm.js";
import { passageHandler } from "./agent-topics/passage.js";
import { pictureHandler } from "./agent-topics/picture.js";
import { reportHandler } from "./agent-topics/report.js";
import { resyncHandler } from "./agent-topics/resync.js";
import { statusHandler } from "./agent-topics/status.js";
import type { AgentTopicHandlers, TopicDeps, TopicHandler } from "./agent-topics/topic-handler.js";

export type { IntakeEffects } from "./agent-topics/topic-handler.js";

/**
 * Takes in what agents publish: each topic's message is parsed with its schema, checked to be of the
 * publishing agent's own site, and committed by its handler. Anything else — an unknown topic, not JSON, not
 * the schema, another site's — is logged, counted and dropped: never forwarded, never retained, never a crash.
 */
export class AgentIntake {
  private readonly handlers: AgentTopicHandlers;
  private readonly acks: ReturnType<typeof ackHandler>;
  private readonly passages: ReturnType<typeof passageHandler>;

  constructor(
    private readonly deps: TopicDeps & { intake: IntakeRepo; sites: SitesRepo; pictures: PicturesRepo },
  ) {
    this.acks = ackHandler(deps);
    this.passages = passageHandler(deps);
    this.handlers = {
      acks: this.acks,
      "events/passage": this.passages,
      "events/report": reportHandler(deps),
      "events/alarm": alarmHandler(deps),
      "events/picture": pictureHandler(deps),
      status: statusHandler(deps),
      resync: resyncHandler(deps),
    };
  }

  /** Answers whether subscribers may see the message (it is acknowledged either way). */
  async handle(site: string, topic: string, payload: Buffer): Promise<boolean> {
    if (!isAgentTopic(topic)) return this.dropped(site, topic, "not a topic agents publish on");
    let json: unknown;
    try {
      json = JSON.parse(payload.toString("utf8"));
    } catch {
      return this.dropped(site, topic, "not JSON");
    }
    // Widened once here: each handler's schema and its message type come from the same map entry.
    const handler = this.handlers[topic] as TopicHandler<{ site: string }>;
    const r = handler.schema.safeParse(json);
    if (!r.success) return this.dropped(site, topic, firstIssue(r.error));
    if (r.data.site !== site)
      return this.dropped(site, topic, `site: '${r.data.site}' is not this agent's site`);
    return handler.handle(site, r.data);
  }

  /** Writes what waits to be written (at stop, once no message comes in any more). */
  flush(): Promise<void> {
    return this.passages.flush();
  }

  /** The control plane's own answer to a command it could not send, recorded as an agent's would be. */
  recordAck(ack: Ack): Promise<void> {
    return this.acks.record(ack);
  }

  private dropped(site: string, topic: string, reason: string): false {
    this.deps.metrics.mqttInvalid.inc({ topic: isAgentTopic(topic) ? topic.replace("/", "_") : "unknown" });
    this.deps.log.warn({ site, topic: topic.slice(0, 100), reason }, "dropped an invalid agent message");
    return false;
  }
}
