import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import type { Logger } from "pino";
import type { Site, SitesRepo } from "../adapters/db/sites-repo.js";
import type { TokensRepo } from "../adapters/db/tokens-repo.js";
import type { VisitsRepo } from "../adapters/db/visits-repo.js";
import type { AuthThrottle } from "../domain/auth-throttle.js";
import type { ControlPlaneMetrics } from "../metrics.js";
import { FieldError, type VisitService } from "../services/visits.js";
import { type AuthEnv, bearerAuth, requireRole } from "./auth.js";
import { registerExportRoutes } from "./export-routes.js";
import { problem, zodProblems } from "./problem.js";
import { SiteCreate, SiteCreated, SiteView, VisitCreate, VisitView } from "./schemas.js";
import { registerVisitRoutes } from "./visit-routes.js";

export interface AppDeps {
  sites: SitesRepo;
  visits: VisitsRepo;
  tokens: TokensRepo;
  visitService: VisitService;
  metrics: ControlPlaneMetrics;
  /** The command public key(s) agents must trust, shown when a site is created. */
  commandPublicKeys: string;
  /** Failed token logins, shared with the MQTT broker's password checks. */
  throttle: AuthThrottle;
  /** Browser origins allowed to call the API; none means no CORS headers at all. */
  corsOrigins: string[];
  /** Served over TLS: browsers are told to stay on https. */
  tls: boolean;
  log: Logger;
  ready: () => boolean;
}

import { json, problems, security } from "./openapi-helpers.js";

async function siteView(sites: SitesRepo, s: Site) {
  return {
    id: s.id,
    name: s.name,
    timeZone: s.timeZone,
    kinds: s.kinds,
    fallbackEmail: s.fallbackEmail,
    agent: { username: s.agentUsername, state: s.agentState, seenAt: s.agentSeenAt, status: s.agentStatus },
    commands: await sites.queueStats(s.id),
    createdAt: s.createdAt,
  };
}

