import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../stack.js";
import { eventually, tempDir, testLogger } from "../support.js";

const run = promisify(execFile);
const cli = fileURLToPath(new URL("../../../control-plane/dist/cli.js", import.meta.url));

let stack: Stack;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDir("tokens");
  stack = await startStack({
    dataDir,
    adminToken: `gh_test_${randomBytes(18).toString("base64url")}`,
    log: testLogger("tokens"),
  });
});
afterAll(() => stack?.stop());

const as = (token: string, path: string) =>
  fetch(`${stack.controlPlane.httpUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });

/** A consumer with a token: its live stream open and an MQTT connection to the embedded broker. */
async function consumerWith(token: string) {
  const res = await as(token, "/v1/stream");
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const streamEnded = (async () => {
    for (;;) if ((await reader.read()).done) return Date.now();
  })();
  const client = await mqtt.connectAsync(stack.controlPlane.mqttUrl, {
    clientId: `consumer-${randomBytes(4).toString("hex")}`,
    username: "security-office",
    password: token,
    reconnectPeriod: 0,
  });
  await client.subscribeAsync(`gatehouse/v1/passages/${stack.siteId}`, { qos: 1 });
  const mqttClosed = new Promise<number>((resolve) => client.once("close", () => resolve(Date.now())));
  return { streamEnded, mqttClosed, client };
}

describe("API tokens: made, listed, used, revoked and expired", { timeout: 30_000 }, () => {
  it("revokes a token at once: HTTP refuses it, its live stream ends and the broker closes and refuses it", async () => {
    const created = await stack.api("POST", "/v1/tokens", { name: "security-office", role: "viewer" });
    expect(created.status).toBe(201);
    const { id, token } = created.body;
    expect(created.body).toMatchObject({ role: "viewer", revokedAt: null, lastUsedAt: null });
    expect(created.body.mqttUsername).toBe(`consumer-${id}`);

    expect((await as(token, "/v1/me")).status).toBe(200);
    // Its last use is kept (to the minute), never the token itself.
    const listed = await eventually(
      async () => {
        const t = (await stack.api("GET", "/v1/tokens")).body.items.find((x: any) => x.id === id);
        return t?.lastUsedAt ? t : undefined;
      },
      5_000,
      "the token's last use",
    );
    expect(JSON.stringify(listed)).not.toContain(token);
    // Only admins see tokens.
    expect((await as(token, "/v1/tokens")).status).toBe(403);

    const c = await consumerWith(token);
    const revokedAt = Date.now();
    const revoked = await stack.api("DELETE", `/v1/tokens/${id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    expect((await as(token, "/v1/me")).status).toBe(401);
    expect((await c.streamEnded) - revokedAt).toBeLessThan(1000);
    expect((await c.mqttClosed) - revokedAt).toBeLessThan(1000);
    await expect(
      mqtt.connectAsync(stack.controlPlane.mqttUrl, {
        clientId: "consumer-again",
        username: "security-office",
        password: token,
        reconnectPeriod: 0,
      }),
    ).rejects.toThrow(/Bad username or password|Not authorized/i);

    const audit = (await stack.api("GET", `/v1/audit?entity=token`)).body.items.map((a: any) => a.action);
    expect(audit).toEqual(expect.arrayContaining(["token.create", "token.revoke"]));
    expect((await stack.api("DELETE", "/v1/tokens/no-such-token")).status).toBe(404);
  });

  it("ends a token at its expiry, on HTTP and on the broker", async () => {
    const expiresAt = new Date(Date.now() + 2500).toISOString();
    const created = await stack.api("POST", "/v1/tokens", { name: "day-pass", role: "viewer", expiresAt });
    expect(created.body.expiresAt).toBe(expiresAt);
    const c = await consumerWith(created.body.token);
    expect((await as(created.body.token, "/v1/me")).status).toBe(200);
    const closedAt = await c.mqttClosed;
    expect(closedAt - Date.parse(expiresAt)).toBeLessThan(1500);
    expect((await as(created.body.token, "/v1/me")).status).toBe(401);
    await c.streamEnded;
    const past = await stack.api("POST", "/v1/tokens", {
      name: "late",
      role: "viewer",
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    expect(past.status).toBe(400);
    expect(past.body.errors[0]).toMatchObject({ path: "expiresAt", code: "in_the_past" });
  });

  it("lists and revokes from the command line, and the running control plane ends the token within a second", async () => {
    const env = {
      ...process.env,
      GATEHOUSE_DB_URL: `file:${join(dataDir, "gatehouse.db")}`,
      GATEHOUSE_SIGNING_KEY_FILE: join(dataDir, "command-signing-key.pem"),
    };
    const made = await run(
      process.execPath,
      [cli, "token", "create", "--role", "operator", "--name", "desk", "--expires", "30"],
      { env },
    );
    const token = made.stdout.trim();
    expect(token).toMatch(/^gh_/);
    const list = await run(process.execPath, [cli, "token", "list", "--json"], { env });
    const desk = list.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .find((t) => t.name === "desk");
    expect(Date.parse(desk.expiresAt) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(list.stdout).not.toContain(token);

    const c = await consumerWith(token);
    const at = Date.now();
    const out = await run(process.execPath, [cli, "token", "revoke", desk.id], { env });
    expect(out.stdout).toContain(`revoked ${desk.id}`);
    expect((await as(token, "/v1/me")).status).toBe(401);
    expect((await c.mqttClosed) - at).toBeLessThan(2500);
    await c.streamEnded;
  });
});
