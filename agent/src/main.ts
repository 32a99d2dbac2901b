import { fileURLToPath } from "node:url";
import { type Passage, parsePublicKeys, topics, unsupportedRuntime } from "@gatehouse/shared";
import { applyMigrations, Database } from "@gatehouse/shared/db";
import type { Logger } from "pino";
import { AgentStore } from "./adapters/db/agent-store.js";
import { agentLinkFromConfig } from "./adapters/mqtt/agent-link.js";
import type { AgentConfig } from "./config.js";
import { buildHikCentralBackend } from "./hikcentral-mode.js";
import { healthRoutes } from "./http/health-routes.js";
import { listen } from "./http/listen.js";
import { startPushListener } from "./http/push-routes.js";
import { createAgentMetrics } from "./metrics.js";
import { AccessExecutor } from "./services/access-executor.js";
import { CommandResync } from "./services/command-resync.js";
import { EventIntake } from "./services/event-intake.js";
import { ExpiryWatch } from "./services/expiry-watch.js";
import { housekeeping } from "./services/housekeeping.js";
import { backoffWithJitter, Inbox } from "./services/inbox.js";
import { Lanes } from "./services/lanes.js";
import { OutboxRelay } from "./services/outbox-relay.js";
import { ReconcileScheduler } from "./services/reconcile-scheduler.js";
import { StatusReporter } from "./services/status-reporter.js";

export const AGENT_VERSION = "0.1.0";

export interface RunningAgent {
  healthUrl: string;
  eventUrl: string;
  store: AgentStore;
  stop(): Promise<void>;
}

const migrations = fileURLToPath(new URL("../migrations", import.meta.url));

/**
 * The agent's composition root: builds everything from one validated config, starts it in order and stops it
 * in reverse. Modes: `hikcentral` (OpenAPI for everything), `isapi` (the terminals for everything), `both`
 * (OpenAPI for persons and grants, the terminals' alert streams for passages and doors).
 */
