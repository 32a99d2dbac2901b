import { readFileSync } from "node:fs";
import type { SourceHealth } from "@gatehouse/shared";
import type { Logger } from "pino";
import type { z } from "zod";
import type { AgentStore } from "./adapters/db/agent-store.js";
import { StoredRefusedLogins } from "./adapters/db/refused-logins.js";
import { IsapiClient } from "./adapters/isapi/client.js";
import { TerminalGateway } from "./adapters/isapi/terminal-gateway.js";
import { type TerminalHandle, TerminalsPlace } from "./adapters/isapi/terminals-place.js";
import type { AgentConfig } from "./config.js";
import type { AgentMetrics } from "./metrics.js";
import type { Lanes } from "./services/lanes.js";
import { type StreamState, TerminalEventStream } from "./services/terminal-stream.js";
import { TerminalSync } from "./services/terminal-sync.js";

type Health = z.infer<typeof SourceHealth>;

/** The ISAPI back end of a site without HikCentral: terminals' persons, doors and alert streams. */
export interface IsapiBackend {
  /** Where persons live in ISAPI mode, and the doors in both modes. */
  place: TerminalsPlace;
  sync: TerminalSync;
  sources(): Health[];
  /** Every terminal's stream is up. */
  healthy(): boolean;
  /** Where terminals with `push` POST their events: the agent's event listener, as they reach it. */
  setPushBase(base: URL, token: string): void;
  /** An event a terminal pushed (the JSON of its `AccessControllerEvent` part). */
  takePushed(terminal: string, json: unknown): Promise<boolean>;
  start(): void;
  stop(): Promise<void>;
}

/** A terminal's password from its file; a missing file stops the agent with what to fix. */
function terminalPassword(id: string, file: string): string {
  try {
    return readFileSync(file, "utf8").trim();
  } catch (e) {
    throw new Error(
      `terminal ${id}: cannot read its password file ${file} (${(e as NodeJS.ErrnoException).code ?? "error"}); put the password there, readable by the agent`,
    );
  }
}

