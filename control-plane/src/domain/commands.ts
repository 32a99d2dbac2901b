import type { Command } from "@gatehouse/shared";

/** A revoke must reach the turnstiles however long the agent was away. */
const REVOKE_LIFETIME_MS = 365 * 86_400_000;

interface CommandFor {
  id: string;
  seq: number;
  site: string;
  visitId: string;
  personCode: string;
  now: Date;
}

const envelope = (a: Pick<CommandFor, "id" | "site" | "seq" | "now">, expiresAt: string) => ({
  id: a.id,
  site: a.site,
  seq: a.seq,
  issuedAt: a.now.toISOString(),
  expiresAt,
});

export function revokeCommand(a: CommandFor & { accessGroups: string[]; reason: string }): Command {
  return {
    ...envelope(a, new Date(a.now.getTime() + REVOKE_LIFETIME_MS).toISOString()),
    type: "revoke",
    payload: { visitId: a.visitId, personCode: a.personCode, accessGroups: a.accessGroups, reason: a.reason },
  };
}

export function validityCommand(a: CommandFor & { validFrom: string; validUntil: string }): Command {
  return {
    // New times are pointless once the visit is over.
    ...envelope(a, a.validUntil),
    type: "validity",
    payload: {
      visitId: a.visitId,
      personCode: a.personCode,
      validFrom: a.validFrom,
      validUntil: a.validUntil,
    },
  };
}

/** HikCentral opens the door this long before the visit starts: a site may let guests come early. */
export function accessFrom(validFrom: string, earlyArrivalMinutes: number): string {
  return new Date(Date.parse(validFrom) - earlyArrivalMinutes * 60_000).toISOString();
}

export function grantCommand(
  a: CommandFor & {
    kind: string;
    person: { givenName: string; familyName: string; email?: string | null; phone?: string | null };
    accessGroups: string[];
    validFrom: string;
    validUntil: string;
    /** The guest's face, with the SHA-256 of its JPEG bytes (so an unchanged face is not sent again). */
    face?: { jpegBase64: string; sha256: string } | null | undefined;
  },
): Command {
  return {
    // A grant is pointless once the visit is over.
    ...envelope(a, a.validUntil),
    type: "grant",
    payload: {
      visitId: a.visitId,
      personCode: a.personCode,
      person: {
        givenName: a.person.givenName,
        familyName: a.person.familyName,
        ...(a.person.email ? { email: a.person.email } : {}),
        ...(a.person.phone ? { phone: a.person.phone } : {}),
      },
      kind: a.kind,
      accessGroups: a.accessGroups,
      validFrom: a.validFrom,
      validUntil: a.validUntil,
      ...(a.face ? { face: a.face } : {}),
    },
  };
}

export function syncCommand(a: Omit<CommandFor, "visitId" | "personCode"> & { reason: string }): Command {
  return {
    // A reconciliation request is worth carrying out within the hour, not after a week offline.
    ...envelope(a, new Date(a.now.getTime() + 3_600_000).toISOString()),
    type: "sync",
    payload: { reason: a.reason },
  };
}

/** A door opened minutes late is a hazard, not a service: a door command is void after this. */
export const DOOR_COMMAND_LIFETIME_MS = 30_000;

export function doorCommand(
  a: Omit<CommandFor, "visitId" | "personCode"> & {
    door: string;
    action: "open" | "close" | "always_open" | "always_closed";
  },
): Command {
  return {
    ...envelope(a, new Date(a.now.getTime() + DOOR_COMMAND_LIFETIME_MS).toISOString()),
    type: "door",
    payload: { door: a.door, action: a.action },
  };
}

/**
 * Stands in for a stored command that cannot be signed (its text cannot be canonicalised): same id and seq,
 * so the agent's ack lands on the same row, and the agent's queue goes on past it. Expires with the original.
 */
export function skipCommand(original: Command, reason: string): Command {
  return {
    id: original.id,
    site: original.site,
    seq: original.seq,
    issuedAt: original.issuedAt,
    expiresAt: original.expiresAt,
    type: "skip",
    payload: { commandId: original.id, reason: reason.slice(0, 500) },
  };
}
