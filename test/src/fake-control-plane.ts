import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:net";
import {
  type Ack,
  type AgentReport,
  type Command,
  generateSigningKeyPem,
  type ResyncRequest,
  signerFromPem,
  topics,
} from "@gatehouse/shared";
import { Aedes } from "aedes";
import { connectAsync, type MqttClient } from "mqtt";
import { eventually } from "./support.js";

/**
 * A bare aedes broker on a free port and an MQTT client that plays the control plane: signs and publishes
 * commands, and keeps what the agent says (acks, reports, resync requests, passages). The broker can be
 * closed and opened again on the same port, to take the cloud away from the agent.
 */
export class FakeControlPlane {
  readonly signer = signerFromPem(generateSigningKeyPem());
  readonly acks: Ack[] = [];
  readonly reports: AgentReport[] = [];
  readonly resyncs: ResyncRequest[] = [];
  readonly passages: { id: string }[] = [];
  readonly alarms: { id: string; alarm: string }[] = [];
  private broker!: Aedes;
  private server!: Server;
  private client!: MqttClient;
  port = 0;

  constructor(readonly site: string) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.broker = await Aedes.createBroker();
    this.server = createServer(this.broker.handle);
    await new Promise<void>((r) => this.server.listen(this.port, "127.0.0.1", r));
    this.port = (this.server.address() as { port: number }).port;
    this.client = await connectAsync(this.url, { clientId: `fake-cp-${randomUUID()}`, reconnectPeriod: 200 });
    this.client.on("message", (topic, payload) => {
      const body = JSON.parse(payload.toString());
      if (topic === topics.acks(this.site)) this.acks.push(body);
      else if (topic === topics.reports(this.site)) this.reports.push(body);
      else if (topic === topics.resync(this.site)) this.resyncs.push(body);
      else if (topic === topics.passageEvents(this.site)) this.passages.push(body);
      else if (topic === topics.alarms(this.site)) this.alarms.push(body);
    });
    await this.client.subscribeAsync(
      [
        topics.acks(this.site),
        topics.reports(this.site),
        topics.resync(this.site),
        topics.passageEvents(this.site),
        topics.alarms(this.site),
      ],
      { qos: 1 },
    );
  }

  /** Closes the broker and every connection to it: the agent is cut off. */
  async stop(): Promise<void> {
    await this.client.endAsync(true);
    for (const c of Object.values(
      (this.broker as unknown as { clients: Record<string, { close(): void }> }).clients,
    ))
      c.close();
    await new Promise<void>((r) => this.broker.close(() => r()));
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  async send(cmd: Command): Promise<Command> {
    const signed = this.signer.sign(cmd);
    await this.client.publishAsync(topics.commands(this.site), JSON.stringify(signed), { qos: 1 });
    return signed;
  }

  finalAck(commandId: string): Ack | undefined {
    return this.acks.find((a) => a.commandId === commandId && a.status !== "received");
  }

  async waitFinal(commandId: string, timeoutMs = 20_000): Promise<Ack> {
    return eventually(async () => this.finalAck(commandId), timeoutMs, `final ack of ${commandId}`);
  }
}
