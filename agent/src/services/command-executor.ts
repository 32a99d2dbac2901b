import {
  type Command,
  formatInZone,
  GatehouseError,
  type GrantCommand,
  parseDeviceTime,
  type Reason,
  type RevokeCommand,
  type SyncCommand,
  type ValidityCommand,
} from "@gatehouse/shared";
import type { HikCentralClient, PersonWrite } from "../adapters/hikcentral/client.js";
import type { DeviceDownload } from "../adapters/hikcentral/download-status.js";
import { prepareFacePhoto } from "../adapters/images/face-photo.js";
import { type ReplicaPerson, utcInstant } from "../domain/replica.js";

export interface ExecutionResult {
  personId: string | null;
  /** What the replica should now hold for this person. */
  desired: Record<string, unknown>;
  /** Applied, but with something the control plane should show (a face that did not take on a mixed site). */
  warning?: Reason;
  /** What HikCentral's download status said per terminal. */
  devices?: DeviceDownload[];
}

/** Carries out commands against a back end (HikCentral's OpenAPI, or the terminals' ISAPI). */
export interface Executor {
  execute(cmd: Command): Promise<ExecutionResult>;
  /** Ends a person's access at validUntil without a command. */
  expire(person: ReplicaPerson): Promise<{ personId: string | null }>;
}

export interface ExecutorOptions {
  timeZone: string;
  orgIndexCode: string;
  /** The site's terminals open by face only: a grant whose face did not take has failed. */
  faceOnly: boolean;
  /** The access levels (ids) the replica says this agent granted the person. */
  grantedGroups: (personCode: string) => Promise<string[]>;
  /** The face digest the replica says HikCentral holds for a person, to skip an unchanged upload. */
  appliedFace: (personCode: string) => Promise<string | undefined>;
  /** How long to wait for the terminals to take a change before acking with the download still pending. */
  downloadWaitMs: number;
  downloadPollMs: number;
  /** The replica's row for a person (to re-grant one the agent expired itself when its visit is extended). */
  replicaPerson: (personCode: string) => Promise<ReplicaPerson | undefined>;
  /** Carries out door commands (the terminals' executor in `both` mode). */
  doors?: Executor;
  /** Reconciles the replica with HikCentral for a sync command; the lanes are already held. */
  reconcile: (cmd: SyncCommand) => Promise<{ changes: number; failed: number }>;
  log: (msg: string) => void;
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

/** HikCentral rejects an empty family name; a one-word name keeps the word as the given name. */
const familyOrDash = (family: string) => (family.trim() === "" ? "-" : family);

/**
 * Carries out one command against HikCentral, in the order that leaves no race: the person exists and is
 * valid before it joins an access group, and nothing is acknowledged before authorization is re-applied.
 */
export class CommandExecutor implements Executor {
  private groupCache: Map<string, string> | undefined;
  private downloadStatusUnsupported = false;

  constructor(
    private readonly hik: HikCentralClient,
    private readonly opts: ExecutorOptions,
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
        return syncResult(await this.opts.reconcile(cmd));
      case "skip":
        // The inbox answers a skip when it arrives; nothing is carried out.
        return { personId: null, desired: {} };
      default:
        // Doors are driven through the terminals (AGENT_MODE isapi or both), not through HikCentral.
        if (this.opts.doors) return this.opts.doors.execute(cmd);
        throw new GatehouseError(
          "UNSUPPORTED_COMMAND",
          `this agent opens doors only through its terminals: set AGENT_MODE to isapi or both and list AGENT_TERMINALS`,
        );
    }
  }

  /** Access groups may be named by privilegeGroupId or by name; an unknown one is a permanent error. */
  async resolveGroups(refs: string[], opts: { skipUnknown?: boolean } = {}): Promise<string[]> {
    const lookup = async (fresh: boolean) => {
      if (!this.groupCache || fresh) {
        const groups = await this.hik.privilegeGroups(1);
        this.groupCache = new Map();
        for (const g of groups) {
          this.groupCache.set(g.privilegeGroupId, g.privilegeGroupId);
          this.groupCache.set(`name:${g.privilegeGroupName.toLowerCase()}`, g.privilegeGroupId);
        }
      }
      return refs.map((r) => this.groupCache!.get(r) ?? this.groupCache!.get(`name:${r.toLowerCase()}`));
    };
    let ids = await lookup(false);
    if (ids.some((id) => id === undefined)) ids = await lookup(true);
    const missing = refs.filter((_, i) => ids[i] === undefined);
    if (opts.skipUnknown) return ids.filter((id): id is string => id !== undefined);
    if (missing.length > 0) {
      throw new GatehouseError(
        "UNKNOWN_ACCESS_GROUP",
        `HikCentral has no access level ${missing.map((m) => `'${m}'`).join(", ")}; create it or fix the site's kind mapping`,
        { details: { accessGroups: missing } },
      );
    }
    return ids as string[];
  }

