import { randomUUID } from "node:crypto";
import type { Ack, AgentReport, Command, Incident, Passage, TerminalAlarm } from "@gatehouse/shared";
import type { Database } from "@gatehouse/shared/db";
import type { InStatement } from "@libsql/client";
import { revokeCommand } from "../../domain/commands.js";
import { incidentsForPassage, type OpeningHours } from "../../domain/incidents.js";
import { transition } from "../../domain/lifecycle.js";
import { accessAfterAck, applyPassage, type CommandStatus, nextCommandStatus } from "../../domain/visit.js";
import { kindOf } from "../../domain/visit-rules.js";
import { auditStatement, SYSTEM } from "./audit.js";
import { commandStatements } from "./command-statements.js";
import { incidentStatements } from "./incident-statements.js";
import { toVisit, type VisitRecord } from "./visits-repo.js";

export type AckOutcome =
  | { kind: "unknown_command" }
  | { kind: "unchanged"; status: CommandStatus }
  | {
      kind: "updated";
      status: CommandStatus;
      visitId: string | null;
      commandType: string;
      /** Queued → applied (or failed), for the latency histogram. */
      createdAt: string;
      /** The visit before and after, when the ack changed its access. */
      visit: { before: VisitRecord; after: VisitRecord } | null;
    };

export type PassageOutcome =
  | { kind: "duplicate" }
  | {
      kind: "stored";
      visit: VisitRecord | null;
      before: VisitRecord | null;
      notify: string[];
      command: Command | null;
      incidents: Incident[];
    };

const ALARM_TEXT: Record<TerminalAlarm["alarm"], string> = {
  tailgating: "Tailgating: someone followed a guest through",
  reverse_passage: "Someone went through the turnstile the wrong way",
  forced_passage: "The turnstile was forced",
  climbing_over: "Someone climbed over the turnstile",
  passing_timeout: "A passage through the turnstile took too long",
  intrusion: "Intrusion at the turnstile",
  free_passage_not_authenticated: "Someone passed without authenticating",
  barrier_blocked: "The turnstile's barrier is blocked",
  barrier_block_cleared: "The turnstile's barrier is free again",
};

function alarmSeverity(a: TerminalAlarm["alarm"]): Incident["severity"] {
  return [
    "tailgating",
    "reverse_passage",
    "forced_passage",
    "climbing_over",
    "intrusion",
    "free_passage_not_authenticated",
  ].includes(a)
    ? "critical"
    : "warning";
}

/** Commits what agents report. Each method is one read-then-write unit under the write lock. */
export class IntakeRepo {
  constructor(private readonly db: Database) {}

  /**
   * An agent's report of what it changed on its own, kept in the audit log under the report's id: a report
   * delivered twice is one row. Returns false for a duplicate.
   */
  async recordReport(report: AgentReport): Promise<boolean> {
    const known = await this.db.read("SELECT 1 FROM audit WHERE id = ?", [report.id]);
    if (known.rows.length > 0) return false;
    await this.db.write([
      auditStatement({
        id: report.id,
        actor: SYSTEM.agent,
        action: report.trigger === "expiry" ? "agent.expired" : "agent.reconciled",
        entity: "site",
        entityId: report.site,
        site: report.site,
        after: report,
        at: report.finishedAt,
      }),
    ]);
    return true;
  }

  /**
   * A turnstile alarm becomes a security incident (and its email to the site's security contact), once per
   * alarm id. Returns the incident, or null for a repeat.
   */
  async recordAlarm(a: TerminalAlarm): Promise<Incident | null> {
    return this.db.exclusive(async () => {
      const dedupKey = `alarm:${a.id}`;
      const known = await this.db.read("SELECT 1 FROM incidents WHERE dedup_key = ?", [dedupKey]);
      if (known.rows.length > 0) return null;
      const site = await this.db.read("SELECT name, security_email, time_zone FROM sites WHERE id = ?", [
        a.site,
      ]);
      const row = site.rows[0];
      const doorName = a.door.name ?? `${a.terminal} door ${a.door.id.split(":").pop()}`;
      const incident: Incident = {
        id: randomUUID(),
        site: a.site,
        type: "turnstile_alarm",
        severity: alarmSeverity(a.alarm),
        visitId: null,
        passageId: null,
        guestName: null,
        doorName,
        occurredAt: a.occurredAt,
        detectedAt: new Date().toISOString(),
        message: `${ALARM_TEXT[a.alarm]} at ${doorName}`,
      };
      const securityEmail = row?.security_email ?? null;
      await this.db.writeNow(
        incidentStatements(incident, dedupKey, {
          securityEmail: securityEmail === null ? null : String(securityEmail),
          siteName: String(row?.name ?? a.site),
          timeZone: String(row?.time_zone ?? "UTC"),
        }),
      );
      return incident;
    });
  }

