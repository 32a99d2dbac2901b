import { IncidentType } from "@gatehouse/shared";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { IncidentsRepo } from "../adapters/db/incidents-repo.js";
import type { AuthEnv } from "./auth.js";
import { json, problems, security } from "./openapi-helpers.js";
import { badCursor } from "./problem.js";
import { IncidentView, Page } from "./schemas.js";

export function registerIncidentRoutes(app: OpenAPIHono<AuthEnv>, deps: { incidents: IncidentsRepo }): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/incidents",
      operationId: "listIncidents",
      summary: "Security incidents, newest first (also on GET /v1/stream and gatehouse/v1/incidents/{site})",
      security,
      request: {
        query: z.object({
          site: z.string().optional(),
          type: IncidentType.optional(),
          visit: z.string().optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          cursor: z.string().optional(),
        }),
      },
      responses: { 200: json(Page(IncidentView), "Incidents"), ...problems(400, 401) },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const page = await deps.incidents.list({
        limit: q.limit,
        ...(q.site ? { site: q.site } : {}),
        ...(q.type ? { type: q.type } : {}),
        ...(q.visit ? { visitId: q.visit } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
      });
      if (page === "bad_cursor") return badCursor(c);
      return c.json(page, 200);
    },
  );
}