  private window(validFrom: string, validUntil: string) {
    return {
      beginTime: formatInZone(new Date(validFrom), this.opts.timeZone),
      endTime: formatInZone(new Date(validUntil), this.opts.timeZone),
    };
  }

  private async grant(cmd: GrantCommand): Promise<ExecutionResult> {
    const p = cmd.payload;
    const groups = await this.resolveGroups(p.accessGroups);
    const write: PersonWrite = {
      personCode: p.personCode,
      personGivenName: p.person.givenName,
      personFamilyName: familyOrDash(p.person.familyName),
      orgIndexCode: this.opts.orgIndexCode,
      ...this.window(p.validFrom, p.validUntil),
      ...(p.person.email ? { email: p.person.email } : {}),
      ...(p.person.phone ? { phoneNo: p.person.phone } : {}),
    };
    // Found by personCode first, so a retried or repeated grant never makes a second person.
    const existing = await this.hik.personByCode(p.personCode);
    let personId: string;
    if (existing) {
      personId = existing.personId;
      const { personCode: _code, ...update } = write;
      await this.hik.updatePerson(personId, update);
    } else {
      personId = await this.hik.addPerson(write);
    }
    const check = await this.hik.personById(personId);
    if (!check) {
      throw new GatehouseError(
        "PERSON_MISSING",
        `HikCentral lost person ${personId} right after writing it`,
        {
          retryable: true,
        },
      );
    }
    // Valid before it joins a level: an update HikCentral did not take would leave an expired person there.
    const heldUntil = check.endTime
      ? parseDeviceTime(check.endTime, this.opts.timeZone).getTime()
      : undefined;
    if (heldUntil !== undefined && Math.abs(heldUntil - Date.parse(p.validUntil)) >= 1000) {
      throw new GatehouseError(
        "PERSON_NOT_VALID",
        `HikCentral holds person ${personId} valid until ${check.endTime} after it was written with ${write.endTime}`,
        { retryable: true },
      );
    }
    // Enrol before assign: the face is on the person before any turnstile is told to let it through.
    let faceSha256: string | undefined;
    let warning: Reason | undefined;
    if (p.face) {
      try {
        faceSha256 = await this.enrolFace(personId, p.personCode, p.face, Boolean(check.personPhoto?.picUri));
      } catch (e) {
        if (!(e instanceof GatehouseError) || e.retryable || this.opts.faceOnly) throw e;
        warning = e.toReason();
      }
    } else if (this.opts.faceOnly && !check.personPhoto?.picUri) {
      throw new GatehouseError(
        "FACE_REQUIRED",
        "this site's turnstiles open by face only and the visit has no photo",
      );
    }
    for (const g of groups) await this.hik.addToGroup(g, [personId]);
    await this.hik.reapply([personId]);
    const download = await this.confirmDownload(personId);
    warning ??= download.warning;
    return {
      personId,
      devices: download.devices,
      desired: {
        state: "granted",
        kind: p.kind,
        givenName: p.person.givenName,
        familyName: p.person.familyName,
        groups,
        validFrom: utcInstant(p.validFrom),
        validUntil: utcInstant(p.validUntil),
        ...(faceSha256 ? { faceSha256 } : {}),
      },
      ...(warning ? { warning } : {}),
    };
  }

  /**
   * Waits until HikCentral reports every terminal has the change. A terminal that failed fails the command
   * (for a revoke, the old grant may still be on it); one still pending at the deadline is acked as a warning.
   */
  private async confirmDownload(personId: string): Promise<{ devices: DeviceDownload[]; warning?: Reason }> {
    if (this.downloadStatusUnsupported) return { devices: [] };
    const deadline = Date.now() + this.opts.downloadWaitMs;
    for (;;) {
      let devices: DeviceDownload[];
      try {
        devices = await this.hik.downloadStatus(personId);
      } catch (e) {
        if (e instanceof GatehouseError && e.code === "HIKCENTRAL_NOT_SUPPORTED") {
          this.downloadStatusUnsupported = true;
          this.opts.log("this HikCentral has no download status API; acks will not list terminals");
          return { devices: [] };
        }
        throw e;
      }
      const failed = devices.filter((d) => d.status === "failed");
      if (failed.length > 0) {
        throw new GatehouseError(
          "DEVICE_DOWNLOAD_FAILED",
          `HikCentral could not download the change to ${failed.map((d) => `${d.device}${d.error ? ` (${d.error})` : ""}`).join(", ")}`,
          { details: { devices } },
        );
      }
      const pending = devices.filter((d) => d.status === "pending");
      if (pending.length === 0) return { devices };
      if (Date.now() >= deadline) {
        return {
          devices,
          warning: {
            code: "DOWNLOAD_PENDING",
            message: `still downloading to ${pending.map((d) => d.device).join(", ")} after ${Math.round(this.opts.downloadWaitMs / 1000)} s`,
            retryable: true,
          },
        };
      }
      await new Promise((r) => setTimeout(r, this.opts.downloadPollMs));
    }
  }

