import { collectDefaultMetrics, Registry } from "prom-client";

/**
 * A registry with Node's process metrics, less the gauges prom-client names `*_total`
 * (`nodejs_active_handles_total`…), which the exposition format's linter (`promtool check metrics`) rejects.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  for (const name of [
    "nodejs_active_handles_total",
    "nodejs_active_requests_total",
    "nodejs_active_resources_total",
  ])
    registry.removeSingleMetric(name);
  return registry;
}

/** Latency buckets, in seconds, for calls to another system (HikCentral, a terminal). */
export const CALL_SECONDS_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Reads `read` at most once per `ms`: several gauges fed by one database query read it once per scrape
 * (prom-client calls each gauge's `collect` on its own). A failed read is not kept.
 */
export function oncePerScrape<T>(read: () => Promise<T>, ms = 1000): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    const now = Date.now();
    if (!last || now - last.at >= ms) {
      const value = read();
      const entry = { at: now, value };
      last = entry;
      value.catch(() => {
        if (last === entry) last = undefined;
      });
    }
    return last.value;
  };
}
