import {
  type Command,
  type DoorCommand,
  GatehouseError,
  type GrantCommand,
  type Reason,
  type RevokeCommand,
  type ValidityCommand,
} from "@gatehouse/shared";
import type { AgentStore } from "../adapters/db/agent-store.js";
import type { DeviceDownload } from "../adapters/hikcentral/download-status.js";
import { prepareFacePhoto } from "../adapters/images/face-photo.js";
import type { TerminalGateway } from "../adapters/isapi/terminal-gateway.js";
import { displayName, type ReplicaPerson, type TerminalState, utcInstant } from "../domain/replica.js";
import { type ExecutionResult, type Executor, syncResult } from "./command-executor.js";

/** A terminal as the executor uses it: its gateway, the access levels it serves, its doors. */
export interface TerminalHandle {
  id: string;
  gateway: TerminalGateway;
  accessGroups: readonly string[];
  doors: readonly number[];
}

const errorText = (e: unknown) =>
  e instanceof GatehouseError ? `${e.code}: ${e.message}` : (e as Error).message;

/**
 * ISAPI mode: every grant, validity change and revoke goes to each terminal of the visit's access levels
 * (the person's `employeeNo` is its personCode), and the ack lists each terminal's result. A terminal that
 * is away gets the change later ({@link TerminalSync}); the command is applied once one terminal has it.
 */
export class IsapiExecutor implements Executor {
  constructor(
    private readonly terminals: readonly TerminalHandle[],
    private readonly store: AgentStore,
    private readonly opts: {
      /** Reconciles the terminals with the replica for a sync command. */
      reconcile: (commandId: string) => Promise<{ changes: number; failed: number }>;
    },
  ) {}

  /** The terminals that serve any of these access levels (by name, case-insensitive). */
  terminalsFor(groups: readonly string[]): TerminalHandle[] {
    const wanted = new Set(groups.map((g) => g.toLowerCase()));
    return this.terminals.filter((t) => t.accessGroups.some((g) => wanted.has(g.toLowerCase())));
  }

  async execute(cmd: Command): Promise<ExecutionResult> {
    switch (cmd.type) {
      case "grant":
        return this.grant(cmd);
      case "validity":
        return this.validity(cmd);
      case "revoke":
        return this.revoke(cmd);
      case "door":
        return this.door(cmd);
      case "sync":
        return syncResult(await this.opts.reconcile(cmd.id));
      case "skip":
        // The inbox answers a skip when it arrives; nothing is carried out.
        return { personId: null, desired: {} };
    }
  }

  private async grant(cmd: GrantCommand): Promise<ExecutionResult> {
    const p = cmd.payload;
    const targets = this.terminalsFor(p.accessGroups);
    if (targets.length === 0) {
      throw new GatehouseError(
        "UNKNOWN_ACCESS_GROUP",
        `no terminal serves access level ${p.accessGroups.map((g) => `'${g}'`).join(", ")}; list it in a terminal's accessGroups`,
        { details: { accessGroups: p.accessGroups } },
      );
    }
    const face = p.face ? await prepareFacePhoto(Buffer.from(p.face.jpegBase64, "base64")) : undefined;
    const state: TerminalState = {
      state: "granted",
      name: `${p.person.givenName} ${p.person.familyName}`.trim(),
      validFrom: utcInstant(p.validFrom),
      validUntil: utcInstant(p.validUntil),
    };
    const devices = await this.fanOut(targets, p.personCode, state, face);
    return {
      personId: null,
      desired: {
        state: "granted",
        kind: p.kind,
        givenName: p.person.givenName,
        familyName: p.person.familyName,
        groups: p.accessGroups,
        validFrom: state.validFrom,
        validUntil: state.validUntil,
        ...(p.face ? { faceSha256: p.face.sha256 } : {}),
      },
      ...this.outcome(devices),
    };
  }

  private async validity(cmd: ValidityCommand): Promise<ExecutionResult> {
    const p = cmd.payload;
    const replica = await this.store.replica.get(p.personCode);
    if (!replica) {
      throw new GatehouseError("PERSON_NOT_FOUND", `the agent granted no person ${p.personCode} to change`, {
        details: { personCode: p.personCode },
      });
    }
    // An extension after the agent expired the visit itself gives the access back; a revoked one stays so.
    const regrant = replica.desired.state === "expired" && Date.parse(p.validUntil) > Date.now();
    const granted = replica.desired.state === "granted" || regrant;
    const state: TerminalState = {
      state: granted ? "granted" : "revoked",
      name: displayName(replica.desired, p.personCode),
      validFrom: utcInstant(p.validFrom),
      validUntil: utcInstant(p.validUntil),
    };
    const devices = await this.fanOut(this.terminalsFor(replica.desired.groups ?? []), p.personCode, state);
    return {
      personId: null,
      desired: {
        validFrom: state.validFrom,
        validUntil: state.validUntil,
        ...(regrant ? { state: "granted" } : {}),
      },
      ...this.outcome(devices),
    };
  }

