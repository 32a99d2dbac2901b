import { randomBytes, randomUUID } from "node:crypto";
import type { Command } from "@gatehouse/shared";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { type Actor, auditStatement } from "../adapters/db/audit.js";
import type { Site, SiteSettings, SitesRepo } from "../adapters/db/sites-repo.js";
import { doorCommand, syncCommand } from "../domain/commands.js";
import type { ControlPlaneMetrics } from "../metrics.js";
import type { AgentLogins } from "../services/agent-logins.js";
import type { BrokerLogins } from "../services/broker-logins.js";
import type { CommandDispatcher } from "../services/command-dispatcher.js";
import { BrokerLoginFailed } from "../services/ports.js";
import type { AuthEnv } from "./auth.js";
import { json, problems, security } from "./openapi-helpers.js";
import { problem } from "./problem.js";
import { Page, SiteCreate, SiteCreated, SitePatch, SiteView } from "./schemas.js";

export interface SiteRouteDeps {
  sites: SitesRepo;
  dispatcher: CommandDispatcher;
  metrics: ControlPlaneMetrics;
  /** The command public key(s) agents must trust, shown when a site is created. */
  commandPublicKeys: string;
  brokerLogins: BrokerLogins;
  agentLogins: AgentLogins;
}

type QueueStats = Awaited<ReturnType<SitesRepo["queueStats"]>>;

/** A site as the API shows it, with its command queue (read with the site, or for all sites at once). */
export function siteView(s: Site, commands: QueueStats) {
  return {
    id: s.id,
    name: s.name,
    timeZone: s.timeZone,
    kinds: s.kinds,
    fallbackEmail: s.fallbackEmail,
    securityEmail: s.securityEmail,
    maxStayHours: s.maxStayMinutes / 60,
    openingHours: s.openingHours,
    earlyArrivalMinutes: s.earlyArrivalMinutes,
    maxVisitDays: s.maxVisitDays,
    language: s.language,
    agent: { username: s.agentUsername, state: s.agentState, seenAt: s.agentSeenAt, status: s.agentStatus },
    commands,
    createdAt: s.createdAt,
  };
}

const Id = z.object({ id: z.string() });

/** The API speaks hours, the database minutes; absent fields stay absent (a PATCH leaves them as they are). */
function settings<
  B extends { maxStayHours?: number | undefined } & Omit<SiteSettings, "maxStayMinutes" | "openingHours"> & {
      openingHours?: SiteSettings["openingHours"];
    },
>(b: B): SiteSettings {
  const { maxStayHours, ...rest } = b;
  return { ...rest, maxStayMinutes: maxStayHours === undefined ? undefined : maxStayHours * 60 };
}
const notFound = { path: "id", code: "not_found", message: "not found" };

