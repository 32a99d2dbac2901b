import type { AddressInfo } from "node:net";
import { createServer, type Server } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { type AgentTopic, isAgentTopic, listenFailed, parseSiteTopic } from "@gatehouse/shared";
import { Aedes, type AuthenticateError, type Client } from "aedes";
import type { Logger } from "pino";
import type { AuthThrottle } from "../../domain/auth-throttle.js";
import { credentialIdentity } from "../secrets.js";

export type Identity = { kind: "agent"; site: string } | { kind: "consumer"; tokenId: string };

export interface BrokerHooks {
  /** Returns who logs in, or undefined to refuse. */
  authenticate(username: string | undefined, password: string): Promise<Identity | undefined>;
  /**
   * Commits an agent's message; the PUBACK is sent only after it resolves. Reject only when the message
   * could not be stored (the agent then sends it again); return false to refuse forwarding or retaining it
   * (it is still acknowledged).
   */
  onAgentMessage(site: string, topic: AgentTopic, payload: Buffer): Promise<boolean>;
  onRefused(what: "login" | "publish" | "subscribe", reason: string): void;
}

/** Topics a consumer (an API token) may subscribe to. */
const CONSUMER_FILTERS = [
  /^gatehouse\/v1\/passages\/(#|\+|[a-z0-9-]+)$/,
  /^gatehouse\/v1\/sites\/(\+|[a-z0-9-]+)\/status$/,
  /^gatehouse\/v1\/(visits|occupancy|incidents|status)\/(#|\+|[a-z0-9-]+)$/,
];

/**
 * Agent sessions are persistent and keep queued commands, and a session's subscriptions are restored
 * without being authorized again: so an agent id may only be used with that site's agent credentials,
 * or another client could take the session over. The doctor logs in beside the running agent.
 */
export function clientIdAllowed(clientId: string, who: Identity): boolean {
  const reserved = /^gatehouse-(agent|doctor)-/.test(clientId);
  if (who.kind !== "agent") return !reserved;
  return clientId === `gatehouse-agent-${who.site}` || clientId.startsWith(`gatehouse-doctor-${who.site}-`);
}

/**
 * The username of a refused login as the log may show it: consumers log in with an API token as the
 * password, and some put it in the username too, so anything that looks like a token is logged as a digest.
 */
export function loginName(username: string | undefined): { username?: string; usernameDigest?: string } {
  if (username === undefined) return {};
  return /^gh_/i.test(username) || username.length > 64
    ? { usernameDigest: credentialIdentity(username) }
    : { username };
}

function authError(message: string, code: 4 | 5 | 2): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: code }) as AuthenticateError;
}

/**
 * The control plane's embedded aedes broker (MQTT 3.1.1). Per-site ACLs live in its hooks; acks and
 * passages are committed in `authorizePublish`, which aedes runs before it sends the PUBACK.
 */
