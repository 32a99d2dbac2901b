import { AccessTime, Email, IsoDateTime, NoteInput, SiteId, textField, VisitKind } from "@gatehouse/shared";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { VisitQueries } from "../adapters/db/visit-queries.js";
import type { GroupEventService } from "../services/group-events.js";
import type { AuthEnv } from "./auth.js";
import { json, problems, security } from "./openapi-helpers.js";
import { badCursor, problem } from "./problem.js";
import { HostName, Page, VisitCreate, VisitView } from "./schemas.js";

const GroupEventView = z
  .object({
    id: z.string(),
    site: z.string(),
    name: z.string(),
    kind: z.string(),
    organizer: z.object({ name: z.string(), email: z.string().nullable(), language: z.string() }),
    startsAt: z.string(),
    endsAt: z.string(),
    capacity: z.int(),
    registrationDeadline: z.string(),
    registered: z.int(),
    state: z.enum(["open", "closed"]),
    closedReason: z.enum(["capacity", "deadline"]).nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("GroupEvent");

const GroupEventCreate = z
  .strictObject({
    site: SiteId,
    name: textField(200, "the event's name is required"),
    kind: VisitKind.default("guest").describe("The visit kind of every registration"),
    organizer: z.strictObject({
      name: HostName,
      email: Email.optional().describe("Told when registration closes; the default host of registrations"),
      language: z.enum(["en", "ru"]).optional(),
    }),
    startsAt: AccessTime.describe("Every registration's validFrom"),
    endsAt: AccessTime.describe("Every registration's validUntil"),
    capacity: z.int().min(1).max(100_000),
    registrationDeadline: IsoDateTime,
  })
  .refine((e) => Date.parse(e.endsAt) > Date.parse(e.startsAt), {
    message: "must be after startsAt",
    path: ["endsAt"],
    params: { code: "after_starts_at" },
  })
  .refine((e) => Date.parse(e.registrationDeadline) <= Date.parse(e.endsAt), {
    message: "must not be after endsAt",
    path: ["registrationDeadline"],
    params: { code: "not_after_ends_at" },
  })
  .openapi("GroupEventCreate", {
    example: {
      site: "north-campus",
      name: "Open day",
      kind: "guest",
      organizer: { name: "Olga Organiser", email: "olga@example.edu" },
      startsAt: "2026-12-12T09:00:00+05:00",
      endsAt: "2026-12-12T17:00:00+05:00",
      capacity: 200,
      registrationDeadline: "2026-12-11T18:00:00+05:00",
    },
  });

// The visit's site, kind and times come from the event.
const RegistrationCreate = z
  .strictObject({
    guest: VisitCreate.shape.guest,
    host: VisitCreate.shape.host.optional().describe("Defaults to the organiser"),
    note: NoteInput.optional(),
  })
  .openapi("RegistrationCreate", {
    example: { guest: { name: "Aigerim Sadykova", email: "aigerim@example.com" } },
  });

const Reopen = z
  .strictObject({
    capacity: z.int().min(1).max(100_000).optional(),
    registrationDeadline: IsoDateTime.optional(),
  })
  .openapi("GroupEventReopen", { example: { capacity: 250 } });

const Id = z.object({ id: z.string() });

export function registerEventRoutes(
  app: OpenAPIHono<AuthEnv>,
  deps: { groupEvents: GroupEventService; visits: VisitQueries },
): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/events",
      operationId: "createEvent",
      summary: "Create a group event (open day, conference) with a capacity and a registration deadline",
      security,
      request: { body: { content: { "application/json": { schema: GroupEventCreate } }, required: true } },
      responses: { 201: json(GroupEventView, "The event"), ...problems(400, 401, 403, 422) },
    }),
    async (c) => c.json(await deps.groupEvents.create(c.req.valid("json"), c.get("actor")), 201),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/events",
      operationId: "listEvents",
      summary: "Group events, latest start first",
      security,
      request: {
        query: z.object({
          site: z.string().optional(),
          state: z.enum(["open", "closed"]).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
          cursor: z.string().optional(),
        }),
      },
      responses: { 200: json(Page(GroupEventView), "Events"), ...problems(400, 401) },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const page = await deps.groupEvents.list({
        limit: q.limit,
        ...(q.site ? { site: q.site } : {}),
        ...(q.state ? { state: q.state } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
      });
      if (page === "bad_cursor") return badCursor(c);
      return c.json(page, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/events/{id}",
      operationId: "getEvent",
      summary: "One group event with its registration count",
      security,
      request: { params: Id },
      responses: { 200: json(GroupEventView, "The event"), ...problems(401, 404) },
    }),
    async (c) => {
      const e = await deps.groupEvents.get(c.req.valid("param").id);
      if (!e)
        return problem(c, 404, "no such event", [
          { path: "id", code: "not_found", message: "not found" },
        ]) as never;
      return c.json(e, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/events/{id}/registrations",
      operationId: "registerForEvent",
      summary:
        "Register a guest: a visit of the event's kind for its time; 409 when registration is closed or full",
      security,
      request: {
        params: Id,
        headers: z.object({ "idempotency-key": z.string().min(1).max(200).optional() }),
        body: { content: { "application/json": { schema: RegistrationCreate } }, required: true },
      },
      responses: {
        201: json(VisitView, "The registration's visit"),
        ...problems(400, 401, 403, 404, 409, 422),
      },
    }),
    async (c) => {
      const key = c.req.valid("header")["idempotency-key"];
      const { visit, replayed } = await deps.groupEvents.register(
        c.req.valid("param").id,
        c.req.valid("json"),
        c.get("actor"),
        key ? { tokenId: c.get("tokenId"), key } : undefined,
      );
      if (replayed) c.header("Idempotent-Replayed", "true");
      return c.json(await deps.visits.detail(visit), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/events/{id}/reopen",
      operationId: "reopenEvent",
      summary: "Reopen registration, optionally with a larger capacity or a later deadline",
      security,
      request: {
        params: Id,
        body: { content: { "application/json": { schema: Reopen } }, required: false },
      },
      responses: { 200: json(GroupEventView, "The event"), ...problems(400, 401, 403, 404, 409, 422) },
    }),
    async (c) => {
      const body = c.req.valid("json") ?? {};
      return c.json(await deps.groupEvents.reopen(c.req.valid("param").id, body, c.get("actor")), 200);
    },
  );
}
