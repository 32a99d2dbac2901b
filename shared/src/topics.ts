/** The MQTT contract in one place: every topic Gatehouse uses is built here. */
export const TOPIC_ROOT = "gatehouse/v1";

export const topics = {
  commands: (site: string) => `${TOPIC_ROOT}/sites/${site}/commands`,
  acks: (site: string) => `${TOPIC_ROOT}/sites/${site}/acks`,
  passageEvents: (site: string) => `${TOPIC_ROOT}/sites/${site}/events/passage`,
  reports: (site: string) => `${TOPIC_ROOT}/sites/${site}/events/report`,
  pictures: (site: string) => `${TOPIC_ROOT}/sites/${site}/events/picture`,
  alarms: (site: string) => `${TOPIC_ROOT}/sites/${site}/events/alarm`,
  status: (site: string) => `${TOPIC_ROOT}/sites/${site}/status`,
  resync: (site: string) => `${TOPIC_ROOT}/sites/${site}/resync`,
  bridgeRequest: (site: string, name: string) => `${TOPIC_ROOT}/sites/${site}/bridge/request/${name}`,
  bridgeResponse: (site: string, name: string) => `${TOPIC_ROOT}/sites/${site}/bridge/response/${name}`,
  passages: (site: string) => `${TOPIC_ROOT}/passages/${site}`,
  /** The agent's status as the control plane checked it: what consumers read. */
  agentStatus: (site: string) => `${TOPIC_ROOT}/status/${site}`,
  visits: (site: string) => `${TOPIC_ROOT}/visits/${site}`,
  occupancy: (site: string) => `${TOPIC_ROOT}/occupancy/${site}`,
  incidents: (site: string) => `${TOPIC_ROOT}/incidents/${site}`,
} as const;

/** Splits `gatehouse/v1/sites/{site}/{rest}` so brokers can route and authorize by site. */
export function parseSiteTopic(topic: string): { site: string; rest: string } | null {
  const m = /^gatehouse\/v1\/sites\/([^/]+)\/(.+)$/.exec(topic);
  if (!m) return null;
  return { site: m[1]!, rest: m[2]! };
}

/**
 * What an agent publishes for the control plane to take in, under `gatehouse/v1/sites/{site}/`: the one list
 * the control plane's intake, both brokers' access rules and the Mosquitto ACL are made from.
 */
export const AGENT_TOPICS = [
  "acks",
  "events/passage",
  "events/report",
  "events/alarm",
  "events/picture",
  "status",
  "resync",
] as const;

export type AgentTopic = (typeof AGENT_TOPICS)[number];

export function isAgentTopic(rest: string): rest is AgentTopic {
  return (AGENT_TOPICS as readonly string[]).includes(rest);
}
