import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type AgentConfig, loadAgentConfig, type RunningAgent, startAgent } from "@gatehouse/agent";
import {
  loadControlPlaneConfig,
  type RunningControlPlane,
  startControlPlane,
} from "@gatehouse/control-plane";
import { type Simulator, type SimulatorOptions, startSimulator } from "@gatehouse/simulator";
import type { Logger } from "pino";
import { Agent, fetch as undiciFetch } from "undici";
import { eventually } from "./support.js";

export interface StackOptions {
  dataDir: string;
  httpPort?: number;
  mqttPort?: number;
  smtpUrl?: string;
  adminToken: string;
  siteId?: string;
  timeZone?: string;
  /** Visit kinds of the site, when not the defaults (guest, student, contractor). */
  siteKinds?: Record<string, { accessGroups: string[]; revokeOnExit?: boolean }>;
  /** Simulator settings beyond the defaults. */
  simulator?: SimulatorOptions;
  /** Extra GATEHOUSE_* settings of the control plane. */
  controlPlaneEnv?: Record<string, string>;
  /** Extra AGENT_* settings (e.g. AGENT_HIKCENTRAL_RATE for benchmarks). */
  agentEnv?: Record<string, string>;
  /** Serve the API over https and the broker over mqtts with this certificate; clients trust it as their CA. */
  tls?: { cert: string; key: string };
  /** One logger for all components; each gets its own child. */
  log: Logger;
}

