import type { Passage } from "@gatehouse/shared";
import type { Logger } from "pino";
import type { AgentStore } from "./adapters/db/agent-store.js";
import { hikClientFromConfig } from "./adapters/hikcentral/from-config.js";
import { HikCentralPlace } from "./adapters/hikcentral/hikcentral-place.js";
import type { AgentConfig } from "./config.js";
import type { AgentMetrics } from "./metrics.js";
import { EventSync } from "./services/event-sync.js";
import { GapFiller } from "./services/gap-filler.js";
import { HikCentralHealth } from "./services/hikcentral-health.js";
import { PictureRelay } from "./services/picture-relay.js";
import { Reconciler } from "./services/reconciler.js";

/** The HikCentral back end: its OpenAPI client, persons there, reconciliation, and passage pictures. */
export function buildHikCentralBackend(
  config: AgentConfig,
  store: AgentStore,
  metrics: AgentMetrics,
  log: Logger,
  opts: {
    onQueued: () => void;
    publishPicture: (picture: unknown) => Promise<void>;
  },
) {
  if (config.AGENT_HIKCENTRAL_TLS_INSECURE_SKIP_VERIFY_UNSAFE)
    log.warn(
      "HikCentral's certificate is NOT verified (AGENT_HIKCENTRAL_TLS_INSECURE_SKIP_VERIFY_UNSAFE); pin it with AGENT_HIKCENTRAL_FINGERPRINT",
    );
  const health = new HikCentralHealth();
  const client = hikClientFromConfig(config, {
    retries: 3,
    onCall: (endpoint, outcome, seconds) => {
      metrics.apiRequests.inc({ endpoint, status: outcome });
      metrics.apiSeconds.observe({ endpoint }, seconds);
      health.note(outcome);
    },
  });
  const place = new HikCentralPlace(client, {
    timeZone: config.AGENT_TIME_ZONE,
    orgIndexCode: config.AGENT_HIKCENTRAL_ORG,
    appliedFace: (code) => store.replica.appliedFace(code),
    downloadWaitMs: config.AGENT_DOWNLOAD_WAIT_SECONDS * 1000,
    downloadPollMs: 250,
    log: (m) => log.warn(m),
  });
  const reconciler = new Reconciler(client, store, log.child({ component: "reconciler" }), metrics, {
    site: config.AGENT_SITE_ID,
    timeZone: config.AGENT_TIME_ZONE,
    orgIndexCode: config.AGENT_HIKCENTRAL_ORG,
    personCodePrefix: config.AGENT_PERSON_CODE_PREFIX,
    retentionMs: config.AGENT_RETENTION_DAYS * 86_400_000,
    onQueued: opts.onQueued,
  });
  const pictures = new PictureRelay({
    fetch: (uri) => client.eventPicture(uri),
    publish: opts.publishPicture,
    count: (result) => metrics.pictures.inc({ result }),
    log: log.child({ component: "pictures" }),
  });
  return {
    client,
    health,
    place,
    reconciler,
    pictures,
    /** A sync command's reconciliation, as its ack reports it. */
    async reconcileForSync(commandId: string) {
      const report = await reconciler.run("sync", commandId);
      const failed = report.changes.filter((c) => c.action === "failed").length;
      return { changes: report.changes.length + report.truncated, failed };
    },
    /**
     * Passages from HikCentral: its event push to the agent, kept subscribed, and a search from the stored
     * cursor that fills whatever the pushes missed. Searched again at once when HikCentral is back.
     */
    events(o: {
      eventUrl: string;
      token: string;
      onQueued: (fresh: Passage[]) => void;
      onSubscribedChange: () => void;
    }): EventSync {
      const gaps = new GapFiller(client, store, log.child({ component: "gap-filler" }), {
        ctx: {
          site: config.AGENT_SITE_ID,
          timeZone: config.AGENT_TIME_ZONE,
          doorDirections: config.AGENT_DOOR_DIRECTIONS,
        },
        overlapMs: config.AGENT_GAP_FILL_OVERLAP_SECONDS * 1000,
        recentOverlapMs: config.AGENT_GAP_FILL_RECENT_OVERLAP_SECONDS * 1000,
        fullEveryMs: config.AGENT_GAP_FILL_FULL_MINUTES * 60_000,
        firstLookbackMs: 15 * 60_000,
        pageSize: 500,
        onQueued: (fresh) => {
          for (const p of fresh) metrics.passages.inc({ result: p.result });
          o.onQueued(fresh);
        },
      });
      const sync = new EventSync(client, gaps, log.child({ component: "event-sync" }), {
        eventUrl: o.eventUrl,
        token: o.token,
        intervalMs: config.AGENT_GAP_FILL_SECONDS * 1000,
        onSubscribedChange: () => o.onSubscribedChange(),
      });
      health.whenBack(() => sync.wake());
      return sync;
    },
  };
}

export type HikCentralBackend = ReturnType<typeof buildHikCentralBackend>;