export async function startEmbeddedBroker(opts: {
  host: string;
  port: number;
  hooks: BrokerHooks;
  log: Logger;
  /** Failed logins per address; shared with the HTTP API's token checks. */
  throttle: AuthThrottle;
  /** PEM certificate (chain) and key: the broker then speaks mqtts only. */
  tls?: { cert: string; key: string };
}) {
  const identities = new WeakMap<Client, Identity>();
  /**
   * Messages committed and ready to be acknowledged. aedes writes a PUBACK as soon as it is told, and a group
   * commit's messages are ready in different turns of the event loop (each consumer copy is done in a turn of
   * its own): told together in the next turn, a group's PUBACKs leave in one socket write instead of one each
   * (100,000 passages: 100,006 writes to the agent's socket before, 1,258 after).
   */
  let ready: Array<() => void> = [];
  const acknowledgeReady = () => {
    const now = ready;
    ready = [];
    // One that throws (in aedes, on a connection going away) takes neither the others nor the process with it:
    // its message stays unacknowledged and comes again.
    for (const tell of now)
      try {
        tell();
      } catch (e) {
        opts.log.error({ err: (e as Error).message }, "could not acknowledge an agent message");
      }
  };
  const acknowledge = (tell: () => void) => {
    if (ready.push(tell) === 1) setImmediate(acknowledgeReady);
  };
  /** Consumers' connections by the token they logged in with, to close them when it is revoked. */
  const byToken = new Map<string, Set<Client>>();
  /** Payloads the control plane refused; aedes' delivery copies keep the same Buffer. */
  const dropped = new WeakSet<Buffer>();
  const broker = await Aedes.createBroker({
    concurrency: 1000,
    drainTimeout: 10_000,
    maxTopicLevels: 12,
    queueLimit: 10_000,
    authenticate: (client, username, password, done) => {
      // aedes accepts an empty client id with clean=false, which the spec forbids.
      if (!client.id) return done(authError("a client id is required", 2), false);
      const address = (client.conn as { remoteAddress?: string }).remoteAddress ?? "unknown";
      const secret = password ? password.toString("utf8") : "";
      const identity = credentialIdentity(`${username ?? ""}\u0000${secret}`);
      const wait = opts.throttle.retryAfter(address, identity, Date.now());
      if (wait > 0) {
        opts.hooks.onRefused("login", "throttled");
        opts.log.warn(
          { clientId: client.id, address, ...loginName(username) },
          "MQTT login refused: too many failed logins with this credential or from this address",
        );
        return done(authError("too many failed logins", 5), false);
      }
      opts.hooks
        .authenticate(username, secret)
        .then((who) => {
          if (!who) {
            opts.throttle.fail(address, identity, Date.now());
            opts.hooks.onRefused("login", "bad_credentials");
            opts.log.warn({ clientId: client.id, address, ...loginName(username) }, "MQTT login refused");
            return done(authError("bad username or password", 4), false);
          }
          opts.throttle.succeed(address, identity, Date.now());
          if (!clientIdAllowed(client.id, who)) {
            opts.hooks.onRefused("login", "client_id");
            opts.log.warn(
              { clientId: client.id, kind: who.kind },
              "MQTT login refused: client id belongs to another site's agent",
            );
            return done(authError("this client id is reserved for another client", 2), false);
          }
          identities.set(client, who);
          if (who.kind === "consumer") {
            const set = byToken.get(who.tokenId) ?? new Set<Client>();
            set.add(client);
            byToken.set(who.tokenId, set);
          }
          done(null, true);
        })
        .catch((e: Error) => {
          opts.log.error({ err: e.message }, "MQTT authentication failed");
          done(authError("server error", 5), false);
        });
    },
    authorizeForward: (_client, packet) => (dropped.has(packet.payload as Buffer) ? null : packet),
    authorizeSubscribe: (client, sub, done) => {
      const who = identities.get(client);
      const ok =
        who?.kind === "agent"
          ? sub.topic === `gatehouse/v1/sites/${who.site}/commands` ||
            sub.topic.startsWith(`gatehouse/v1/sites/${who.site}/bridge/request/`)
          : who?.kind === "consumer"
            ? CONSUMER_FILTERS.some((re) => re.test(sub.topic))
            : false;
      if (!ok) {
        opts.hooks.onRefused("subscribe", who?.kind ?? "anonymous");
        opts.log.warn({ clientId: client.id, topic: sub.topic }, "MQTT subscription refused");
        return done(null, null);
      }
      done(null, sub);
    },
    authorizePublish: (client, packet, done) => {
      if (!client) return done(null); // the broker's own messages
      const who = identities.get(client);
      const parsed = parseSiteTopic(packet.topic);
      const allowed =
        who?.kind === "agent" &&
        parsed?.site === who.site &&
        (isAgentTopic(parsed.rest) || parsed.rest.startsWith("bridge/response/"));
      if (!allowed || !parsed || who?.kind !== "agent") {
        opts.hooks.onRefused("publish", who?.kind ?? "anonymous");
        opts.log.warn({ clientId: client.id, topic: packet.topic }, "MQTT publish refused");
        return done(new Error("not authorized"));
      }
      if (!isAgentTopic(parsed.rest)) return done(null); // a bridge response, for the requester only
      opts.hooks
        .onAgentMessage(who.site, parsed.rest, packet.payload as Buffer)
        .then((forward) => {
          // Refused, but acknowledged: an error here would close the connection, and the client would send
          // the same message again on reconnect, forever. It is neither retained nor delivered.
          if (!forward) {
            packet.retain = false;
            dropped.add(packet.payload as Buffer);
          }
          acknowledge(() => done(null));
        })
        .catch((e: Error) => {
          opts.log.error({ err: e.message, topic: packet.topic }, "could not commit an agent message");
          done(e);
        });
    },
  });

  broker.on("clientDisconnect", (client) => {
    const who = identities.get(client);
    if (who?.kind !== "consumer") return;
    const set = byToken.get(who.tokenId);
    set?.delete(client);
    if (set?.size === 0) byToken.delete(who.tokenId);
  });

  const server: Server = opts.tls
    ? createTlsServer({ cert: opts.tls.cert, key: opts.tls.key, minVersion: "TLSv1.2" }, broker.handle)
    : createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e) => reject(listenFailed("GATEHOUSE_MQTT_PORT", opts.host, opts.port, e)));
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    broker,
    port,
    publish(topic: string, payload: string, retain = false): Promise<void> {
      return new Promise((resolve, reject) =>
        broker.publish(
          { cmd: "publish", topic, payload: Buffer.from(payload), qos: 1, retain, dup: false },
          (err) => (err ? reject(err) : resolve()),
        ),
      );
    },
    /** Closes every connection made with this token (revoked or expired); it cannot log in again. */
    disconnectToken(tokenId: string): number {
      const set = byToken.get(tokenId);
      byToken.delete(tokenId);
      for (const client of set ?? []) client.close();
      return set?.size ?? 0;
    },
    async close(): Promise<void> {
      await new Promise<void>((r) => broker.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
export type EmbeddedBroker = Awaited<ReturnType<typeof startEmbeddedBroker>>;
