// Over 400 lines: the control plane's one composition root — every adapter and service built from one config,
// in the order their dependencies need (the broker's logins before the broker, the intake before messages).
import { readFileSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { type AgentTopic, listenFailed, topics, unsupportedRuntime } from "@gatehouse/shared";
import { applyMigrations, Database } from "@gatehouse/shared/db";
import { type ServerType, serve } from "@hono/node-server";
import { createTransport, type Transporter } from "nodemailer";
import type { Logger } from "pino";
import { AuditRepo } from "./adapters/db/audit.js";
import { DenyListRepo } from "./adapters/db/deny-list-repo.js";
import { IncidentsRepo } from "./adapters/db/incidents-repo.js";
import { IntakeRepo } from "./adapters/db/intake-repo.js";
import { LeasesRepo } from "./adapters/db/leases-repo.js";
import { PicturesRepo } from "./adapters/db/pictures-repo.js";
import { SitesRepo } from "./adapters/db/sites-repo.js";
import { consumerUsername, TokensRepo } from "./adapters/db/tokens-repo.js";
import { VisitQueries } from "./adapters/db/visit-queries.js";
import { VisitWrites } from "./adapters/db/visit-writes.js";
import { startEmbeddedBroker } from "./adapters/mqtt/embedded-broker.js";
import { connectExternalBroker } from "./adapters/mqtt/external-broker.js";
import { MosquittoDynsec } from "./adapters/mqtt/mosquitto-dynsec.js";
import { verifyPassword } from "./adapters/secrets.js";
import { loadCommandKeys } from "./adapters/signing-key.js";
import { addressList } from "./address-list.js";
import type { ControlPlaneConfig } from "./config.js";
import { AuthThrottle } from "./domain/auth-throttle.js";
import { buildApp } from "./http/app.js";
import { VisitCreate } from "./http/schemas.js";
import { createControlPlaneMetrics } from "./metrics.js";
import { AgentIntake } from "./services/agent-intake.js";
import { AgentLogins } from "./services/agent-logins.js";
import { type BrokerLogins, databaseLogins } from "./services/broker-logins.js";
import { CommandDispatcher } from "./services/command-dispatcher.js";
import { GroupEventService } from "./services/group-events.js";
import { Leadership } from "./services/leadership.js";
import { LiveEvents } from "./services/live-events.js";
import { Notifier } from "./services/notifier.js";
import { OccupancyPublisher } from "./services/occupancy-publisher.js";
import { TokenRevocations } from "./services/token-revocations.js";
import { VisitImport } from "./services/visit-import.js";
import { VisitScheduler } from "./services/visit-scheduler.js";
import { VisitService } from "./services/visits.js";

export const CONTROL_PLANE_VERSION = "0.1.0";
const migrations = fileURLToPath(new URL("../migrations", import.meta.url));

export interface RunningControlPlane {
  httpUrl: string;
  mqttUrl: string;
  db: Database;
  tokens: TokensRepo;
  /** What agents set as AGENT_COMMAND_PUBLIC_KEY. */
  commandPublicKeys: string;
  stop(): Promise<void>;
}

/**
 * The broker's logins that follow Gatehouse's own records: a managed Mosquitto's (its dynamic security plugin,
 * connected with the control plane's login), or none to tell. The service and the CLI both change them.
 */
export async function connectBrokerLogins(
  config: ControlPlaneConfig,
  log: Logger,
): Promise<BrokerLogins & { close(): Promise<void> }> {
  if (!config.GATEHOUSE_MQTT_URL || !config.GATEHOUSE_MOSQUITTO_DYNSEC)
    return { ...databaseLogins, close: async () => {} };
  return MosquittoDynsec.connect({
    url: config.GATEHOUSE_MQTT_URL,
    username: config.GATEHOUSE_MQTT_USERNAME,
    password: config.GATEHOUSE_MQTT_PASSWORD,
    ca: config.GATEHOUSE_MQTT_CA_FILE ? readFileSync(config.GATEHOUSE_MQTT_CA_FILE, "utf8") : undefined,
    log,
  });
}

/** The control plane's composition root: everything is built here from one validated config. */
export async function startControlPlane(
  config: ControlPlaneConfig,
  log: Logger,
): Promise<RunningControlPlane> {
  const db = await Database.open({
    url: config.GATEHOUSE_DB_URL,
    secureDelete: true,
    ...(config.GATEHOUSE_DB_AUTH_TOKEN ? { authToken: config.GATEHOUSE_DB_AUTH_TOKEN } : {}),
  });
  const applied = await applyMigrations(db, migrations);
  if (applied.length > 0) log.info({ applied }, "database migrated");

  const commandKeys = loadCommandKeys(config.GATEHOUSE_SIGNING_KEY_FILE);
  if (commandKeys.created)
    log.warn(
      { file: config.GATEHOUSE_SIGNING_KEY_FILE, publicKey: commandKeys.signer.text },
      "created a new command signing key: give agents its public key (AGENT_COMMAND_PUBLIC_KEY)",
    );

  const sites = new SitesRepo(db);
  const visits = new VisitQueries(db);
  const visitWrites = new VisitWrites(db, visits);
  const tokens = new TokensRepo(db);
  const intakeRepo = new IntakeRepo(db);
  const pictures = new PicturesRepo(db);
  const audit = new AuditRepo(db);
  const incidents = new IncidentsRepo(db);
  const denyList = new DenyListRepo(db);
  const live = new LiveEvents();
  if (config.GATEHOUSE_ADMIN_TOKEN) await tokens.create("admin", "bootstrap", config.GATEHOUSE_ADMIN_TOKEN);

  const metrics = createControlPlaneMetrics(CONTROL_PLANE_VERSION, {
    guestsInside: async () =>
      Number((await db.read("SELECT count(*) AS n FROM visits WHERE inside = 1")).rows[0]?.n ?? 0),
    commandQueues: () => sites.allQueueStats(),
    agentStates: () => sites.agentStates(),
  });

  const mail: Transporter = config.GATEHOUSE_SMTP_URL
    ? createTransport(config.GATEHOUSE_SMTP_URL)
    : createTransport({ jsonTransport: true });
  if (!config.GATEHOUSE_SMTP_URL) log.warn("GATEHOUSE_SMTP_URL is not set: host emails are logged, not sent");
  const notifier = new Notifier(db, mail, log.child({ component: "notifier" }), {
    from: config.GATEHOUSE_MAIL_FROM,
    maxAttempts: 10,
    backoffMs: (n) => Math.min(3_600_000, 2000 * 2 ** n) * (0.5 + Math.random() / 2),
    onResult: (kind, status) => metrics.emails.inc({ kind, status }),
  });

  const tls =
    config.GATEHOUSE_TLS_CERT_FILE && config.GATEHOUSE_TLS_KEY_FILE
      ? {
          cert: readFileSync(config.GATEHOUSE_TLS_CERT_FILE, "utf8"),
          key: readFileSync(config.GATEHOUSE_TLS_KEY_FILE, "utf8"),
          minVersion: "TLSv1.2" as const,
        }
      : undefined;

  const throttle = new AuthThrottle(config.GATEHOUSE_AUTH_FAILURES_PER_MINUTE);
  let dispatcher: CommandDispatcher | undefined;
  let intake: AgentIntake | undefined;
  // Schedulers run on the instance holding their lease; until this one does, wakes are for the holder.
  let leadership: Leadership | undefined;
  const wakeNotifier = () => {
    if (leadership?.holds("notifier")) notifier.wake();
  };
  // A resumed broker session may deliver before the intake below is built: those messages wait for it.
  let intakeBuilt!: () => void;
  const intakeReady = new Promise<void>((resolve) => {
    intakeBuilt = resolve;
  });
  const onAgentMessage = async (site: string, topic: AgentTopic, payload: Buffer) => {
    await intakeReady;
    return intake!.handle(site, topic, payload);
  };
  let broker: {
    publish(topic: string, payload: string, retain?: boolean): Promise<void>;
    close(): Promise<void>;
    adopt?(deadInstanceId: string): Promise<number>;
    /** The embedded broker closes a revoked token's connections; a managed Mosquitto deletes its client. */
    disconnectToken?(tokenId: string): number;
  };
  let mqttUrl: string;
  // Before the broker connection subscribes: on a managed Mosquitto the control plane's own login gets the
  // Gatehouse topics here.
  const brokerLogins = await connectBrokerLogins(config, log.child({ component: "dynsec" })).catch(
    (e: Error) => {
      db.close();
      throw e;
    },
  );
  if (brokerLogins instanceof MosquittoDynsec) await brokerLogins.prepare(config.GATEHOUSE_MQTT_USERNAME);
  const agentLogins = new AgentLogins(sites, brokerLogins, log.child({ component: "agent-logins" }));
  if (config.GATEHOUSE_MQTT_URL) {
    broker = await connectExternalBroker({
      url: config.GATEHOUSE_MQTT_URL,
      username: config.GATEHOUSE_MQTT_USERNAME,
      ...(config.GATEHOUSE_MQTT_PASSWORD !== undefined ? { password: config.GATEHOUSE_MQTT_PASSWORD } : {}),
      ...(config.GATEHOUSE_MQTT_CA_FILE ? { ca: readFileSync(config.GATEHOUSE_MQTT_CA_FILE, "utf8") } : {}),
      instanceId: config.GATEHOUSE_INSTANCE_ID,
      intakeConnections: config.GATEHOUSE_MQTT_INTAKE_CONNECTIONS,
      log: log.child({ component: "broker" }),
      onAgentMessage,
    }).catch((e: Error) => {
      db.close();
      throw e;
    });
    mqttUrl = config.GATEHOUSE_MQTT_URL.replace(/\/$/, "");
  } else {
    const embedded = await startEmbeddedBroker({
      host: config.GATEHOUSE_MQTT_HOST,
      port: config.GATEHOUSE_MQTT_PORT,
      log: log.child({ component: "broker" }),
      throttle,
      ...(tls ? { tls } : {}),
      hooks: {
        async authenticate(username, password) {
          if (username?.startsWith("agent-")) {
            const cred = await sites.agentLogin(username);
            if (!cred || !(await verifyPassword(password, cred.hash))) return undefined;
            // The agent uses its rotated login: the one before it is good no more.
            if (cred.current) await agentLogins.inUse(cred.site, username);
            return { kind: "agent", site: cred.site };
          }
          const token = password ? await tokens.verify(password) : undefined;
          return token ? { kind: "consumer", tokenId: token.id } : undefined;
        },
        onAgentMessage,
        onRefused: (action) => metrics.mqttRefused.inc({ action }),
      },
    });
    broker = embedded;
    const mqttHost = config.GATEHOUSE_MQTT_HOST === "0.0.0.0" ? "127.0.0.1" : config.GATEHOUSE_MQTT_HOST;
    mqttUrl = `${tls ? "mqtts" : "mqtt"}://${mqttHost}:${embedded.port}`;
  }

  // Retained, so a consumer that subscribes later gets the muster list at once.
  const occupancy = new OccupancyPublisher(
    visits,
    (t, p, r) => broker.publish(t, p, r),
    log.child({ component: "occupancy" }),
    (o) => live.emit({ type: "occupancy", site: o.site, data: o }),
  );
  // Visit lifecycle events and incidents for MQTT consumers, as they are committed.
  live.watch((e) => {
    // A guest inside whose visit changed (checked out at the desk, say): the muster list says so.
    if (e.type === "visit" && e.data.after.inside && e.data.before?.status !== e.data.after.status)
      occupancy.changed(e.site);
    const topic =
      e.type === "visit" ? topics.visits(e.site) : e.type === "incident" ? topics.incidents(e.site) : null;
    if (topic)
      broker
        .publish(topic, JSON.stringify(e.data))
        .catch((err: Error) => log.warn({ err: err.message, topic }, "publishing an event failed"));
  });
  dispatcher = new CommandDispatcher(
    db,
    (topic, payload) => broker.publish(topic, payload),
    commandKeys.signer,
    log.child({ component: "dispatcher" }),
    config.GATEHOUSE_COMMAND_RESEND_SECONDS * 1000,
    async (ack) => {
      await intakeReady;
      await intake!.recordAck(ack);
    },
  );
  intake = new AgentIntake({
    intake: intakeRepo,
    sites,
    pictures,
    log: log.child({ component: "intake" }),
    metrics,
    effects: {
      publish: (topic, payload, retain) => broker.publish(topic, payload, retain),
      wakeNotifier,
      occupancyChanged: (site) => occupancy.changed(site),
      agentLoginInUse: (site, username) => void agentLogins.inUse(site, username),
      live,
      resendRange: (site, fromSeq, toSeq) => dispatcher!.resendRange(site, fromSeq, toSeq),
      sendCommand: (command) => {
        dispatcher!
          .send(command)
          .catch((e: Error) =>
            log.warn({ err: e.message }, "publishing a command failed; it will be re-sent"),
          );
      },
      resendPending: (site) => {
        void dispatcher!.resendSite(site).catch((e: Error) => log.warn({ err: e.message }, "re-send failed"));
      },
    },
  });
  intakeBuilt();
  const onPublishError = (e: Error) =>
    log.warn({ err: e.message }, "publishing a command failed; it will be re-sent");
  const visitService = new VisitService(
    db,
    sites,
    visits,
    visitWrites,
    dispatcher,
    live,
    metrics,
    onPublishError,
  );
  const groupEvents = new GroupEventService(db, sites, visitService, wakeNotifier);
  const visitImport = new VisitImport(visitService, sites, VisitCreate);

  const scheduler = new VisitScheduler(
    {
      db,
      visits,
      visitWrites,
      service: visitService,
      groupEvents,
      incidents,
      live,
      log: log.child({ component: "scheduler" }),
      onMailQueued: wakeNotifier,
      pictures,
    },
    config.GATEHOUSE_SCHEDULER_SECONDS * 1000,
    config.GATEHOUSE_RETENTION_DAYS * 86_400_000,
  );

  // A token that stops being good (revoked here or by another instance, or expired) ends its live streams and
  // MQTT connections within a second.
  const revocations = new TokenRevocations();
  revocations.on((tokenId) => {
    // On a managed Mosquitto the token's login goes, which disconnects it there.
    brokerLogins
      .removed(consumerUsername(tokenId))
      .catch((e: Error) =>
        log.error({ err: e.message, tokenId }, "could not delete a revoked token's broker login"),
      );
    const closed = broker.disconnectToken?.(tokenId) ?? 0;
    if (closed > 0)
      log.info({ tokenId, connections: closed }, "closed the MQTT connections of a token no longer good");
  });
  // The window looks back 10 s further than the last sweep: a revocation committed by another process while
  // a sweep was reading carries a time that sweep had already passed. Each token is ended once.
  let tokensSweptAt = Date.now();
  const ended = new Set<string>();
  revocations.on((tokenId) => ended.add(tokenId));
  const tokenSweep = setInterval(() => {
    const now = Date.now();
    tokens
      .endedBetween(new Date(tokensSweptAt - 10_000).toISOString(), new Date(now).toISOString())
      .then((ids) => {
        tokensSweptAt = now;
        for (const id of ids) if (!ended.has(id)) revocations.revoked(id);
      })
      .catch((e: Error) => log.warn({ err: e.message }, "checking for revoked tokens failed"));
  }, 1000);
  tokenSweep.unref();
  const loginSweep = setInterval(() => {
    agentLogins
      .sweep()
      .catch((e: Error) => log.warn({ err: e.message }, "retiring agents' old logins failed"));
  }, 30_000);
  loginSweep.unref();

  let ready = false;
  const app = buildApp({
    revocations,
    brokerLogins,
    agentLogins,
    pictures,
    audit,
    incidents,
    denyList,
    visitImport,
    dispatcher,
    live,
    groupEvents,
    sites,
    visits,
    tokens,
    visitService,
    metrics,
    commandPublicKeys: commandKeys.agentSetting,
    throttle,
    trustedProxies: addressList(config.GATEHOUSE_TRUSTED_PROXIES),
    importMaxBytes: config.GATEHOUSE_IMPORT_MAX_BYTES,
    corsOrigins: config.GATEHOUSE_CORS_ORIGINS,
    tls: Boolean(tls),
    log: log.child({ component: "http" }),
    ready: () => ready,
  });
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve(
      {
        fetch: app.fetch,
        hostname: config.GATEHOUSE_HTTP_HOST,
        port: config.GATEHOUSE_HTTP_PORT,
        ...(tls ? { createServer: createHttpsServer, serverOptions: tls } : {}),
      },
      () => resolve(s),
    );
    s.once("error", (e) =>
      reject(listenFailed("GATEHOUSE_HTTP_PORT", config.GATEHOUSE_HTTP_HOST, config.GATEHOUSE_HTTP_PORT, e)),
    );
  });
  const httpHost = config.GATEHOUSE_HTTP_HOST === "0.0.0.0" ? "127.0.0.1" : config.GATEHOUSE_HTTP_HOST;
  const httpUrl = `${tls ? "https" : "http"}://${httpHost}:${(server.address() as AddressInfo).port}`;

  leadership = new Leadership(
    new LeasesRepo(db),
    config.GATEHOUSE_INSTANCE_ID,
    config.GATEHOUSE_LEASE_SECONDS * 1000,
    {
      "visit-scheduler": scheduler,
      // Several instances share a database only on an external broker: then another one may queue the email.
      notifier: {
        start: () => notifier.start(config.GATEHOUSE_MQTT_URL ? 1000 : undefined),
        stop: () => notifier.stop(),
      },
      "command-resend": dispatcher,
    },
    log.child({ component: "leadership" }),
    (role, held) => metrics.leaseHeld.set({ role }, held ? 1 : 0),
    async (dead) => {
      await broker.adopt?.(dead);
    },
  );
  await leadership.start();
  ready = true;
  log.info({ http: httpUrl, mqtt: mqttUrl, instance: config.GATEHOUSE_INSTANCE_ID }, "control plane started");
  const oldRuntime = unsupportedRuntime();
  if (oldRuntime) log.warn({ node: process.versions.node }, oldRuntime);

  return {
    httpUrl,
    mqttUrl,
    db,
    tokens,
    commandPublicKeys: commandKeys.agentSetting,
    async stop() {
      ready = false;
      clearInterval(tokenSweep);
      clearInterval(loginSweep);
      await leadership!.stop();
      occupancy.stop();
      await new Promise((r) => server.close(r));
      await broker.close();
      await intake?.flush();
      await brokerLogins.close();
      mail.close();
      db.close();
      log.info("control plane stopped");
    },
  };
}
