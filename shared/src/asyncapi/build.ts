import { stringify } from "yaml";
import { type ZodType, z } from "zod";
import { Ack } from "../schemas/ack.js";
import { AgentReport } from "../schemas/agent-report.js";
import { Command } from "../schemas/command.js";
import { Incident } from "../schemas/incident.js";
import { Occupancy } from "../schemas/occupancy.js";
import { ConsumerPassage, Passage, PassagePicture } from "../schemas/passage.js";
import { ResyncRequest } from "../schemas/resync.js";
import { AgentStatus } from "../schemas/status.js";
import { TerminalAlarm } from "../schemas/terminal-alarm.js";
import { VisitEvent } from "../schemas/visit-event.js";

interface ChannelSpec {
  key: string;
  address: string;
  description: string;
  message: string;
  schema: ZodType;
  /** From the control plane's side: does it send or receive on this channel? */
  action: "send" | "receive";
  retained?: boolean;
  correlation?: string;
}

const siteParam = { site: { description: "Site id (one topic level: lower-case letters, digits, '-')" } };

const channels: ChannelSpec[] = [
  {
    key: "siteCommands",
    address: "gatehouse/v1/sites/{site}/commands",
    description: "Signed commands for one site's agent (QoS 1, never retained).",
    message: "Command",
    schema: Command,
    action: "send",
  },
  {
    key: "siteAcks",
    address: "gatehouse/v1/sites/{site}/acks",
    description: "Command results from the agent (QoS 1).",
    message: "Ack",
    schema: Ack,
    action: "receive",
    correlation: "$message.payload#/commandId",
  },
  {
    key: "sitePassageEvents",
    address: "gatehouse/v1/sites/{site}/events/passage",
    description: "Passages as the agent saw them (QoS 1; deduplicate by id).",
    message: "Passage",
    schema: Passage,
    action: "receive",
  },
  {
    key: "sitePictures",
    address: "gatehouse/v1/sites/{site}/events/picture",
    description:
      "A passage's camera picture, fetched from HikCentral after the passage was sent (QoS 1, best effort; served by `GET /v1/passages/{id}/picture`).",
    message: "PassagePicture",
    schema: PassagePicture,
    action: "receive",
  },
  {
    key: "siteReports",
    address: "gatehouse/v1/sites/{site}/events/report",
    description:
      "What the agent changed in HikCentral without a command: reconciliation repairs (start, sync, hourly, import) and revocations at validUntil while the cloud was away (QoS 1; deduplicate by id).",
    message: "AgentReport",
    schema: AgentReport,
    action: "receive",
  },
  {
    key: "siteAlarms",
    address: "gatehouse/v1/sites/{site}/events/alarm",
    description:
      "Turnstile alarms from the site's terminals (ISAPI mode): tailgating, reverse passage, climbing over... The control plane raises a security incident for each (QoS 1; deduplicate by id).",
    message: "TerminalAlarm",
    schema: TerminalAlarm,
    action: "receive",
  },
  {
    key: "siteStatus",
    address: "gatehouse/v1/sites/{site}/status",
    description: "Retained agent status; the broker publishes state offline as the agent's last will.",
    message: "AgentStatus",
    schema: AgentStatus,
    action: "receive",
    retained: true,
  },
  {
    key: "siteResync",
    address: "gatehouse/v1/sites/{site}/resync",
    description:
      "An agent that saw a gap in command seq asks for the missing commands; the control plane re-sends them on the commands topic (QoS 1).",
    message: "ResyncRequest",
    schema: ResyncRequest,
    action: "receive",
  },
  {
    key: "passages",
    address: "gatehouse/v1/passages/{site}",
    description: "Passages enriched with their visit, for consumers (QoS 1; deduplicate by id).",
    message: "ConsumerPassage",
    schema: ConsumerPassage,
    action: "send",
  },
  {
    key: "agentStatus",
    address: "gatehouse/v1/status/{site}",
    description:
      "The agent's status as the control plane checked it, for consumers (retained). A status that does not parse is never republished; on an external broker consumers may read this topic, not the agent's own.",
    message: "AgentStatus",
    schema: AgentStatus,
    action: "send",
    retained: true,
  },
  {
    key: "occupancy",
    address: "gatehouse/v1/occupancy/{site}",
    description: "Who is inside a site now, republished whenever it changes (retained).",
    message: "Occupancy",
    schema: Occupancy,
    action: "send",
    retained: true,
  },
  {
    key: "visits",
    address: "gatehouse/v1/visits/{site}",
    description: "Visit lifecycle events (new, update, end) with the visit before and after (QoS 1).",
    message: "VisitEvent",
    schema: VisitEvent,
    action: "send",
  },
  {
    key: "incidents",
    address: "gatehouse/v1/incidents/{site}",
    description: "Security incidents at a site, as they are found (QoS 1; deduplicate by id).",
    message: "Incident",
    schema: Incident,
    action: "send",
  },
];

export function buildAsyncApi(version = "1.0.0"): Record<string, unknown> {
  const doc = {
    asyncapi: "3.0.0",
    info: {
      title: "Gatehouse MQTT API",
      version,
      description:
        "Topics between the Gatehouse control plane, site agents and consumers. Generated from the zod " +
        "schemas in shared/ (pnpm asyncapi); do not edit by hand. MQTT 3.1.1: ids, correlation and expiry " +
        "travel in the JSON payload.",
    },
    defaultContentType: "application/json",
    servers: {
      embedded: {
        host: "localhost:1883",
        protocol: "mqtt",
        protocolVersion: "3.1.1",
        description: "The control plane's embedded broker",
      },
    },
    channels: Object.fromEntries(
      channels.map((c) => [
        c.key,
        {
          address: c.address,
          description: c.description,
          parameters: c.address.includes("{site}") ? siteParam : undefined,
          messages: { [c.message]: { $ref: `#/components/messages/${c.message}` } },
          bindings: { mqtt: { bindingVersion: "0.2.0" } },
        },
      ]),
    ),
    operations: Object.fromEntries(
      channels.map((c) => [
        `${c.action}${c.key[0]!.toUpperCase()}${c.key.slice(1)}`,
        {
          action: c.action,
          channel: { $ref: `#/channels/${c.key}` },
          messages: [{ $ref: `#/channels/${c.key}/messages/${c.message}` }],
          bindings: { mqtt: { qos: 1, retain: c.retained ?? false, bindingVersion: "0.2.0" } },
        },
      ]),
    ),
    components: {
      messages: Object.fromEntries(
        channels.map((c) => [
          c.message,
          {
            name: c.message,
            contentType: "application/json",
            payload: z.toJSONSchema(c.schema, { target: "draft-7", io: "input" }),
            correlationId: { location: c.correlation ?? "$message.payload#/id" },
          },
        ]),
      ),
    },
  };
  return JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
}

export function renderAsyncApiYaml(): string {
  return `# Generated by \`pnpm asyncapi\` from shared/src/schemas. Do not edit.\n${stringify(buildAsyncApi(), { lineWidth: 0 })}`;
}
