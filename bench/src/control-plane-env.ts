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
