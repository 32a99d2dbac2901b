import { AccessTime, VisitStatus } from "@gatehouse/shared";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { PicturesRepo } from "../adapters/db/pictures-repo.js";
import type { VisitQueries } from "../adapters/db/visit-queries.js";
import type { VisitService } from "../services/visits.js";
import type { AuthEnv } from "./auth.js";
import { json, problems, security } from "./openapi-helpers.js";
import { badCursor, problem } from "./problem.js";
import { OccupancyView, PassageQuery, PassageView, passageFilter, VisitView } from "./schemas.js";

export interface VisitRouteDeps {
  pictures: PicturesRepo;
  visits: VisitQueries;
  visitService: VisitService;
}

const Id = z.object({ id: z.string() });

/** The visit lifecycle (cancel, check out, revoke, new times) and the visit and passage lists. */
export function registerVisitRoutes(app: OpenAPIHono<AuthEnv>, deps: VisitRouteDeps): void {
  const operationIds = {
    cancel: "cancelVisit",
    checkout: "checkOutVisit",
    revoke: "revokeVisit",
    approve: "approveVisit",
    refuse: "refuseVisit",
    retry: "retryVisitGrant",
  };
  const summaries = {
    cancel: "Cancel the visit; a revoke command is queued (none for a held visit)",
    checkout: "Check out the visit; a revoke command is queued",
    revoke: "Take the visit's access away now (the visit stays open); a revoke command is queued",
    approve: "Admin: let a visit held by the deny list go ahead; its grant command is queued",
    refuse: "Admin: refuse a visit held by the deny list; it closes as refused, nothing is granted",
    retry:
      "Grant again after a failed grant (access `failed`); a new grant command is queued. A photo is not kept after a grant, so the retry goes without one",
  };
  for (const action of ["cancel", "checkout", "revoke", "approve", "refuse", "retry"] as const) {
    app.openapi(
      createRoute({
        method: "post",
        path: `/v1/visits/{id}/${action}`,
        operationId: operationIds[action],
        summary: summaries[action],
        security,
        request: { params: Id },
        responses: { 200: json(VisitView, "The visit"), ...problems(401, 403, 404, 409) },
      }),
      async (c) => {
        const v = await deps.visitService.act(c.req.valid("param").id, action, c.get("actor"));
        return c.json(await deps.visits.detail(v), 200);
      },
    );
  }

  app.openapi(
    createRoute({
      method: "patch",
      path: "/v1/visits/{id}",
      operationId: "changeVisitTimes",
      summary: "Change validFrom / validUntil; a validity command carries them to HikCentral",
      security,
      request: {
        params: Id,
        body: {
          content: {
            "application/json": {
              schema: z
                .strictObject({ validFrom: AccessTime.optional(), validUntil: AccessTime.optional() })
                .refine((b) => b.validFrom !== undefined || b.validUntil !== undefined, {
                  message: "give validFrom or validUntil",
                  path: ["validUntil"],
                  params: { code: "required" },
                })
                .openapi("VisitTimes", { example: { validUntil: "2026-12-03T20:00:00+05:00" } }),
            },
          },
          required: true,
        },
      },
      responses: { 200: json(VisitView, "The visit"), ...problems(400, 401, 403, 404, 409, 422) },
    }),
    async (c) => {
      const b = c.req.valid("json");
      const v = await deps.visitService.changeValidity(
        c.req.valid("param").id,
        {
          ...(b.validFrom ? { validFrom: b.validFrom } : {}),
          ...(b.validUntil ? { validUntil: b.validUntil } : {}),
        },
        c.get("actor"),
      );
      return c.json(await deps.visits.detail(v), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/visits",
      operationId: "listVisits",
      summary: "Visits, newest first, filtered and paginated",
      security,
      request: {
        query: z.object({
          site: z.string().optional(),
          status: VisitStatus.optional(),
          event: z.string().optional().describe("Registrations of this group event"),
          inside: z.enum(["true", "false"]).optional(),
          q: z.string().max(100).optional().describe("Guest or host name contains"),
          limit: z.coerce.number().int().min(1).max(500).default(50),
          cursor: z.string().optional(),
        }),
      },
      responses: {
        200: json(
          z.object({
            items: z.array(VisitView.omit({ commands: true, notifications: true })),
            nextCursor: z.string().nullable(),
          }),
          "Visits",
        ),
        ...problems(400, 401),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const page = await deps.visits.list({
        limit: q.limit,
        ...(q.site ? { site: q.site } : {}),
        ...(q.status ? { status: q.status } : {}),
        ...(q.event ? { eventId: q.event } : {}),
        ...(q.inside ? { inside: q.inside === "true" } : {}),
        ...(q.q ? { q: q.q } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
      });
      if (page === "bad_cursor") return badCursor(c);
      return c.json(page, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/visits/{id}/passages",
      operationId: "listVisitPassages",
      summary: "A visit's passages, latest first",
      security,
      request: { params: Id },
      responses: {
        200: json(z.object({ items: z.array(PassageView), nextCursor: z.string().nullable() }), "Passages"),
        ...problems(401, 404),
      },
    }),
    async (c) => {
      const id = c.req.valid("param").id;
      if (!(await deps.visits.get(id)))
        return problem(c, 404, "no such visit", [
          { path: "id", code: "not_found", message: "not found" },
        ]) as never;
      const page = await deps.visits.passages({ visitId: id, limit: 500 });
      return c.json({ items: page === "bad_cursor" ? [] : page.items, nextCursor: null }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/occupancy",
      operationId: "getOccupancy",
      summary: "Who is inside now, per site (the muster list)",
      security,
      request: { query: z.object({ site: z.string().optional() }) },
      responses: {
        200: json(z.object({ items: z.array(OccupancyView) }), "Occupancy per site"),
        ...problems(401),
      },
    }),
    async (c) => {
      const site = c.req.valid("query").site;
      return c.json({ items: await deps.visits.occupancy(site) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/passages",
      operationId: "listPassages",
      summary:
        "Passages, latest first, filtered by site, door, result, direction and time; keyset-paged (pass nextCursor back as cursor)",
      security,
      request: {
        query: PassageQuery.extend({
          limit: z.coerce.number().int().min(1).max(500).default(100),
          cursor: z.string().optional().describe("The nextCursor of the page before"),
        }),
      },
      responses: {
        200: json(z.object({ items: z.array(PassageView), nextCursor: z.string().nullable() }), "Passages"),
        ...problems(400, 401),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const page = await deps.visits.passages({ ...passageFilter(q), limit: q.limit, cursor: q.cursor });
      if (page === "bad_cursor") return badCursor(c);
      return c.json(page, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/passages/{id}/picture",
      operationId: "getPassagePicture",
      summary: "The camera's picture of a passage, when HikCentral gave one (kept for the retention period)",
      security,
      request: { params: Id },
      responses: {
        200: {
          description: "The picture",
          content: { "image/jpeg": { schema: z.string() }, "image/png": { schema: z.string() } },
        },
        ...problems(401, 404),
      },
    }),
    async (c) => {
      const pic = await deps.pictures.get(c.req.valid("param").id);
      if (!pic)
        return problem(c, 404, "no picture for this passage", [
          { path: "id", code: "not_found", message: "not found" },
        ]) as never;
      // Personal data: the browser may show it but must not keep it.
      return c.body(new Uint8Array(pic.bytes), 200, {
        "content-type": pic.contentType,
        "cache-control": "private, no-store",
      }) as never;
    },
  );
}
