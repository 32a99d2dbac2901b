import { textField, textInput, wireText } from "@gatehouse/shared";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { DenyListRepo } from "../adapters/db/deny-list-repo.js";
import type { AuthEnv } from "./auth.js";
import { json, problems, security } from "./openapi-helpers.js";
import { problem } from "./problem.js";
import { Page } from "./schemas.js";

const DenyEntry = z
  .object({
    id: z.string(),
    field: z.enum(["name", "document"]),
    value: z.string(),
    reason: z.string(),
    createdBy: z.string(),
    createdAt: z.string(),
  })
  .openapi("DenyListEntry");

const DenyCreate = z
  .strictObject({
    field: z.enum(["name", "document"]).describe("Match the guest's full name, or their document number"),
    value: textInput(wireText({ min: 2, max: 200 })),
    reason: textField(500, "give a reason"),
  })
  .openapi("DenyListCreate", {
    example: { field: "document", value: "N12345678", reason: "Banned after the incident of 2026-11-02" },
  });

/** The deny list (admins only): a visit whose guest matches is held for an admin to approve or refuse. */
export function registerDenyListRoutes(app: OpenAPIHono<AuthEnv>, deps: { denyList: DenyListRepo }): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/deny-list",
      operationId: "listDenyList",
      summary: "The deny list (admin)",
      security,
      responses: { 200: json(Page(DenyEntry), "Entries"), ...problems(401, 403) },
    }),
    async (c) => c.json({ items: await deps.denyList.list(), nextCursor: null }, 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/deny-list",
      operationId: "addDenyListEntry",
      summary: "Add a name or document number; matching visits are held for approval from now on (admin)",
      security,
      request: { body: { content: { "application/json": { schema: DenyCreate } }, required: true } },
      responses: { 201: json(DenyEntry, "The entry"), ...problems(400, 401, 403, 409) },
    }),
    async (c) => {
      const e = await deps.denyList.add(c.req.valid("json"), c.get("actor"));
      if (e === "exists")
        return problem(c, 409, "that value is on the deny list already", [
          { path: "value", code: "exists", message: "already listed" },
        ]) as never;
      return c.json(e, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/v1/deny-list/{id}",
      operationId: "removeDenyListEntry",
      summary: "Remove an entry (admin)",
      security,
      request: { params: z.object({ id: z.string() }) },
      responses: { 204: { description: "Removed" }, ...problems(401, 403, 404) },
    }),
    async (c) => {
      if (!(await deps.denyList.remove(c.req.valid("param").id, c.get("actor"))))
        return problem(c, 404, "no such entry", [
          { path: "id", code: "not_found", message: "not found" },
        ]) as never;
      return c.body(null, 204);
    },
  );
}
