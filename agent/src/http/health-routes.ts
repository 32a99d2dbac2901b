import { Hono } from "hono";
import type { AgentMetrics } from "../metrics.js";
import type { StatusReporter } from "../services/status-reporter.js";

/** The agent's local `/healthz` (what campus IT and systemd watchdogs read) and `/metrics`. */
export function healthRoutes(opts: { reporter: StatusReporter; metrics: AgentMetrics }): Hono {
  const app = new Hono();
  app.get("/healthz", async (c) => {
    const h = await opts.reporter.health();
    return c.json(h);
  });
  app.get("/metrics", async (c) =>
    c.text(await opts.metrics.registry.metrics(), 200, { "content-type": opts.metrics.registry.contentType }),
  );
  return app;
}
