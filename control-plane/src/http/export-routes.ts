import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { stream } from "hono/streaming";
import type { VisitQueries } from "../adapters/db/visit-queries.js";
import { csvRow } from "../domain/csv.js";
import type { AuthEnv } from "./auth.js";
import { problems, security } from "./openapi-helpers.js";

const COLUMNS = [
  "id",
  "site",
  "kind",
  "status",
  "access",
  "guestName",
  "guestEmail",
  "guestPhone",
  "hostName",
  "hostEmail",
  "validFrom",
  "validUntil",
  "firstEntryAt",
  "firstExitAt",
  "entryCount",
  "exitCount",
  "createdAt",
] as const;

/** Bulk exports of guests' personal data: admins only (the route is guarded in app.ts). */
export function registerExportRoutes(app: OpenAPIHono<AuthEnv>, deps: { visits: VisitQueries }): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/exports/visits.csv",
      operationId: "exportVisitsCsv",
      summary:
        "Every visit matching the filters as CSV (admin only; cells that look like formulas are defused)",
      security,
      request: {
        query: z.object({
          site: z.string().optional(),
          status: z.enum(["scheduled", "active", "checked_out", "cancelled", "expired"]).optional(),
        }),
      },
      responses: {
        200: { description: "CSV, newest visit first", content: { "text/csv": { schema: z.string() } } },
        ...problems(400, 401, 403),
      },
    }),
    (c) => {
      const q = c.req.valid("query");
      c.header("content-type", "text/csv; charset=utf-8");
      c.header("content-disposition", 'attachment; filename="visits.csv"');
      // Streamed a page at a time: a campus has hundreds of thousands of visits.
      return stream(c, async (out) => {
        await out.write(csvRow(COLUMNS));
        let cursor: string | undefined;
        do {
          const page = await deps.visits.list({
            limit: 500,
            ...(q.site ? { site: q.site } : {}),
            ...(q.status ? { status: q.status } : {}),
            ...(cursor ? { cursor } : {}),
          });
          if (page === "bad_cursor") break;
          let chunk = "";
          for (const v of page.items) {
            chunk += csvRow([
              v.id,
              v.site,
              v.kind,
              v.status,
              v.access,
              v.guest.name,
              v.guest.email,
              v.guest.phone,
              v.host.name,
              v.host.email,
              v.validFrom,
              v.validUntil,
              v.firstEntryAt,
              v.firstExitAt,
              v.entryCount,
              v.exitCount,
              v.createdAt,
            ]);
          }
          await out.write(chunk);
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
      }) as never;
    },
  );
}
