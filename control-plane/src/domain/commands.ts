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

const envelope = (a: CommandFor, expiresAt: string) => ({
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
