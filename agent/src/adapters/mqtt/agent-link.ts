import { type AgentStatus, endMqttClient, settledWithin, topics } from "@gatehouse/shared";
import { connect, type IClientOptions, type MqttClient } from "mqtt";
import type { Logger } from "pino";

export interface AgentLinkOptions {
  url: string;
  username: string;
  password: string;
  ca?: string;
  site: string;
  /** Must make the command durable before resolving: the PUBACK is sent only after it resolves. */
  onCommand: (payload: Buffer) => Promise<void>;
  onConnect: () => void;
  onConnectionChange: (connected: boolean) => void;
  log: Logger;
}

/** The agent's one MQTT connection: commands in, acks/passages/status out, `offline` as the last will. */
export class AgentLink {
  readonly client: MqttClient;

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
      if (packet.topic !== topics.commands(opts.site)) return callback();
      opts.onCommand(packet.payload as Buffer).then(
        () => callback(),
        (err: Error) => {
          opts.log.error({ err: err.message }, "could not store a command; the broker will send it again");
          callback(err);
        },
      );
    };
    this.client.on("connect", () => {
      opts.log.info("connected to the broker");
      opts.onConnectionChange(true);
      this.client.subscribe(topics.commands(opts.site), { qos: 1 }, (err) => {
        if (err) opts.log.error({ err: err.message }, "subscribing to commands failed");
      });
      opts.onConnect();
    });
    this.client.on("close", () => opts.onConnectionChange(false));
    this.client.on("error", (err) => opts.log.warn({ err: err.message }, "broker connection error"));
  }

  start(): void {
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
