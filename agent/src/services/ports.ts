import type { DoorCommand, Reason } from "@gatehouse/shared";

/** What one terminal did with a change, as a command's ack lists it. */
export interface DeviceDownload {
  device: string;
  status: "applied" | "pending" | "failed";
  error?: string;
}

/**
 * The place the persons of a site's turnstiles live: HikCentral (which downloads them to its terminals), or
 * the terminals themselves over ISAPI. One executor carries every command out against either.
 */
export interface PersonPlace {
  /** What a missing person is called in errors ("HikCentral has no person …"). */
  readonly name: string;
  /**
   * The access levels as the replica keeps them for this place; an unknown one is a permanent
   * UNKNOWN_ACCESS_GROUP, unless `skipUnknown` (a revoke goes on without a level that is gone).
   */
  resolveLevels(refs: readonly string[], opts?: { skipUnknown?: boolean }): Promise<string[]>;
  /** Begins a change to one person, found by personCode: a person is never made twice. */
  change(personCode: string): Promise<PlaceChange>;
}

/** Who a person is and when they may pass, as a grant writes it. */
export interface PersonSpec {
  personCode: string;
  givenName: string;
  familyName: string;
  email?: string | undefined;
  phone?: string | undefined;
  validFrom: string;
  validUntil: string;
}

/** A change to one person in a place, made to hold at the turnstiles by `commit`. */
export interface PlaceChange {
  /** Whether the place holds the person (for the terminals: whether the replica knows it). */
  readonly exists: boolean;
  /** The place's own id for the person, when it has one (HikCentral's personId). */
  readonly personId: string | null;
  /** Whether the place holds a face for the person already. */
  readonly hasFace: boolean;
  /** Creates or updates the person with this name, contacts and validity, and checks the place took it. */
  write(person: PersonSpec): Promise<void>;
  setValidity(validFrom: string, validUntil: string): Promise<void>;
  /** Enrols the face; a face the place refuses is FACE_REJECTED. */
  enrolFace(face: { jpegBase64: string; sha256: string }): Promise<void>;
  addTo(levels: readonly string[]): Promise<void>;
  removeFrom(levels: readonly string[]): Promise<void>;
  /** Ends the person's validity now, so that a level someone re-adds by hand does not open a turnstile. */
  endValidity(): Promise<void>;
  /**
   * Makes the turnstiles hold the change. `confirm`: waits until they say they do and reports each one (a
   * command's ack lists them); without it the change is pushed, and only a refusal fails it (an expiry).
   */
  commit(opts: { confirm: boolean }): Promise<{ devices: DeviceDownload[]; warning?: Reason }>;
}

/** Opens and closes doors (the terminals, over ISAPI). */
export interface DoorControl {
  door(cmd: DoorCommand): Promise<DeviceDownload[]>;
}
