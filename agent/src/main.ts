import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import {
  type AgentStatus,
  listenFailed,
  parsePublicKeys,
  type RefusedCommand,
  type ReportTrigger,
  type ResyncRequest,
  topics,
} from "@gatehouse/shared";
import { applyMigrations, Database } from "@gatehouse/shared/db";
import { type ServerType, serve } from "@hono/node-server";
import { Hono } from "hono";
import type { Logger } from "pino";
import { AgentStore } from "./adapters/db/agent-store.js";
import { hikClientFromConfig } from "./adapters/hikcentral/from-config.js";
import { AgentLink } from "./adapters/mqtt/agent-link.js";
import type { AgentConfig } from "./config.js";
import { buildIsapiBackend } from "./isapi-mode.js";
import { createAgentMetrics } from "./metrics.js";
import { CommandExecutor, type Executor } from "./services/command-executor.js";
import { EventIntake } from "./services/event-intake.js";
import { EventSync } from "./services/event-sync.js";
import { ExpiryWatch } from "./services/expiry-watch.js";
import { GapFiller } from "./services/gap-filler.js";
import { Inbox } from "./services/inbox.js";
import { Lanes } from "./services/lanes.js";
import { OutboxRelay } from "./services/outbox-relay.js";
import { PictureRelay } from "./services/picture-relay.js";
import { Reconciler } from "./services/reconciler.js";

export const AGENT_VERSION = "0.1.0";

export interface RunningAgent {
  healthUrl: string;
  eventUrl: string;
  store: AgentStore;
  stop(): Promise<void>;
}

const migrations = fileURLToPath(new URL("../migrations", import.meta.url));

function listen(app: Hono, host: string, port: number, setting: string): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port }, () => resolve(s));
    s.once("error", (e) => reject(listenFailed(setting, host, port, e)));
  });
}

