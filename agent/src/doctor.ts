import { lookup } from "node:dns/promises";
import { readFileSync } from "node:fs";
import { isIP, Socket } from "node:net";
import { type PeerCertificate, connect as tlsConnect } from "node:tls";
import { type GatehouseError, topics } from "@gatehouse/shared";
import { connectAsync } from "mqtt";
import { hikClientFromConfig, hikTlsFromConfig } from "./adapters/hikcentral/from-config.js";
import { normaliseFingerprint } from "./adapters/hikcentral/tls.js";
import type { RefusedLogins } from "./adapters/isapi/client.js";
import type { AgentConfig } from "./config.js";
import { type Check, fail, pass, warn } from "./doctor-check.js";
import { terminalChecks } from "./doctor-terminals.js";

export type { Check, CheckStatus } from "./doctor-check.js";

/** The API groups the agent needs, each probed with a harmless read. */
const API_GROUPS: Array<{ group: string; path: string; body: unknown }> = [
  { group: "person management", path: "resource/v1/person/personList", body: { pageNo: 1, pageSize: 1 } },
  { group: "organization", path: "resource/v1/org/orgList", body: { pageNo: 1, pageSize: 500 } },
  { group: "access level", path: "acs/v1/privilege/group", body: { pageNo: 1, pageSize: 1, type: 1 } },
  {
    group: "access control doors",
    path: "resource/v1/acsDoor/acsDoorList",
    body: { pageNo: 1, pageSize: 1 },
  },
  { group: "event service", path: "eventService/v1/eventSubscriptionView", body: {} },
];

function tcpCheck(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = new Socket();
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error(`no answer in ${timeoutMs} ms`));
    }, timeoutMs);
    s.once("error", (e) => {
      clearTimeout(t);
      reject(e);
    });
    s.connect(port, host, () => {
      clearTimeout(t);
      s.end();
      resolve();
    });
  });
}

function peerCertificate(host: string, port: number, ca: string | undefined) {
  return new Promise<{ cert: PeerCertificate; authorized: boolean; error: string | undefined }>(
    (resolve, reject) => {
      const s = tlsConnect({
        host,
        port,
        servername: isIP(host) ? undefined : host,
        rejectUnauthorized: false,
        ...(ca ? { ca } : {}),
      });
      s.setTimeout(5000, () => {
        s.destroy();
        reject(new Error("TLS handshake timed out"));
      });
      s.once("secureConnect", () => {
        const cert = s.getPeerCertificate();
        resolve({
          cert,
          authorized: s.authorized,
          error: s.authorizationError ? String(s.authorizationError) : undefined,
        });
        s.end();
      });
      s.once("error", reject);
    },
  );
}

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

