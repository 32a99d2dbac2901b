import { type DoorCommand, GatehouseError, type Reason } from "@gatehouse/shared";
import { displayName, type ReplicaPerson, type TerminalState, utcInstant } from "../../domain/replica.js";
import type {
  DeviceDownload,
  DoorControl,
  PersonPlace,
  PersonSpec,
  PlaceChange,
} from "../../services/ports.js";
import type { ReplicaStore } from "../db/replica-store.js";
import type { TerminalStore } from "../db/terminal-store.js";
import { prepareFacePhoto } from "../images/face-photo.js";
import type { TerminalGateway } from "./terminal-gateway.js";

/** A terminal as the place uses it: its gateway, the access levels it serves, its doors. */
export interface TerminalHandle {
  id: string;
  gateway: TerminalGateway;
  accessGroups: readonly string[];
  doors: readonly number[];
}

const errorText = (e: unknown) =>
  e instanceof GatehouseError ? `${e.code}: ${e.message}` : (e as Error).message;

/**
 * Persons on the terminals themselves (ISAPI mode): each change goes to every terminal of the person's access
 * levels (the person's `employeeNo` is its personCode). A terminal that is away keeps the change pending in
 * the terminal backlog and gets it when it is back (TerminalSync); a change holds once one terminal has it.
 */
export class TerminalsPlace implements PersonPlace, DoorControl {
  readonly name = "the agent";

  constructor(
    private readonly terminals: readonly TerminalHandle[],
    private readonly replica: Pick<ReplicaStore, "get">,
    private readonly backlog: TerminalStore,
  ) {}

  /** The terminals that serve any of these access levels (by name, case-insensitive). */
  terminalsFor(groups: readonly string[]): TerminalHandle[] {
    const wanted = new Set(groups.map((g) => g.toLowerCase()));
    return this.terminals.filter((t) => t.accessGroups.some((g) => wanted.has(g.toLowerCase())));
  }

  /** Levels are kept by the names the terminals are configured with; a level no terminal serves is unknown. */
  async resolveLevels(refs: readonly string[], opts: { skipUnknown?: boolean } = {}): Promise<string[]> {
    if (opts.skipUnknown || this.terminalsFor(refs).length > 0) return [...refs];
    throw new GatehouseError(
      "UNKNOWN_ACCESS_GROUP",
      `no terminal serves access level ${refs.map((g) => `'${g}'`).join(", ")}; list it in a terminal's accessGroups`,
      { details: { accessGroups: [...refs] } },
    );
  }

  async change(personCode: string): Promise<PlaceChange> {
    return new TerminalsChange(this, personCode, await this.replica.get(personCode));
  }

  async door(cmd: DoorCommand): Promise<DeviceDownload[]> {
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
    return [{ device: terminal.id, status: "applied" }];
  }

  /** Writes `state` to one terminal now; a terminal that is away keeps it as pending. */
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
      await this.backlog.applied(t.id, personCode, state);
      return { device: t.id, status: "applied" };
    } catch (e) {
      const retryable = e instanceof GatehouseError ? e.retryable || e.code === "ISAPI_LOGIN_REFUSED" : true;
      if (retryable) {
        await this.backlog.pending(t.id, personCode, state, errorText(e), face);
        return { device: t.id, status: "pending", error: errorText(e) };
      }
      await this.backlog.failed(t.id, personCode, errorText(e));
      return { device: t.id, status: "failed", error: errorText(e) };
    }
  }

  fanOut(targets: readonly TerminalHandle[], personCode: string, state: TerminalState, face?: Buffer) {
    return Promise.all(targets.map((t) => this.applyTo(t, personCode, state, face)));
  }
}

/** The revoked state a terminal keeps for a person whose access ended now. */
function revokedState(personCode: string, replica: ReplicaPerson | undefined): TerminalState {
  const now = new Date().toISOString();
  return {
    state: "revoked",
    name: displayName(replica?.desired, personCode),
    validFrom:
      replica?.desired.validFrom && replica.desired.validFrom < now ? replica.desired.validFrom : now,
    validUntil: now,
  };
}

/**
 * Applied when a terminal has it; failed when every terminal refused it; for now (retryable) when every
 * terminal was away — the terminals keep it pending either way.
 */