/** The agent's composition root: everything is built here from one validated config. */
export async function startAgent(config: AgentConfig, log: Logger): Promise<RunningAgent> {
  const site = config.AGENT_SITE_ID;
  if (config.AGENT_HIKCENTRAL_TLS_INSECURE_SKIP_VERIFY_UNSAFE) {
    log.warn(
      "HikCentral's certificate is NOT verified (AGENT_HIKCENTRAL_TLS_INSECURE_SKIP_VERIFY_UNSAFE); pin it with AGENT_HIKCENTRAL_FINGERPRINT",
    );
  }
  const db = await Database.open({ url: config.AGENT_DB_URL, synchronous: "FULL", secureDelete: true });
  await applyMigrations(db, migrations);
  const store = new AgentStore(db, site);

  let eventToken = await store.meta.get("event_token");
  if (!eventToken) {
    eventToken = randomBytes(18).toString("base64url");
    await store.meta.set("event_token", eventToken);
  }

  const depths = async () => ({
    inbox: await store.inbox.pendingCount(),
    outbox: await store.outbox.depth(),
  });
  const metrics = createAgentMetrics(AGENT_VERSION, depths);

  let eventSync: EventSync | undefined;
  let hikHealthy: boolean | undefined;
  let hikError: string | undefined;
  // hikcentral: OpenAPI for everything; isapi: the terminals for everything; both: OpenAPI for persons and
  // grants, the terminals' alert streams for passages (faster, with serial numbers).
  const isapiMode = config.AGENT_MODE === "isapi";
  const terminalEvents = config.AGENT_MODE !== "hikcentral";
  const hik = isapiMode
    ? undefined
    : hikClientFromConfig(config, {
        retries: 3,
        onCall: (endpoint, outcome, seconds) => {
          metrics.apiRequests.inc({ endpoint, status: outcome });
          metrics.apiSeconds.observe({ endpoint }, seconds);
          const reached = outcome !== "network" && outcome !== "5xx";
          // Back after an outage: search for what was missed now, not at the next interval.
          if (reached && hikHealthy === false) eventSync?.wake();
          hikHealthy = reached;
          hikError = reached ? undefined : outcome;
        },
      });

  let relay: OutboxRelay | undefined;
  let pictures: PictureRelay | undefined;
  const wakeRelay = () => relay?.wake();
  const refused: { total: number; last?: RefusedCommand } = { total: 0 };
  let statusSoon: NodeJS.Timeout | undefined;
  // A change worth saying (a refused command, HikCentral's push coming or going) goes on the status topic
  // at once, but at most once a second however fast changes come.
  const statusChanged = () => {
    statusSoon ??= setTimeout(() => {
      statusSoon = undefined;
      if (link.connected)
        void status("online")
          .then((s) => link.publishStatus(s))
          .catch(() => {});
    }, 1000);
  };
  const lanes = new Lanes();
  const isapi = terminalEvents
    ? buildIsapiBackend(config, store, lanes, metrics, log.child({ component: "isapi" }), wakeRelay, {
        eventsOnly: !isapiMode,
      })
    : undefined;
  const reconciler = hik
    ? new Reconciler(hik, store, log.child({ component: "reconciler" }), metrics, {
        site,
        timeZone: config.AGENT_TIME_ZONE,
        orgIndexCode: config.AGENT_HIKCENTRAL_ORG,
        personCodePrefix: config.AGENT_PERSON_CODE_PREFIX,
        retentionMs: config.AGENT_RETENTION_DAYS * 86_400_000,
        onQueued: wakeRelay,
      })
    : undefined;
  const executor: Executor =
    (isapiMode ? isapi?.executor : undefined) ??
    new CommandExecutor(hik!, {
      ...(isapi ? { doors: isapi.executor } : {}),
      timeZone: config.AGENT_TIME_ZONE,
      orgIndexCode: config.AGENT_HIKCENTRAL_ORG,
      faceOnly: config.AGENT_FACE_ONLY,
      appliedFace: (code) => store.replica.appliedFace(code),
      grantedGroups: (code) => store.replica.grantedGroups(code),
      replicaPerson: (code) => store.replica.get(code),
      reconcile: async (cmd) => {
        const report = await reconciler!.run("sync", cmd.id);
        const failed = report.changes.filter((c) => c.action === "failed").length;
        return { changes: report.changes.length + report.truncated, failed };
      },
      downloadWaitMs: config.AGENT_DOWNLOAD_WAIT_SECONDS * 1000,
      downloadPollMs: 250,
      log: (m) => log.warn(m),
    });
  const inbox = new Inbox(store, executor, lanes, log.child({ component: "inbox" }), metrics, {
    site,
    trustedKeys: parsePublicKeys(config.AGENT_COMMAND_PUBLIC_KEY),
    onRefused: (r) => {
      refused.total += 1;
      refused.last = r;
      statusChanged();
    },
    retryDelayMs: (n) => Math.min(60_000, 1000 * 2 ** Math.min(n, 6)) * (0.5 + Math.random() / 2),
    concurrency: config.AGENT_COMMAND_CONCURRENCY,
    onQueued: wakeRelay,
    onApplied: (cmd) => {
      if (cmd.type === "grant" || cmd.type === "validity") expiries.notice(cmd.payload.validUntil);
    },
    requestResync: async (fromSeq, toSeq) => {
      if (!link.connected) return false;
      await sendResync(fromSeq, toSeq);
      return true;
    },
    resyncEveryMs: 30_000,
  });
  lanes.onRelease(() => inbox.wake());
  const expiries = new ExpiryWatch(store, executor, lanes, log.child({ component: "expiry" }), metrics, {
    site,
    onQueued: wakeRelay,
    maxSleepMs: 60_000,
  });

  /** Asks the control plane to send these commands again (toSeq omitted: everything from fromSeq). */
  const sendResync = async (fromSeq: number, toSeq?: number) => {
    const request: ResyncRequest = {
      id: randomUUID(),
      site,
      fromSeq,
      ...(toSeq === undefined ? {} : { toSeq }),
      at: new Date().toISOString(),
    };
    await link.publish(topics.resync(site), JSON.stringify(request));
  };

  /**
   * A replica restored from a backup knows nothing of the commands after its watermark: it asks for all of
   * them once (kept in meta until sent, so a crash before the first connect still asks).
   */
  const askForCommandsAfterImport = async () => {
    const from = await store.meta.get("resync_from");
    if (!from || !link.connected) return;
    await sendResync(Number(from));
    await store.meta.delete("resync_from");
    log.info(
      { fromSeq: Number(from) },
      "asked the control plane for every command after the imported replica",
    );
  };

  /** Reconciliation on its own (start, hourly, after an import): alone against HikCentral, like a sync. */
  let reconciling: Promise<unknown> | undefined;
  let reconcileRetry: NodeJS.Timeout | undefined;
  let stopping = false;
  const reconcile = (trigger: ReportTrigger): Promise<unknown> => {
    clearTimeout(reconcileRetry);
    reconciling ??= lanes
      .runExclusive(
        (): Promise<unknown> =>
          isapiMode ? isapi!.sync.reconcile(undefined, trigger) : reconciler!.run(trigger),
      )
      // The import's reconciliation is owed until it has run: a crash before then runs it again as such.
      .then(() => (trigger === "import" ? store.meta.delete("imported_at") : undefined))
      .catch((e: Error) => {
        log.warn({ trigger, err: e.message }, "reconciliation failed; trying again in a minute");
        if (!stopping) reconcileRetry = setTimeout(() => void reconcile(trigger), 60_000);
      })
      .finally(() => {
        reconciling = undefined;
      });
    return reconciling;
  };
  const housekeeping = async () => {
    const pruned = {
      passages: await store.outbox.pruneSeen(
        new Date(Date.now() - config.AGENT_PASSAGE_DEDUP_DAYS * 86_400_000),
      ),
      commands: await store.inbox.prune(new Date(Date.now() - config.AGENT_RETENTION_DAYS * 86_400_000)),
    };
    if (pruned.passages + pruned.commands > 0)
      log.info(pruned, "forgot old passage ids and finished commands");
  };
  const intake = new EventIntake(
    store,
    log.child({ component: "event-intake" }),
    metrics,
    { site, timeZone: config.AGENT_TIME_ZONE, doorDirections: config.AGENT_DOOR_DIRECTIONS },
    (fresh) => {
      wakeRelay();
      pictures?.offer(fresh);
    },
  );

  const since = new Date().toISOString();
  const subscribed = () => eventSync?.subscribed ?? false;
  const status = async (state: "online" | "offline"): Promise<AgentStatus> => {
    const d = await depths();
    return {
      site,
      state,
      since,
      version: AGENT_VERSION,
      queues: d,
      lastAppliedSeq: await store.meta.lastAppliedSeq(),
      refusedCommands: { ...refused },
      sources: [
        ...(hik
          ? [
              {
                name: "hikcentral-api",
                state:
                  hikHealthy === undefined
                    ? ("unknown" as const)
                    : hikHealthy
                      ? ("up" as const)
                      : ("down" as const),
                ...(hikError ? { error: hikError } : {}),
              },
            ]
          : []),
        ...(hik && !terminalEvents
          ? [
              {
                name: "hikcentral-push",
                state: subscribed() ? ("up" as const) : ("down" as const),
                ...(intake.lastEventAt ? { lastEventAt: intake.lastEventAt.toISOString() } : {}),
              },
            ]
          : []),
        ...(isapi ? isapi.sources() : []),
      ],
    };
  };

  const link = new AgentLink({
    url: config.AGENT_MQTT_URL,
    username: config.AGENT_MQTT_USERNAME,
    password: config.AGENT_MQTT_PASSWORD,
    ...(config.AGENT_MQTT_CA_FILE ? { ca: readFileSync(config.AGENT_MQTT_CA_FILE, "utf8") } : {}),
    site,
    log: log.child({ component: "mqtt" }),
    onCommand: (payload) => inbox.receive(payload),
    onConnect: () => {
      // Status is republished on every connect: a restarted broker forgets what it did not persist.
      void status("online")
        .then((s) => link.publishStatus(s))
        .catch((e: Error) => log.warn({ err: e.message }, "status publish failed"));
      relay?.wake();
      inbox.wake();
      void askForCommandsAfterImport().catch((e: Error) =>
        log.warn({ err: e.message }, "asking for commands after the import failed"),
      );
    },
    onConnectionChange: (up) => metrics.mqttConnected.set(up ? 1 : 0),
  });
  relay = new OutboxRelay(store.outbox, link, log.child({ component: "outbox" }));
  pictures = hik
    ? new PictureRelay({
        fetch: (uri) => hik.eventPicture(uri),
        publish: (p) => link.publish(topics.pictures(site), JSON.stringify(p)),
        count: (result) => metrics.pictures.inc({ result }),
        log: log.child({ component: "pictures" }),
      })
    : undefined;

  // HikCentral pushes access events here: a secret path, since HCP's way of presenting the token is unknown.
  const events = new Hono();
  events.post("/hikcentral/events/:token", async (c) => {
    if (c.req.param("token") !== eventToken) return c.json({ code: "403", msg: "unknown subscription" }, 403);
    const body = await c.req.json().catch(() => undefined);
    const r = await intake.handlePush(body);
    return c.json({ code: "0", msg: "Success", data: r });
  });
  // Terminals with `push` POST multipart/form-data: the event is the JSON part `AccessControllerEvent`
  // (`event_log` on older firmware), or a plain JSON body. Answered 200 always: a terminal retries errors.
  events.post("/isapi/events/:terminal/:token", async (c) => {
    if (c.req.param("token") !== eventToken || !isapi) return c.text("", 403);
    let json: unknown;
    try {
      if ((c.req.header("content-type") ?? "").startsWith("multipart/")) {
        const form = await c.req.parseBody();
        const part = form.AccessControllerEvent ?? form.event_log;
        json = JSON.parse(typeof part === "string" ? part : part ? await part.text() : "null");
      } else json = await c.req.json();
    } catch {
      log.warn({ terminal: c.req.param("terminal") }, "ignored a terminal push that is not an event");
      return c.text("", 200);
    }
    await isapi.takePushed(c.req.param("terminal"), json);
    return c.text("", 200);
  });
  const [listenHost, listenPort] = config.AGENT_EVENT_LISTEN.split(":") as [string, string];
  const eventServer = await listen(events, listenHost, Number(listenPort), "AGENT_EVENT_LISTEN");
  const eventPort = (eventServer.address() as AddressInfo).port;
  const eventBase =
    config.AGENT_EVENT_PUBLIC_URL ??
    `http://${listenHost === "0.0.0.0" ? "127.0.0.1" : listenHost}:${eventPort}`;
  const eventUrl = `${eventBase.replace(/\/$/, "")}/hikcentral/events/${eventToken}`;
  isapi?.setPushBase(new URL(eventBase), eventToken);

  const health = new Hono();
  health.get("/healthz", async (c) => {
    const s = await status("online");
    const degraded =
      !link.connected ||
      (hik !== undefined && hikHealthy === false) ||
      (isapi ? !isapi.healthy() : !subscribed());
    return c.json({
      status: degraded ? "degraded" : "ok",
      mqtt: link.connected ? "connected" : "disconnected",
      ...(hik ? { hikcentral: s.sources?.[0]?.state } : {}),
      ...(isapi
        ? { terminals: isapi.sources() }
        : { eventSubscription: subscribed() ? "active" : "missing" }),
      queues: s.queues,
      lastAppliedSeq: s.lastAppliedSeq,
    });
  });
  health.get("/metrics", async (c) =>
    c.text(await metrics.registry.metrics(), 200, { "content-type": metrics.registry.contentType }),
  );
  const healthServer = await listen(
    health,
    config.AGENT_HTTP_HOST,
    config.AGENT_HTTP_PORT,
    "AGENT_HTTP_PORT",
  );
  const healthUrl = `http://${config.AGENT_HTTP_HOST}:${(healthServer.address() as AddressInfo).port}`;

  // With the terminals' streams as the source of passages, HikCentral's copies of the same events stay unused.
  if (hik && !terminalEvents) {
    const gaps = new GapFiller(hik, store, log.child({ component: "gap-filler" }), {
      ctx: { site, timeZone: config.AGENT_TIME_ZONE, doorDirections: config.AGENT_DOOR_DIRECTIONS },
      overlapMs: config.AGENT_GAP_FILL_OVERLAP_SECONDS * 1000,
      firstLookbackMs: 15 * 60_000,
      pageSize: 500,
      onQueued: (fresh) => {
        for (const p of fresh) metrics.passages.inc({ result: p.result });
        wakeRelay();
        pictures?.offer(fresh);
      },
    });
    eventSync = new EventSync(hik, gaps, log.child({ component: "event-sync" }), {
      eventUrl,
      token: eventToken,
      intervalMs: config.AGENT_GAP_FILL_SECONDS * 1000,
      onSubscribedChange: () => statusChanged(),
    });
    eventSync.start();
  }
  isapi?.start();
  link.start();
  relay.wake();
  inbox.wake();
  expiries.start();
  // A restored replica is reconciled as such (see `gatehouse-agent import`).
  void reconcile((await store.meta.get("imported_at")) ? "import" : "start");
  const reconcileTimer = setInterval(() => {
    void reconcile("schedule");
    void housekeeping().catch((e: Error) => log.warn({ err: e.message }, "housekeeping failed"));
  }, config.AGENT_RECONCILE_MINUTES * 60_000);
  const statusTimer = setInterval(() => {
    if (link.connected)
      void status("online")
        .then((s) => link.publishStatus(s))
        .catch(() => {});
  }, 30_000);
  log.info({ site, health: healthUrl }, "agent started");

  return {
    healthUrl,
    eventUrl,
    store,
    async stop() {
      clearInterval(statusTimer);
      stopping = true;
      clearInterval(reconcileTimer);
      clearTimeout(reconcileRetry);
      clearTimeout(statusSoon);
      pictures?.stop();
      await eventSync?.stop();
      await isapi?.stop();
      await expiries.stop();
      await inbox.stop();
      await reconciling;
      await relay?.stop();
      await link.stop(await status("offline").catch(() => undefined));
      await new Promise((r) => eventServer.close(r));
      await new Promise((r) => healthServer.close(r));
      await hik?.close();
      db.close();
      log.info("agent stopped");
    },
  };
}