  /**
   * Uploads the face through `person/face/update` and confirms it by reading `personPhoto.picUri` back:
   * HCP answers code 0 to some photo paths and silently drops the photo.
   */
  private async enrolFace(
    personId: string,
    personCode: string,
    face: { jpegBase64: string; sha256: string },
    hasPhoto: boolean,
  ): Promise<string> {
    if (hasPhoto && (await this.opts.appliedFace(personCode)) === face.sha256) return face.sha256;
    const jpeg = await prepareFacePhoto(Buffer.from(face.jpegBase64, "base64"));
    try {
      await this.hik.updateFace(personId, jpeg);
    } catch (e) {
      if (e instanceof GatehouseError && (e.code === "FACE_REJECTED" || e.code === "HIKCENTRAL_PARAMETER")) {
        throw new GatehouseError("FACE_REJECTED", `HikCentral refused the face: ${e.message}`, { cause: e });
      }
      throw e;
    }
    const after = await this.hik.personById(personId);
    if (!after?.personPhoto?.picUri) {
      throw new GatehouseError(
        "FACE_REJECTED",
        "HikCentral accepted the face upload but holds no photo (picUri is empty)",
      );
    }
    return face.sha256;
  }

  private async revoke(cmd: RevokeCommand): Promise<ExecutionResult> {
    const p = cmd.payload;
    const desired = { state: "revoked", reason: p.reason };
    const existing = await this.hik.personByCode(p.personCode);
    if (!existing) return { personId: null, desired };
    // Every level the replica granted, and any named that HikCentral still has: a renamed kind or a
    // deleted level never stops a revoke.
    const named = await this.resolveGroups(p.accessGroups, { skipUnknown: true });
    const groups = [...new Set([...(await this.opts.grantedGroups(p.personCode)), ...named])];
    for (const g of groups) await this.hik.removeFromGroup(g, [existing.personId]);
    // Ending the validity too means a group someone re-adds by hand still does not open the turnstile.
    await this.hik.updatePerson(existing.personId, { endTime: formatInZone(new Date(), this.opts.timeZone) });
    await this.hik.reapply([existing.personId]);
    const download = await this.confirmDownload(existing.personId);
    return {
      personId: existing.personId,
      desired,
      devices: download.devices,
      ...(download.warning ? { warning: download.warning } : {}),
    };
  }

  /**
   * Ends access at validUntil without a command (the control plane may be unreachable): out of every level
   * the agent granted, re-applied. HikCentral's own endTime already stops the terminals; this makes it final.
   */
  async expire(person: ReplicaPerson): Promise<{ personId: string | null }> {
    const existing = await this.hik.personByCode(person.personCode);
    if (!existing) return { personId: null };
    for (const g of person.desired.groups ?? []) await this.hik.removeFromGroup(g, [existing.personId]);
    await this.hik.reapply([existing.personId]);
    return { personId: existing.personId };
  }

  private async validity(cmd: ValidityCommand): Promise<ExecutionResult> {
    const p = cmd.payload;
    const existing = await this.hik.personByCode(p.personCode);
    if (!existing) {
      throw new GatehouseError("PERSON_NOT_FOUND", `HikCentral has no person ${p.personCode} to change`, {
        details: { personCode: p.personCode },
      });
    }
    await this.hik.updatePerson(existing.personId, this.window(p.validFrom, p.validUntil));
    // A visit extended after the agent expired it on its own (the cloud was away at validUntil) gets its
    // access levels back; one revoked by a command does not.
    const replica = await this.opts.replicaPerson(p.personCode);
    const regrant = replica?.desired.state === "expired" && Date.parse(p.validUntil) > Date.now();
    if (regrant)
      for (const g of replica.desired.groups ?? []) await this.hik.addToGroup(g, [existing.personId]);
    await this.hik.reapply([existing.personId]);
    const download = await this.confirmDownload(existing.personId);
    return {
      personId: existing.personId,
      desired: {
        validFrom: utcInstant(p.validFrom),
        validUntil: utcInstant(p.validUntil),
        ...(regrant ? { state: "granted" } : {}),
      },
      devices: download.devices,
      ...(download.warning ? { warning: download.warning } : {}),
    };
  }
}