function outcome(devices: DeviceDownload[]): { devices: DeviceDownload[]; warning?: Reason } {
  if (devices.length === 0) return { devices };
  if (devices.every((d) => d.status === "failed")) {
    throw new GatehouseError(
      "TERMINALS_REFUSED",
      `every terminal refused it: ${devices.map((d) => `${d.device} (${d.error})`).join(", ")}`,
      { details: { devices } },
    );
  }
  if (!devices.some((d) => d.status === "applied")) {
    throw new GatehouseError(
      "TERMINALS_UNAVAILABLE",
      `no terminal reachable: ${devices.map((d) => d.device).join(", ")}`,
      { retryable: true, details: { devices } },
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

/**
 * A change staged call by call and written to each terminal at `commit` in one state: a terminal keeps a
 * person whole (name, validity, doors, face), so there is nothing to write before the whole is known.
 */
class TerminalsChange implements PlaceChange {
  readonly personId = null;
  readonly hasFace = false;
  private spec: PersonSpec | undefined;
  private window: { validFrom: string; validUntil: string } | undefined;
  private face: Buffer | undefined;
  private readonly added: string[] = [];
  private readonly removed: string[] = [];
  private ended = false;

  constructor(
    private readonly place: TerminalsPlace,
    private readonly personCode: string,
    private readonly replica: ReplicaPerson | undefined,
  ) {}

  get exists(): boolean {
    return this.replica !== undefined;
  }

  async write(person: PersonSpec): Promise<void> {
    this.spec = person;
  }

  async setValidity(validFrom: string, validUntil: string): Promise<void> {
    this.window = { validFrom, validUntil };
  }

  async enrolFace(face: { jpegBase64: string }): Promise<void> {
    this.face = await prepareFacePhoto(Buffer.from(face.jpegBase64, "base64"));
  }

  async addTo(levels: readonly string[]): Promise<void> {
    this.added.push(...levels);
  }

  async removeFrom(levels: readonly string[]): Promise<void> {
    this.removed.push(...levels);
  }

  async endValidity(): Promise<void> {
    this.ended = true;
  }

  async commit(opts: { confirm: boolean }): Promise<{ devices: DeviceDownload[]; warning?: Reason }> {
    const { targets, state } = this.target();
    const devices = await this.place.fanOut(targets, this.personCode, state, this.face);
    if (opts.confirm) return outcome(devices);
    // Away terminals get it when they are back; one that refused it must be looked at.
    const failed = devices.find((d) => d.status === "failed");
    if (failed)
      throw new GatehouseError("TERMINAL_FAILED", `${failed.device}: ${failed.error}`, { retryable: true });
    return { devices };
  }

  /** Which terminals get which state, from what was staged. */
  private target(): { targets: ReturnType<TerminalsPlace["terminalsFor"]>; state: TerminalState } {
    const desired = this.replica?.desired;
    if (this.spec) {
      // A grant: the person as written, at every terminal of its levels.
      return {
        targets: this.place.terminalsFor(this.added),
        state: {
          state: "granted",
          name: `${this.spec.givenName} ${this.spec.familyName}`.trim(),
          validFrom: utcInstant(this.spec.validFrom),
          validUntil: utcInstant(this.spec.validUntil),
        },
      };
    }
    if (this.removed.length > 0 || this.ended) {
      // A revoke or an expiry: revoked now at every terminal of the levels it leaves.
      return {
        targets: this.place.terminalsFor([...(desired?.groups ?? []), ...this.removed]),
        state: revokedState(this.personCode, this.replica),
      };
    }
    // New times: granted again only when its levels come back (an extension after the agent expired it).
    const granted = desired?.state === "granted" || this.added.length > 0;
    return {
      targets: this.place.terminalsFor([...(desired?.groups ?? []), ...this.added]),
      state: {
        state: granted ? "granted" : "revoked",
        name: displayName(desired, this.personCode),
        validFrom: utcInstant(this.window?.validFrom ?? desired?.validFrom ?? new Date().toISOString()),
        validUntil: utcInstant(this.window?.validUntil ?? desired?.validUntil ?? new Date().toISOString()),
      },
    };
  }
}
