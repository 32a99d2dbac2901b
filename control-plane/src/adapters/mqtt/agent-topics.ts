/**
 * What an agent publishes that the control plane takes in, under `gatehouse/v1/sites/{site}/`: the one list
 * the embedded broker's hooks, the external broker's shared subscriptions and the Mosquitto ACL are made from.
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
