import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mosquittoBinary, startMosquitto } from "../mosquitto.js";
import { visitRequest } from "../requests.js";
import { type Stack, startStack } from "../stack.js";
import { eventually, sleep, tempDir, testLogger } from "../support.js";

const run = promisify(execFile);
const PLUGIN = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib", "/usr/local/lib"]
  .map((d) => join(d, "mosquitto_dynamic_security.so"))
  .find((p) => existsSync(p));
const broker = mosquittoBinary();
const ctrl = broker
  ? [join(dirname(broker), "mosquitto_ctrl"), "/usr/bin/mosquitto_ctrl"].find(existsSync)
  : undefined;
const why = !broker
  ? "no mosquitto on this machine (apt-get install mosquitto)"
  : !PLUGIN
    ? "no mosquitto_dynamic_security.so (Debian's mosquitto package ships it)"
    : !ctrl
      ? "no mosquitto_ctrl"
      : undefined;
if (why) console.warn(`SKIP Mosquitto dynamic security: ${why}`);

/** Gatehouse managing a real Mosquitto 2 through its dynamic security plugin: no file edits, no reloads. */
describe.skipIf(why !== undefined)(
  "a Mosquitto managed live through its dynamic security plugin",
  { timeout: 60_000 },
  () => {
    let mosq: Awaited<ReturnType<typeof startMosquitto>>;
    let stack: Stack;
    const adminPassword = randomBytes(18).toString("base64url");

    beforeAll(async () => {
      const dir = tempDir("dynsec");
      // Mosquitto started as root runs as its own user: it must be able to rewrite its dynsec file here.
      chmodSync(dir, 0o777);
      const file = join(dir, "dynamic-security.json");
      await run(ctrl!, ["dynsec", "init", file, "gatehouse-control-plane", adminPassword]);
      chmodSync(file, 0o666);
      mosq = await startMosquitto(dir, [`plugin ${PLUGIN}`, `plugin_opt_config_file ${file}`], false);
      stack = await startStack({
        dataDir: tempDir("dynsec-stack"),
        adminToken: `gh_test_${randomBytes(18).toString("base64url")}`,
        log: testLogger("dynsec"),
        controlPlaneEnv: {
          GATEHOUSE_MQTT_URL: mosq.url,
          GATEHOUSE_MQTT_USERNAME: "gatehouse-control-plane",
          GATEHOUSE_MQTT_PASSWORD: adminPassword,
          GATEHOUSE_MOSQUITTO_DYNSEC: "true",
        },
      });
    }, 60_000);
    afterAll(async () => {
      await stack?.stop();
      await mosq?.stop();
    });

    const connect = (username: string, password: string, clientId = `t-${randomBytes(4).toString("hex")}`) =>
      mqtt.connectAsync(mosq.url, { clientId, username, password, reconnectPeriod: 0, connectTimeout: 3000 });

    it("creates a site's agent login and role as the site is made, and the agent works through it", async () => {
      // The stack's site was made through the API: its agent logged in with the credentials it answered.
      const v = await stack.api("POST", "/v1/visits", visitRequest(stack.siteId, "Dynsec Guest"));
      expect(v.status).toBe(201);
      await stack.visitWhen(v.body.id, (x) => x.access === "granted", "granted through Mosquitto");

      // A second site: its agent may use only its own topics.
      const north = await stack.api("POST", "/v1/sites", { id: "north", name: "North" });
      expect(north.status).toBe(201);
      const { username, password } = north.body.agentCredentials;
      const agent = await connect(username, password, "agent-north");
      const got: string[] = [];
      agent.on("message", (t) => got.push(t));
      await agent.subscribeAsync("gatehouse/v1/sites/north/commands", { qos: 1 });
      // Another site's commands: the broker refuses the subscription outright.
      await expect(
        agent.subscribeAsync(`gatehouse/v1/sites/${stack.siteId}/commands`, { qos: 1 }),
      ).rejects.toThrow(/Subscribe error/);
      expect((await stack.api("POST", "/v1/sites/north/sync")).status).toBe(202);
      expect((await stack.api("POST", `/v1/sites/${stack.siteId}/sync`)).status).toBe(202);
      await eventually(
        async () => got.includes("gatehouse/v1/sites/north/commands"),
        5000,
        "north's command",
      );
      await sleep(500);
      expect(got).not.toContain(`gatehouse/v1/sites/${stack.siteId}/commands`);
      await agent.endAsync();
      await expect(connect(username, "not-the-password")).rejects.toThrow(
        /Bad username or password|Not authorized/i,
      );
    });

    it("makes each API token a consumer login, and deletes it (disconnecting it) the moment the token is revoked", async () => {
      const created = await stack.api("POST", "/v1/tokens", { name: "office", role: "viewer" });
      expect(created.status).toBe(201);
      const { id, token, mqttUsername } = created.body;
      const consumer = await connect(mqttUsername, token);
      const topics: string[] = [];
      consumer.on("message", (t) => topics.push(t));
      await consumer.subscribeAsync("gatehouse/v1/visits/#", { qos: 1 });
      // Consumers read the consumer topics only: never an agent's commands or messages.
      await expect(consumer.subscribeAsync("gatehouse/v1/sites/#", { qos: 1 })).rejects.toThrow(
        /Subscribe error/,
      );
      await stack.api("POST", "/v1/visits", visitRequest(stack.siteId, "Seen By Consumer"));
      await eventually(
        async () => topics.some((t) => t.startsWith("gatehouse/v1/visits/")),
        5000,
        "a visit event",
      );

      const closed = new Promise<number>((resolve) => consumer.once("close", () => resolve(Date.now())));
      const at = Date.now();
      expect((await stack.api("DELETE", `/v1/tokens/${id}`)).status).toBe(200);
      expect((await closed) - at).toBeLessThan(1000);
      await expect(connect(mqttUsername, token)).rejects.toThrow(/Bad username or password|Not authorized/i);
    });

    it("rotates an agent's login on the broker: the new one works, the old one goes once the agent reports the new", async () => {
      const old = {
        username: stack.agentEnv.AGENT_MQTT_USERNAME!,
        password: stack.agentEnv.AGENT_MQTT_PASSWORD!,
      };
      const r = await stack.api("POST", `/v1/sites/${stack.siteId}/agent-credentials/rotate`, {
        graceHours: 24,
      });
      expect(r.status).toBe(200);
      await (await connect(r.body.username, r.body.password)).endAsync();
      await (await connect(old.username, old.password)).endAsync();
      await stack.stopAgent();
      await stack.startAgent({ AGENT_MQTT_USERNAME: r.body.username, AGENT_MQTT_PASSWORD: r.body.password });
      // The agent's status names its login: the control plane deletes the old one from Mosquitto.
      await eventually(
        async () =>
          connect(old.username, old.password).then(
            async (c) => {
              await c.endAsync();
              return false;
            },
            () => true,
          ),
        10_000,
        "the old login deleted",
      );
      const v = await stack.api("POST", "/v1/visits", visitRequest(stack.siteId, "Rotated Agent"));
      await stack.visitWhen(v.body.id, (x) => x.access === "granted", "a grant through the rotated login");
    });
  },
);
