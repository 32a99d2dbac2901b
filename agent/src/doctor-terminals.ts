import { readFileSync } from "node:fs";
import { GatehouseError } from "@gatehouse/shared";
import { IsapiClient, type RefusedLogins } from "./adapters/isapi/client.js";
import { TERMINAL_FEATURES, TerminalGateway } from "./adapters/isapi/terminal-gateway.js";
import type { AgentConfig, TerminalConfig } from "./config.js";
import { type Check, fail, pass, warn } from "./doctor-check.js";

/**
 * Per terminal: its password file, its login (at most one bad attempt, never again with credentials it
 * refused before), what it is, its clock against this box, and whether it has the features Gatehouse uses.
 */
export async function terminalChecks(config: AgentConfig, refused: RefusedLogins): Promise<Check[]> {
  const out: Check[] = [];
  for (const t of config.AGENT_TERMINALS)
    out.push(...(await checkTerminal(t, config.AGENT_TIME_ZONE, refused)));
  return out;
}

async function checkTerminal(t: TerminalConfig, timeZone: string, refused: RefusedLogins): Promise<Check[]> {
  const name = (what: string) => `terminal ${t.id} ${what}`;
  let password: string;
  try {
    password = readFileSync(t.passwordFile, "utf8").trim();
  } catch (e) {
    return [
      fail(
        name("login"),
        `cannot read its password file ${t.passwordFile} (${(e as NodeJS.ErrnoException).code ?? "error"})`,
        "put the terminal's password in that file, readable by the agent (LoadCredential)",
      ),
    ];
  }
  const client = new IsapiClient({
    id: t.id,
    baseUrl: t.url,
    credentials: { username: t.username, password },
    ...(t.fingerprint ? { fingerprint256: t.fingerprint } : {}),
    timeoutMs: 5000,
    refusedLogins: refused,
  });
  const gateway = new TerminalGateway(client, timeZone);
  try {
    let info: Awaited<ReturnType<TerminalGateway["deviceInfo"]>>;
    try {
      info = await gateway.deviceInfo();
    } catch (e) {
      return [loginFailure(name("login"), t, e)];
    }
    const checks: Check[] = [
      pass(
        name("login"),
        `${info.model} "${info.deviceName}", firmware ${info.firmwareVersion}, serial ${info.serialNumber}`,
      ),
    ];
    try {
      const { skewMs, terminalTime } = await gateway.clockSkewMs();
      const s = Math.round(skewMs / 1000);
      const line = `its clock (${terminalTime}) is ${Math.abs(s)} s ${s >= 0 ? "ahead of" : "behind"} this box`;
      if (Math.abs(s) > 300)
        checks.push(
          fail(
            name("clock"),
            line,
            "set the terminal to NTP: its validity windows and event times use its clock",
          ),
        );
      else if (Math.abs(s) > 30) checks.push(warn(name("clock"), line, "set the terminal to NTP"));
      else checks.push(pass(name("clock"), line));
    } catch (e) {
      checks.push(warn(name("clock"), `could not read its time: ${(e as Error).message}`));
    }
    try {
      const missing = await gateway.unsupportedFeatures();
      checks.push(
        missing.length === 0
          ? pass(name("features"), TERMINAL_FEATURES.map(([, what]) => what).join(", "))
          : warn(
              name("features"),
              `no ${missing.join(", ")} on this terminal; Gatehouse reports those operations as unsupported`,
              "check the terminal's model and firmware",
            ),
      );
    } catch (e) {
      checks.push(warn(name("features"), `could not read its capabilities: ${(e as Error).message}`));
    }
    return checks;
  } finally {
    await client.close();
  }
}

function loginFailure(check: string, t: TerminalConfig, e: unknown): Check {
  const err = e instanceof GatehouseError ? e : undefined;
  if (err?.code === "ISAPI_LOGIN_REFUSED") {
    const lock = err.details?.unlockSeconds;
    return fail(
      check,
      `the terminal refused user '${t.username}'${lock ? `, and has locked the account for ${lock} s` : ""}; no further attempt is made with this password`,
      `fix the password in ${t.passwordFile}${lock ? " after the lock ends (every attempt during it extends it)" : ""}`,
    );
  }
  if (err?.code === "ISAPI_UNAVAILABLE")
    return fail(
      check,
      err.message,
      `check that ${t.url} is reachable from this box (ISAPI is on 80/443, not 8000)`,
    );
  return fail(check, (e as Error).message, "check the terminal's URL and that it speaks ISAPI");
}
