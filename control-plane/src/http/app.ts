import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { BlockList } from "node:net";
import { dirname, join } from "node:path";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import type { Logger } from "pino";
import type { AuditRepo } from "../adapters/db/audit.js";
import type { DenyListRepo } from "../adapters/db/deny-list-repo.js";
import type { IncidentsRepo } from "../adapters/db/incidents-repo.js";
import type { PicturesRepo } from "../adapters/db/pictures-repo.js";
import type { SitesRepo } from "../adapters/db/sites-repo.js";
import type { TokensRepo } from "../adapters/db/tokens-repo.js";
import type { VisitQueries } from "../adapters/db/visit-queries.js";
import type { AuthThrottle } from "../domain/auth-throttle.js";
import type { ControlPlaneMetrics } from "../metrics.js";
import type { AgentLogins } from "../services/agent-logins.js";
import type { BrokerLogins } from "../services/broker-logins.js";
import type { CommandDispatcher } from "../services/command-dispatcher.js";
import type { GroupEventService } from "../services/group-events.js";
import type { LiveEvents } from "../services/live-events.js";
import { BrokerLoginFailed } from "../services/ports.js";
import type { TokenRevocations } from "../services/token-revocations.js";
import type { VisitImport } from "../services/visit-import.js";
import { FieldError, type VisitService } from "../services/visits.js";
import { registerAuditRoutes } from "./audit-routes.js";
import { type AuthEnv, bearerAuth, requireRole } from "./auth.js";
import { registerConsoleRoutes } from "./console-routes.js";
import { registerDenyListRoutes } from "./deny-list-routes.js";
import { registerEventRoutes } from "./event-routes.js";
import { registerExportRoutes } from "./export-routes.js";
import { registerImportRoutes } from "./import-routes.js";
import { registerIncidentRoutes } from "./incident-routes.js";
import { problem, zodProblems } from "./problem.js";
import { KindConfig, VisitCreate, VisitView } from "./schemas.js";
import { registerSiteRoutes } from "./site-routes.js";
import { registerStreamRoutes } from "./stream-routes.js";
import { registerTokenRoutes } from "./token-routes.js";
import { registerVisitRoutes } from "./visit-routes.js";

export interface AppDeps {
  pictures: PicturesRepo;
  revocations: TokenRevocations;
  brokerLogins: BrokerLogins;
  agentLogins: AgentLogins;
  incidents: IncidentsRepo;
  denyList: DenyListRepo;
  visitImport: VisitImport;
  sites: SitesRepo;
  audit: AuditRepo;
  dispatcher: CommandDispatcher;
  live: LiveEvents;
  groupEvents: GroupEventService;
  visits: VisitQueries;
  tokens: TokensRepo;
  visitService: VisitService;
  metrics: ControlPlaneMetrics;
  /** The command public key(s) agents must trust, shown when a site is created. */
  commandPublicKeys: string;
  /** Failed token logins, shared with the MQTT broker's password checks. */
  throttle: AuthThrottle;
  /** Reverse proxies whose X-Forwarded-For names the client. */
  trustedProxies?: BlockList;
  /** The largest bulk import body, in bytes. */
  importMaxBytes: number;
  /** Browser origins allowed to call the API; none means no CORS headers at all. */
  corsOrigins: string[];
  /** Served over TLS: browsers are told to stay on https. */
  tls: boolean;
  log: Logger;
  ready: () => boolean;
}

import { json, problems, security } from "./openapi-helpers.js";

