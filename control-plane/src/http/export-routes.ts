import { formatInZone } from "@gatehouse/shared";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { stream } from "hono/streaming";
import type { SitesRepo } from "../adapters/db/sites-repo.js";
import type { VisitQueries } from "../adapters/db/visit-queries.js";
import { csvRow } from "../domain/csv.js";
import type { AuthEnv } from "./auth.js";
import { problems, security } from "./openapi-helpers.js";
import { PassageQuery, passageFilter } from "./schemas.js";

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

const PASSAGE_COLUMNS = [
  "id",
  "site",
  "occurredAt",
  "doorId",
  "doorName",
  "direction",
  "result",
  "reasonCode",
  "verifyMode",
  "guestName",
  "hostName",
  "visitId",
  "personCode",
] as const;

/** Bulk exports of guests' personal data: admins only (the route is guarded in app.ts). */
export function registerExportRoutes(
  app: OpenAPIHono<AuthEnv>,
  deps: { visits: VisitQueries; sites: SitesRepo },
): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/exports/passages.csv",
      operationId: "exportPassagesCsv",
      summary:
        "Passages matching the filters as CSV, latest first, each time on its site's clock with its offset (admin only; streamed, so a year of passages costs no more memory than a page)",
      security,
      request: { query: PassageQuery },
      responses: {
        200: { description: "CSV, latest passage first", content: { "text/csv": { schema: z.string() } } },
        ...problems(400, 401, 403),
      },
    }),
    async (c) => {
      const filter = passageFilter(c.req.valid("query"));
      const zones = new Map((await deps.sites.list()).map((s) => [s.id, s.timeZone]));
      c.header("content-type", "text/csv; charset=utf-8");
      c.header("content-disposition", 'attachment; filename="passages.csv"');
      return stream(c, async (out) => {
        await out.write(csvRow(PASSAGE_COLUMNS));
        let cursor: string | undefined;
        do {
          const page = await deps.visits.passages({ ...filter, limit: 1000, cursor });
          if (page === "bad_cursor") break;
          let chunk = "";
          for (const p of page.items) {
            chunk += csvRow([
              p.id,
              p.site,
              formatInZone(new Date(p.occurredAt), zones.get(p.site) ?? "UTC"),
              p.door.id,
              p.door.name,
              p.direction,
              p.result,
              p.reasonCode,
              p.verifyMode,
              p.visit?.guestName ?? null,
              p.visit?.hostName ?? null,
              p.visitId,
              p.personCode,
            ]);
          }
          await out.write(chunk);
          cursor = page.nextCursor ?? undefined;
        } while (cursor && !out.aborted);
      }) as never;
    },
  );

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
