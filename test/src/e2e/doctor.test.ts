import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { type AddressInfo, createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runDoctor } from "@gatehouse/agent/doctor";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../ports.js";
import { type Stack, startStack } from "../stack.js";
import { tempDir, testLogger } from "../support.js";

let stack: Stack;
let token: string | undefined;
/** The stack's agent listens on a free port: doctor is told where, as AGENT_EVENT_PUBLIC_URL would. */
const config = () => ({ ...stack.agentConfig, AGENT_EVENT_PUBLIC_URL: new URL(stack.agent.eventUrl).origin });
beforeAll(async () => {
  stack = await startStack({
    dataDir: tempDir("doctor"),
    adminToken: `gh_test_${randomBytes(18).toString("base64url")}`,
    log: testLogger("doctor"),
  });
  token = await stack.agent.store.meta.get("event_token");
});
afterAll(() => stack?.stop());
afterEach(() => stack.simulator.faults.set({}));

const cli = fileURLToPath(new URL("../../../agent/dist/cli.js", import.meta.url));

function agentCli(command: string, env: Record<string, string>) {
  return new Promise<{ code: number; out: string }>((resolve) => {
    const p = spawn(process.execPath, [cli, command], { env: { PATH: process.env.PATH ?? "", ...env } });
    let out = "";
    p.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    p.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    p.on("exit", (code) => resolve({ code: code ?? -1, out }));
  });
}

const asEnv = (c: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(c).map(([k, v]) => [
      k,
      Array.isArray(v) ? v.join(",") : typeof v === "object" ? JSON.stringify(v) : String(v),
    ]),
  ) as Record<string, string>;

describe("gatehouse-agent doctor", () => {
  it("passes every check against a healthy site", async () => {
    const checks = await runDoctor(config(), token);
    expect(checks.filter((c) => c.status === "fail")).toEqual([]);
    const names = checks.map((c) => c.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "config",
        "tcp",
        "clock",
        "signature",
        "organization",
        "access-levels",
        "doors",
        "event-callback",
        "mqtt",
      ]),
    );
    expect(checks.find((c) => c.name === "access-levels")!.detail).toContain("'Visitors' (7)");
  });

  it("explains a wrong app secret and a missing API permission", async () => {
    const bad = await runDoctor({ ...config(), AGENT_HIKCENTRAL_APP_SECRET: "not-the-secret-xyz" }, token);
    const sig = bad.find((c) => c.name === "signature")!;
    expect(sig).toMatchObject({ status: "fail" });
    expect(sig.fix).toContain("Partner Management");

    stack.simulator.faults.set({ rules: [{ path: "acs/v1/privilege/group", error: { code: "17" } }] });
    const perm = await runDoctor(config(), token);
    expect(perm.find((c) => c.name === "api:access level")).toMatchObject({ status: "fail" });
    expect(perm.find((c) => c.name === "api:access level")!.fix).toContain("'access level' API group");
  });

  it("checks the access levels the site's visit kinds use", async () => {
    const ok = await runDoctor({ ...config(), AGENT_ACCESS_LEVELS: ["Visitors", "8"] }, token);
    expect(ok.find((c) => c.name === "access-levels")).toMatchObject({ status: "pass" });
    const missing = await runDoctor({ ...config(), AGENT_ACCESS_LEVELS: ["Visitors", "Staff Only"] }, token);
    const line = missing.find((c) => c.name === "access-levels")!;
    expect(line.status).toBe("fail");
    expect(line.detail).toContain("'Staff Only'");
    expect(line.detail).not.toContain("'Visitors',");
  });

  it("flags doors that have no direction and a wrong organization", async () => {
    const checks = await runDoctor(
      { ...config(), AGENT_DOOR_DIRECTIONS: { "1": "entry" }, AGENT_HIKCENTRAL_ORG: "999" },
      token,
    );
    expect(checks.find((c) => c.name === "doors")).toMatchObject({ status: "warn" });
    expect(checks.find((c) => c.name === "doors")!.fix).toContain("2:entry");
    expect(checks.find((c) => c.name === "organization")).toMatchObject({ status: "fail" });
    expect(checks.find((c) => c.name === "organization")!.fix).toContain("65 'Visitor Management'");
  });

  it("as a command: exit 0 when all pass, 1 otherwise, and never prints a secret", async () => {
    const env = asEnv(config());
    const ok = await agentCli("doctor", env);
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toMatch(/^✔ signature/m);
    for (const secret of [env.AGENT_HIKCENTRAL_APP_SECRET!, env.AGENT_MQTT_PASSWORD!])
      expect(ok.out).not.toContain(secret);

    const wrong = await agentCli("doctor", {
      ...env,
      AGENT_MQTT_PASSWORD: "wrong-password-123",
      AGENT_HIKCENTRAL_APP_SECRET: "wrong-secret-456",
    });
    expect(wrong.code).toBe(1);
    expect(wrong.out).toMatch(/^✖ signature/m);
    expect(wrong.out).not.toContain("wrong-password-123");
    expect(wrong.out).not.toContain("wrong-secret-456");
  });
});

describe("gatehouse-agent run", () => {
  it("names the setting whose port is taken and exits 1, without a stack trace or a secret", async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, "127.0.0.1", r));
    const port = (taken.address() as AddressInfo).port;
    try {
      const env = asEnv({
        ...config(),
        AGENT_DB_URL: `file:${join(tempDir("port-taken"), "agent.db")}`,
        // Nowhere: this agent must not take the stack agent's MQTT session.
        AGENT_MQTT_URL: `mqtt://127.0.0.1:${await freePort()}`,
        AGENT_EVENT_LISTEN: `127.0.0.1:${port}`,
      });
      const run = await agentCli("run", env);
      expect(run.code, run.out).toBe(1);
      expect(run.out).toContain(
        `AGENT_EVENT_LISTEN: cannot listen on 127.0.0.1:${port}: another process already listens there`,
      );
      expect(run.out).not.toMatch(/^\s+at /m);
      for (const secret of [env.AGENT_HIKCENTRAL_APP_SECRET!, env.AGENT_MQTT_PASSWORD!])
        expect(run.out).not.toContain(secret);
    } finally {
      taken.close();
    }
  });
});