/** Sites: register, list, read, change their rules, and ask their agent to reconcile. */
export function registerSiteRoutes(app: OpenAPIHono<AuthEnv>, deps: SiteRouteDeps): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/sites",
      operationId: "createSite",
      summary: "Register a site; answers its agent's MQTT credentials once",
      security,
      request: { body: { content: { "application/json": { schema: SiteCreate } }, required: true } },
      responses: { 201: json(SiteCreated, "The site"), ...problems(400, 401, 403, 409, 502) },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const password = randomBytes(24).toString("base64url");
      const created = await deps.sites.create(
        { ...settings(body), id: body.id, name: body.name, timeZone: body.timeZone, kinds: body.kinds },
        password,
        c.get("actor"),
      );
      if (created === "exists") {
        return problem(c, 409, `site '${body.id}' exists already`, [
          { path: "id", code: "exists", message: "already exists" },
        ]) as never;
      }
      // Stored first (the id must be free: an existing site's agent login must not be overwritten on the broker).
      await deps.brokerLogins.agentAdded(created.id, created.agentUsername, password).catch((e: Error) => {
        throw new BrokerLoginFailed(
          `site '${created.id}' was created, but ${e.message}; rotate its agent's login (POST /v1/sites/${created.id}/agent-credentials/rotate) once the broker answers`,
        );
      });
      return c.json(
        {
          ...siteView(created, await deps.sites.queueStats(created.id)),
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
      operationId: "listSites",
      summary: "Sites with their agents' live status",
      security,
      responses: { 200: json(Page(SiteView), "Sites"), ...problems(401) },
    }),
    async (c) => {
      const [all, queues] = await Promise.all([deps.sites.list(), deps.sites.allQueueStats()]);
      const bySite = new Map(queues.map(({ site, ...q }) => [site, q]));
      const none = { pending: 0, oldestPendingAt: null };
      return c.json({ items: all.map((s) => siteView(s, bySite.get(s.id) ?? none)), nextCursor: null }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/sites/{id}",
      operationId: "getSite",
      summary: "One site, its agent's status and its command queue",
      security,
      request: { params: Id },
      responses: { 200: json(SiteView, "The site"), ...problems(401, 404) },
    }),
    async (c) => {
      const s = await deps.sites.get(c.req.valid("param").id);
      if (!s) return problem(c, 404, "no such site", [notFound]) as never;
      return c.json(siteView(s, await deps.sites.queueStats(s.id)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/v1/sites/{id}",
      operationId: "updateSite",
      summary: "Change a site's name, time zone, visit kinds, contacts, opening hours or limits",
      security,
      request: {
        params: Id,
        body: { content: { "application/json": { schema: SitePatch } }, required: true },
      },
      responses: { 200: json(SiteView, "The site"), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const b = c.req.valid("json");
      const s = await deps.sites.update(c.req.valid("param").id, settings(b), c.get("actor"));
      if (!s) return problem(c, 404, "no such site", [notFound]) as never;
      return c.json(siteView(s, await deps.sites.queueStats(s.id)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/sites/{id}/agent-credentials/rotate",
      operationId: "rotateAgentCredentials",
      summary:
        "A new broker login for the site's agent (answered once); the one before stays good until the agent logs in with the new one, or for graceHours (admin, audited)",
      security,
      request: {
        params: Id,
        body: {
          content: {
            "application/json": {
              schema: z
                .strictObject({
                  graceHours: z
                    .int()
                    .min(0)
                    .max(168)
                    .default(24)
                    .describe("How long the old login stays good if the agent does not switch before"),
                })
                .openapi("AgentCredentialsRotate", { example: { graceHours: 24 } }),
            },
          },
          required: false,
        },
      },
      responses: {
        200: json(
          z
            .object({
              username: z.string(),
              password: z.string().describe("Shown this once"),
              previousUsername: z.string(),
              previousValidUntil: z.string().describe("Unless the agent logs in with the new login before"),
            })
            .openapi("AgentCredentials"),
          "The new login",
        ),
        ...problems(400, 401, 403, 404, 409, 502),
      },
    }),
    async (c) => {
      const body = c.req.valid("json") ?? { graceHours: 24 };
      const r = await deps.agentLogins.rotate(c.req.valid("param").id, body.graceHours ?? 24, c.get("actor"));
      if (!r) return problem(c, 404, "no such site", [notFound]) as never;
      return c.json(r, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/sites/{id}/sync",
      operationId: "syncSite",
      summary: "Ask the site's agent to reconcile HikCentral with its replica now (a sync command)",
      security,
      request: { params: Id },
      responses: {
        202: json(
          z.object({ commandId: z.string(), seq: z.int(), status: z.string() }).openapi("SyncQueued"),
          "The sync command is queued",
        ),
        ...problems(401, 403, 404),
      },
    }),
    async (c) => {
      const id = c.req.valid("param").id;
      if (!(await deps.sites.get(id))) return problem(c, 404, "no such site", [notFound]) as never;
      const actor = c.get("actor");
      const command = await queueAudited(deps, actor, id, {}, (seq) =>
        syncCommand({
          id: randomUUID(),
          seq,
          site: id,
          now: new Date(),
          reason: `requested by ${actor.name}`,
        }),
      );
      return c.json({ commandId: command.id, seq: command.seq, status: "pending" }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/sites/{id}/doors/{door}",
      operationId: "operateDoor",
      summary:
        "Security staff: open, close, hold open or hold closed a door (terminal:door, e.g. gate-2:1) through the site's agent; the command is void after 30 s",
      security,
      request: {
        params: z.object({
          id: z.string(),
          door: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}:\d{1,3}$/, "must be terminal:door, e.g. gate-2:1"),
        }),
        body: {
          content: {
            "application/json": {
              schema: z
                .strictObject({ action: z.enum(["open", "close", "always_open", "always_closed"]) })
                .openapi("DoorAction", { example: { action: "open" } }),
            },
          },
          required: true,
        },
      },
      responses: {
        202: json(
          z
            .object({ commandId: z.string(), seq: z.int(), status: z.string(), expiresAt: z.string() })
            .openapi("DoorQueued"),
          "The door command is queued",
        ),
        ...problems(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const { id, door } = c.req.valid("param");
      const { action } = c.req.valid("json");
      if (!(await deps.sites.get(id))) return problem(c, 404, "no such site", [notFound]) as never;
      const actor = c.get("actor");
      const command = await queueAudited(deps, actor, id, { door, action }, (seq) =>
        doorCommand({ id: randomUUID(), seq, site: id, now: new Date(), door, action }),
      );
      return c.json(
        { commandId: command.id, seq: command.seq, status: "pending", expiresAt: command.expiresAt },
        202,
      );
    },
  );
}

/** Queues a site command someone asked for through the API, with its audit row in the same batch. */
async function queueAudited(
  deps: SiteRouteDeps,
  actor: Actor,
  site: string,
  detail: Record<string, unknown>,
  build: (seq: number) => Command,
): Promise<Command> {
  const command = await deps.dispatcher.queue(site, build, (command) => [
    auditStatement({
      actor,
      action: `site.${command.type}`,
      entity: "command",
      entityId: command.id,
      site,
      after: { type: command.type, seq: command.seq, ...detail },
    }),
  ]);
  deps.metrics.commandsCreated.inc({ type: command.type });
  return command;
}
