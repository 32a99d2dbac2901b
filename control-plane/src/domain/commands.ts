import type { Command } from "@gatehouse/shared";

/** A revoke must reach the turnstiles however long the agent was away. */
const REVOKE_LIFETIME_MS = 365 * 86_400_000;

export function revokeCommand(a: {
  id: string;
  seq: number;
  site: string;
  visitId: string;
  personCode: string;
  accessGroups: string[];
  reason: string;
  now: Date;
}): Command {
  return {
    id: a.id,
    site: a.site,
    seq: a.seq,
    type: "revoke",
    issuedAt: a.now.toISOString(),
    expiresAt: new Date(a.now.getTime() + REVOKE_LIFETIME_MS).toISOString(),
    payload: { visitId: a.visitId, personCode: a.personCode, accessGroups: a.accessGroups, reason: a.reason },
  };
}

export function validityCommand(a: {
  id: string;
  seq: number;
  site: string;
  visitId: string;
  personCode: string;
  validFrom: string;
  validUntil: string;
  now: Date;
}): Command {
  return {
    id: a.id,
    site: a.site,
    seq: a.seq,
    type: "validity",
    issuedAt: a.now.toISOString(),
    // New times are pointless once the visit is over.
    expiresAt: a.validUntil,
    payload: {
      visitId: a.visitId,
      personCode: a.personCode,
      validFrom: a.validFrom,
      validUntil: a.validUntil,
    },
  };
}
