import { formatInZone, GatehouseError, parseDeviceTime, type Reason } from "@gatehouse/shared";
import type { DeviceDownload, PersonPlace, PersonSpec, PlaceChange } from "../../services/ports.js";
import { prepareFacePhoto } from "../images/face-photo.js";
import type { HikCentralClient, PersonWrite } from "./client.js";

export interface HikCentralPlaceOptions {
  timeZone: string;
  orgIndexCode: string;
  /** The face digest the replica says HikCentral holds for a person, to skip an unchanged upload. */
  appliedFace: (personCode: string) => Promise<string | undefined>;
  /** How long to wait for the terminals to take a change before acking with the download still pending. */
  downloadWaitMs: number;
  downloadPollMs: number;
  log: (msg: string) => void;
}

/** HikCentral rejects an empty family name; a one-word name keeps the word as the given name. */
const familyOrDash = (family: string) => (family.trim() === "" ? "-" : family);

/**
 * Persons in HikCentral: written through the OpenAPI and verified by reading them back, put in access levels
 * (privilege groups), and downloaded to the terminals by re-applying authorization; a change is confirmed
 * when HikCentral's download status says every terminal of the group has it.
 */
export class HikCentralPlace implements PersonPlace {
  readonly name = "HikCentral";
  private groupCache: Map<string, string> | undefined;
  private downloadStatusUnsupported = false;

  constructor(
    private readonly hik: HikCentralClient,
    private readonly opts: HikCentralPlaceOptions,
  ) {}

  /** Access levels may be named by privilegeGroupId or by name; the replica keeps their ids. */
  async resolveLevels(refs: readonly string[], opts: { skipUnknown?: boolean } = {}): Promise<string[]> {
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
    if (opts.skipUnknown) return ids.filter((id): id is string => id !== undefined);
    const missing = refs.filter((_, i) => ids[i] === undefined);
    if (missing.length > 0) {
      throw new GatehouseError(
        "UNKNOWN_ACCESS_GROUP",
        `HikCentral has no access level ${missing.map((m) => `'${m}'`).join(", ")}; create it or fix the site's kind mapping`,
        { details: { accessGroups: missing } },
      );
    }
    return ids as string[];
  }

  async change(personCode: string): Promise<PlaceChange> {
    const existing = await this.hik.personByCode(personCode);
    return new HikCentralChange(this, personCode, existing?.personId ?? null);
  }

  window(validFrom: string, validUntil: string) {
    return {
      beginTime: formatInZone(new Date(validFrom), this.opts.timeZone),
      endTime: formatInZone(new Date(validUntil), this.opts.timeZone),
    };
  }

  get client() {
    return this.hik;
  }

  get options() {
    return this.opts;
  }

  /**
   * Waits until HikCentral reports every terminal has the change. A terminal that failed fails the command
   * (for a revoke, the old grant may still be on it); one still pending at the deadline is acked as a warning.
   */
  async confirmDownload(personId: string): Promise<{ devices: DeviceDownload[]; warning?: Reason }> {
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
}

/** One person's change, made at once call by call (HikCentral has no transaction): each step is idempotent. */
class HikCentralChange implements PlaceChange {
  hasFace = false;

  constructor(
    private readonly place: HikCentralPlace,
    private readonly personCode: string,
    public personId: string | null,
  ) {}

  get exists(): boolean {
    return this.personId !== null;
  }

  async write(p: PersonSpec): Promise<void> {
    const hik = this.place.client;
    const write: PersonWrite = {
      personCode: p.personCode,
      personGivenName: p.givenName,
      personFamilyName: familyOrDash(p.familyName),
      orgIndexCode: this.place.options.orgIndexCode,
      ...this.place.window(p.validFrom, p.validUntil),
      ...(p.email ? { email: p.email } : {}),
      ...(p.phone ? { phoneNo: p.phone } : {}),
    };
    if (this.personId) {
      const { personCode: _code, ...update } = write;
      await hik.updatePerson(this.personId, update);
    } else {
      this.personId = await hik.addPerson(write);
    }
    const check = await hik.personById(this.personId);
    if (!check) {
      throw new GatehouseError(
        "PERSON_MISSING",
        `HikCentral lost person ${this.personId} right after writing it`,
        {
          retryable: true,
        },
      );
    }
    // Valid before it joins a level: an update HikCentral did not take would leave an expired person there.
    const heldUntil = check.endTime
      ? parseDeviceTime(check.endTime, this.place.options.timeZone).getTime()
      : undefined;
    if (heldUntil !== undefined && Math.abs(heldUntil - Date.parse(p.validUntil)) >= 1000) {
      throw new GatehouseError(
        "PERSON_NOT_VALID",
        `HikCentral holds person ${this.personId} valid until ${check.endTime} after it was written with ${write.endTime}`,
        { retryable: true },
      );
    }
    this.hasFace = Boolean(check.personPhoto?.picUri);
  }

  async setValidity(validFrom: string, validUntil: string): Promise<void> {
    if (this.personId)
      await this.place.client.updatePerson(this.personId, this.place.window(validFrom, validUntil));
  }

  /**
   * Uploads the face through `person/face/update` and confirms it by reading `personPhoto.picUri` back:
   * HCP answers code 0 to some photo paths and silently drops the photo.
   */
  async enrolFace(face: { jpegBase64: string; sha256: string }): Promise<void> {
    if (!this.personId) return;
    if (this.hasFace && (await this.place.options.appliedFace(this.personCode)) === face.sha256) return;
    const jpeg = await prepareFacePhoto(Buffer.from(face.jpegBase64, "base64"));
    try {
      await this.place.client.updateFace(this.personId, jpeg);
    } catch (e) {
      if (e instanceof GatehouseError && (e.code === "FACE_REJECTED" || e.code === "HIKCENTRAL_PARAMETER")) {
        throw new GatehouseError("FACE_REJECTED", `HikCentral refused the face: ${e.message}`, { cause: e });
      }
      throw e;
    }
    const after = await this.place.client.personById(this.personId);
    if (!after?.personPhoto?.picUri) {
      throw new GatehouseError(
        "FACE_REJECTED",
        "HikCentral accepted the face upload but holds no photo (picUri is empty)",
      );
    }
    this.hasFace = true;
  }

  async addTo(levels: readonly string[]): Promise<void> {
    if (this.personId) for (const g of levels) await this.place.client.addToGroup(g, [this.personId]);
  }

  async removeFrom(levels: readonly string[]): Promise<void> {
    if (this.personId) for (const g of levels) await this.place.client.removeFromGroup(g, [this.personId]);
  }

  async endValidity(): Promise<void> {
    if (this.personId)
      await this.place.client.updatePerson(this.personId, {
        endTime: formatInZone(new Date(), this.place.options.timeZone),
      });
  }

  async commit(opts: { confirm: boolean }): Promise<{ devices: DeviceDownload[]; warning?: Reason }> {
    if (!this.personId) return { devices: [] };
    await this.place.client.reapply([this.personId]);
    return opts.confirm ? this.place.confirmDownload(this.personId) : { devices: [] };
  }
}