export async function startAgent(config: AgentConfig, log: Logger): Promise<RunningAgent> {
  const site = config.AGENT_SITE_ID;
  const db = await Database.open({ url: config.AGENT_DB_URL, synchronous: "FULL", secureDelete: true });
  await applyMigrations(db, migrations);
  const store = new AgentStore(db, site);
  const eventToken = await store.meta.eventToken();
  const metrics = createAgentMetrics(AGENT_VERSION, () => store.depths());
  db.onSync((seconds) => metrics.dbSyncSeconds.observe(seconds));
  const isapiMode = config.AGENT_MODE === "isapi";

  const link = agentLinkFromConfig(config, log.child({ component: "mqtt" }));
  const relay = new OutboxRelay(store.outbox, link, log.child({ component: "outbox" }));
  const wakeRelay = () => relay.wake();
  const lanes = new Lanes();
  const hik = isapiMode
    ? undefined
    : buildHikCentralBackend(config, store, metrics, log, {
        onQueued: wakeRelay,
        publishPicture: (p) => link.publish(topics.pictures(site), JSON.stringify(p)),
      });
  // In `both` mode the terminals bring passages and open doors; persons stay HikCentral's. Loaded only then:
  // the ISAPI client and its XML libraries are some megabytes of a gateway box's memory.
  const isapi =
    config.AGENT_MODE === "hikcentral"
      ? undefined
      : (await import("./isapi-mode.js")).buildIsapiBackend(
          config,
          store,
          lanes,
          metrics,
          log.child({ component: "isapi" }),
          wakeRelay,
          {
            eventsOnly: !isapiMode,
          },
        );
  const passagesQueued = (fresh: Passage[]) => {
    wakeRelay();
    hik?.pictures.offer(fresh);
  };
  const intake = new EventIntake(
    store,
    log.child({ component: "event-intake" }),
    metrics,
    { site, timeZone: config.AGENT_TIME_ZONE, doorDirections: config.AGENT_DOOR_DIRECTIONS },
    passagesQueued,
    (rows, durable) => relay.sendEarly(rows, durable),
  );
  const reporter = new StatusReporter({
    site,
    version: AGENT_VERSION,
    login: config.AGENT_MQTT_USERNAME,
    depths: () => store.depths(),
    lastAppliedSeq: () => store.meta.lastAppliedSeq(),
    link,
    everyMs: 30_000,
    sources: { ...(hik ? { hikcentral: hik.health } : {}), ...(isapi ? { terminals: isapi } : {}) },
  });

  const push = await startPushListener(config.AGENT_EVENT_LISTEN, config.AGENT_EVENT_PUBLIC_URL, {
    token: eventToken,
    intake,
    isapi,
    log,
  });
  isapi?.setPushBase(push.base, eventToken);
  // With the terminals' streams as the source of passages, HikCentral's copies of the same events stay unused.
  const events =
    hik && !isapi
      ? hik.events({
          eventUrl: push.eventUrl,
          token: eventToken,
          onQueued: passagesQueued,
          onSubscribedChange: () => reporter.changed(),
        })
      : undefined;
  if (events)
    reporter.watchPush({ subscribed: () => events.subscribed, lastEventAt: () => intake.lastEventAt });

  const executor = new AccessExecutor(isapiMode ? isapi!.place : hik!.place, {
    faceOnly: !isapiMode && config.AGENT_FACE_ONLY,
    replica: store.replica,
    ...(isapi ? { doors: isapi.place } : {}),
    reconcile: (commandId) =>
      isapiMode ? isapi!.sync.reconcile(commandId) : hik!.reconcileForSync(commandId),
  });
  const expiries = new ExpiryWatch(store, executor, lanes, log.child({ component: "expiry" }), metrics, {
    site,
    onQueued: wakeRelay,
    maxSleepMs: 60_000,
  });
  const resync = new CommandResync(link, store.meta, site, log.child({ component: "resync" }));
  const inbox = new Inbox(store, executor, lanes, log.child({ component: "inbox" }), metrics, {
    site,
    trustedKeys: parsePublicKeys(config.AGENT_COMMAND_PUBLIC_KEY),
    onRefused: (r) => reporter.refusedCommand(r),
    retryDelayMs: backoffWithJitter,
    concurrency: config.AGENT_COMMAND_CONCURRENCY,
    onQueued: wakeRelay,
    onApplied: (cmd) => {
      if (cmd.type === "grant" || cmd.type === "validity") expiries.notice(cmd.payload.validUntil);
    },
    requestResync: (fromSeq, toSeq) => resync.request(fromSeq, toSeq),
    resyncEveryMs: 30_000,
  });
  lanes.onRelease(() => inbox.wake());
  const reconciling = new ReconcileScheduler(lanes, store.meta, log.child({ component: "reconcile" }), {
    run: (trigger) => (isapiMode ? isapi!.sync.reconcile(undefined, trigger) : hik!.reconciler.run(trigger)),
    housekeeping: housekeeping(store, log, {
      passageDedupDays: config.AGENT_PASSAGE_DEDUP_DAYS,
      retentionDays: config.AGENT_RETENTION_DAYS,
    }),
    everyMs: config.AGENT_RECONCILE_MINUTES * 60_000,
  });
  link.attach({
    onCommand: (payload) => inbox.receive(payload),
    onConnect: () => {
      void reporter.publish();
      relay.wake();
      inbox.wake();
      void resync
        .askAfterImport()
        .catch((e: Error) => log.warn({ err: e.message }, "asking for commands after the import failed"));
    },
    onConnectionChange: (up) => metrics.mqttConnected.set(up ? 1 : 0),
  });
  const healthServer = await listen(
    healthRoutes({ reporter, metrics }),
    config.AGENT_HTTP_HOST,
    config.AGENT_HTTP_PORT,
    "AGENT_HTTP_PORT",
  );

  events?.start();
  isapi?.start();
  link.start();
  relay.wake();
  inbox.wake();
  expiries.start();
  await reconciling.start();
  reporter.start();
  const healthUrl = `http://${config.AGENT_HTTP_HOST}:${healthServer.port}`;
  log.info({ site, health: healthUrl }, "agent started");
  const oldRuntime = unsupportedRuntime();
  if (oldRuntime) log.warn({ node: process.versions.node }, oldRuntime);

  return {
    healthUrl,
    eventUrl: push.eventUrl,
    store,
    async stop() {
      reporter.stop();
      hik?.pictures.stop();
      await events?.stop();
      await isapi?.stop();
      await expiries.stop();
      await inbox.stop();
      await reconciling.stop();
      await relay.stop();
      await link.stop(await reporter.status("offline").catch(() => undefined));
      await push.close();
      await healthServer.close();
      await hik?.client.close();
      db.close();
      log.info("agent stopped");
    },
  };
}
