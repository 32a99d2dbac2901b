import type { Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import { Hono } from "hono";
import { FaultInjector, Faults } from "./control/faults.js";
import { passageStream } from "./control/passage-stream.js";
import { carryOutPassage, PassageRequest, passageTarget } from "./control/passages.js";
import { type ApiContext, ArtemisError, dispatch } from "./hikcentral/api.js";
import { type LatencyProfile, profileLatency } from "./hikcentral/latency.js";
import { EventPusher } from "./hikcentral/push.js";
import { verifySignature } from "./hikcentral/signature.js";
import { HikState, personName } from "./hikcentral/state.js";
import { type SimCertificate, selfSignedCertificate } from "./tls.js";

export interface SimulatorOptions {
  port?: number;
  host?: string;
  appKey?: string;
  appSecret?: string;
  timeZone?: string;
  version?: string;
  personNotFound?: ApiContext["personNotFound"];
  /** How `person/single/add` answers the new id (default "string", as V3.1.1). */
  addPersonData?: "string" | "object";
  /** Whether `acs/v1/door/events` insists on eventType or personName (default true, as reported). */
  doorEventsRequireFilter?: boolean;
  /** "realistic": each call takes as long as on a real HCP (for benchmarks); default "none". */
  latencyProfile?: LatencyProfile;
  /** Serve HTTPS, as HCP does: with this certificate, or a self-signed one made now ("generate"). */
  tls?: { key: string; cert: string } | "generate";
  /** Attempts per push batch before it is dropped, and the delay between them. */
  pushAttempts?: number;
  pushRetryDelayMs?: number;
  /** How the gateway rejects a bad signature; HCP's exact answer is not publicly captured. */
  signatureRejection?: { status: number; body: Record<string, unknown> };
  log?: (msg: string) => void;
}

export interface Simulator {
  url: string;
  /** The certificate served, when over HTTPS (to trust or pin it). */
  certificate: SimCertificate | undefined;
  appKey: string;
  appSecret: string;
  state: HikState;
  faults: FaultInjector;
  pusher: EventPusher;
  stop(): Promise<void>;
}

/** A 1×1 JPEG standing in for a turnstile camera's snapshot. */
const SNAPSHOT_JPEG = Buffer.from(
  "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==",
  "base64",
);

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json;charset=UTF-8" },
  });

