import { randomBytes } from "node:crypto";
import { join } from "node:path";

/** A control plane of its own for one benchmark: loopback ports picked by the OS, data in `dir`. */
export function benchControlPlane(dir: string): { token: string; env: Record<string, string> } {
  const token = `gh_bench_${randomBytes(18).toString("base64url")}`;
  return {
    token,
    env: {
      GATEHOUSE_DB_URL: `file:${join(dir, "gatehouse.db")}`,
      GATEHOUSE_HTTP_HOST: "127.0.0.1",
      GATEHOUSE_HTTP_PORT: "0",
      GATEHOUSE_MQTT_HOST: "127.0.0.1",
      GATEHOUSE_MQTT_PORT: "0",
      GATEHOUSE_ADMIN_TOKEN: token,
      GATEHOUSE_SIGNING_KEY_FILE: join(dir, "key.pem"),
    },
  };
}

export type BenchApi = (
  method: string,
  path: string,
  body?: unknown,
) => Promise<{ status: number; body: any }>;

/** Authorised JSON calls to a control plane's API at `url`. */
export function benchApi(url: string, token: string): BenchApi {
  return async (method, path, body) => {
    const r = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: r.status, body: (await r.json()) as any };
  };
}

/** Site "bench" created through the API: its agent's credentials and the key that signs its commands. */
export async function benchSite(
  api: BenchApi,
): Promise<{ username: string; password: string; commandPublicKey: string }> {
  const site = await api("POST", "/v1/sites", { id: "bench", name: "Bench", timeZone: "Asia/Almaty" });
  if (site.status !== 201) throw new Error(`site: ${site.status} ${JSON.stringify(site.body)}`);
  return { ...site.body.agentCredentials, commandPublicKey: site.body.commandPublicKey };
}

/** An agent (as a process of its own) of site "bench" on `sim`, its database in `dir`, logging errors only. */
export function benchAgentEnv(
  dir: string,
  sim: { url: string; appKey: string; appSecret: string },
  o: {
    mqttUrl: string;
    username: string;
    password: string;
    commandPublicKey: string;
    http: number;
    events: number;
  },
): Record<string, string> {
  return {
    AGENT_SITE_ID: "bench",
    AGENT_MQTT_URL: o.mqttUrl,
    AGENT_MQTT_USERNAME: o.username,
    AGENT_MQTT_PASSWORD: o.password,
    AGENT_COMMAND_PUBLIC_KEY: o.commandPublicKey,
    AGENT_DB_URL: `file:${join(dir, "agent.db")}`,
    AGENT_HIKCENTRAL_URL: sim.url,
    AGENT_HIKCENTRAL_APP_KEY: sim.appKey,
    AGENT_HIKCENTRAL_APP_SECRET: sim.appSecret,
    AGENT_HIKCENTRAL_ORG: "65",
    AGENT_HIKCENTRAL_RATE: "1000",
    AGENT_TIME_ZONE: "Asia/Almaty",
    AGENT_DOOR_DIRECTIONS: "1:entry,2:exit,3:entry,4:exit",
    AGENT_EVENT_LISTEN: `127.0.0.1:${o.events}`,
    AGENT_HTTP_HOST: "127.0.0.1",
    AGENT_HTTP_PORT: String(o.http),
    AGENT_LOG_LEVEL: "error",
  };
}

/** A guest visit at `site`, valid from a minute ago for an hour. */
export const visitBody = (site: string, i: number) => ({
  site,
  kind: "guest",
  guest: { name: `Bench Guest ${i}` },
  host: { name: "Bench Host" },
  validFrom: new Date(Date.now() - 60_000).toISOString(),
  validUntil: new Date(Date.now() + 3600_000).toISOString(),
});

/** Creates visit `i` at `site` and waits until its access is granted (polled every `pollMs`); gives its body. */
export async function grantedVisit(api: BenchApi, site: string, i = 0, pollMs = 20): Promise<any> {
  const r = await api("POST", "/v1/visits", visitBody(site, i));
  if (r.status !== 201) throw new Error(`visit: ${r.status} ${JSON.stringify(r.body)}`);
  while ((await api("GET", `/v1/visits/${r.body.id}`)).body.access !== "granted")
    await new Promise((res) => setTimeout(res, pollMs));
  return r.body;
}