export function buildIsapiBackend(
  config: AgentConfig,
  store: AgentStore,
  lanes: Lanes,
  metrics: AgentMetrics,
  log: Logger,
  wakeRelay: () => void,
  opts: { eventsOnly: boolean } = { eventsOnly: false },
): IsapiBackend {
  const refused = new StoredRefusedLogins(store.meta);
  const handles: TerminalHandle[] = config.AGENT_TERMINALS.map((t) => {
    const client = new IsapiClient({
      id: t.id,
      baseUrl: t.url,
      credentials: { username: t.username, password: terminalPassword(t.id, t.passwordFile) },
      ...(t.fingerprint ? { fingerprint256: t.fingerprint } : {}),
      timeoutMs: config.AGENT_TERMINAL_TIMEOUT_MS,
      refusedLogins: refused,
      onCall: (endpoint, outcome, seconds) => {
        metrics.isapiRequests.inc({ terminal: t.id, endpoint, status: outcome });
        metrics.isapiSeconds.observe({ terminal: t.id }, seconds);
      },
    });
    return {
      id: t.id,
      gateway: new TerminalGateway(client, config.AGENT_TIME_ZONE),
      accessGroups: t.accessGroups,
      doors: Object.keys(t.doors).map(Number),
    };
  });
  const place = new TerminalsPlace(handles, store.replica, store.terminals);
  const sync = new TerminalSync(
    handles,
    place,
    store,
    lanes,
    log.child({ component: "terminal-sync" }),
    metrics,
    {
      site: config.AGENT_SITE_ID,
      personCodePrefix: config.AGENT_PERSON_CODE_PREFIX,
      everyMs: 15_000,
      retentionMs: config.AGENT_RETENTION_DAYS * 86_400_000,
      onQueued: wakeRelay,
    },
  );
  const states = new Map<string, { state: StreamState; detail?: string; lastEventAt?: string }>();
  const streams = config.AGENT_TERMINALS.map((t, i) => {
    states.set(t.id, { state: "connecting" });
    return new TerminalEventStream(
      handles[i]!.gateway,
      store,
      log.child({ component: "terminal-stream", terminal: t.id }),
      {
        context: {
          site: config.AGENT_SITE_ID,
          terminal: t.id,
          timeZone: config.AGENT_TIME_ZONE,
          doorDirections: Object.fromEntries(Object.entries(t.doors).map(([n, d]) => [Number(n), d])),
        },
        idleTimeoutMs: 90_000,
        minBackoffMs: 1000,
        maxBackoffMs: 60_000,
        onPassages: (fresh) => {
          for (const p of fresh) metrics.passages.inc({ result: p.result });
          states.set(t.id, { ...states.get(t.id)!, lastEventAt: new Date().toISOString() });
          wakeRelay();
        },
        onAlarm: (a) => {
          metrics.terminalAlarms.inc({ alarm: a.alarm });
          log.warn(
            { terminal: a.terminal, alarm: a.alarm, door: a.door.id, at: a.occurredAt },
            "turnstile alarm",
          );
          wakeRelay();
        },
        onState: (state, detail) => {
          states.set(t.id, { ...states.get(t.id), state, ...(detail ? { detail } : {}) });
          // A terminal that is back gets what waited for it, and its push configuration again.
          if (state === "up") {
            if (!checked.has(t.id)) {
              checked.add(t.id);
              void checkFeatures(i);
            }
            if (!opts.eventsOnly) sync.poke();
            void assertPush(i).catch((e: Error) =>
              log.warn({ terminal: t.id, err: e.message }, "configuring event push failed"),
            );
          }
        },
      },
    );
  });
  /**
   * What the terminal cannot do, said once when it is first reached: an operation it lacks then fails with
   * `ISAPI_NOT_SUPPORTED` in its ack, and the agent goes on.
   */
  const checked = new Set<string>();
  const checkFeatures = async (i: number) => {
    const h = handles[i]!;
    try {
      const missing = await h.gateway.unsupportedFeatures();
      if (missing.length > 0)
        log.warn({ terminal: h.id, unsupported: missing }, "the terminal lacks features Gatehouse uses");
    } catch (e) {
      log.warn({ terminal: h.id, err: (e as Error).message }, "could not read the terminal's capabilities");
    }
  };
  let pushBase: { base: URL; token: string } | undefined;
  /**
   * Points a pushing terminal's HTTP host slot at the agent, unless it already is: after a reboot a terminal
   * forgets the configuration, so this runs whenever its stream comes back, and every few minutes.
   */
  const assertPush = async (i: number) => {
    const t = config.AGENT_TERMINALS[i]!;
    if (!t.push || !pushBase) return;
    const target = {
      url: `${pushBase.base.pathname.replace(/\/$/, "")}/isapi/events/${t.id}/${pushBase.token}`,
      ipAddress: pushBase.base.hostname,
      portNo: Number(pushBase.base.port || 80),
    };
    const gw = handles[i]!.gateway;
    const held = await gw.httpHost(t.pushSlot);
    if (held.url === target.url && held.ipAddress === target.ipAddress && held.portNo === target.portNo)
      return;
    await gw.setHttpHost(t.pushSlot, target);
    log.info(
      { terminal: t.id, slot: t.pushSlot, was: held.url ? "another host" : "empty" },
      "pointed the terminal's event push at the agent",
    );
  };
  const assertAll = () => {
    for (let i = 0; i < handles.length; i++)
      void assertPush(i).catch((e: Error) =>
        log.warn({ terminal: handles[i]!.id, err: e.message }, "configuring event push failed"),
      );
  };
  let pushTimer: NodeJS.Timeout | undefined;
  return {
    place,
    sync,
    setPushBase(base, token) {
      pushBase = { base, token };
    },
    takePushed: (terminal, json) => {
      const i = handles.findIndex((h) => h.id === terminal);
      return i < 0 ? Promise.resolve(false) : streams[i]!.takePushed(json);
    },
    sources: () =>
      [...states.entries()].map(([id, s]) => ({
        name: `terminal:${id}`,
        state: s.state === "up" ? "up" : s.state === "connecting" ? "unknown" : "down",
        ...(s.lastEventAt ? { lastEventAt: s.lastEventAt } : {}),
        ...(s.state !== "up" && s.state !== "connecting"
          ? { error: `${s.state}${s.detail ? `: ${s.detail}` : ""}`.slice(0, 300) }
          : {}),
      })),
    healthy: () => [...states.values()].every((s) => s.state === "up"),
    start() {
      for (const s of streams) s.start();
      if (!opts.eventsOnly) sync.start();
      pushTimer = setInterval(assertAll, 5 * 60_000);
    },
    async stop() {
      clearInterval(pushTimer);
      await Promise.all(streams.map((s) => s.stop()));
      await sync.stop();
      await Promise.all(handles.map((h) => h.gateway.client.close()));
    },
  };
}
