import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";
import mqtt from "mqtt";
import { afterAll, describe, expect, it } from "vitest";
import { mosquittoBinary, startMosquitto } from "../mosquitto.js";
import { eventually, tempDir } from "../support.js";

const bin = mosquittoBinary();
if (!bin) console.warn("SKIP demo on Mosquitto: no mosquitto on this machine (apt-get install mosquitto)");

const DEMO = join(import.meta.dirname, "..", "..", "dist", "demo.js");

/** `GATEHOUSE_MQTT_URL=… pnpm demo`: the whole demo on a broker of the reader's own, here a real Mosquitto. */
describe.skipIf(!bin)("the demo on any broker", { timeout: 60_000 }, () => {
  let demo: ChildProcess | undefined;
  let broker: Awaited<ReturnType<typeof startMosquitto>> | undefined;

  afterAll(async () => {
    if (demo && demo.exitCode === null) {
      demo.kill("SIGTERM");
      await once(demo, "exit");
    }
    await broker?.stop();
  });

  it("runs the control plane and the agent on the broker GATEHOUSE_MQTT_URL names, with no broker of its own", async () => {
    broker = await startMosquitto(tempDir("demo-mosquitto"));
    demo = spawn(process.execPath, [DEMO, "--http-port", "0", "--data-dir", tempDir("demo-broker")], {
      env: {
        ...process.env,
        GATEHOUSE_MQTT_URL: broker.url,
        GATEHOUSE_ADMIN_TOKEN: "gh_demo_broker_test_token_0123456789",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    demo.stderr!.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const lines = createInterface({ input: demo.stdout! });
    const ready = await new Promise<any>((resolve, reject) => {
      lines.on("line", (l) => {
        if (l.startsWith('{"ready":true')) resolve(JSON.parse(l));
      });
      demo!.once("exit", (code) =>
        reject(new Error(`the demo exited (${code}) before it was ready\n${stderr}`)),
      );
    });
    expect(ready.mqtt).toBe(broker.url);

    // A consumer of the reader's broker sees the agent's checked status and the passage, with nothing embedded.
    const consumer = await mqtt.connectAsync(broker.url, { clientId: "demo-consumer", reconnectPeriod: 0 });
    const got: Array<{ topic: string; body: any }> = [];
    consumer.on("message", (topic, payload) => got.push({ topic, body: JSON.parse(payload.toString()) }));
    await consumer.subscribeAsync(["gatehouse/v1/passages/demo", "gatehouse/v1/status/demo"], { qos: 1 });
    await eventually(
      async () => got.some((m) => m.topic === "gatehouse/v1/status/demo" && m.body.state === "online"),
      15_000,
      "the agent online on Mosquitto",
    );

    const headers = { authorization: `Bearer ${ready.token}`, "content-type": "application/json" };
    const created = await fetch(`${ready.api}/v1/visits`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        site: "demo",
        guest: { name: "Broker Guest" },
        host: { name: "Host" },
        validFrom: new Date().toISOString(),
        validUntil: new Date(Date.now() + 3600_000).toISOString(),
      }),
    });
    expect(created.status).toBe(201);
    const visit = (await created.json()) as { id: string; personCode: string };
    await eventually(
      async () =>
        ((await (await fetch(`${ready.api}/v1/visits/${visit.id}`, { headers })).json()) as any).access ===
        "granted",
      15_000,
      "the grant through the agent on Mosquitto",
    );
    const passage = await fetch(`${ready.simulator}/_sim/passages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ personCode: visit.personCode, direction: "entry" }),
    });
    expect(passage.status).toBe(201);
    const seen = await eventually(
      async () => got.find((m) => m.topic === "gatehouse/v1/passages/demo" && m.body.visit?.id === visit.id),
      15_000,
      "the passage on Mosquitto",
    );
    expect(seen.body).toMatchObject({
      direction: "entry",
      result: "granted",
      visit: { guestName: "Broker Guest" },
    });
    await consumer.endAsync();
  });
});
