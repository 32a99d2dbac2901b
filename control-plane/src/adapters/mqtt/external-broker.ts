import {
  AGENT_TOPICS,
  type AgentTopic,
  endMqttClient,
  isAgentTopic,
  parseSiteTopic,
  settledWithin,
} from "@gatehouse/shared";
import { connect, type IClientOptions, type IConnackPacket, type MqttClient } from "mqtt";
import type { Logger } from "pino";

/** The shared-subscription group every control-plane instance joins: each message goes to one of them. */
export const SHARE_GROUP = "gatehouse";

export function intakeFilters(): string[] {
  return AGENT_TOPICS.map((t) => `$share/${SHARE_GROUP}/gatehouse/v1/sites/+/${t}`);
}

export interface ExternalBrokerOptions {
  url: string;
  username: string;
  password?: string;
  ca?: string;
  instanceId: string;
  /** Intake connections: MQTT.js hands over one message at a time per connection. */
  intakeConnections: number;
  log: Logger;
  /** Commits an agent's message; it is acknowledged to the broker only after this resolves. */
  onAgentMessage(site: string, topic: AgentTopic, payload: Buffer): Promise<boolean>;
}

/**
 * The control plane on an external MQTT 5 broker (Mosquitto, EMQX, HiveMQ). The broker's password and ACL
 * files do what the embedded broker's hooks do. Agent messages arrive through a shared subscription, so
 * instances split them and each is processed once; the PUBACK goes back only after the message is
 * committed. Intake sessions are persistent (fixed client ids, a day's expiry), so what an instance had
 * received but not committed when it died is kept for it. Mosquitto also keeps routing a share of new
 * messages to a dead member's persistent session, so a surviving instance adopts the dead one's sessions
 * (`adopt`): it logs in under their client ids, commits what waits there and ends them. A clean stop
 * leaves the group first and ends its own sessions.
 */
