import type { Command } from "@gatehouse/shared";

/**
 * The replica as the agent reasons about it: what the control plane wants each person to hold, in plain data.
 * Pure: no I/O.
 */

export interface DesiredPerson {
  state?: "granted" | "revoked" | "expired";
  kind?: string;
  givenName?: string;
  familyName?: string;
  groups?: string[];
  validFrom?: string;
  validUntil?: string;
  faceSha256?: string;
  reason?: string;
}

/** One person of the replica: what the control plane wants, and what HikCentral is known to hold. */
export interface ReplicaPerson {
  personCode: string;
  visitId: string;
  personId: string | null;
  desired: DesiredPerson;
  appliedSeq: number | null;
  appliedAt: string | null;
  lastError: string | null;
  endedAt: string | null;
  checkedAt: string | null;
}

/** A change to one replica row: the desired state merged in, and what HikCentral holds. */
export interface PersonChange {
  personCode: string;
  visitId: string;
  personId: string | null;
  desired: unknown;
  /** The last error, when the change failed. */
  error?: string;
}

/** What a terminal should hold for one person (ISAPI mode). */
export interface TerminalState {
  state: "granted" | "revoked";
  name: string;
  validFrom: string;
  validUntil: string;
}

/** The lane of a command: commands in one lane are carried out one at a time, in seq order. */
export function commandLane(cmd: Command): string | null {
  if (cmd.type === "sync" || cmd.type === "skip") return null;
  if (cmd.type === "door") return `door:${cmd.payload.door}`;
  return `person:${cmd.payload.personCode}`;
}

/** The name a terminal shows for a replica person (its personCode when the replica has no name). */
export function displayName(desired: DesiredPerson | undefined, personCode: string): string {
  return `${desired?.givenName ?? ""} ${desired?.familyName ?? ""}`.trim() || personCode;
}

/** The replica keeps instants in UTC, so that they compare as text. */
export const utcInstant = (t: string) => new Date(t).toISOString();
