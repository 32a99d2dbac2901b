import { readFileSync } from "node:fs";
import { type AgentStatus, endMqttClient, settledWithin, topics } from "@gatehouse/shared";
import { connect, type IClientOptions, type MqttClient } from "mqtt";
import type { Logger } from "pino";
import type { AgentConfig } from "../../config.js";

export interface AgentLinkOptions {
  url: string;
  username: string;
  password: string;
  ca?: string;
  site: string;
  log: Logger;
}

/** What the link hands on; attached before `start`, by the parts that need the link themselves. */
export interface LinkHandlers {
  /** Must make the command durable before resolving: the PUBACK is sent only after it resolves. */
  onCommand: (payload: Buffer) => Promise<void>;
  onConnect: () => void;
  onConnectionChange: (connected: boolean) => void;
}

/** The agent's one MQTT connection: commands in, acks/passages/status out, `offline` as the last will. */
export class AgentLink {
  readonly client: MqttClient;
  private handlers: LinkHandlers | undefined;

  constructor(private readonly opts: AgentLinkOptions) {
    const offline: AgentStatus = {
      site: opts.site,
      state: "offline",
      since: new Date().toISOString(),
      version: "",
    };
    const options: IClientOptions = {
      clientId: `gatehouse-agent-${opts.site}`,
      username: opts.username,
      password: opts.password,
      // A persistent session: the broker keeps commands published while the agent was away.
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      keepalive: 30,
      // MQTT.js would otherwise build a buffer for each of the 65,536 packet ids at its first send (7 MB of heap
      // that an agent keeps for good); two bytes made per publish cost nothing at a thousand a second.
      writeCache: false,
      will: {
        topic: topics.status(opts.site),
        payload: Buffer.from(JSON.stringify(offline)),
        qos: 1,
        retain: true,
      },
      ...(opts.ca ? { ca: opts.ca } : {}),
    };
    this.client = connect(opts.url, { ...options, manualConnect: true } as IClientOptions);
    // MQTT.js sends the PUBACK when this callback is called: only once the command is in the inbox.
    this.client.handleMessage = (packet, callback) => {
      if (packet.topic !== topics.commands(opts.site) || !this.handlers) return callback();
      this.handlers.onCommand(packet.payload as Buffer).then(
        () => callback(),
        (err: Error) => {
          opts.log.error({ err: err.message }, "could not store a command; the broker will send it again");
          callback(err);
        },
      );
    };
    this.client.on("connect", () => {
      opts.log.info("connected to the broker");
      this.handlers?.onConnectionChange(true);
      this.client.subscribe(topics.commands(opts.site), { qos: 1 }, (err) => {
        if (err) opts.log.error({ err: err.message }, "subscribing to commands failed");
      });
      this.handlers?.onConnect();
    });
    this.client.on("close", () => this.handlers?.onConnectionChange(false));
    this.client.on("error", (err) => opts.log.warn({ err: err.message }, "broker connection error"));
  }

  attach(handlers: LinkHandlers): void {
    this.handlers = handlers;
  }

  start(): void {
    if (!this.handlers) throw new Error("attach the link's handlers before starting it");
    this.client.connect();
  }

  get connected(): boolean {
    return this.client.connected;
  }

  async publish(topic: string, payload: string, retain = false): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: 1, retain });
  }

  async publishStatus(status: AgentStatus): Promise<void> {
    await this.publish(topics.status(this.opts.site), JSON.stringify(status), true);
  }

  /** Says `offline` itself (a clean stop sends no last will), then disconnects. */
  async stop(status: AgentStatus | undefined): Promise<void> {
    if (status && this.client.connected) await settledWithin(this.publishStatus(status), 1000);
    // Messages still unacknowledged are in the outbox and go out again after the restart.
    await endMqttClient(this.client, 2000);
  }
}

/** The link the agent's configuration describes (the CA file read now: a missing one stops the start). */
export function agentLinkFromConfig(config: AgentConfig, log: Logger): AgentLink {
  return new AgentLink({
    url: config.AGENT_MQTT_URL,
    username: config.AGENT_MQTT_USERNAME,
    password: config.AGENT_MQTT_PASSWORD,
    ...(config.AGENT_MQTT_CA_FILE ? { ca: readFileSync(config.AGENT_MQTT_CA_FILE, "utf8") } : {}),
    site: config.AGENT_SITE_ID,
    log,
  });
}
