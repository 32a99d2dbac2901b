import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { ROLES, type TokensRepo } from "../adapters/db/tokens-repo.js";
import type { BrokerLogins } from "../services/broker-logins.js";
import type { TokenRevocations } from "../services/token-revocations.js";
import type { AuthEnv } from "./auth.js";
import { json, problems, security } from "./openapi-helpers.js";
import { problem } from "./problem.js";
import { Page } from "./schemas.js";

const TokenView = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    createdAt: z.string(),
    expiresAt: z.string().nullable().describe("After this the token is refused; null: until revoked"),
    lastUsedAt: z
      .string()
      .nullable()
      .describe("The last request or MQTT login with it (kept to the minute); null: never used"),
    revokedAt: z.string().nullable(),
    mqttUsername: z
      .string()
      .describe(
        "Its MQTT username on a Mosquitto that Gatehouse manages (any username on the embedded broker)",
      ),
  })
  .openapi("Token");

const TokenCreate = z
  .strictObject({
    name: z.string().trim().min(1).max(100).describe("Who or what uses it"),
    role: z.enum(ROLES),
    expiresAt: z.iso
      .datetime({ offset: true })
      .optional()
      .refine((t) => t === undefined || Date.parse(t) > Date.now(), {
        message: "must be in the future",
        params: { code: "in_the_past" },
      })
      .describe("When it stops working by itself; absent: until revoked"),
  })
  .openapi("TokenCreate", {
    example: { name: "security-office-export", role: "viewer", expiresAt: "2027-06-30T00:00:00Z" },
  });

const TokenCreated = TokenView.extend({
  token: z.string().describe("The token itself, shown this once"),
}).openapi("TokenCreated");

/** API tokens (admins): list them with their last use, make one with an optional expiry, revoke one at once. */
export function registerTokenRoutes(
  app: OpenAPIHono<AuthEnv>,
  deps: { tokens: TokensRepo; revocations: TokenRevocations; brokerLogins: BrokerLogins },
): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/tokens",
      operationId: "listTokens",
      summary: "API tokens with their role, expiry, last use and revocation, newest first (admin)",
      security,
      responses: { 200: json(Page(TokenView), "Tokens"), ...problems(401, 403) },
    }),
    async (c) => c.json({ items: await deps.tokens.list(), nextCursor: null }, 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/tokens",
      operationId: "createToken",
      summary: "Make an API token; it is answered this once and only its hash is kept (admin, audited)",
      security,
      request: { body: { content: { "application/json": { schema: TokenCreate } }, required: true } },
      responses: { 201: json(TokenCreated, "The token, shown once"), ...problems(400, 401, 403, 502) },
    }),
    async (c) => {
      // The broker takes the consumer login before the token is stored: no token is handed out half made.
      const t = await deps.tokens.issue(c.req.valid("json"), c.get("actor"), (made) =>
        deps.brokerLogins.consumerAdded(made.mqttUsername, made.token),
      );
      return c.json(t, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/v1/tokens/{id}",
      operationId: "revokeToken",
      summary:
        "Revoke a token: refused at once on HTTP and MQTT, its live streams and MQTT connections end (admin, audited)",
      security,
      request: { params: z.object({ id: z.string() }) },
      responses: { 200: json(TokenView, "The token, revoked"), ...problems(401, 403, 404) },
    }),
    async (c) => {
      const t = await deps.tokens.revoke(c.req.valid("param").id, c.get("actor"));
      if (!t)
        return problem(c, 404, "no such token", [
          { path: "id", code: "not_found", message: "not found" },
        ]) as never;
      deps.revocations.revoked(t.id);
      return c.json(t, 200);
    },
  );
}
