import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AuditRepo } from "../adapters/db/audit.js";
import type { AuthEnv } from "./auth.js";
import { json, problems, security } from "./openapi-helpers.js";
import { badCursor } from "./problem.js";
import { AuditView, Page } from "./schemas.js";

/** Who did what, when, with the record before and after (admins only). */
export function registerAuditRoutes(app: OpenAPIHono<AuthEnv>, deps: { audit: AuditRepo }): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/audit",
      operationId: "listAudit",
      summary: "The audit log, newest first: every write with who, what, when and before/after (admin)",
      security,
      request: {
        query: z.object({
          entity: z.enum(["visit", "site", "event", "deny_list", "command", "import", "token"]).optional(),
          entityId: z.string().optional(),
          actor: z.string().optional().describe("A token's name, or scheduler / agent / cli"),
          site: z.string().optional(),
          since: z.iso.datetime({ offset: true }).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          cursor: z.string().optional(),
        }),
      },
      responses: { 200: json(Page(AuditView), "Audit entries"), ...problems(400, 401, 403) },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const page = await deps.audit.list({
        limit: q.limit,
        ...(q.entity ? { entity: q.entity } : {}),
        ...(q.entityId ? { entityId: q.entityId } : {}),
        ...(q.actor ? { actor: q.actor } : {}),
        ...(q.site ? { site: q.site } : {}),
        ...(q.since ? { since: new Date(q.since).toISOString() } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
      });
      if (page === "bad_cursor") return badCursor(c);
      return c.json(page, 200);
    },
  );
}