async function hikcentralChecks(config: AgentConfig): Promise<Check[]> {
  const checks: Check[] = [];
  if (config.AGENT_MODE === "isapi" || !config.AGENT_HIKCENTRAL_URL) return checks;
  const url = new URL(config.AGENT_HIKCENTRAL_URL);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));

  if (!isIP(host)) {
    try {
      const a = await lookup(host);
      checks.push(pass("dns", `${host} is ${a.address}`));
    } catch (e) {
      checks.push(
        fail(
          "dns",
          `${host} does not resolve (${(e as NodeJS.ErrnoException).code})`,
          "fix AGENT_HIKCENTRAL_URL or this box's DNS",
        ),
      );
      return checks;
    }
  }
  try {
    await tcpCheck(host, port, 5000);
    checks.push(pass("tcp", `${host}:${port} accepts connections`));
  } catch (e) {
    checks.push(
      fail(
        "tcp",
        `${host}:${port}: ${(e as Error).message}`,
        "check the port in AGENT_HIKCENTRAL_URL and any firewall between this box and HikCentral",
      ),
    );
    return checks;
  }

  const tls = hikTlsFromConfig(config);
  if (url.protocol === "https:") {
    try {
      const { cert, authorized, error } = await peerCertificate(host, port, tls.ca);
      const fp = cert.fingerprint256;
      const subject = cert.subject?.CN ?? "?";
      const pinned = tls.fingerprint256
        ? normaliseFingerprint(tls.fingerprint256) === normaliseFingerprint(fp)
        : undefined;
      if (pinned === true)
        checks.push(
          pass("tls", `certificate ${subject} matches the pinned fingerprint, valid until ${cert.valid_to}`),
        );
      else if (pinned === false) {
        checks.push(
          fail(
            "tls",
            `certificate ${subject} has fingerprint ${fp}, not the pinned one`,
            "if HikCentral's certificate was renewed, confirm the new fingerprint on the HCP server and set AGENT_HIKCENTRAL_FINGERPRINT to it",
          ),
        );
        return checks;
      } else if (authorized) {
        checks.push(
          pass("tls", `certificate ${subject} (sha256 ${fp}) is trusted, valid until ${cert.valid_to}`),
        );
      } else if (tls.insecureSkipVerify) {
        checks.push(
          warn(
            "tls",
            `certificate ${subject} is NOT verified (AGENT_HIKCENTRAL_TLS_INSECURE_SKIP_VERIFY_UNSAFE); its fingerprint is ${fp}`,
            `pin it instead: AGENT_HIKCENTRAL_FINGERPRINT=${fp}`,
          ),
        );
      } else {
        checks.push(
          fail(
            "tls",
            `certificate ${subject} is not trusted (${error}); its SHA-256 fingerprint is ${fp}`,
            `compare it with the fingerprint shown on the HCP server, then set AGENT_HIKCENTRAL_FINGERPRINT=${fp} (or put its CA in AGENT_HIKCENTRAL_CA_FILE)`,
          ),
        );
        return checks;
      }
    } catch (e) {
      checks.push(fail("tls", (e as Error).message, "check that HikCentral serves HTTPS on this port"));
      return checks;
    }
  }

  const hik = hikClientFromConfig(config, { retries: 0, tls });
  try {
    try {
      const v = await hik.version();
      checks.push(
        pass(
          "signature",
          `credentials accepted; ${v?.produceName ?? "HikCentral"} ${v?.softVersion ?? ""}`.trim(),
        ),
      );
    } catch (e) {
      const err = e as GatehouseError;
      checks.push(
        fail(
          "signature",
          `${err.code}: ${err.message}`,
          err.code === "HIKCENTRAL_SIGNATURE"
            ? "copy AppKey and AppSecret again from https://<hcp>/artemis-web → Partner Management, and check the clock"
            : "see the message",
        ),
      );
    }
    checks.push(clockCheck(hik.lastServerDate));
    if (checks.some((c) => c.name === "signature" && c.status === "fail")) return checks;

    for (const g of API_GROUPS) {
      try {
        await hik.call(g.path, g.body);
        checks.push(pass(`api:${g.group}`, `${g.path} allowed`));
      } catch (e) {
        const err = e as GatehouseError;
        if (err.code === "HIKCENTRAL_NO_PERMISSION") {
          checks.push(
            fail(
              `api:${g.group}`,
              `${g.path}: no permission (code 17)`,
              `grant the partner the '${g.group}' API group in artemis-web → Partner Management`,
            ),
          );
        } else if (err.code === "HIKCENTRAL_NOT_SUPPORTED") {
          checks.push(
            warn(`api:${g.group}`, `${g.path} is not supported by this HikCentral version (code 8)`),
          );
        } else checks.push(fail(`api:${g.group}`, `${err.code}: ${err.message}`, "see the message"));
      }
    }

    try {
      const orgs = await hik.orgs();
      const org = orgs.find((o) => o.orgIndexCode === config.AGENT_HIKCENTRAL_ORG);
      checks.push(
        org
          ? pass("organization", `persons go to '${org.orgName}' (${org.orgIndexCode})`)
          : fail(
              "organization",
              `HikCentral has no organization ${config.AGENT_HIKCENTRAL_ORG}`,
              `set AGENT_HIKCENTRAL_ORG to one of: ${orgs.map((o) => `${o.orgIndexCode} '${o.orgName}'`).join(", ")}`,
            ),
      );
    } catch {
      /* reported by the API group check */
    }

    try {
      const groups = await hik.privilegeGroups(1);
      const have = groups.map((g) => `'${g.privilegeGroupName}' (${g.privilegeGroupId})`).join(", ");
      const wanted = config.AGENT_ACCESS_LEVELS;
      const missing = wanted.filter(
        (w) =>
          !groups.some(
            (g) => g.privilegeGroupId === w || g.privilegeGroupName.toLowerCase() === w.toLowerCase(),
          ),
      );
      if (missing.length > 0) {
        checks.push(
          fail(
            "access-levels",
            `HikCentral has no access level ${missing.map((m) => `'${m}'`).join(", ")} (it has ${have || "none"})`,
            "create it in HikCentral, or fix AGENT_ACCESS_LEVELS and the site's visit kinds",
          ),
        );
      } else if (groups.length === 0) {
        checks.push(
          warn(
            "access-levels",
            "HikCentral has no access levels for persons",
            "create the ones the site's visit kinds name",
          ),
        );
      } else {
        checks.push(
          pass(
            "access-levels",
            wanted.length > 0
              ? `every configured access level exists; HikCentral has ${have}`
              : `HikCentral has ${have} (set AGENT_ACCESS_LEVELS to have the ones your visit kinds use checked)`,
          ),
        );
      }
    } catch {
      /* reported by the API group check */
    }

    try {
      const doors = await hik.doors();
      const unmapped = doors.filter((d) => !config.AGENT_DOOR_DIRECTIONS[d.doorIndexCode]);
      const list = doors.map((d) => `${d.doorIndexCode} '${d.doorName}'`).join(", ");
      checks.push(
        unmapped.length === 0
          ? pass("doors", `every door has a direction: ${list}`)
          : warn(
              "doors",
              `doors without a direction (the event's in/out flag will be used): ${unmapped.map((d) => `${d.doorIndexCode} '${d.doorName}'`).join(", ")}`,
              `add them to AGENT_DOOR_DIRECTIONS, e.g. ${unmapped.map((d) => `${d.doorIndexCode}:entry`).join(",")}`,
            ),
      );
    } catch {
      /* reported by the API group check */
    }
  } finally {
    await hik.close();
  }
  return checks;
}

function clockCheck(seen: { server: number; local: number } | undefined): Check {
  if (!seen || Number.isNaN(seen.server))
    return warn("clock", "HikCentral sent no Date header; clock skew not measured");
  // The Date header has whole seconds: a skew under 2 s is noise.
  const skew = Math.round((seen.server - seen.local) / 1000);
  const line = `HikCentral's clock is ${Math.abs(skew)} s ${skew >= 0 ? "ahead of" : "behind"} this box`;
  if (Math.abs(skew) > 300)
    return fail("clock", line, "synchronise both clocks with NTP (signatures carry a timestamp)");
  if (Math.abs(skew) > 30) return warn("clock", line, "synchronise both clocks with NTP");
  return pass("clock", line);
}

async function eventEndpointCheck(config: AgentConfig, token: string | undefined): Promise<Check> {
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
async function mqttTlsCheck(config: AgentConfig): Promise<Check | undefined> {
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

async function mqttCheck(config: AgentConfig): Promise<Check> {
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
