import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openTempDatabase } from "@gatehouse/shared/db";
import { SimTerminal } from "@gatehouse/simulator";
import { afterEach, describe, expect, it } from "vitest";
import { MetaStore } from "./adapters/db/meta-store.js";
import { StoredRefusedLogins } from "./adapters/db/refused-logins.js";
import { loadAgentConfig } from "./config.js";
import { terminalChecks } from "./doctor-terminals.js";

const dir = mkdtempSync(join(tmpdir(), "gh-doctor-terminals-"));
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});

const config = (terminals: unknown[]) =>
  loadAgentConfig({
    AGENT_SITE_ID: "north",
    AGENT_MQTT_URL: "mqtt://127.0.0.1:1883",
    AGENT_MQTT_USERNAME: "agent-north",
    AGENT_MQTT_PASSWORD: "x",
    AGENT_COMMAND_PUBLIC_KEY: "ed25519:11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
    AGENT_HIKCENTRAL_URL: "http://127.0.0.1:1",
    AGENT_HIKCENTRAL_APP_KEY: "k",
    AGENT_HIKCENTRAL_APP_SECRET: "s",
    AGENT_TIME_ZONE: "Asia/Almaty",
    AGENT_TERMINALS: JSON.stringify(terminals),
  });

async function terminal() {
  const t = new SimTerminal({ id: "gate-1", timeZone: "Asia/Almaty" });
  await t.start();
  cleanup.push(() => t.stop());
  return t;
}

async function ledger() {
  const { db } = await openTempDatabase({
    prefix: "ledger",
    migrations: fileURLToPath(new URL("../migrations", import.meta.url)),
  });
  cleanup.push(async () => db.close());
  return new StoredRefusedLogins(new MetaStore(db));
}

describe("doctor: terminals", () => {
  it("passes a reachable terminal with its model, clock and features", async () => {
    const t = await terminal();
    writeFileSync(join(dir, "gate-1"), `${t.password}\n`);
    const checks = await terminalChecks(
      config([{ id: "gate-1", url: t.url, passwordFile: join(dir, "gate-1") }]),
      await ledger(),
    );
    expect(checks.map((c) => [c.name, c.status])).toEqual([
      ["terminal gate-1 login", "pass"],
      ["terminal gate-1 clock", "pass"],
      ["terminal gate-1 features", "pass"],
    ]);
    expect(checks[0]!.detail).toContain("DS-K1T671M");
  });

  it("fails a wrong password once, and does not try it again on the next run", async () => {
    const t = await terminal();
    writeFileSync(join(dir, "wrong"), "not-the-password");
    const cfg = config([{ id: "gate-1", url: t.url, passwordFile: join(dir, "wrong") }]);
    const refused = await ledger();
    const [first] = await terminalChecks(cfg, refused);
    expect(first).toMatchObject({ status: "fail", fix: expect.stringContaining(join(dir, "wrong")) });
    const [second] = await terminalChecks(cfg, refused);
    expect(second).toMatchObject({ status: "fail", detail: expect.stringContaining("no further attempt") });
    expect(t.authFailures).toBe(1);
    expect(JSON.stringify([first, second])).not.toContain("not-the-password");
  });

  it("says which password file is missing, and which terminal is unreachable", async () => {
    const missing = await terminalChecks(
      config([{ id: "gate-2", url: "http://127.0.0.1:9", passwordFile: join(dir, "none") }]),
      await ledger(),
    );
    expect(missing[0]).toMatchObject({
      name: "terminal gate-2 login",
      status: "fail",
      detail: expect.stringContaining("ENOENT"),
    });
    writeFileSync(join(dir, "gate-3"), "x");
    const down = await terminalChecks(
      config([{ id: "gate-3", url: "http://127.0.0.1:9", passwordFile: join(dir, "gate-3") }]),
      await ledger(),
    );
    expect(down[0]).toMatchObject({ status: "fail", fix: expect.stringContaining("reachable") });
  });

  it("refuses the SDK port 8000 in the config", () => {
    expect(() => config([{ id: "gate-1", url: "http://10.0.0.21:8000", passwordFile: "/x" }])).toThrow(
      /8000 is the terminal's SDK port/,
    );
  });
});