  async recordAck(ack: Ack): Promise<AckOutcome> {
    return this.db.exclusive(async () => {
      const r = await this.db.read(
        "SELECT type, status, visit_id, created_at FROM commands WHERE id = ? AND site_id = ?",
        [ack.commandId, ack.site],
      );
      const row = r.rows[0];
      if (!row) return { kind: "unknown_command" };
      const current = String(row.status) as CommandStatus;
      const next = nextCommandStatus(current, ack.status);
      if (next === current) return { kind: "unchanged", status: current };
      const type = String(row.type);
      const visitId = row.visit_id === null ? null : String(row.visit_id);
      const now = new Date().toISOString();
      const stmts: InStatement[] = [
        {
          sql: `UPDATE commands SET status = ?, error_code = ?, error_message = ?, acked_at = ?,
                devices = coalesce(?, devices) WHERE id = ?`,
          args: [
            next,
            ack.reason?.code ?? null,
            ack.reason?.message ?? null,
            now,
            ack.devices ? JSON.stringify(ack.devices) : null,
            ack.commandId,
          ],
        },
      ];
      if (type === "grant" && next !== "received") {
        // The photo went to HikCentral; the control plane keeps no copy once the grant is final.
        stmts.push({
          sql: "UPDATE commands SET envelope = json_remove(envelope, '$.payload.face') WHERE id = ?",
          args: [ack.commandId],
        });
      }
      let visit: { before: VisitRecord; after: VisitRecord } | null = null;
      if (visitId) {
        const v = await this.db.read("SELECT * FROM visits WHERE id = ?", [visitId]);
        const before = v.rows[0] ? toVisit(v.rows[0]) : null;
        const access = before?.access ?? "pending";
        const after = accessAfterAck(access, type, next);
        if (before && after !== access) {
          visit = {
            before,
            after: {
              ...before,
              access: after,
              accessError:
                after === "failed" ? `${ack.reason?.code ?? next}: ${ack.reason?.message ?? ""}` : null,
              updatedAt: now,
            },
          };
          stmts.push({
            sql: "UPDATE visits SET access = ?, access_error = ?, updated_at = ? WHERE id = ?",
            args: [
              after,
              after === "failed" ? `${ack.reason?.code ?? next}: ${ack.reason?.message ?? ""}` : null,
              now,
              visitId,
            ],
          });
        }
      }
      await this.db.writeNow(stmts);
      return {
        kind: "updated",
        status: next,
        visitId,
        commandType: type,
        createdAt: String(row.created_at),
        visit,
      };
    });
  }

