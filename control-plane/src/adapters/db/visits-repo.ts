import type { Command } from "@gatehouse/shared";
import type { Database } from "@gatehouse/shared/db";
import type { InStatement, Row } from "@libsql/client";
import type { Access, VisitStatus } from "../../domain/visit.js";

export interface VisitRecord {
  id: string;
  site: string;
  kind: string;
  personCode: string;
  guest: { name: string; email: string | null; phone: string | null };
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

const s = (v: unknown) => (v === null || v === undefined ? null : String(v));

export const toVisit = (r: Row): VisitRecord => ({
  id: String(r.id),
  site: String(r.site_id),
  kind: String(r.kind),
  personCode: String(r.person_code),
  guest: { name: String(r.guest_name), email: s(r.guest_email), phone: s(r.guest_phone) },
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
  createdAt: String(r.created_at),
  updatedAt: String(r.updated_at),
});

export class VisitsRepo {
  constructor(private readonly db: Database) {}

  /**
   * Stores the visit and the command it causes in one atomic write, with the site's next `seq`.
   * `build` receives the allocated seq and returns the envelope to store.
   */
  async createWithCommand(v: VisitRecord, build: (seq: number) => Command): Promise<Command> {
    return this.db.exclusive(async () => {
      const r = await this.db.read("SELECT next_seq FROM sites WHERE id = ?", [v.site]);
      const seq = Number(r.rows[0]!.next_seq);
      const cmd = build(seq);
      const stmts: InStatement[] = [
        { sql: "UPDATE sites SET next_seq = ? WHERE id = ?", args: [seq + 1, v.site] },
        {
          sql: `INSERT INTO visits (id, site_id, kind, person_code, guest_name, guest_email, guest_phone, host_name,
                  host_email, host_language, valid_from, valid_until, revoke_on_exit, note, status, access,
                  created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          args: [
            v.id,
            v.site,
            v.kind,
            v.personCode,
            v.guest.name,
            v.guest.email,
            v.guest.phone,
            v.host.name,
            v.host.email,
            v.host.language,
            v.validFrom,
            v.validUntil,
            v.revokeOnExit ? 1 : 0,
            v.note,
            v.status,
            v.access,
            v.createdAt,
            v.updatedAt,
          ],
        },
        {
          sql: "INSERT INTO commands (id, site_id, seq, type, visit_id, envelope, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
          args: [cmd.id, v.site, seq, cmd.type, v.id, JSON.stringify(cmd), v.createdAt],
        },
      ];
      await this.db.writeNow(stmts);
      return cmd;
    });
  }

  async get(id: string): Promise<VisitRecord | undefined> {
    const r = await this.db.read("SELECT * FROM visits WHERE id = ?", [id]);
    return r.rows[0] ? toVisit(r.rows[0]) : undefined;
  }

  async commands(visitId: string): Promise<CommandRecord[]> {
    const r = await this.db.read("SELECT * FROM commands WHERE visit_id = ? ORDER BY seq", [visitId]);
    return r.rows.map((c) => ({
      id: String(c.id),
      seq: Number(c.seq),
      type: String(c.type),
      status: String(c.status),
      error:
        c.error_code === null ? null : { code: String(c.error_code), message: String(c.error_message ?? "") },
      devices: c.devices ? (JSON.parse(String(c.devices)) as CommandRecord["devices"]) : [],
      createdAt: String(c.created_at),
      sentAt: s(c.sent_at),
      ackedAt: s(c.acked_at),
    }));
  }

  async notifications(visitId: string): Promise<NotificationRecord[]> {
    const r = await this.db.read("SELECT * FROM notifications WHERE visit_id = ? ORDER BY created_at", [
      visitId,
    ]);
    return r.rows.map((n) => ({
      kind: String(n.kind),
      recipient: s(n.recipient),
      status: String(n.status),
      attempts: Number(n.attempts),
      lastError: s(n.last_error),
      sentAt: s(n.sent_at),
    }));
  }
}
