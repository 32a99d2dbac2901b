import { randomUUID } from "node:crypto";
import { AGENT_TOPICS } from "@gatehouse/shared";
import mqtt, { type MqttClient } from "mqtt";
import type { Logger } from "pino";
import { BrokerLoginFailed, type BrokerLogins } from "../../services/ports.js";

/**
 * Logins and ACLs on an external Mosquitto 2 through its dynamic security plugin (the `$CONTROL/dynamic-
 * security/v1` topic): each site's agent gets a client and a role that reaches only its site's topics, each
 * API token a consumer client (the token is its password) with the read-only consumer role, and a revoked
 * token's client is deleted, which also disconnects it. No file edit, no reload. The control plane's own
 * client must be the plugin's admin (`mosquitto_ctrl dynsec init … gatehouse-control-plane`).
 */

const CONTROL = "$CONTROL/dynamic-security/v1";
const RESPONSE = `${CONTROL}/response`;

export const CONTROL_PLANE_ROLE = "gatehouse-control-plane";
export const CONSUMER_ROLE = "gatehouse-consumer";
export const agentRole = (site: string) => `gatehouse-agent-${site}`;

type AclType = "publishClientSend" | "publishClientReceive" | "subscribeLiteral" | "subscribePattern";
interface Acl {
  acltype: AclType;
  topic: string;
  allow: boolean;
  priority?: number;
}

const CONSUMER_TOPICS = ["passages", "visits", "occupancy", "incidents", "status"].map(
  (t) => `gatehouse/v1/${t}/#`,
);

/** What the consumer role may do: read the consumer topics, nothing else. */
export const consumerAcls = (): Acl[] =>
  CONSUMER_TOPICS.flatMap((topic) => [
    { acltype: "subscribePattern" as const, topic, allow: true },
    { acltype: "publishClientReceive" as const, topic, allow: true },
  ]);

/** What a site's agent may do: read its commands and bridge requests, write its own topics and responses. */
export function agentAcls(site: string): Acl[] {
  const base = `gatehouse/v1/sites/${site}`;
  return [
    { acltype: "subscribeLiteral", topic: `${base}/commands`, allow: true },
    { acltype: "subscribePattern", topic: `${base}/bridge/request/#`, allow: true },
    { acltype: "publishClientReceive", topic: `${base}/commands`, allow: true },
    { acltype: "publishClientReceive", topic: `${base}/bridge/request/#`, allow: true },
    ...AGENT_TOPICS.map((t) => ({
      acltype: "publishClientSend" as const,
      topic: `${base}/${t}`,
      allow: true,
    })),
    { acltype: "publishClientSend", topic: `${base}/bridge/response/#`, allow: true },
  ];
}

/** The control plane talks to every site and publishes for consumers. */
export const controlPlaneAcls = (): Acl[] => [
  { acltype: "publishClientSend", topic: "gatehouse/#", allow: true },
  { acltype: "publishClientReceive", topic: "gatehouse/#", allow: true },
  { acltype: "subscribePattern", topic: "gatehouse/#", allow: true },
];

interface Response {
  command: string;
  error?: string;
  correlationData?: string;
  data?: unknown;
}

export class DynsecError extends BrokerLoginFailed {
  constructor(
    readonly command: string,
    reason: string,
  ) {
    super(`Mosquitto's dynamic security plugin did not ${command}: ${reason}`);
  }
}

const exists = (r: Response) => /already exists|already has/i.test(r.error ?? "");
const notFound = (r: Response) => /not found/i.test(r.error ?? "");

export class MosquittoDynsec implements BrokerLogins {
  private readonly waiting = new Map<string, (r: Response) => void>();

  private constructor(
    private readonly client: MqttClient,
    private readonly log: Logger,
  ) {
    client.on("message", (topic, payload) => {
      if (topic !== RESPONSE) return;
      let body: { responses?: Response[] };
      try {
        body = JSON.parse(payload.toString("utf8")) as typeof body;
      } catch {
        return;
      }
      for (const r of body.responses ?? []) {
        const f = r.correlationData ? this.waiting.get(r.correlationData) : undefined;
        if (f) f(r);
      }
    });
  }

