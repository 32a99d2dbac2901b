/** A visit as the database holds it, and the rows read with it. */
import type { Row } from "@libsql/client";
import type { Access, VisitStatus } from "../../domain/visit.js";

export interface VisitRecord {
  id: string;
  site: string;
  kind: string;
  personCode: string;
  guest: { name: string; email: string | null; phone: string | null; documentNumber: string | null };
  host: { name: string; email: string | null; language: string };
  validFrom: string;
  validUntil: string;
  revokeOnExit: boolean;
  note: string | null;
  status: VisitStatus;
  access: Access;
  accessError: string | null;
  firstEntryAt: string | null;
  firstExitAt: string | null;
  entryCount: number;
  exitCount: number;
  inside: boolean;
  lastPassageAt: string | null;
  /** The group event this visit is a registration of. */
  eventId: string | null;
  /** Why the deny list holds this visit for an admin. */
  heldReason: string | null;
  /** When the visit closed or its access was taken away. */
  endedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface CommandRecord {
  id: string;
  seq: number;
  type: string;
  status: string;
  error: { code: string; message: string } | null;
  devices: Array<{ device: string; status: string; error?: string }>;
  createdAt: string;
  sentAt: string | null;
  ackedAt: string | null;
}

export interface NotificationRecord {
  kind: string;
  recipient: string | null;
  status: string;
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
}

export const s = (v: unknown) => (v === null || v === undefined ? null : String(v));

export const toVisit = (r: Row): VisitRecord => ({
  id: String(r.id),
  site: String(r.site_id),
  kind: String(r.kind),
  personCode: String(r.person_code),
  guest: {
    name: String(r.guest_name),
    email: s(r.guest_email),
    phone: s(r.guest_phone),
    documentNumber: s(r.guest_document),
  },
  host: { name: String(r.host_name), email: s(r.host_email), language: String(r.host_language) },
  validFrom: String(r.valid_from),
  validUntil: String(r.valid_until),
  revokeOnExit: Number(r.revoke_on_exit) === 1,
  note: s(r.note),
  status: String(r.status) as VisitStatus,
  access: String(r.access) as Access,
  accessError: s(r.access_error),
  firstEntryAt: s(r.first_entry_at),
  firstExitAt: s(r.first_exit_at),
  entryCount: Number(r.entry_count),
  exitCount: Number(r.exit_count),
  inside: Number(r.inside) === 1,
  lastPassageAt: s(r.last_passage_at),
  eventId: s(r.event_id),
  heldReason: s(r.held_reason),
  endedAt: s(r.ended_at),
  createdAt: String(r.created_at),
  updatedAt: String(r.updated_at),
});
