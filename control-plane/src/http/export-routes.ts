import { formatInZone } from "@gatehouse/shared";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
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
      return streamCsv(
        c,
        "passages.csv",
        PASSAGE_COLUMNS,
        (cursor) => deps.visits.passages({ ...filter, limit: 1000, cursor }),
        (p) => [
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
        ],
      );
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
      return streamCsv(
        c,
        "visits.csv",
        COLUMNS,
        (cursor) =>
          deps.visits.list({
            limit: 500,
            ...(q.site ? { site: q.site } : {}),
            ...(q.status ? { status: q.status } : {}),
            ...(cursor ? { cursor } : {}),
          }),
        (v) => [
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
        ],
      );
    },
  );
}

/**
 * A CSV download written a page at a time (a campus has hundreds of thousands of visits, a year of passages
 * millions): memory holds one page, and reading stops when the pages end or the client goes away.
 */
function streamCsv<T>(
  c: Context,
  filename: string,
  header: readonly string[],
  page: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null } | "bad_cursor">,
  row: (item: T) => unknown[],
): never {
  c.header("content-type", "text/csv; charset=utf-8");
  c.header("content-disposition", `attachment; filename="${filename}"`);
  return stream(c, async (out) => {
    await out.write(csvRow(header));
    let cursor: string | undefined;
    do {
      const p = await page(cursor);
      if (p === "bad_cursor") break;
      await out.write(p.items.map((item) => csvRow(row(item))).join(""));
      cursor = p.nextCursor ?? undefined;
    } while (cursor && !out.aborted);
  }) as never;
}
