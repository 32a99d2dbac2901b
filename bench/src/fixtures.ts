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

/** A passage as the agent sends it (granted, face, entry) with `over` on top. */
export function benchPassage(site: string, sourceEventId: string, over: Record<string, unknown> = {}) {
  const now = new Date().toISOString();
  return {
    id: `${site}:hikcentral:${sourceEventId}`,
    site,
    source: "hikcentral",
    sourceEventId,
    occurredAt: now,
    receivedAt: now,
    door: { id: "1", name: "Turnstile Entry" },
    direction: "entry",
    result: "granted",
    verifyMode: "face",
    eventType: 196893,
    ...over,
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