export interface Stack {
  controlPlane: RunningControlPlane;
  simulator: Simulator;
  agent: RunningAgent;
  agentConfig: AgentConfig;
  /** The agent's settings as environment variables, to run it as a process of its own. */
  agentEnv: Record<string, string>;
  siteId: string;
  adminToken: string;
  /** Authorised JSON call to the control plane's API. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** The visit once `ok` holds for it (polled), or a failure naming `what` after `ms`. */
  visitWhen(id: string, ok: (v: any) => boolean, what: string, ms?: number): Promise<any>;
  stopAgent(): Promise<void>;
  /** Starts the agent again, with these settings changed (a rotated login, say). */
  startAgent(env?: Record<string, string>): Promise<RunningAgent>;
  /**
   * Stops the control plane and starts it again on the same database (and ports, when the stack was given
   * fixed ones, so that the agent reconnects), with these settings changed.
   */
  restartControlPlane(env?: Record<string, string>): Promise<void>;
  /** Takes the control plane and its broker away (the cloud is unreachable) until `startControlPlane`. */
  stopControlPlane(): Promise<void>;
  startControlPlane(env?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the whole system in this process on real sockets: the HikCentral simulator, the control plane with
 * its embedded broker, a site and its agent. The demo and the end-to-end tests both start it here.
 */
export async function startStack(o: StackOptions): Promise<Stack> {
  mkdirSync(o.dataDir, { recursive: true });
  const siteId = o.siteId ?? "demo";
  const timeZone = o.timeZone ?? "Asia/Almaty";
  const simulator = await startSimulator({
    timeZone,
    log: (m) => o.log.child({ component: "simulator" }).warn(m),
    ...o.simulator,
  });
  const tlsEnv: Record<string, string> = {};
  const agentTlsEnv: Record<string, string> = {};
  if (o.tls) {
    writeFileSync(join(o.dataDir, "tls-cert.pem"), o.tls.cert);
    writeFileSync(join(o.dataDir, "tls-key.pem"), o.tls.key, { mode: 0o600 });
    tlsEnv.GATEHOUSE_TLS_CERT_FILE = join(o.dataDir, "tls-cert.pem");
    tlsEnv.GATEHOUSE_TLS_KEY_FILE = join(o.dataDir, "tls-key.pem");
    agentTlsEnv.AGENT_MQTT_CA_FILE = join(o.dataDir, "tls-cert.pem");
  }
  const dispatcher = o.tls ? new Agent({ connect: { ca: o.tls.cert } }) : undefined;
  const cpEnv: Record<string, string> = {
    GATEHOUSE_DB_URL: `file:${join(o.dataDir, "gatehouse.db")}`,
    GATEHOUSE_HTTP_HOST: "127.0.0.1",
    GATEHOUSE_HTTP_PORT: String(o.httpPort ?? 0),
    GATEHOUSE_MQTT_HOST: "127.0.0.1",
    GATEHOUSE_MQTT_PORT: String(o.mqttPort ?? 0),
    GATEHOUSE_ADMIN_TOKEN: o.adminToken,
    GATEHOUSE_COMMAND_RESEND_SECONDS: "5",
    GATEHOUSE_SIGNING_KEY_FILE: join(o.dataDir, "command-signing-key.pem"),
    ...tlsEnv,
    ...o.controlPlaneEnv,
    ...(o.smtpUrl ? { GATEHOUSE_SMTP_URL: o.smtpUrl } : {}),
  };
  const cpConfig = loadControlPlaneConfig(cpEnv);
  let controlPlane = await startControlPlane(cpConfig, o.log.child({ component: "control-plane" }));

  const api = async (method: string, path: string, body?: unknown) => {
    // undici's own fetch: it takes a dispatcher that trusts the test's certificate.
    const res = await undiciFetch(`${controlPlane.httpUrl}${path}`, {
      method,
      ...(dispatcher ? { dispatcher } : {}),
      headers: { authorization: `Bearer ${o.adminToken}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  // Credentials are shown once; the demo keeps them beside its data so that it can be restarted.
  const credFile = join(o.dataDir, `agent-${siteId}.json`);
  let creds: { username: string; password: string };
  if (existsSync(credFile)) {
    creds = JSON.parse(readFileSync(credFile, "utf8")) as typeof creds;
  } else {
    const r = await api("POST", "/v1/sites", {
      id: siteId,
      name: "Demo campus",
      timeZone,
      fallbackEmail: "security@demo.test",
      ...(o.siteKinds ? { kinds: o.siteKinds } : {}),
    });
    if (r.status !== 201)
      throw new Error(`creating site ${siteId} failed: ${r.status} ${JSON.stringify(r.body)}`);
    creds = r.body.agentCredentials;
    writeFileSync(credFile, JSON.stringify(creds), { mode: 0o600 });
  }

  const agentEnv: Record<string, string> = {
    AGENT_SITE_ID: siteId,
    AGENT_MQTT_URL: controlPlane.mqttUrl,
    AGENT_MQTT_USERNAME: creds.username,
    AGENT_MQTT_PASSWORD: creds.password,
    AGENT_COMMAND_PUBLIC_KEY: controlPlane.commandPublicKeys,
    ...agentTlsEnv,
    AGENT_DB_URL: `file:${join(o.dataDir, "agent.db")}`,
    AGENT_HIKCENTRAL_URL: simulator.url,
    AGENT_HIKCENTRAL_APP_KEY: simulator.appKey,
    AGENT_HIKCENTRAL_APP_SECRET: simulator.appSecret,
    AGENT_HIKCENTRAL_ORG: "65",
    AGENT_TIME_ZONE: timeZone,
    AGENT_DOOR_DIRECTIONS: "1:entry,2:exit,3:entry,4:exit",
    AGENT_EVENT_LISTEN: "127.0.0.1:0",
    AGENT_HTTP_HOST: "127.0.0.1",
    AGENT_HTTP_PORT: "0",
    ...o.agentEnv,
  };
  const agentConfig = loadAgentConfig(agentEnv);
  const launchAgent = async () => {
    const a = await startAgent(agentConfig, o.log.child({ component: "agent" }));
    // Ready when connected to the broker and subscribed to HikCentral's events.
    const deadline = Date.now() + 15_000;
    for (;;) {
      const h = (await (await fetch(`${a.healthUrl}/healthz`)).json()) as { status: string };
      if (h.status === "ok") break;
      if (Date.now() > deadline) throw new Error(`agent not ready: ${JSON.stringify(h)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return a;
  };
  let agent: RunningAgent | undefined = await launchAgent();
  let cpStopped = false;

  const stack: Stack = {
    get controlPlane() {
      return controlPlane;
    },
    simulator,
    get agent() {
      if (!agent) throw new Error("the agent is stopped");
      return agent;
    },
    agentConfig,
    agentEnv,
    siteId,
    adminToken: o.adminToken,
    api,
    visitWhen: (id, ok, what, ms = 15_000) =>
      eventually(
        async () => {
          const v = (await api("GET", `/v1/visits/${id}`)).body;
          return ok(v) ? v : undefined;
        },
        ms,
        what,
      ),
    async stopAgent() {
      await agent?.stop();
      agent = undefined;
    },
    async startAgent(env = {}) {
      if (Object.keys(env).length > 0) {
        Object.assign(agentEnv, env);
        Object.assign(agentConfig, loadAgentConfig(agentEnv));
      }
      agent = await launchAgent();
      return agent;
    },
    async restartControlPlane(env = {}) {
      await stack.stopControlPlane();
      await stack.startControlPlane(env);
    },
    async stopControlPlane() {
      await controlPlane.stop();
      cpStopped = true;
    },
    async startControlPlane(env = {}) {
      const config = loadControlPlaneConfig({ ...cpEnv, ...env });
      controlPlane = await startControlPlane(config, o.log.child({ component: "control-plane" }));
      cpStopped = false;
    },
    async stop() {
      await agent?.stop();
      agent = undefined;
      if (!cpStopped) await controlPlane.stop();
      await simulator.stop();
      await dispatcher?.close();
    },
  };
  return stack;
}