export function buildApp(deps: AppDeps) {
  const app = new OpenAPIHono<AuthEnv>({
    defaultHook: (result, c) => {
      if (!result.success) return problem(c, 400, "the request is not valid", zodProblems(result.error));
    },
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });

  app.onError((err, c) => {
    if (err instanceof FieldError)
      return problem(c, err.status, err.message, [{ path: err.path, message: err.message }]);
    if (err instanceof HTTPException && err.status < 500) {
      return problem(c, err.status, err.message, [{ path: "(body)", message: err.message }]);
    }
    deps.log.error({ err: err.message, stack: err.stack }, "request failed");
    return problem(c, 500, "something went wrong; it has been logged");
  });
  app.notFound((c) =>
    problem(c, 404, `no route ${c.req.method} ${c.req.path}`, [{ path: "(path)", message: "no such route" }]),
  );

  // The console and /docs load only their own scripts and styles; nothing may frame them.
  app.use(
    "*",
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:", "blob:"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
      xFrameOptions: "DENY",
      referrerPolicy: "no-referrer",
      strictTransportSecurity: deps.tls ? "max-age=31536000; includeSubDomains" : false,
      crossOriginEmbedderPolicy: false,
    }),
  );
  if (deps.corsOrigins.length > 0) {
    app.use(
      "/v1/*",
      cors({
        origin: deps.corsOrigins,
        allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key"],
        allowMethods: ["GET", "POST", "PATCH", "DELETE"],
        maxAge: 600,
      }),
    );
  }
  // A visit may carry a photo (a phone JPEG is a few MB); every other body is small.
  const visitLimit = bodyLimit({
    maxSize: 8 * 1024 * 1024,
    onError: (c) =>
      problem(c, 413, "the body is larger than 8 MiB", [{ path: "(body)", message: "too large" }]),
  });
  const defaultLimit = bodyLimit({
    maxSize: 1024 * 1024,
    onError: (c) =>
      problem(c, 413, "the body is larger than 1 MiB", [{ path: "(body)", message: "too large" }]),
  });
  app.use("/v1/*", (c, next) => (c.req.path === "/v1/visits" ? visitLimit(c, next) : defaultLimit(c, next)));
  app.use(
    "/v1/*",
    bearerAuth(deps.tokens, deps.throttle, (reason) => deps.metrics.httpAuthFailures.inc({ reason })),
  );
  app.on("POST", "/v1/sites", requireRole("admin"));
  app.on("GET", "/v1/exports/*", requireRole("admin"));
  app.on("POST", "/v1/visits", requireRole("operator"));
  app.on(["POST", "PATCH"], "/v1/visits/*", requireRole("operator"));

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", (c) =>
    deps.ready() ? c.json({ status: "ready" }) : c.json({ status: "starting" }, 503),
  );
  app.get("/metrics", async (c) =>
    c.text(await deps.metrics.registry.metrics(), 200, { "content-type": deps.metrics.registry.contentType }),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/sites",
      summary: "Register a site; answers its agent's MQTT credentials once",
      security,
      request: { body: { content: { "application/json": { schema: SiteCreate } }, required: true } },
      responses: { 201: json(SiteCreated, "The site"), ...problems(400, 401, 403, 409) },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const password = randomBytes(24).toString("base64url");
      const created = await deps.sites.create(
        {
          id: body.id,
          name: body.name,
          timeZone: body.timeZone,
          kinds: body.kinds,
          ...(body.fallbackEmail ? { fallbackEmail: body.fallbackEmail } : {}),
        },
        password,
      );
      if (created === "exists") {
        return problem(c, 409, `site '${body.id}' exists already`, [
          { path: "id", message: "already exists" },
        ]) as never;
      }
      return c.json(
        {
          ...(await siteView(deps.sites, created)),
          agentCredentials: { username: created.agentUsername, password },
          commandPublicKey: deps.commandPublicKeys,
        },
        201,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/sites",
      summary: "Sites with their agents' live status",
      security,
      responses: {
        200: json(z.object({ items: z.array(SiteView), nextCursor: z.string().nullable() }), "Sites"),
        ...problems(401),
      },
    }),
    async (c) => {
      const all = await deps.sites.list();
      return c.json(
        { items: await Promise.all(all.map((s) => siteView(deps.sites, s))), nextCursor: null },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/sites/{id}",
      summary: "One site, its agent's status and its command queue",
      security,
      request: { params: z.object({ id: z.string() }) },
      responses: { 200: json(SiteView, "The site"), ...problems(401, 404) },
    }),
    async (c) => {
      const s = await deps.sites.get(c.req.valid("param").id);
      if (!s) return problem(c, 404, "no such site", [{ path: "id", message: "not found" }]) as never;
      return c.json(await siteView(deps.sites, s), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/visits",
      summary: "Create a visit; its grant is queued for the site's agent",
      security,
      request: {
        headers: z.object({
          "idempotency-key": z
            .string()
            .min(1)
            .max(200)
            .optional()
            .describe("Repeat the request with the same key and get the same visit back, never a second one"),
        }),
        body: { content: { "application/json": { schema: VisitCreate } }, required: true },
      },
      responses: { 201: json(VisitView, "The visit"), ...problems(400, 401, 403, 422) },
    }),
    async (c) => {
      const key = c.req.valid("header")["idempotency-key"];
      const { visit: v, replayed } = await deps.visitService.create(
        c.req.valid("json"),
        new Date(),
        key ? { tokenId: c.get("tokenId"), key } : undefined,
      );
      if (replayed) c.header("Idempotent-Replayed", "true");
      return c.json(
        {
          ...v,
          commands: await deps.visits.commands(v.id),
          notifications: await deps.visits.notifications(v.id),
        },
        201,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/visits/{id}",
      summary: "A visit with its access, passages counts, commands and notifications",
      security,
      request: { params: z.object({ id: z.string() }) },
      responses: { 200: json(VisitView, "The visit"), ...problems(401, 404) },
    }),
    async (c) => {
      const id = c.req.valid("param").id;
      const v = await deps.visits.get(id);
      if (!v) return problem(c, 404, "no such visit", [{ path: "id", message: "not found" }]) as never;
      return c.json(
        {
          ...v,
          commands: await deps.visits.commands(id),
          notifications: await deps.visits.notifications(id),
        },
        200,
      );
    },
  );

  registerVisitRoutes(app, deps);
  registerExportRoutes(app, deps);

  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Gatehouse control plane",
      version: "1.0.0",
      description: "Visitor access on Hikvision turnstiles",
    },
  });

  // Swagger UI from the installed package: campus networks often cannot reach a CDN.
  const uiDir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  app.get("/docs", (c) =>
    c.html(`<!doctype html><html><head><title>Gatehouse API</title><link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script></body></html>`),
  );
  // A file, not an inline script, so the Content-Security-Policy needs no 'unsafe-inline' for scripts.
  app.get("/docs/init.js", (c) =>
    c.body('SwaggerUIBundle({url:"/openapi.json",dom_id:"#ui"});\n', 200, {
      "content-type": "text/javascript",
    }),
  );
  app.get("/docs/:file{swagger-ui\\.css|swagger-ui-bundle\\.js}", (c) => {
    const file = c.req.param("file");
    return c.body(readFileSync(join(uiDir, file)), 200, {
      "content-type": file.endsWith(".css") ? "text/css" : "text/javascript",
      "cache-control": "public, max-age=86400",
    });
  });

  return app;
}
