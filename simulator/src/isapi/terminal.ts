import { randomBytes } from "node:crypto";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import { Hono } from "hono";
import { DigestGuard } from "./digest-guard.js";
import { isapiError } from "./responses.js";
import { doorRoutes } from "./routes/door-routes.js";
import { eventRoutes } from "./routes/event-routes.js";
import { faceRoutes } from "./routes/face-routes.js";
import { systemRoutes } from "./routes/system-routes.js";
import { userRoutes } from "./routes/user-routes.js";
import { type TerminalFault, type TerminalOptions, TerminalState } from "./terminal-state.js";
import type { IsapiErrorName } from "./wire.js";
import { isapiXml } from "./wire.js";

export type {
  HttpHost,
  SimTerminalEvent,
  TerminalFault,
  TerminalOptions,
  TerminalUser,
} from "./terminal-state.js";

const JSON_RESOURCES =
  /^\/ISAPI\/(AccessControl\/(UserInfo|UserInfoDetail|AcsEvent|AcsWorkStatus)|Intelligent\/FDLib)/;

/**
 * One access-control terminal speaking ISAPI as the captured devices do: Digest only (realm `DS-` + 8 hex,
 * the XML `userCheck` body on 401, the brute-force lock), JSON resources only with `?format=json`, cJSON
 * printing, XML with CRLF in the isapi.org namespace, ResponseStatus errors. Its state and behaviour are
 * the terminal state's; each group of resources is a route module over it.
 */
export class SimTerminal extends TerminalState {
  readonly guard: DigestGuard;
  readonly username: string;
  readonly password: string;
  /** Calls per path (without the query), so tests can count them. */
  readonly calls = new Map<string, number>();
  /** Answered 401 because the credentials were wrong, missing or locked. */
  authFailures = 0;
  private offline = false;
  private faults: TerminalFault[] = [];
  private server: ServerType | undefined;
  url = "";

  constructor(opts: TerminalOptions) {
    super(opts);
    this.username = opts.username ?? "admin";
    this.password = opts.password ?? `Sim-${randomBytes(6).toString("hex")}`;
    this.guard = new DigestGuard({
      realm: `DS-${randomBytes(4).toString("hex").toUpperCase()}`,
      users: new Map([[this.username, this.password]]),
      nonceUses: opts.nonceUses ?? 2,
      nonceTtlMs: 60_000,
      lockAfter: opts.lockAfter ?? 5,
      lockSeconds: opts.lockSeconds ?? 1800,
    });
  }

  async start(host = "127.0.0.1", port = 0): Promise<void> {
    const app = this.app();
    const tls = this.opts.tls;
    this.server = await new Promise<ServerType>((resolve, reject) => {
      const s = serve(
        {
          fetch: app.fetch,
          hostname: host,
          port,
          ...(tls
            ? { createServer: createHttpsServer, serverOptions: { key: tls.key, cert: tls.cert } }
            : {}),
        },
        () => resolve(s),
      );
      s.once("error", reject);
    });
    this.url = `${tls ? "https" : "http"}://${host}:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.reboot();
    const s = this.server as (ServerType & { closeAllConnections?: () => void }) | undefined;
    s?.closeAllConnections?.();
    await new Promise<void>((r) => (s ? s.close(() => r()) : r()));
  }

  /**
   * Fault injection: calls whose path starts with `path` answer with a terminal error (`busy`,
   * `deviceError`…), hang (`timeout`) or drop the connection (`reset`), at `rate`, at most `times` times.
   */
  setFaults(faults: TerminalFault[]): void {
    this.faults = faults.map((f) => ({ ...f }));
  }

  private takeFault(path: string): IsapiErrorName | "timeout" | "reset" | undefined {
    for (const f of this.faults) {
      if (!path.startsWith(f.path) || (f.times !== undefined && f.times <= 0)) continue;
      if (Math.random() >= (f.rate ?? 1)) continue;
      if (f.times !== undefined) f.times -= 1;
      return f.error;
    }
    return undefined;
  }

  /** Unplugged: connections are refused until `setOffline(false)`. */
  setOffline(off: boolean): void {
    this.offline = off;
    if (off) this.reboot();
  }

  private unauthorized(reason: string): Response {
    const locked = this.guard.lockRemaining();
    const body = isapiXml("userCheck", {
      statusValue: 401,
      statusString: "Unauthorized",
      isActivated: true,
      ...(reason === "missing" || reason === "stale"
        ? {}
        : {
            lockStatus: locked > 0 ? "lock" : "unlock",
            unlockTime: locked,
            retryLoginTime: locked > 0 ? 0 : Math.max(0, (this.opts.lockAfter ?? 5) - this.authFailures),
          }),
    });
    // The captured 401 says application/json over an XML body.
    return new Response(body, {
      status: 401,
      headers: { "content-type": "application/json", "www-authenticate": this.guard.challenge() },
    });
  }

  private app(): Hono {
    const app = new Hono();
    app.use("*", async (c, next) => {
      await next();
      c.res.headers.set("server", "webs");
    });
    app.use("*", async (c, next) => {
      if (this.offline) {
        (c.env as { incoming: { socket: { destroy(): void } } }).incoming.socket.destroy();
        return new Response(null, { status: 503 });
      }
      const url = new URL(c.req.url);
      this.calls.set(url.pathname, (this.calls.get(url.pathname) ?? 0) + 1);
      const verdict = this.guard.check(
        c.req.method,
        `${url.pathname}${url.search}`,
        c.req.header("authorization"),
      );
      if (!verdict.ok) {
        if (verdict.reason !== "missing" && verdict.reason !== "stale") {
          this.authFailures += 1;
          this.opts.log?.(`terminal ${this.opts.id}: refused a login (${verdict.reason})`);
        }
        return this.unauthorized(verdict.reason);
      }
      const fault = this.takeFault(url.pathname);
      if (fault === "reset") {
        (c.env as { incoming: { socket: { destroy(): void } } }).incoming.socket.destroy();
        return new Response(null, { status: 500 });
      }
      if (fault === "timeout") {
        await new Promise((r) => setTimeout(r, 120_000).unref());
        return new Response(null, { status: 503 });
      }
      if (fault) return isapiError(c, fault, JSON_RESOURCES.test(url.pathname));
      if (JSON_RESOURCES.test(url.pathname) && url.searchParams.get("format") !== "json") {
        // Without ?format=json the terminal reads the body as XML.
        return isapiError(c, "badXmlFormat", false);
      }
      await next();
    });

    systemRoutes(app, this);
    userRoutes(app, this);
    eventRoutes(app, this);
    faceRoutes(app, this);
    doorRoutes(app, this);
    app.all("*", (c) => isapiError(c, "notSupport", !c.req.path.startsWith("/ISAPI/System")));
    return app;
  }
}
