import type {
  Ack,
  AgentReport,
  AgentStatus,
  AgentTopic,
  Command,
  Passage,
  PassagePicture,
  ResyncRequest,
  TerminalAlarm,
} from "@gatehouse/shared";
import type { Logger } from "pino";
import type { ZodType } from "zod";
import type { ControlPlaneMetrics } from "../../metrics.js";
import type { LiveEvents } from "../live-events.js";

/** The message each agent topic carries: the MQTT contract as one typed map. */
export interface AgentMessages {
  acks: Ack;
  "events/passage": Passage;
  "events/report": AgentReport;
  "events/alarm": TerminalAlarm;
  "events/picture": PassagePicture;
  status: AgentStatus;
  resync: ResyncRequest;
}

/** How one topic's messages are read and committed. */
export interface TopicHandler<T extends { site: string }> {
  schema: ZodType<T>;
  /**
   * Commits a valid message of the agent's own site; it is acknowledged only after this resolves. Answers
   * whether subscribers may see it (false: it is neither forwarded nor retained).
   */
  handle(site: string, message: T): Promise<boolean>;
}

/** One handler per agent topic: a topic added to AGENT_TOPICS without one does not compile. */
export type AgentTopicHandlers = { [T in AgentTopic]: TopicHandler<AgentMessages[T]> };

/** What committing an agent's message may set going, named after what each does. */
export interface IntakeEffects {
  /** Publishes for consumers (on whichever broker the control plane uses). */
  publish(topic: string, payload: string, retain?: boolean): Promise<void>;
  /** Emails were queued (to a host, or to the security contact): the notifier sends them now. */
  wakeNotifier(): void;
  /** An agent came online: every command it has not confirmed goes to it again. */
  resendPending(site: string): void;
  /** Someone may have come in or gone out at this site: the muster list is published again. */
  occupancyChanged(site: string): void;
  /** A command the intake caused (a revoke at first exit), stored already, to send. */
  sendCommand(command: Command): void;
  /** The agent saw a gap in command seq and asks for these again. */
  resendRange(site: string, fromSeq: number, toSeq: number | undefined): Promise<number>;
  /** The agent reports the broker login it uses: a rotated one retires the one before. */
  agentLoginInUse(site: string, username: string): void;
  live: LiveEvents;
}

/** What every handler is built with. */
export interface TopicDeps {
  log: Logger;
  metrics: ControlPlaneMetrics;
  effects: IntakeEffects;
}