  async recordPassage(p: Passage): Promise<PassageOutcome> {
    return this.db.exclusive(async () => {
      const now = new Date().toISOString();
      // One statement for the common case (a passage of staff, or a repeat): the insert finds the visit and
      // says whether the passage is new. Duplicates change nothing.
      const [inserted] = await this.db.writeNow([
        {
          sql: `INSERT INTO passages (id, site_id, visit_id, person_code, door_id, door_name, direction, result, reason_code,
                  event_type, occurred_at, occurred_utc, received_at, stored_at, body)
                VALUES (?1, ?2,
                  coalesce((SELECT id FROM visits WHERE id = ?3 AND site_id = ?2),
                           (SELECT id FROM visits WHERE person_code = ?4 AND site_id = ?2)),
                  ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
                ON CONFLICT (id) DO NOTHING
                RETURNING visit_id`,
          args: [
            p.id,
            p.site,
            p.visitId ?? null,
            p.personCode ?? null,
            p.door.id,
            p.door.name ?? null,
            p.direction,
            p.result,
            p.reasonCode ?? null,
            p.eventType,
            p.occurredAt,
            new Date(p.occurredAt).toISOString(),
            p.receivedAt,
            now,
            JSON.stringify(p),
          ],
        },
      ]);
      if (!inserted || inserted.rows.length === 0) return { kind: "duplicate" };
      const visitId = inserted.rows[0]!.visit_id;
      let visit: VisitRecord | null = null;
      if (visitId !== null && visitId !== undefined) {
        const r = await this.db.read("SELECT * FROM visits WHERE id = ?", [String(visitId)]);
        if (r.rows[0]) visit = toVisit(r.rows[0]);
      }
      const stmts: InStatement[] = [];
      let notify: string[] = [];
      let command: Command | null = null;
      const incidents: Incident[] = [];
      const before = visit ? { ...visit } : null;
      if (visit) {
        // Visit fields hold UTC instants; the passage keeps the site's offset as the agent saw it.
        const effect = applyPassage(visit, { ...p, occurredAt: new Date(p.occurredAt).toISOString() });
        notify = effect.notify;
        const c = effect.counts;
        stmts.push({
          sql: `UPDATE visits SET first_entry_at = ?, first_exit_at = ?, entry_count = ?, exit_count = ?, inside = ?,
                  last_passage_at = ?,
                  updated_at = ? WHERE id = ?`,
          args: [
            c.firstEntryAt,
            c.firstExitAt,
            c.entryCount,
            c.exitCount,
            c.inside ? 1 : 0,
            c.lastPassageAt,
            now,
            visit.id,
          ],
        });
        const site = await this.db.read(
          `SELECT name, fallback_email, kinds, security_email, time_zone, opening_hours, max_stay_minutes
             FROM sites WHERE id = ?`,
          [p.site],
        );
        const siteRow = site.rows[0];
        const occurredUtc = new Date(p.occurredAt).toISOString();
        const findings = incidentsForPassage(
          {
            direction: p.direction,
            result: p.result,
            occurredAt: occurredUtc,
            doorName: p.door.name ?? `door ${p.door.id}`,
            reasonCode: p.reasonCode,
          },
          { ...visit, guestName: visit.guest.name },
          {
            timeZone: String(siteRow?.time_zone ?? "UTC"),
            openingHours: siteRow?.opening_hours
              ? (JSON.parse(String(siteRow.opening_hours)) as OpeningHours)
              : null,
            maxStayMinutes: Number(siteRow?.max_stay_minutes ?? 480),
          },
        );
        for (const f of findings) {
          const incident: Incident = {
            id: randomUUID(),
            site: p.site,
            type: f.type,
            severity: f.severity,
            visitId: visit.id,
            passageId: p.id,
            guestName: visit.guest.name,
            doorName: p.door.name ?? `door ${p.door.id}`,
            occurredAt: occurredUtc,
            detectedAt: now,
            message: f.message,
          };
          incidents.push(incident);
          stmts.push(
            ...incidentStatements(incident, `${f.type}:${p.id}`, {
              securityEmail: siteRow?.security_email ? String(siteRow.security_email) : null,
              siteName: String(siteRow?.name ?? p.site),
              timeZone: String(siteRow?.time_zone ?? "UTC"),
            }),
          );
        }
        const recipient = visit.host.email ?? (site.rows[0]?.fallback_email as string | null) ?? null;
        for (const kind of notify) {
          // The unique (visit, kind) key makes "first entry" a fact that can be recorded only once.
          stmts.push({
            sql: `INSERT INTO notifications (id, visit_id, kind, recipient, passage_id, status, next_attempt_at, created_at)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (visit_id, kind) DO NOTHING`,
            args: [
              randomUUID(),
              visit.id,
              kind,
              recipient,
              p.id,
              recipient ? "pending" : "no_recipient",
              now,
              now,
            ],
          });
        }
        Object.assign(visit, c);
        // A revokeOnExit visit ends at its first exit, in this same transaction: a crash cannot keep the
        // passage and lose the revoke.
        if (notify.includes("first_exit") && visit.revokeOnExit) {
          const t = transition(visit, "checkout", new Date());
          if (t.ok) {
            const kinds = JSON.parse(String(site.rows[0]?.kinds ?? "{}")) as Record<
              string,
              { accessGroups: string[] }
            >;
            const v = visit;
            const { command: revoke, stmts: commandStmts } = await commandStatements(this.db, p.site, (seq) =>
              revokeCommand({
                id: randomUUID(),
                seq,
                site: p.site,
                visitId: v.id,
                personCode: v.personCode,
                accessGroups: kindOf(kinds, v.kind)?.accessGroups ?? [],
                reason: "first_exit",
                now: new Date(),
              }),
            );
            stmts.push(
              {
                sql: "UPDATE visits SET status = ?, ended_at = coalesce(ended_at, ?) WHERE id = ?",
                args: [t.status, now, v.id],
              },
              auditStatement({
                actor: SYSTEM.agent,
                action: "visit.checkout",
                entity: "visit",
                entityId: v.id,
                site: v.site,
                before: { status: before?.status, reason: "first exit of a revokeOnExit visit" },
                after: { status: t.status, passageId: p.id },
                at: now,
              }),
              ...commandStmts,
            );
            visit.status = t.status;
            visit.endedAt ??= now;
            command = revoke;
          }
        }
      }
      if (visit) visit.updatedAt = now;
      await this.db.writeNow(stmts);
      return { kind: "stored", visit, before, notify, command, incidents };
    });
  }
}
