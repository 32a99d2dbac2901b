#!/usr/bin/env node
import { Command } from "commander";
import { SimTerminal } from "./isapi/terminal.js";
import { startSimulator } from "./server.js";

const program = new Command("gatehouse-sim")
  .description("HikCentral OpenAPI simulator: signed API, persons, access levels, doors and event pushes")
  .option("--port <port>", "port to listen on (0 = any free port)", "8443")
  .option("--host <host>", "address to listen on", "127.0.0.1")
  .option("--app-key <key>", "partner AppKey to accept", process.env.SIM_APP_KEY)
  .option("--app-secret <secret>", "partner AppSecret to accept", process.env.SIM_APP_SECRET)
  .option("--time-zone <zone>", "HikCentral server time zone", "Asia/Almaty")
  .option("--http", "serve plain HTTP instead of HTTPS with a generated self-signed certificate")
  .option("--latency <profile>", "none, or realistic (each call as slow as on a real HCP)", "none")
  .option("--terminals <n>", "access terminals speaking ISAPI (Digest auth), each on its own port", "2")
  .parse();

const o = program.opts<{
  port: string;
  host: string;
  appKey?: string;
  appSecret?: string;
  timeZone: string;
  http?: boolean;
  latency: string;
  terminals: string;
}>();
const terminalCount = Number(o.terminals);
if (!Number.isInteger(terminalCount) || terminalCount < 0 || terminalCount > 32) {
  console.error(`gatehouse-sim: --terminals must be 0 to 32, not ${o.terminals}`);
  process.exit(2);
}
if (o.latency !== "none" && o.latency !== "realistic") {
  console.error(`gatehouse-sim: --latency must be none or realistic, not ${o.latency}`);
  process.exit(2);
}
const sim = await startSimulator({
  port: Number(o.port),
  host: o.host,
  timeZone: o.timeZone,
  ...(o.http ? {} : { tls: "generate" as const }),
  latencyProfile: o.latency as "none" | "realistic",
  ...(o.appKey ? { appKey: o.appKey } : {}),
  ...(o.appSecret ? { appSecret: o.appSecret } : {}),
  log: (m) => console.error(m),
});
// Terminals: ISAPI over HTTPS with the same kind of self-signed certificate (pin it), or HTTP with --http.
const terminals: SimTerminal[] = [];
for (let i = 1; i <= terminalCount; i++) {
  const t = new SimTerminal({
    id: `gate-${i}`,
    timeZone: o.timeZone,
    heartbeatMs: 10_000,
    ...(sim.certificate ? { tls: sim.certificate } : {}),
    log: (m) => console.error(m),
  });
  await t.start(o.host, 0);
  terminals.push(t);
}
if (sim.certificate) {
  console.error(
    `certificate SHA-256 fingerprint ${sim.certificate.fingerprint256}; PEM:\n${sim.certificate.cert}`,
  );
}
console.log(
  JSON.stringify({
    ready: true,
    url: sim.url,
    appKey: sim.appKey,
    appSecret: sim.appSecret,
    ...(sim.certificate ? { fingerprint256: sim.certificate.fingerprint256 } : {}),
    terminals: terminals.map((t) => ({
      id: t.opts.id,
      url: t.url,
      username: t.username,
      password: t.password,
      ...(sim.certificate ? { fingerprint256: sim.certificate.fingerprint256 } : {}),
    })),
  }),
);
const stop = async () => {
  for (const t of terminals) await t.stop();
  await sim.stop();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
