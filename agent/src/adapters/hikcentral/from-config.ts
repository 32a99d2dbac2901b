import { readFileSync } from "node:fs";
import type { AgentConfig } from "../../config.js";
import { HikCentralClient, type HikCentralClientOptions } from "./client.js";
import type { HikTlsOptions } from "./tls.js";

/** The TLS trust the config asks for, with the CA file read. */
export function hikTlsFromConfig(config: AgentConfig): HikTlsOptions {
  return {
    ...(config.AGENT_HIKCENTRAL_CA_FILE ? { ca: readFileSync(config.AGENT_HIKCENTRAL_CA_FILE, "utf8") } : {}),
    ...(config.AGENT_HIKCENTRAL_FINGERPRINT ? { fingerprint256: config.AGENT_HIKCENTRAL_FINGERPRINT } : {}),
    ...(config.AGENT_HIKCENTRAL_TLS_INSECURE_SKIP_VERIFY_UNSAFE ? { insecureSkipVerify: true } : {}),
  };
}

/** The HikCentral client the config describes; `overrides` for what differs by use (retries, metrics). */
export function hikClientFromConfig(
  config: AgentConfig,
  overrides: Pick<HikCentralClientOptions, "retries"> & Partial<HikCentralClientOptions>,
): HikCentralClient {
  if (!config.AGENT_HIKCENTRAL_URL || !config.AGENT_HIKCENTRAL_APP_KEY || !config.AGENT_HIKCENTRAL_APP_SECRET)
    throw new Error("HikCentral is not configured (AGENT_HIKCENTRAL_URL, _APP_KEY, _APP_SECRET)");
  return new HikCentralClient({
    baseUrl: config.AGENT_HIKCENTRAL_URL,
    appKey: config.AGENT_HIKCENTRAL_APP_KEY,
    appSecret: config.AGENT_HIKCENTRAL_APP_SECRET,
    contentMd5: config.AGENT_HIKCENTRAL_CONTENT_MD5,
    timeoutMs: config.AGENT_HIKCENTRAL_TIMEOUT_MS,
    ratePerSecond: config.AGENT_HIKCENTRAL_RATE,
    tls: hikTlsFromConfig(config),
    ...overrides,
  });
}
