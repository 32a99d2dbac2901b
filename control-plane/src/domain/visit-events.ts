import type { VisitSnapshot } from "@gatehouse/shared";
import { isClosed } from "./lifecycle.js";
import type { Access, VisitStatus } from "./visit.js";

interface VisitLike {
  id: string;
  site: string;
  kind: string;
  status: VisitStatus;
  access: Access;
  validFrom: string;
  validUntil: string;
  guest: { name: string };
  host: { name: string };
  eventId: string | null;
  firstEntryAt: string | null;
  firstExitAt: string | null;
  entryCount: number;
  exitCount: number;
  inside: boolean;
}

/** What consumers may see of a visit: no contacts, no document, no photo. */
export function snapshot(v: VisitLike): VisitSnapshot {
  return {
    id: v.id,
    site: v.site,
    kind: v.kind,
    status: v.status,
    access: v.access,
    validFrom: v.validFrom,
    validUntil: v.validUntil,
    guestName: v.guest.name,
    hostName: v.host.name,
    eventId: v.eventId,
    firstEntryAt: v.firstEntryAt,
    firstExitAt: v.firstExitAt,
    entryCount: v.entryCount,
    exitCount: v.exitCount,
    inside: v.inside,
  };
}

/** `new` for a visit that did not exist, `end` when it closes, `update` for anything else. */
export function visitEventType(before: VisitLike | null, after: VisitLike): "new" | "update" | "end" {
  if (!before) return "new";
  return isClosed(after.status) && !isClosed(before.status) ? "end" : "update";
}