  private async revoke(cmd: RevokeCommand): Promise<ExecutionResult> {
    const p = cmd.payload;
    const replica = await this.store.replica.get(p.personCode);
    const groups = [...new Set([...(replica?.desired.groups ?? []), ...p.accessGroups])];
    const state = this.revokedState(p.personCode, replica);
    const devices = await this.fanOut(this.terminalsFor(groups), p.personCode, state);
    return { personId: null, desired: { state: "revoked", reason: p.reason }, ...this.outcome(devices) };
  }

  async expire(person: ReplicaPerson): Promise<{ personId: string | null }> {
    const devices = await this.fanOut(
      this.terminalsFor(person.desired.groups ?? []),
      person.personCode,
      this.revokedState(person.personCode, person),
    );
    // Away terminals get it when they are back; one that refused it must be looked at.
    const failed = devices.find((d) => d.status === "failed");
    if (failed)
      throw new GatehouseError("TERMINAL_FAILED", `${failed.device}: ${failed.error}`, { retryable: true });
    return { personId: null };
  }

  private revokedState(personCode: string, replica: ReplicaPerson | undefined): TerminalState {
    const now = new Date().toISOString();
    return {
      state: "revoked",
      name: displayName(replica?.desired, personCode),
      validFrom:
        replica?.desired.validFrom && replica.desired.validFrom < now ? replica.desired.validFrom : now,
      validUntil: now,
    };
  }

  private async door(cmd: DoorCommand): Promise<ExecutionResult> {
    const [terminalId, doorText] = cmd.payload.door.split(":");
    const terminal = this.terminals.find((t) => t.id === terminalId);
    const doorNo = Number(doorText);
    if (!terminal || !Number.isInteger(doorNo) || !terminal.doors.includes(doorNo)) {
      throw new GatehouseError(
        "UNKNOWN_DOOR",
        `no door '${cmd.payload.door}' at this site; doors are named terminal:door, e.g. ${this.terminals[0]?.id ?? "gate-1"}:1`,
        { details: { door: cmd.payload.door } },
      );
    }
    await terminal.gateway.door(doorNo, cmd.payload.action);
    return { personId: null, desired: {}, devices: [{ device: terminal.id, status: "applied" }] };
  }

  /** Writes `state` to each terminal at once; a terminal that is away keeps it as pending. */
  async applyTo(
    t: TerminalHandle,
    personCode: string,
    state: TerminalState,
    face?: Buffer,
  ): Promise<DeviceDownload> {
    try {
      if (state.state === "granted") {
        await t.gateway.upsertPerson({
          employeeNo: personCode,
          name: state.name,
          validFrom: new Date(state.validFrom),
          validUntil: new Date(state.validUntil),
          doors: [...t.doors],
        });
        if (face) await t.gateway.uploadFace(personCode, face, true);
      } else {
        await t.gateway.revokePerson(personCode, new Date(state.validUntil));
      }
      await this.store.terminals.applied(t.id, personCode, state);
      return { device: t.id, status: "applied" };
    } catch (e) {
      const retryable = e instanceof GatehouseError ? e.retryable || e.code === "ISAPI_LOGIN_REFUSED" : true;
      if (retryable) {
        await this.store.terminals.pending(t.id, personCode, state, errorText(e), face);
        return { device: t.id, status: "pending", error: errorText(e) };
      }
      await this.store.terminals.failed(t.id, personCode, errorText(e));
      return { device: t.id, status: "failed", error: errorText(e) };
    }
  }

  private fanOut(
    targets: readonly TerminalHandle[],
    personCode: string,
    state: TerminalState,
    face?: Buffer,
  ) {
    return Promise.all(targets.map((t) => this.applyTo(t, personCode, state, face)));
  }

  /**
   * Applied when a terminal has it; failed when every terminal refused it; for now (retryable) when every
   * terminal was away — the terminals keep it pending either way.
   */
  private outcome(devices: DeviceDownload[]): { devices: DeviceDownload[]; warning?: Reason } {
    if (devices.length === 0) return { devices };
    if (devices.every((d) => d.status === "failed")) {
      throw new GatehouseError(
        "TERMINALS_REFUSED",
        `every terminal refused it: ${devices.map((d) => `${d.device} (${d.error})`).join(", ")}`,
        {
          details: { devices },
        },
      );
    }
    if (!devices.some((d) => d.status === "applied")) {
      throw new GatehouseError(
        "TERMINALS_UNAVAILABLE",
        `no terminal reachable: ${devices.map((d) => d.device).join(", ")}`,
        {
          retryable: true,
          details: { devices },
        },
      );
    }
    const waiting = devices.filter((d) => d.status !== "applied");
    if (waiting.length === 0) return { devices };
    return {
      devices,
      warning: {
        code: "TERMINALS_PENDING",
        message: `not yet on ${waiting.map((d) => `${d.device} (${d.status}${d.error ? `: ${d.error}` : ""})`).join(", ")}; the agent writes it when the terminal is back`,
        retryable: true,
      },
    };
  }
}