export function buildApp(deps: AppDeps) {
  const app = new OpenAPIHono<AuthEnv>({
    defaultHook: (result, c) => {
      if (!result.success) return problem(c, 400, "the request is not valid", zodProblems(result.error));
    },
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
  // Referred to by the site kinds' schema, which is written by hand (its keys are checked before parsing).
  app.openAPIRegistry.register("KindConfig", KindConfig);

  app.onError((err, c) => {
    if (err instanceof FieldError)
      return problem(c, err.status, err.message, [
        {
          path: err.path,
          code: err.code,
          message: err.message,
          ...(err.params ? { params: err.params } : {}),
        },
      ]);
    if (err instanceof BrokerLoginFailed)
      return problem(c, 502, err.message, [
        { path: "(broker)", code: "broker_unavailable", message: err.message },
      ]);
    if (err instanceof HTTPException && err.status < 500) {
      return problem(c, err.status, err.message, [{ path: "(body)", code: "invalid", message: err.message }]);
    }
    deps.log.error({ err: err.message, stack: err.stack }, "request failed");
    return problem(c, 500, "something went wrong; it has been logged");
  });
  app.notFound((c) =>
    problem(c, 404, `no route ${c.req.method} ${c.req.path}`, [
      { path: "(path)", code: "not_found", message: "no such route" },
    ]),
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
      problem(c, 413, "the body is larger than 8 MiB", [
        { path: "(body)", code: "too_large_body", message: "too large" },
      ]),
  });
  const defaultLimit = bodyLimit({
    maxSize: 1024 * 1024,
    onError: (c) =>
      problem(c, 413, "the body is larger than 1 MiB", [
        { path: "(body)", code: "too_large_body", message: "too large" },
      ]),
  });
  // A bulk import is up to 5,000 rows; refused by its Content-Length before a byte is read, or as soon as a
  // body without one grows past the limit — never parsed whole first.
  const importMiB = Math.round((deps.importMaxBytes / 1024 / 1024) * 10) / 10;
  const importLimit = bodyLimit({
    maxSize: deps.importMaxBytes,
    onError: (c) =>
      problem(
        c,
        413,
        `the import is larger than ${importMiB} MiB (${deps.importMaxBytes} bytes, GATEHOUSE_IMPORT_MAX_BYTES); split it`,
        [{ path: "(body)", code: "too_large_body", message: `larger than ${deps.importMaxBytes} bytes` }],
      ),
  });
  app.use("/v1/*", (c, next) => {
    if (c.req.path === "/v1/visits/import") return importLimit(c, next);
    if (c.req.path === "/v1/visits" || /^\/v1\/events\/[^/]+\/registrations$/.test(c.req.path))
      return visitLimit(c, next);
    return defaultLimit(c, next);
  });
  app.use(
    "/v1/*",
    bearerAuth(
      deps.tokens,
      deps.throttle,
      (reason) => deps.metrics.httpAuthFailures.inc({ reason }),
      deps.trustedProxies,
    ),
  );
  // Who may do what: viewers read; operators run visits and events; admins run sites, approvals, the deny
  // list and the audit. The most specific rule is listed first and wins.
  const admin = requireRole("admin");
  const operator = requireRole("operator");
  app.use("/v1/*", async (c, next) => {
    const m = c.req.method;
    const path = c.req.path;
    if (m === "GET" || m === "HEAD" || m === "OPTIONS") {
      if (
        path.startsWith("/v1/exports/") ||
        path === "/v1/audit" ||
        path.startsWith("/v1/deny-list") ||
        path.startsWith("/v1/tokens")
      )
        return admin(c, next);
      return next();
    }
    if (/^\/v1\/sites\/[^/]+\/(sync|doors\/[^/]+)$/.test(path)) return operator(c, next);
    if (path.startsWith("/v1/sites") || path.startsWith("/v1/deny-list") || path.startsWith("/v1/tokens"))
      return admin(c, next);
    if (/^\/v1\/visits\/[^/]+\/(approve|refuse)$/.test(path)) return admin(c, next);
    return operator(c, next);
  });

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", (c) =>
    deps.ready() ? c.json({ status: "ready" }) : c.json({ status: "starting" }, 503),
  );
  app.get("/metrics", async (c) =>
    c.text(await deps.metrics.registry.metrics(), 200, { "content-type": deps.metrics.registry.contentType }),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/me",
      operationId: "getMe",
      summary: "The token's name and role (the console shows only what the role may do)",
      security,
      responses: {
        200: json(
          z.object({ name: z.string(), role: z.enum(["viewer", "operator", "admin"]) }).openapi("Me"),
          "Who the token is",
        ),
        ...problems(401),
      },
    }),
    (c) => c.json({ name: c.get("actor").name, role: c.get("role") }, 200),
  );

  registerSiteRoutes(app, deps);

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/visits",
      operationId: "createVisit",
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
      const { visit: v, replayed } = await deps.visitService.create(c.req.valid("json"), {
        actor: c.get("actor"),
        idempotency: key ? { tokenId: c.get("tokenId"), key } : undefined,
      });
      if (replayed) c.header("Idempotent-Replayed", "true");
      return c.json(await deps.visits.detail(v), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/visits/{id}",
      operationId: "getVisit",
      summary: "A visit with its access, passages counts, commands and notifications",
      security,
      request: { params: z.object({ id: z.string() }) },
      responses: { 200: json(VisitView, "The visit"), ...problems(401, 404) },
    }),
    async (c) => {
      const id = c.req.valid("param").id;
      const v = await deps.visits.get(id);
      if (!v)
        return problem(c, 404, "no such visit", [
          { path: "id", code: "not_found", message: "not found" },
        ]) as never;
      return c.json(await deps.visits.detail(v), 200);
    },
  );

  registerVisitRoutes(app, deps);
  registerImportRoutes(app, deps);
  registerEventRoutes(app, deps);
  registerIncidentRoutes(app, deps);
  registerDenyListRoutes(app, deps);
  registerTokenRoutes(app, deps);
  registerAuditRoutes(app, deps);
  registerStreamRoutes(app, deps);
  registerExportRoutes(app, deps);

  // The server is the one the document was fetched from, so a generated client points where its reader is.
  app.doc31("/openapi.json", (c) => ({
    openapi: "3.1.0",
    info: {
      title: "Gatehouse control plane",
      version: "1.0.0",
      description: "Visitor access on Hikvision turnstiles",
      license: { name: "Proprietary", identifier: "LicenseRef-Gatehouse" },
    },
    servers: [{ url: new URL(c.req.url).origin, description: "This control plane" }],
  }));

  registerConsoleRoutes(app);

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
