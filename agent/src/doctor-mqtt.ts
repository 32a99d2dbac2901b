import { readFileSync } from "node:fs";
import { topics } from "@gatehouse/shared";
import { connectAsync } from "mqtt";
import type { AgentConfig } from "./config.js";
import { type Check, fail, pass } from "./doctor-check.js";
import { peerCertificate } from "./doctor-probes.js";

/** The broker's certificate, when the agent connects over TLS: trusted, or why not and what to compare. */
export async function mqttTlsCheck(config: AgentConfig): Promise<Check | undefined> {
  const url = new URL(config.AGENT_MQTT_URL);
  if (url.protocol !== "mqtts:") return undefined;
  const ca = config.AGENT_MQTT_CA_FILE ? readFileSync(config.AGENT_MQTT_CA_FILE, "utf8") : undefined;
  try {
    const { cert, authorized, error } = await peerCertificate(url.hostname, Number(url.port || 8883), ca);
    const subject = cert.subject?.CN ?? "?";
    if (authorized)
      return pass("mqtt-tls", `broker certificate ${subject} is trusted, valid until ${cert.valid_to}`);
    const why =
      error === "CERT_HAS_EXPIRED"
        ? `expired on ${cert.valid_to}`
        : error === "DEPTH_ZERO_SELF_SIGNED_CERT" || error === "SELF_SIGNED_CERT_IN_CHAIN"
          ? "self-signed, and not in AGENT_MQTT_CA_FILE"
          : error === "ERR_TLS_CERT_ALTNAME_INVALID" || /altname|hostname/i.test(error ?? "")
            ? `issued for another name than ${url.hostname}`
            : `not trusted (${error})`;
    return fail(
      "mqtt-tls",
      `broker certificate ${subject} (sha256 ${cert.fingerprint256}) is ${why}`,
      error === "CERT_HAS_EXPIRED"
        ? "renew the broker's certificate"
        : `put the CA that signed it (or, if self-signed, the certificate itself, after checking this fingerprint on the broker) in AGENT_MQTT_CA_FILE${config.AGENT_MQTT_CA_FILE ? `, not ${config.AGENT_MQTT_CA_FILE}` : ""}`,
    );
  } catch (e) {
    return fail(
      "mqtt-tls",
      `${url.host}: ${(e as Error).message}`,
      "check that the broker serves mqtts on this port",
    );
  }
}

/** A login with the site's credentials, under a doctor client id, and the commands subscription. */
export async function mqttCheck(config: AgentConfig): Promise<Check> {
  try {
    const c = await connectAsync(config.AGENT_MQTT_URL, {
      username: config.AGENT_MQTT_USERNAME,
      password: config.AGENT_MQTT_PASSWORD,
      clientId: `gatehouse-doctor-${config.AGENT_SITE_ID}-${process.pid}`,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      ...(config.AGENT_MQTT_CA_FILE ? { ca: readFileSync(config.AGENT_MQTT_CA_FILE, "utf8") } : {}),
    });
    let granted = 128;
    try {
      granted = (await c.subscribeAsync(topics.commands(config.AGENT_SITE_ID), { qos: 1 }))[0]?.qos ?? 128;
    } catch {
      granted = 128;
    }
    await c.endAsync();
    return granted === 128
      ? fail(
          "mqtt",
          "logged in, but may not subscribe to its commands topic",
          "check the broker ACL for this site's agent",
        )
      : pass(
          "mqtt",
          `logged in to ${config.AGENT_MQTT_URL} and subscribed to ${topics.commands(config.AGENT_SITE_ID)}`,
        );
  } catch (e) {
    const msg = (e as Error).message;
    return fail(
      "mqtt",
      `${config.AGENT_MQTT_URL}: ${msg}`,
      /password|authori/i.test(msg)
        ? "use the credentials `gatehouse site add` printed (AGENT_MQTT_USERNAME, AGENT_MQTT_PASSWORD)"
        : "check AGENT_MQTT_URL and that the broker is reachable",
    );
  }
}
