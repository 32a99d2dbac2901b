import type { RefusedLogins } from "./adapters/isapi/client.js";
import type { AgentConfig } from "./config.js";
import { type Check, pass } from "./doctor-check.js";
import { eventEndpointCheck } from "./doctor-events.js";
import { hikcentralChecks } from "./doctor-hikcentral.js";
import { mqttCheck, mqttTlsCheck } from "./doctor-mqtt.js";
import { terminalChecks } from "./doctor-terminals.js";

export type { Check, CheckStatus } from "./doctor-check.js";

/** Without the agent's database, doctor still makes at most one bad attempt per terminal in this run. */
class ForgetfulLedger implements RefusedLogins {
  private readonly seen = new Set<string>();
  async refused(t: string) {
    return this.seen.has(t);
  }
  async noteRefused(t: string) {
    this.seen.add(t);
  }
}

/** Checks the config's every connection, without printing a secret; each failed check says how to fix it. */
export async function runDoctor(
  config: AgentConfig,
  eventToken?: string,
  refusedLogins?: RefusedLogins,
): Promise<Check[]> {
  return [
    pass("config", `site ${config.AGENT_SITE_ID}, time zone ${config.AGENT_TIME_ZONE}`),
    // HikCentral's checks stop at the first failure that makes the rest meaningless; the others still run.
    ...(await hikcentralChecks(config)),
    ...(await terminalChecks(config, refusedLogins ?? new ForgetfulLedger())),
    await eventEndpointCheck(config, eventToken),
    ...[await mqttTlsCheck(config)].filter((c): c is Check => c !== undefined),
    await mqttCheck(config),
  ];
}