  static async connect(o: {
    url: string;
    username: string;
    password?: string | undefined;
    ca?: string | undefined;
    log: Logger;
  }): Promise<MosquittoDynsec> {
    const client = await mqtt.connectAsync(o.url, {
      clientId: `gatehouse-dynsec-${randomUUID().slice(0, 8)}`,
      username: o.username,
      ...(o.password !== undefined ? { password: o.password } : {}),
      ...(o.ca ? { ca: o.ca } : {}),
      reconnectPeriod: 1000,
      clean: true,
    });
    await client.subscribeAsync(RESPONSE, { qos: 1 });
    return new MosquittoDynsec(client, o.log);
  }

  /** Sends one command and waits for its answer (the plugin answers in order, by correlation data). */
  private async send(command: Record<string, unknown> & { command: string }): Promise<Response> {
    const correlationData = randomUUID();
    const answer = new Promise<Response>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(correlationData);
        reject(new DynsecError(command.command, "no answer within 5 s (is the plugin loaded?)"));
      }, 5000);
      this.waiting.set(correlationData, (r) => {
        clearTimeout(timer);
        this.waiting.delete(correlationData);
        resolve(r);
      });
    });
    await this.client.publishAsync(CONTROL, JSON.stringify({ commands: [{ ...command, correlationData }] }), {
      qos: 1,
    });
    return answer;
  }

  private async must(
    command: Record<string, unknown> & { command: string },
    tolerate = (_: Response) => false,
  ) {
    const r = await this.send(command);
    if (r.error && !tolerate(r)) throw new DynsecError(command.command, r.error);
    return r;
  }

  /** A role with these ACLs; an existing role keeps its ACLs and gets any that are missing. */
  async ensureRole(rolename: string, acls: Acl[]): Promise<void> {
    const r = await this.must({ command: "createRole", rolename, acls }, exists);
    if (!exists(r)) return;
    for (const acl of acls) await this.must({ command: "addRoleACL", rolename, ...acl }, exists);
  }

  private async roles(username: string): Promise<string[]> {
    const r = await this.must({ command: "getClient", username });
    const client = (r.data as { client?: { roles?: Array<{ rolename: string }> } } | undefined)?.client;
    return (client?.roles ?? []).map((x) => x.rolename);
  }

  /**
   * The control plane's own client gets the Gatehouse topics beside its admin role. Mosquitto disconnects a
   * client whose roles change, this connection among them: the answer is then read after the reconnect.
   */
  async prepare(controlPlaneUsername: string): Promise<void> {
    await this.ensureRole(CONTROL_PLANE_ROLE, controlPlaneAcls());
    await this.ensureRole(CONSUMER_ROLE, consumerAcls());
    if ((await this.roles(controlPlaneUsername)).includes(CONTROL_PLANE_ROLE)) return;
    const reconnected = new Promise<void>((resolve) => this.client.once("connect", () => resolve()));
    await this.send({
      command: "addClientRole",
      username: controlPlaneUsername,
      rolename: CONTROL_PLANE_ROLE,
    }).catch(() => undefined);
    if (!this.client.connected) await reconnected;
    await this.client.subscribeAsync(RESPONSE, { qos: 1 });
    if (!(await this.roles(controlPlaneUsername)).includes(CONTROL_PLANE_ROLE))
      throw new DynsecError(
        "addClientRole",
        `${controlPlaneUsername} did not get the role ${CONTROL_PLANE_ROLE}`,
      );
  }

  /** A login with a password and one role; an existing one gets the new password (and the role). */
  async upsertClient(username: string, password: string, rolename: string): Promise<void> {
    const r = await this.must({ command: "createClient", username, password, roles: [{ rolename }] }, exists);
    if (!exists(r)) return;
    await this.must({ command: "setClientPassword", username, password });
    await this.must({ command: "addClientRole", username, rolename }, exists);
  }

  async agentAdded(site: string, username: string, password: string): Promise<void> {
    await this.ensureRole(agentRole(site), agentAcls(site));
    await this.upsertClient(username, password, agentRole(site));
    this.log.info({ site, username }, "agent login created on Mosquitto");
  }

  async consumerAdded(username: string, token: string): Promise<void> {
    await this.upsertClient(username, token, CONSUMER_ROLE);
  }

  /** Deletes a login (Mosquitto disconnects its clients); one that is gone already is fine. */
  async removed(username: string): Promise<void> {
    await this.must({ command: "deleteClient", username }, notFound);
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