export function buildSimulatorApp(
  state: HikState,
  opts: Required<Omit<SimulatorOptions, "port" | "host" | "pushAttempts" | "pushRetryDelayMs" | "tls">>,
  faults: FaultInjector,
  pusher: EventPusher,
) {
  const ctx: ApiContext = {
    state,
    timeZone: opts.timeZone,
    version: opts.version,
    personNotFound: opts.personNotFound,
    doorEventsRequireFilter: opts.doorEventsRequireFilter,
    addPersonData: opts.addPersonData,
    onSubscriptionChange: () => {},
    dropFaces: () => faults.dropFaces(),
    offlineDevices: () => faults.offlineDevices(),
    downloadDelayMs: () => faults.downloadDelayMs(),
  };
  const secrets = (key: string) => (key === opts.appKey ? opts.appSecret : undefined);
  const pending = new Set<() => void>();
  const app = new Hono<{ Bindings: { incoming: { socket: { destroy(): void } } } }>();

  app.all("/artemis/*", async (c) => {
    const url = new URL(c.req.url);
    const body = new Uint8Array(await c.req.arrayBuffer());
    const check = verifySignature(
      {
        method: c.req.method,
        path: url.pathname,
        query: url.searchParams,
        header: (n) => c.req.header(n),
        body,
      },
      secrets,
    );
    if (!check.ok) {
      const res = json(opts.signatureRejection.body, opts.signatureRejection.status);
      res.headers.set("X-Ca-Error-Message", check.message);
      return res;
    }
    const apiPath = url.pathname.replace(/^\/artemis\/api\//, "");
    const fault = faults.decide(apiPath);
    const latency = Math.max(fault.latencyMs, profileLatency(opts.latencyProfile, apiPath));
    if (latency > 0) await new Promise((r) => setTimeout(r, latency));
    if (fault.kind === "timeout") {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 120_000);
        pending.add(() => {
          clearTimeout(t);
          resolve();
        });
      });
      return json({ code: "0", msg: "Success" });
    }
    if (fault.kind === "reset") {
      c.env.incoming.socket.destroy();
      return new Response(null, { status: 500 });
    }
    if (fault.kind === "http")
      return json(
        {
          code: String(fault.status),
          msg: fault.status === 429 ? "Too Many Requests" : "Internal Server Error",
        },
        fault.status,
      );
    if (fault.kind === "code") return json({ code: fault.code, msg: fault.msg });
    if (c.req.method !== "POST") return json({ code: "8", msg: "This product version is not supported" });

    let parsed: unknown = {};
    if (body.length > 0) {
      try {
        parsed = JSON.parse(Buffer.from(body).toString("utf8"));
      } catch {
        return json({ code: "2", msg: "Incorrect request parameter. [body parameter error]" });
      }
    }
    if (apiPath === "acs/v1/event/pictures") {
      const picUri = (parsed as { picUri?: unknown }).picUri;
      if (typeof picUri !== "string" || !state.hasPicture(picUri)) {
        return json({ code: "2", msg: "Incorrect request parameter. [picUri parameter error]" });
      }
      // As HCP does: a redirect whose Location is the picture.
      return new Response(null, {
        status: 302,
        headers: { location: new URL(`/_sim/pictures?uri=${encodeURIComponent(picUri)}`, url).toString() },
      });
    }
    try {
      const data = dispatch(apiPath, parsed, ctx);
      return json(data === undefined ? { code: "0", msg: "Success" } : { code: "0", msg: "Success", data });
    } catch (e) {
      if (e instanceof ArtemisError) return json({ code: e.code, msg: e.msg });
      throw e;
    }
  });

  const problem = (status: number, detail: string, errors: { path: string; message: string }[] = []) =>
    new Response(JSON.stringify({ type: "about:blank", title: "Bad request", status, detail, errors }), {
      status,
      headers: { "content-type": "application/problem+json" },
    });

  // One passage, or an array of up to 1,000 (a load generator's tick): all are checked before any happens.
  // With `application/x-ndjson`, a stream: one passage a line, each answered by a line as it happens.
  app.post("/_sim/passages", async (c) => {
    if ((c.req.header("content-type") ?? "").startsWith("application/x-ndjson") && c.req.raw.body)
      return passageStream(state, pusher, c.req.raw.body);
    const body = await c.req.json().catch(() => undefined);
    const many = Array.isArray(body);
    const r = (many ? PassageRequest.array().min(1).max(1000) : PassageRequest).safeParse(body);
    if (!r.success) {
      return problem(
        400,
        "invalid passage",
        r.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
      );
    }
    const requests = Array.isArray(r.data) ? r.data : [r.data];
    for (const [i, req] of requests.entries()) {
      try {
        passageTarget(state, req);
      } catch (e) {
        return problem(404, many ? `[${i}]: ${(e as Error).message}` : (e as Error).message);
      }
    }
    const answers = requests.map((req) => carryOutPassage(state, pusher, req));
    return c.json(many ? answers : answers[0], 201);
  });

  app.get("/_sim/persons", (c) =>
    c.json(
      [...state.persons.values()].map((p) => ({
        personId: p.personId,
        personCode: p.personCode,
        personName: personName(p),
        beginTime: p.beginTime ?? null,
        endTime: p.endTime ?? null,
        pendingDownload: p.pendingDownload,
        groups: state.groupsOf(p.personId).map((g) => g.privilegeGroupId),
      })),
    ),
  );
  app.get("/_sim/access-groups", (c) =>
    c.json(
      [...state.groups.values()].map((g) => ({
        privilegeGroupId: g.privilegeGroupId,
        privilegeGroupName: g.privilegeGroupName,
        type: g.type,
        doors: g.doors,
        members: [...g.members],
      })),
    ),
  );
  app.get("/_sim/doors", (c) => c.json([...state.doors.values()]));
  app.get("/_sim/pictures", (c) => {
    const uri = c.req.query("uri");
    if (!uri || !state.hasPicture(uri)) return c.text("not found", 404);
    return c.body(SNAPSHOT_JPEG, 200, { "content-type": "image/jpeg" });
  });
  app.get("/_sim/subscriptions", (c) =>
    c.json([...state.subscriptions].map(([eventType, s]) => ({ eventType, eventDest: s.eventDest }))),
  );
  app.get("/_sim/faults", (c) =>
    c.json({ ...faults.get(), calls: Object.fromEntries(faults.calls), rateLimited: faults.rateLimited }),
  );
  app.put("/_sim/faults", async (c) => {
    const r = Faults.safeParse(await c.req.json().catch(() => undefined));
    if (!r.success) {
      return problem(
        400,
        "invalid faults",
        r.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
      );
    }
    faults.set(r.data);
    return c.json(r.data);
  });

  return {
    app,
    releasePending: () => {
      for (const f of pending) f();
    },
  };
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const opts = {
    appKey: options.appKey ?? "23456789",
    appSecret: options.appSecret ?? "sim-secret-0123456789",
    timeZone: options.timeZone ?? "Asia/Almaty",
    version: options.version ?? "V3.1.1.0",
    personNotFound: options.personNotFound ?? "empty-data",
    doorEventsRequireFilter: options.doorEventsRequireFilter ?? true,
    addPersonData: options.addPersonData ?? "string",
    latencyProfile: options.latencyProfile ?? "none",
    signatureRejection: options.signatureRejection ?? {
      status: 401,
      body: { code: "401", msg: "Invalid signature" },
    },
    log: options.log ?? (() => {}),
  };
  const state = new HikState();
  const faults = new FaultInjector();
  const pusher = new EventPusher(state, {
    timeZone: opts.timeZone,
    batchSize: 50,
    attempts: options.pushAttempts ?? 3,
    retryDelayMs: options.pushRetryDelayMs ?? 200,
    dropRate: () => faults.dropPushRate(),
    log: opts.log,
  });
  const { app, releasePending } = buildSimulatorApp(state, opts, faults, pusher);
  const host = options.host ?? "127.0.0.1";
  let certificate: SimCertificate | undefined;
  if (options.tls === "generate") certificate = await selfSignedCertificate(host);
  else if (options.tls) {
    const { X509Certificate } = await import("node:crypto");
    certificate = { ...options.tls, fingerprint256: new X509Certificate(options.tls.cert).fingerprint256 };
  }
  const server: ServerType = await new Promise((resolve) => {
    const s = serve(
      {
        fetch: app.fetch,
        port: options.port ?? 0,
        hostname: host,
        ...(certificate
          ? {
              createServer: createHttpsServer,
              serverOptions: { key: certificate.key, cert: certificate.cert },
            }
          : {}),
      },
      () => resolve(s),
    );
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `${certificate ? "https" : "http"}://${host}:${port}`,
    certificate,
    appKey: opts.appKey,
    appSecret: opts.appSecret,
    state,
    faults,
    pusher,
    async stop() {
      pusher.stop();
      releasePending();
      (server as Server).closeAllConnections?.();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
