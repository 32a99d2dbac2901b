import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import type { GatehouseError } from "@gatehouse/shared";
import { hikClientFromConfig, hikTlsFromConfig } from "./adapters/hikcentral/from-config.js";
import { normaliseFingerprint } from "./adapters/hikcentral/tls.js";
import type { AgentConfig } from "./config.js";
import { type Check, fail, pass, warn } from "./doctor-check.js";
import { peerCertificate, tcpCheck } from "./doctor-probes.js";

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

/**
 * HikCentral, step by step: the address resolves and answers, its certificate is the pinned one, the
 * partner key signs, the clock agrees, the organization exists and each API group the agent uses answers.
 * The steps stop at the first failure that makes the rest meaningless.
 */
export async function hikcentralChecks(config: AgentConfig): Promise<Check[]> {
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
