import { createMetricsRegistry, oncePerScrape } from "@gatehouse/shared/metrics";
import { Counter, Gauge, Histogram } from "prom-client";

export interface MetricSources {
  guestsInside: () => Promise<number>;
  commandQueues: () => Promise<Array<{ site: string; pending: number; oldestPendingAt: string | null }>>;
  /** Sites whose agent has reported, and whether its last status said online. */
  agentStates: () => Promise<Array<{ site: string; online: boolean }>>;
}

export function createControlPlaneMetrics(version: string, sources: MetricSources) {
  const registry = createMetricsRegistry();
  const commandQueues = oncePerScrape(sources.commandQueues);
  new Gauge({
    name: "gatehouse_build_info",
    help: "Build information",
    labelNames: ["version", "component"],
    registers: [registry],
  }).set({ version, component: "control-plane" }, 1);
  const passages = new Counter({
    name: "gatehouse_passages_total",
    help: "Passages stored (once each)",
    labelNames: ["result", "direction"],
    registers: [registry],
  });
  const passagesDuplicate = new Counter({
    name: "gatehouse_passages_duplicate_total",
    help: "Passages delivered again and ignored",
    registers: [registry],
  });
  const pictures = new Counter({
    name: "gatehouse_passage_pictures_total",
    help: "Passage pictures stored from agents",
    registers: [registry],
  });
  const passageLatency = new Histogram({
    name: "gatehouse_passage_latency_seconds",
    help: "Passage event time to stored at the control plane",
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 30, 300],
    registers: [registry],
  });
  const commandAcks = new Counter({
    name: "gatehouse_command_acks_total",
    help: "Command status changes reported by agents",
    labelNames: ["type", "status"],
    registers: [registry],
  });
  const commandLatency = new Histogram({
    name: "gatehouse_command_latency_seconds",
    help: "Command queued at the control plane to its final ack (applied, failed, expired, rejected)",
    labelNames: ["type", "status"],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
    registers: [registry],
  });
  const incidents = new Counter({
    name: "gatehouse_incidents_total",
    help: "Security incidents raised from passages",
    labelNames: ["type"],
    registers: [registry],
  });
  const commandsCreated = new Counter({
    name: "gatehouse_commands_created_total",
    help: "Commands queued for agents",
    labelNames: ["type"],
    registers: [registry],
  });
  const mqttInvalid = new Counter({
    name: "gatehouse_mqtt_invalid_messages_total",
    help: "Agent messages dropped because they failed validation",
    labelNames: ["topic"],
    registers: [registry],
  });
  const mqttRefused = new Counter({
    name: "gatehouse_mqtt_refused_total",
    help: "MQTT logins, publishes and subscriptions refused by the ACL",
    labelNames: ["action"],
    registers: [registry],
  });
  for (const action of ["login", "publish", "subscribe"]) mqttRefused.inc({ action }, 0);
  const httpAuthFailures = new Counter({
    name: "gatehouse_http_auth_failures_total",
    help: "API requests refused for a missing or invalid token, or throttled after too many failures",
    labelNames: ["reason"],
    registers: [registry],
  });
  for (const reason of ["missing", "invalid", "throttled"]) httpAuthFailures.inc({ reason }, 0);
  const emails = new Counter({
    name: "gatehouse_emails_total",
    help: "Emails by kind (first_entry, first_exit, incident, event_closed) and outcome",
    labelNames: ["kind", "status"],
    registers: [registry],
  });
  const agentRepairs = new Counter({
    name: "gatehouse_agent_repairs_total",
    help: "Changes agents made in HikCentral without a command (reconciliation, offline expiry), by action",
    labelNames: ["trigger", "action"],
    registers: [registry],
  });
  // Read at scrape time from the database, so every instance reports the same truth.
  new Gauge({
    name: "gatehouse_commands_pending",
    help: "Commands sent to a site's agent and not answered yet",
    labelNames: ["site"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const q of await commandQueues()) this.set({ site: q.site }, q.pending);
    },
  });
  new Gauge({
    name: "gatehouse_command_oldest_pending_seconds",
    help: "Age of the oldest command a site's agent has not answered (0 when none)",
    labelNames: ["site"],
    registers: [registry],
    async collect() {
      this.reset();
      const now = Date.now();
      for (const q of await commandQueues())
        this.set(
          { site: q.site },
          q.oldestPendingAt ? Math.max(0, (now - Date.parse(q.oldestPendingAt)) / 1000) : 0,
        );
    },
  });
  // From the database, not from the status messages this instance saw: instances sharing the intake each
  // see only some of them.
  new Gauge({
    name: "gatehouse_agent_online",
    help: "1 while a site's agent reports online",
    labelNames: ["site"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const a of await sources.agentStates()) this.set({ site: a.site }, a.online ? 1 : 0);
    },
  });
  const leaseHeld = new Gauge({
    name: "gatehouse_lease_held",
    help: "1 while this instance holds a scheduler's lease and runs it",
    labelNames: ["role"],
    registers: [registry],
  });
  new Gauge({
    name: "hikcentral_guests_inside",
    help: "Guests inside now, all sites (kept from the system Gatehouse replaces)",
    registers: [registry],
    async collect() {
      this.set(await sources.guestsInside());
    },
  });
  return {
    registry,
    passages,
    passagesDuplicate,
    pictures,
    passageLatency,
    commandAcks,
    commandLatency,
    incidents,
    commandsCreated,
    agentRepairs,
    mqttInvalid,
    mqttRefused,
    httpAuthFailures,
    emails,
    leaseHeld,
  };
}
export type ControlPlaneMetrics = ReturnType<typeof createControlPlaneMetrics>;
