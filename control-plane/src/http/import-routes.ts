import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { ImportRow, VisitImport } from "../services/visit-import.js";
import { FieldError } from "../services/visits.js";
import type { AuthEnv } from "./auth.js";
import { json, problems, security } from "./openapi-helpers.js";
import { problem } from "./problem.js";

const MAX_ROWS = 5000;

const ImportResultView = z
  .object({
    dryRun: z.boolean(),
    total: z.int(),
    created: z.int(),
    existing: z.int().describe("Rows imported before (same externalId, or the same content)"),
    items: z.array(
      z.object({
        line: z.int(),
        visitId: z.string().nullable(),
        status: z.enum(["valid", "created", "existing"]),
      }),
    ),
  })
  .openapi("ImportResult");

export function registerImportRoutes(app: OpenAPIHono<AuthEnv>, deps: { visitImport: VisitImport }): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/visits/import",
      operationId: "importVisits",
      summary: `Bulk visits from CSV (text/csv, a header line) or JSON (an array of visit requests), up to ${MAX_ROWS} rows. Every row is validated first; any bad row → 422 listing every bad row by line and field, and nothing is created. Each row is idempotent (by externalId, else by content).`,
      security,
      request: {
        query: z.object({
          site: z.string().optional().describe("The site of rows that name none"),
          dryRun: z.enum(["true", "false"]).default("false").describe("Validate only"),
        }),
        body: {
          content: {
            "text/csv": {
              example:
                "site,kind,external_id,guest_name,host_name,valid_from,valid_until\nnorth-campus,guest,hr-1001,Aigerim Sadykova,Marat Akhmetov,2026-12-03T09:00:00+05:00,2026-12-03T18:00:00+05:00\n",
              schema: z
                .string()
                .describe(
                  "Columns: site, kind, external_id, guest_name, guest_email, guest_phone, guest_document, host_name, host_email, host_language, valid_from, valid_until, revoke_on_exit, note",
                ),
            },
            "application/json": {
              schema: z.array(z.record(z.string(), z.unknown())).max(MAX_ROWS),
              example: [
                {
                  site: "north-campus",
                  externalId: "hr-1001",
                  guest: { name: "Aigerim Sadykova" },
                  host: { name: "Marat Akhmetov" },
                  validFrom: "2026-12-03T09:00:00+05:00",
                  validUntil: "2026-12-03T18:00:00+05:00",
                },
              ],
            },
          },
          // Not marked required: the validator then checks the JSON form only when JSON is sent.
          required: false,
        },
      },
      responses: {
        200: json(ImportResultView, "What was (or would be) created"),
        ...problems(400, 401, 403, 413, 415, 422),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
      let rows: ImportRow[];
      if (type === "application/json")
        rows = deps.visitImport.fromJson(c.req.valid("json") as Array<Record<string, unknown>>, q.site);
      else if (type === "text/csv") rows = deps.visitImport.parseCsv(await c.req.text(), q.site);
      else
        return problem(c, 415, "send text/csv or application/json", [
          { path: "header.content-type", code: "unsupported_type", message: `'${type}' is not supported` },
        ]) as never;
      if (rows.length === 0) throw new FieldError(422, "(body)", "no rows to import");
      if (rows.length > MAX_ROWS)
        throw new FieldError(422, "(body)", `${rows.length} rows; send at most ${MAX_ROWS} a request`);
      const format = type === "text/csv" ? "csv" : "json";
      const { problems: bad, ready } = await deps.visitImport.validate(rows, format);
      if (bad.length > 0)
        return problem(c, 422, `${bad.length} problem(s) in the import; nothing was created`, bad) as never;
      if (q.dryRun === "true")
        return c.json(
          {
            dryRun: true,
            total: ready.length,
            created: 0,
            existing: 0,
            items: ready.map((r) => ({ line: r.line, visitId: null, status: "valid" as const })),
          },
          200,
        );
      return c.json({ dryRun: false, ...(await deps.visitImport.create(ready, c.get("actor"))) }, 200);
    },
  );
}