export async function connectExternalBroker(opts: ExternalBrokerOptions) {
  const base: IClientOptions = {
    protocolVersion: 5,
    username: opts.username,
    ...(opts.password !== undefined ? { password: opts.password } : {}),
    ...(opts.ca ? { ca: opts.ca } : {}),
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    keepalive: 30,
  };
  const log = opts.log;
  const connectionProblem = (name: string) => (e: Error) =>
    log.warn({ connection: name, err: e.message }, "external broker connection problem");

  /** A persistent intake session under `clientId`, committing each message before its PUBACK. */
  const intakeSession = (clientId: string, reconnect: boolean) => {
    // The handler is set before connecting: a resumed session's queued messages may come with the CONNACK.
    const client = connect(opts.url, {
      ...base,
      clientId,
      clean: false,
      properties: { sessionExpiryInterval: 86_400 },
      ...(reconnect ? {} : { reconnectPeriod: 0 }),
    });
    const activity = { busy: false, lastAt: Date.now(), count: 0, failed: false };
    client.handleMessage = (packet, done) => {
      activity.busy = true;
      const finish = () => {
        activity.busy = false;
        activity.lastAt = Date.now();
        activity.count += 1;
        done();
      };
      const parsed = parseSiteTopic(packet.topic);
      if (!parsed || !isAgentTopic(parsed.rest)) {
        log.warn({ topic: packet.topic }, "message on a topic the control plane does not take in");
        return finish();
      }
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      opts
        .onAgentMessage(parsed.site, parsed.rest, payload)
        .then(finish)
        .catch((e: Error) => {
          // Not acknowledged: drop the connection, and the broker delivers it again to this session.
          activity.busy = false;
          activity.failed = true;
          log.error({ err: e.message, topic: packet.topic }, "could not commit an agent message");
          client.stream.destroy();
        });
    };
    /** Resolves once nothing has arrived for `quietMs` and nothing is being committed. */
    const quiet = async (quietMs: number) => {
      while (activity.busy || Date.now() - activity.lastAt < quietMs)
        await new Promise((r) => setTimeout(r, quietMs / 4));
    };
    /** Ends the session at the broker (MQTT 5: a session expiry of 0 on DISCONNECT). */
    const endSession = () =>
      endMqttClient(client, 2000, { reasonCode: 0, properties: { sessionExpiryInterval: 0 } });
    return { client, activity, quiet, endSession };
  };

  const intake: ReturnType<typeof intakeSession>[] = [];
  const publisher = connect(opts.url, { ...base, clientId: `gatehouse-cp-${opts.instanceId}`, clean: true });
  try {
    await firstConnect(publisher, opts.url);
    publisher.on("error", connectionProblem("publisher"));
    for (let i = 0; i < opts.intakeConnections; i++) {
      const name = intakeClientId(opts.instanceId, i);
      const session = intakeSession(name, true);
      intake.push(session);
      await firstConnect(session.client, opts.url);
      session.client.on("error", connectionProblem(name));
      // Subscriptions live in the persistent session; subscribing again is harmless.
      await session.client.subscribeAsync(intakeFilters(), { qos: 1 });
    }
  } catch (e) {
    for (const c of [publisher, ...intake.map((s) => s.client)]) c.end(true);
    throw e;
  }
  log.info(
    { url: opts.url, intakeConnections: intake.length, group: SHARE_GROUP },
    "connected to the external broker",
  );

  return {
    publish(topic: string, payload: string, retain = false): Promise<void> {
      return publisher.publishAsync(topic, payload, { qos: 1, retain }).then(() => undefined);
    },
    /**
     * Takes over a dead instance's intake sessions: commits what waits in each, then ends it, so the group
     * stops routing messages to it. Returns how many messages it committed.
     */
    async adopt(deadInstanceId: string): Promise<number> {
      let committed = 0;
      for (let i = 0; i < 64; i++) {
        const session = intakeSession(intakeClientId(deadInstanceId, i), false);
        const present = (await firstConnect(session.client, opts.url)).sessionPresent;
        if (present) await session.quiet(500);
        committed += session.activity.count;
        // A message that could not be committed stays in the session (not ended): the caller tries again.
        if (session.activity.failed)
          throw new Error(`could not commit what instance ${deadInstanceId}'s session ${i} held`);
        await session.endSession();
        // Sessions are numbered from 0: the first missing one is past the dead instance's last.
        if (!present) break;
      }
      log.info({ instance: deadInstanceId, committed }, "adopted a dead instance's broker sessions");
      return committed;
    },
    async close(): Promise<void> {
      // Leave the group first, commit what is already on its way, then end the sessions: a stopped
      // instance's sessions would otherwise keep being sent a share of the messages.
      // With the broker gone none of this is answered: each step waits a bounded time, and what is left
      // stays in the session for another instance to adopt.
      await Promise.all(
        intake.map(async (s) => {
          await settledWithin(s.client.unsubscribeAsync(intakeFilters()), 2000);
          await s.quiet(200);
          await s.endSession();
        }),
      );
      await endMqttClient(publisher, 2000);
    },
  };
}

export function intakeClientId(instanceId: string, i: number): string {
  return `gatehouse-cp-${instanceId}-intake-${i}`;
}

/** Resolves with the first CONNACK; a refused login or an unreachable broker rejects with its reason. */
function firstConnect(client: MqttClient, url: string): Promise<IConnackPacket> {
  return new Promise((resolve, reject) => {
    // MQTT.js retries an unreachable broker quietly: give up after a while, so the service manager sees it.
    const timer = setTimeout(() => fail(new Error("no answer within 20 s")), 20_000);
    const fail = (e: Error) => {
      clearTimeout(timer);
      client.off("connect", ok);
      reject(new Error(`external broker ${url}: ${e.message}`));
    };
    const ok = (connack: IConnackPacket) => {
      clearTimeout(timer);
      client.off("error", fail);
      resolve(connack);
    };
    client.once("connect", ok);
    client.once("error", fail);
  });
}
