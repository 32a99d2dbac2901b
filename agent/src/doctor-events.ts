import type { AgentConfig } from "./config.js";
import { type Check, fail, pass, warn } from "./doctor-check.js";

/** The running agent's event listener answers where HikCentral pushes (from this box, not from HikCentral's). */
export async function eventEndpointCheck(config: AgentConfig, token: string | undefined): Promise<Check> {
  const [h, p] = config.AGENT_EVENT_LISTEN.split(":") as [string, string];
  const base = config.AGENT_EVENT_PUBLIC_URL ?? `http://${h === "0.0.0.0" ? "127.0.0.1" : h}:${p}`;
  if (!token)
    return warn(
      "event-callback",
      "the agent has not run yet, so it has no callback token; run it, then run doctor again",
    );
  try {
    const res = await fetch(`${base.replace(/\/$/, "")}/hikcentral/events/${token}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ method: "OnEventNotify", params: { ability: "event_acs", events: [] } }),
      signal: AbortSignal.timeout(5000),
    });
    return res.ok
      ? pass(
          "event-callback",
          `a test push to ${base} was answered (as HikCentral would reach it: check that HCP can route to this address)`,
        )
      : fail(
          "event-callback",
          `a test push to ${base} got HTTP ${res.status}`,
          "AGENT_EVENT_PUBLIC_URL must reach this agent's AGENT_EVENT_LISTEN",
        );
  } catch (e) {
    return fail(
      "event-callback",
      `nothing answers at ${base} (${(e as Error).message})`,
      "start the agent (doctor tests the running agent's listener) and check AGENT_EVENT_PUBLIC_URL",
    );
  }
}

/** For mqtts: is the broker's certificate trusted, and if not, why and what to pin. */
