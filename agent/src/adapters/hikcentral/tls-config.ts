import { readFileSync } from "node:fs";
import type { AgentConfig } from "../../config.js";
import type { HikTlsOptions } from "./tls.js";

/** The TLS trust the config asks for, with the CA file read. */
export function hikTlsFromConfig(config: AgentConfig): HikTlsOptions {
  return {
    ...(config.AGENT_HIKCENTRAL_CA_FILE ? { ca: readFileSync(config.AGENT_HIKCENTRAL_CA_FILE, "utf8") } : {}),
    ...(config.AGENT_HIKCENTRAL_FINGERPRINT ? { fingerprint256: config.AGENT_HIKCENTRAL_FINGERPRINT } : {}),
    ...(config.AGENT_HIKCENTRAL_TLS_INSECURE_SKIP_VERIFY_UNSAFE ? { insecureSkipVerify: true } : {}),
  };
}
