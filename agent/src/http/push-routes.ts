import { Hono } from "hono";
import type { Logger } from "pino";
import type { IsapiBackend } from "../isapi-mode.js";
import type { EventIntake } from "../services/event-intake.js";
import { listen } from "./listen.js";

/**
 * Where events are pushed to the agent, on the isolated network: HikCentral's event subscription, and
 * terminals configured to push. Both paths hold a secret token, since HCP's way of presenting one is unknown.
 */
export function pushRoutes(opts: {
  token: string;
  intake: EventIntake;
  isapi: IsapiBackend | undefined;
  log: Logger;
}): Hono {
  const app = new Hono();
  app.post("/hikcentral/events/:token", async (c) => {
    if (c.req.param("token") !== opts.token) return c.json({ code: "403", msg: "unknown subscription" }, 403);
    const body = await c.req.json().catch(() => undefined);
    const r = await opts.intake.handlePush(body);
    return c.json({ code: "0", msg: "Success", data: r });
  });
  // Terminals with `push` POST multipart/form-data: the event is the JSON part `AccessControllerEvent`
  // (`event_log` on older firmware), or a plain JSON body. Answered 200 always: a terminal retries errors.
  app.post("/isapi/events/:terminal/:token", async (c) => {
    if (c.req.param("token") !== opts.token || !opts.isapi) return c.text("", 403);
    let json: unknown;
    try {
      if ((c.req.header("content-type") ?? "").startsWith("multipart/")) {
        const form = await c.req.parseBody();
        const part = form.AccessControllerEvent ?? form.event_log;
        json = JSON.parse(typeof part === "string" ? part : part ? await part.text() : "null");
      } else json = await c.req.json();
    } catch {
      opts.log.warn({ terminal: c.req.param("terminal") }, "ignored a terminal push that is not an event");
      return c.text("", 200);
    }
    await opts.isapi.takePushed(c.req.param("terminal"), json);
    return c.text("", 200);
  });
  return app;
}

/**
 * Listens for pushed events on `listenAt` (host:port). Answers the base URL pushers are given — the public
 * one when set (a NAT between HikCentral and the agent) — and the URL of HikCentral's subscription.
 */
export async function startPushListener(
  listenAt: string,
  publicUrl: string | undefined,
  routes: Parameters<typeof pushRoutes>[0],
): Promise<{ base: URL; eventUrl: string; close(): Promise<void> }> {
  const [host, port] = listenAt.split(":") as [string, string];
  const server = await listen(pushRoutes(routes), host, Number(port), "AGENT_EVENT_LISTEN");
  const base = (publicUrl ?? `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${server.port}`).replace(
    /\/$/,
    "",
  );
  return {
    base: new URL(base),
    eventUrl: `${base}/hikcentral/events/${routes.token}`,
    close: () => server.close(),
  };
}
