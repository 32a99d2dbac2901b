#!/usr/bin/env node
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { Command } from "commander";
import pino from "pino";
import { portOrAny } from "./ports.js";
import { startSmtpSink } from "./smtp-sink.js";
import { startStack } from "./stack.js";

const o = new Command("demo")
  .description("the whole Gatehouse system on one box, on embedded defaults")
  .option("--http-port <port>", "control plane HTTP port (0 = any free port)", "8080")
  .option("--mqtt-port <port>", "embedded MQTT broker port (0 = any free port)", "1883")
  .option("--data-dir <dir>", "where the databases live", ".demo-data")
  .option("--log-level <level>", "log level of the components (logs go to stderr)", "warn")
  .parse()
  .opts<{ httpPort: string; mqttPort: string; dataDir: string; logLevel: string }>();

const log = pino(
  { level: o.logLevel, redact: ["password", "*.password", "token", "*.token"] },
  pino.destination(2),
);

async function port(name: string, wanted: number) {
  const p = await portOrAny(wanted);
  if (p !== wanted) console.log(`${name} port ${wanted} is taken; using a free one instead`);
  return p;
}

const httpPort = await port("HTTP", Number(o.httpPort));
// On a broker of the reader's own (GATEHOUSE_MQTT_URL, with GATEHOUSE_MQTT_USERNAME, _PASSWORD, _CA_FILE and
// GATEHOUSE_MOSQUITTO_DYNSEC as the control plane reads them), the control plane and the agent both use it and
// no broker is embedded.
const brokerEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    (e): e is [string, string] =>
      (e[0].startsWith("GATEHOUSE_MQTT_") || e[0].startsWith("GATEHOUSE_MOSQUITTO_")) && e[1] !== undefined,
  ),
);
const externalBroker = brokerEnv.GATEHOUSE_MQTT_URL;
const mqttPort = externalBroker ? 0 : await port("MQTT", Number(o.mqttPort));
const smtpUrl = process.env.GATEHOUSE_SMTP_URL;
const sink = smtpUrl
  ? undefined
  : await startSmtpSink({
      onMail: (m) =>
        console.log(
          `mail to ${m.to.join(", ")}: ${m.subject}\n${m.text
            .trim()
            .split("\n")
            .map((l) => `  | ${l}`)
            .join("\n")}`,
        ),
    });
const adminToken = process.env.GATEHOUSE_ADMIN_TOKEN ?? `gh_demo_${randomBytes(18).toString("base64url")}`;
const stack = await startStack({
  dataDir: resolve(o.dataDir),
  httpPort,
  mqttPort,
  smtpUrl: smtpUrl ?? sink!.url,
  adminToken,
  log,
  ...(externalBroker ? { controlPlaneEnv: brokerEnv } : {}),
});

const api = stack.controlPlane.httpUrl;
console.log(`Gatehouse demo is running (site '${stack.siteId}', data in ${resolve(o.dataDir)})
  API and docs:  ${api}/docs
  MQTT broker:   ${externalBroker ? `${stack.controlPlane.mqttUrl.replace(/\/\/[^@]*@/, "//***@")} (yours: GATEHOUSE_MQTT_URL)` : `${stack.controlPlane.mqttUrl} (consumers: any username, the API token as password)`}
  Simulator:     ${stack.simulator.url}/_sim/persons
  Emails:        ${sink ? `printed here (SMTP sink ${sink.url})` : `sent to ${smtpUrl?.replace(/\/\/[^@]*@/, "//***@")}`}
Try:
  curl -s -X POST ${api}/v1/visits -H "Authorization: Bearer ${adminToken}" -H 'Content-Type: application/json' \\
    -d '{"site":"demo","kind":"guest","guest":{"name":"Ada Lovelace"},"host":{"name":"Charles Babbage","email":"host@demo.test"},"validFrom":"${new Date().toISOString()}","validUntil":"${new Date(Date.now() + 8 * 3600_000).toISOString()}"}'
  curl -s -X POST ${stack.simulator.url}/_sim/passages -H 'Content-Type: application/json' -d '{"personCode":"<personCode from the visit>","direction":"entry"}'`);
console.log(
  JSON.stringify({
    ready: true,
    api,
    mqtt: stack.controlPlane.mqttUrl.replace(/\/\/[^@]*@/, "//***@"),
    console: `${api}/`,
    simulator: stack.simulator.url,
    smtp: sink?.url ?? smtpUrl?.replace(/\/\/[^@]*@/, "//***@"),
    token: adminToken,
  }),
);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log("stopping…");
  await stack.stop();
  await sink?.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
