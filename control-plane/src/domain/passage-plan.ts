import type { Incident, Passage } from "@gatehouse/shared";
import { incidentsForPassage, type OpeningHours } from "./incidents.js";
import { transition } from "./lifecycle.js";
import {
  type Access,
  applyPassage,
  type NotificationKind,
  type VisitCounts,
  type VisitStatus,
} from "./visit.js";
import { kindOf } from "./visit-rules.js";

/** What a passage needs to know of its visit. */
export interface VisitForPassage extends VisitCounts {
  id: string;
  site: string;
  kind: string;
  personCode: string;
  guest: { name: string };
  host: { email: string | null };
  status: VisitStatus;
  access: Access;
  validUntil: string;
  endedAt: string | null;
  revokeOnExit: boolean;
}

/** What a passage needs to know of its site. */
export interface SiteForPassage {
  name: string;
  timeZone: string;
  openingHours: OpeningHours | null;
  maxStayMinutes: number;
  fallbackEmail: string | null;
  securityEmail: string | null;
  /** The language of its security emails. */
  language: "en" | "ru";
  kinds: Readonly<Record<string, { accessGroups: string[] }>>;
}

export interface PassagePlan<V extends VisitForPassage = VisitForPassage> {
  /** The visit after the passage (counts, and status when its first exit ends it); null: no visit to change. */
  visit: (V & { updatedAt: string }) | null;
  incidents: Incident[];
  /** Host emails this passage causes; each kind is sent once ever per visit (the store keeps it so). */
  notifications: Array<{ kind: NotificationKind; recipient: string | null }>;
  /** A revokeOnExit visit ends at its first exit: the revoke to queue with it, and the status it had. */
  revoke: { accessGroups: string[]; statusBefore: VisitStatus } | null;
}

/**
 * Everything one passage changes, decided from the passage, its visit as stored before it, its site and one
 * `now`: the visit's counts, the security incidents it reveals, the host emails it causes and, for a
 * revokeOnExit visit leaving for the first time, its end and revoke. Pure: the caller stores it atomically.
 */
export function planPassage<V extends VisitForPassage>(
  p: Passage,
  visit: V | null,
  site: SiteForPassage | null,
  now: Date,
  newId: () => string,
): PassagePlan<V> {
  if (!visit) return { visit: null, incidents: [], notifications: [], revoke: null };
  const stamp = now.toISOString();
  // Visit fields hold UTC instants; the passage keeps the site's offset as the agent saw it.
  const occurredUtc = new Date(p.occurredAt).toISOString();
  const effect = applyPassage(visit, { ...p, occurredAt: occurredUtc });
  const doorName = p.door.name ?? `door ${p.door.id}`;
  const findings = incidentsForPassage(
    { direction: p.direction, result: p.result, occurredAt: occurredUtc, doorName, reasonCode: p.reasonCode },
    { ...visit, guestName: visit.guest.name },
    {
      timeZone: site?.timeZone ?? "UTC",
      openingHours: site?.openingHours ?? null,
      maxStayMinutes: site?.maxStayMinutes ?? 480,
    },
  );
  const incidents: Incident[] = findings.map((f) => ({
    id: newId(),
    site: visit.site,
    type: f.type,
    severity: f.severity,
    visitId: visit.id,
    passageId: p.id,
    guestName: visit.guest.name,
    doorName,
    occurredAt: occurredUtc,
    detectedAt: stamp,
    params: f.params,
    message: f.message,
  }));
  const recipient = visit.host.email ?? site?.fallbackEmail ?? null;
  const after = { ...visit, ...effect.counts, updatedAt: stamp };
  let revoke: PassagePlan<V>["revoke"] = null;
  if (effect.notify.includes("first_exit") && visit.revokeOnExit) {
    const t = transition(visit, "checkout", now);
    if (t.ok) {
      revoke = {
        accessGroups: site ? (kindOf(site.kinds, visit.kind)?.accessGroups ?? []) : [],
        statusBefore: visit.status,
      };
      after.status = t.status;
      after.endedAt ??= stamp;
    }
  }
  return {
    visit: after,
    incidents,
    notifications: effect.notify.map((kind) => ({ kind, recipient })),
    revoke,
  };
}
