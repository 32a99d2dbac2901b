import {
  type Command,
  type DoorCommand,
  GatehouseError,
  type GrantCommand,
  type Reason,
  type RevokeCommand,
  type ValidityCommand,
} from "@gatehouse/shared";
import { type ReplicaPerson, utcInstant } from "../domain/replica.js";
import type { DeviceDownload, DoorControl, PersonPlace } from "./ports.js";

export interface ExecutionResult {
  personId: string | null;
  /** What the replica should now hold for this person. */
  desired: Record<string, unknown>;
  /** Applied, but with something the control plane should show (a face that did not take on a mixed site). */
  warning?: Reason;
  /** What each terminal did with the change. */
  devices?: DeviceDownload[];
}

/** Carries out commands, and the agent's own expiries. */
export interface Executor {
  execute(cmd: Command): Promise<ExecutionResult>;
  /** Ends a person's access at validUntil without a command. */
  expire(person: ReplicaPerson): Promise<{ personId: string | null }>;
}

export interface AccessExecutorOptions {
  /** The site's terminals open by face only: a grant whose face did not take has failed. */
  faceOnly: boolean;
  /** What the replica says of a person: the levels it was granted, its state before an extension. */
  replica: {
    get(personCode: string): Promise<ReplicaPerson | undefined>;
    grantedGroups(personCode: string): Promise<string[]>;
  };
  /** Opens doors (the terminals); without it a door command is UNSUPPORTED_COMMAND. */
  doors?: DoorControl;
  /** Reconciles the replica with the place for a sync command; the lanes are already held. */
  reconcile: (commandId: string) => Promise<{ changes: number; failed: number }>;
}

/** A sync's result: applied, with a warning when some repairs failed (the report lists them). */
export function syncResult(r: { changes: number; failed: number }): ExecutionResult {
  return {
    personId: null,
    desired: {},
    ...(r.failed > 0
      ? {
          warning: {
            code: "RECONCILE_INCOMPLETE",
            message: `${r.failed} of ${r.changes} repairs failed; the report lists them`,
            retryable: true,
          },
        }
      : {}),
  };
}

/**
 * Carries out one command against the place persons live (HikCentral, or the terminals), in the order that
 * leaves no race: the person exists and is valid before it joins an access level, the face is on it before
 * any turnstile is told to let it through, and nothing is acknowledged before the turnstiles hold the change.
 */
export class AccessExecutor implements Executor {
  constructor(
    private readonly place: PersonPlace,
    private readonly opts: AccessExecutorOptions,
  ) {}

  async execute(cmd: Command): Promise<ExecutionResult> {
    switch (cmd.type) {
      case "grant":
        return this.grant(cmd);
      case "revoke":
        return this.revoke(cmd);
      case "validity":
        return this.validity(cmd);
      case "sync":
        return syncResult(await this.opts.reconcile(cmd.id));
      case "door":
        return this.door(cmd);
      case "skip":
        // The inbox answers a skip when it arrives; nothing is carried out.
        return { personId: null, desired: {} };
    }
  }

  private async grant(cmd: GrantCommand): Promise<ExecutionResult> {
    const p = cmd.payload;
    const levels = await this.place.resolveLevels(p.accessGroups);
    const change = await this.place.change(p.personCode);
    await change.write({
      personCode: p.personCode,
      givenName: p.person.givenName,
      familyName: p.person.familyName,
      email: p.person.email,
      phone: p.person.phone,
      validFrom: p.validFrom,
      validUntil: p.validUntil,
    });
    let warning: Reason | undefined;
    let faceSha256: string | undefined;
    if (p.face) {
      try {
        await change.enrolFace(p.face);
        faceSha256 = p.face.sha256;
      } catch (e) {
        if (!(e instanceof GatehouseError) || e.retryable || this.opts.faceOnly) throw e;
        warning = e.toReason();
      }
    } else if (this.opts.faceOnly && !change.hasFace) {
      throw new GatehouseError(
        "FACE_REQUIRED",
        "this site's turnstiles open by face only and the visit has no photo",
      );
    }
    await change.addTo(levels);
    const done = await change.commit({ confirm: true });
    warning ??= done.warning;
    return {
      personId: change.personId,
      devices: done.devices,
      desired: {
        state: "granted",
        kind: p.kind,
        givenName: p.person.givenName,
        familyName: p.person.familyName,
        groups: levels,
        validFrom: utcInstant(p.validFrom),
        validUntil: utcInstant(p.validUntil),
        ...(faceSha256 ? { faceSha256 } : {}),
      },
      ...(warning ? { warning } : {}),
    };
  }

  private async revoke(cmd: RevokeCommand): Promise<ExecutionResult> {
    const p = cmd.payload;
    const desired = { state: "revoked", reason: p.reason };
    const change = await this.place.change(p.personCode);
    // Every level the replica granted, and any named that the place still has: a renamed kind or a deleted
    // level never stops a revoke.
    const named = await this.place.resolveLevels(p.accessGroups, { skipUnknown: true });
    const levels = [...new Set([...(await this.opts.replica.grantedGroups(p.personCode)), ...named])];
    await change.removeFrom(levels);
    await change.endValidity();
    const done = await change.commit({ confirm: true });
    return {
      personId: change.personId,
      desired,
      devices: done.devices,
      ...(done.warning ? { warning: done.warning } : {}),
    };
  }

  private async validity(cmd: ValidityCommand): Promise<ExecutionResult> {
    const p = cmd.payload;
    const change = await this.place.change(p.personCode);
    if (!change.exists) {
      throw new GatehouseError(
        "PERSON_NOT_FOUND",
        `${this.place.name} has no person ${p.personCode} to change`,
        {
          details: { personCode: p.personCode },
        },
      );
    }
    await change.setValidity(p.validFrom, p.validUntil);
    // A visit extended after the agent expired it on its own (the cloud was away at validUntil) gets its
    // access levels back; one revoked by a command does not.
    const replica = await this.opts.replica.get(p.personCode);
    const regrant = replica?.desired.state === "expired" && Date.parse(p.validUntil) > Date.now();
    if (regrant) await change.addTo(replica.desired.groups ?? []);
    const done = await change.commit({ confirm: true });
    return {
      personId: change.personId,
      desired: {
        validFrom: utcInstant(p.validFrom),
        validUntil: utcInstant(p.validUntil),
        ...(regrant ? { state: "granted" } : {}),
      },
      devices: done.devices,
      ...(done.warning ? { warning: done.warning } : {}),
    };
  }

  /**
   * Ends access at validUntil without a command (the control plane may be unreachable): out of every level
   * the agent granted, pushed to the turnstiles. The person's own end time already stops them; this makes
   * it final.
   */
  async expire(person: ReplicaPerson): Promise<{ personId: string | null }> {
    const change = await this.place.change(person.personCode);
    if (!change.exists) return { personId: null };
    await change.removeFrom(person.desired.groups ?? []);
    await change.commit({ confirm: false });
    return { personId: change.personId };
  }

  private async door(cmd: DoorCommand): Promise<ExecutionResult> {
    if (!this.opts.doors)
      throw new GatehouseError(
        "UNSUPPORTED_COMMAND",
        "this agent opens doors only through its terminals: set AGENT_MODE to isapi or both and list AGENT_TERMINALS",
      );
    return { personId: null, desired: {}, devices: await this.opts.doors.door(cmd) };
  }
}
