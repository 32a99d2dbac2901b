import { randomUUID } from "node:crypto";
import { createLogger, loadAgentConfig, type RunningAgent, startAgent } from "@gatehouse/agent";
import type { Command } from "@gatehouse/shared";
import type { Simulator } from "@gatehouse/simulator";
import type { Logger } from "pino";
import { eventually } from "./support.js";

/**
 * One agent against a broker and a simulator, without a control plane: for tests that play the control
 * plane themselves (publishing commands, reading acks) on a bare broker.
 */
export async function startStandaloneAgent(o: {
  site: string;
  mqttUrl: string;
  sim: Simulator;
  dir: string;
  commandPublicKey: string;
  timeZone: string;
  /** AGENT_* settings beyond these. */
  env?: Record<string, string>;
  log?: Logger;
}): Promise<RunningAgent> {
  const agent = await startAgent(
    loadAgentConfig({
      AGENT_SITE_ID: o.site,
      AGENT_MQTT_URL: o.mqttUrl,
      AGENT_MQTT_USERNAME: `agent-${o.site}`,
      AGENT_MQTT_PASSWORD: "unused-by-an-anonymous-broker",
      AGENT_COMMAND_PUBLIC_KEY: o.commandPublicKey,
      AGENT_DB_URL: `file:${o.dir}/agent.db`,
      AGENT_HIKCENTRAL_URL: o.sim.url,
      AGENT_HIKCENTRAL_APP_KEY: o.sim.appKey,
      AGENT_HIKCENTRAL_APP_SECRET: o.sim.appSecret,
      AGENT_TIME_ZONE: o.timeZone,
      AGENT_DOOR_DIRECTIONS: "1:entry,2:exit",
      AGENT_EVENT_LISTEN: "127.0.0.1:0",
      AGENT_HTTP_HOST: "127.0.0.1",
      AGENT_HTTP_PORT: "0",
      ...o.env,
    }),
    o.log ?? createLogger("silent", "agent"),
  );
  await eventually(
    async () =>
      ((await (await fetch(`${agent.healthUrl}/healthz`)).json()) as { status: string }).status === "ok",
    10_000,
    "agent healthy",
  );
  return agent;
}

/** An unsigned grant for one guest in the Visitors level, valid for the next hour. */
export const grantCommand = (
  site: string,
  seq: number,
  personCode: string,
  over: Partial<Command> & { visitId?: string; givenName?: string; familyName?: string } = {},
): Command => {
  const { visitId, givenName, familyName, ...envelope } = over;
  return {
    id: randomUUID(),
    site,
    seq,
    type: "grant",
    issuedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 3600_000).toISOString(),
    payload: {
      visitId: visitId ?? `visit-${personCode}`,
      personCode,
      person: { givenName: givenName ?? "Guest", familyName: familyName ?? "Visitor" },
      kind: "guest",
      accessGroups: ["Visitors"],
      validFrom: new Date(Date.now() - 60_000).toISOString(),
      validUntil: new Date(Date.now() + 3600_000).toISOString(),
    },
    ...envelope,
  } as Command;
};

/** An unsigned command of any type for `site`, valid for `ttlMs` (the fake control plane signs it). */
export const commandEnvelope = (
  site: string,
  seq: number,
  type: Command["type"],
  payload: unknown,
  ttlMs = 3600_000,
): Command =>
  ({
    id: randomUUID(),
    site,
    seq,
    type,
    issuedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + ttlMs).toISOString(),
    payload,
  }) as Command;
