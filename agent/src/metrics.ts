import { COMMAND_TYPES, RefusalReason } from "@gatehouse/shared";
import { CALL_SECONDS_BUCKETS, createMetricsRegistry, oncePerScrape } from "@gatehouse/shared/metrics";
import { Counter, Gauge, Histogram } from "prom-client";

/** One registry per agent instance: tests run several agents in one process. */
export function createAgentMetrics(
  version: string,
  depths: () => Promise<{ inbox: number; outbox: number }>,
) {
  const registry = createMetricsRegistry();
  const depthsNow = oncePerScrape(depths);
  new Gauge({
    name: "gatehouse_build_info",
    help: "Build information",
    labelNames: ["version", "component"],
    registers: [registry],
  }).set({ version, component: "agent" }, 1);
  const commands = new Counter({
    name: "gatehouse_agent_commands_total",
    help: "Commands finished by the agent, by type and final status",
    labelNames: ["type", "status"],
    registers: [registry],
  });
  for (const type of COMMAND_TYPES)
    for (const status of ["applied", "failed", "expired"]) commands.inc({ type, status }, 0);
  const commandsRejected = new Counter({
    name: "gatehouse_agent_commands_rejected_total",
    help: "Commands refused without being applied, by reason",
    labelNames: ["reason"],
    registers: [registry],
  });
  for (const reason of RefusalReason.options) commandsRejected.inc({ reason }, 0);
  const commandSeconds = new Histogram({
    name: "gatehouse_agent_command_duration_seconds",
    help: "Time to carry out a command against HikCentral",
    labelNames: ["type"],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const passages = new Counter({
    name: "gatehouse_agent_passages_total",
    help: "Passages taken in (after deduplication), by result",
    labelNames: ["result"],
    registers: [registry],
  });
  passages.inc({ result: "granted" }, 0);
  passages.inc({ result: "denied" }, 0);
  const duplicatePassages = new Counter({
    name: "gatehouse_agent_passages_duplicate_total",
    help: "Access events received again and dropped as duplicates",
    registers: [registry],
  });
  const pictures = new Counter({
    name: "gatehouse_agent_passage_pictures_total",
    help: "Passage pictures fetched from HikCentral and sent, or given up (failed, too_large, dropped when the queue was full)",
    labelNames: ["result"],
    registers: [registry],
  });
  const doorEvents = new Counter({
    name: "hikcentral_door_events_total",
    help: "Door events by kind (kept from the system Gatehouse replaces)",
    labelNames: ["event_type"],
    registers: [registry],
  });
  for (const t of ["entry", "exit", "unknown"]) doorEvents.inc({ event_type: t }, 0);
  const apiRequests = new Counter({
    name: "hikcentral_api_requests_total",
    help: "HikCentral OpenAPI calls by endpoint and outcome",
    labelNames: ["endpoint", "status"],
    registers: [registry],
  });
  const apiSeconds = new Histogram({
    name: "gatehouse_hikcentral_request_duration_seconds",
    help: "HikCentral OpenAPI call latency",
    labelNames: ["endpoint"],
    buckets: CALL_SECONDS_BUCKETS,
    registers: [registry],
  });
  const assignments = new Counter({
    name: "hikcentral_access_assignments_total",
    help: "Grants carried out (kept from the system Gatehouse replaces)",
    labelNames: ["status"],
    registers: [registry],
  });
  const revocations = new Counter({
    name: "hikcentral_access_revocations_total",
    help: "Revocations carried out (kept from the system Gatehouse replaces)",
    labelNames: ["status"],
    registers: [registry],
  });
  for (const s of ["success", "failed"]) {
    assignments.inc({ status: s }, 0);
    revocations.inc({ status: s }, 0);
  }
  const taskErrors = new Counter({
    name: "hikcentral_task_errors_total",
    help: "Retryable failures of agent tasks",
    labelNames: ["task_name"],
    registers: [registry],
  });
  new Gauge({
    name: "gatehouse_agent_outbox_depth",
    help: "Acks and passages waiting for the control plane",
    registers: [registry],
    async collect() {
      this.set((await depthsNow()).outbox);
    },
  });
  new Gauge({
    name: "gatehouse_agent_inbox_depth",
    help: "Commands stored and not yet applied",
    registers: [registry],
    async collect() {
      this.set((await depthsNow()).inbox);
    },
  });
  const resyncRequests = new Counter({
    name: "gatehouse_agent_resync_requests_total",
    help: "Times the agent asked the control plane again for commands missing from the seq",
    registers: [registry],
  });
  const repairs = new Counter({
    name: "gatehouse_agent_repairs_total",
    help: "Changes made in HikCentral without a command (reconciliation, expiry at validUntil), by trigger and action",
    labelNames: ["trigger", "action"],
    registers: [registry],
  });
  const reconcileSeconds = new Histogram({
    name: "gatehouse_agent_reconcile_duration_seconds",
    help: "Time to compare the replica with HikCentral and repair drift",
    buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900],
    registers: [registry],
  });
  const lastReconcile = new Gauge({
    name: "gatehouse_agent_last_reconcile_timestamp_seconds",
    help: "When reconciliation last finished (Unix time)",
    registers: [registry],
  });
  const isapiRequests = new Counter({
    name: "gatehouse_agent_isapi_requests_total",
    help: "ISAPI calls to the site's terminals, by terminal, endpoint and outcome",
    labelNames: ["terminal", "endpoint", "status"],
    registers: [registry],
  });
  const isapiSeconds = new Histogram({
    name: "gatehouse_agent_isapi_request_duration_seconds",
    help: "ISAPI call latency, by terminal",
    labelNames: ["terminal"],
    buckets: CALL_SECONDS_BUCKETS,
    registers: [registry],
  });
  const terminalAlarms = new Counter({
    name: "gatehouse_agent_terminal_alarms_total",
    help: "Turnstile alarms from terminals (tailgating, reverse passage, climbing over...), by alarm",
    labelNames: ["alarm"],
    registers: [registry],
  });
  const dbSyncSeconds = new Histogram({
    name: "gatehouse_agent_db_sync_seconds",
    help: "How long each commit of the agent's database waited for the disk (fdatasync of its log); HikCentral's push is answered after it",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const mqttConnected = new Gauge({
    name: "gatehouse_agent_mqtt_connected",
    help: "1 while the agent is connected to the broker",
    registers: [registry],
  });
  return {
    registry,
    dbSyncSeconds,
    commands,
    commandsRejected,
    commandSeconds,
    passages,
    duplicatePassages,
    pictures,
    doorEvents,
    apiRequests,
    apiSeconds,
    taskErrors,
    resyncRequests,
    repairs,
    reconcileSeconds,
    lastReconcile,
    terminalAlarms,
    isapiRequests,
    isapiSeconds,
    mqttConnected,
    countAccess(type: string, status: "success" | "failed") {
      if (type === "grant") assignments.inc({ status });
      if (type === "revoke") revocations.inc({ status });
    },
  };
}
export type AgentMetrics = ReturnType<typeof createAgentMetrics>;
