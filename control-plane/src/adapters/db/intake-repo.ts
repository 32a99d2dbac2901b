import { randomUUID } from "node:crypto";
import type { Ack, AgentReport, Command, Incident, Passage, TerminalAlarm } from "@gatehouse/shared";
import type { Database } from "@gatehouse/shared/db";
import type { InStatement } from "@libsql/client";
import type { AckPlan } from "../../domain/ack-plan.js";
import { revokeCommand } from "../../domain/commands.js";
import type { OpeningHours } from "../../domain/incidents.js";
import type { PassagePlan, SiteForPassage } from "../../domain/passage-plan.js";
import type { Access, CommandStatus } from "../../domain/visit.js";
import { auditStatement, SYSTEM } from "./audit.js";
import { commandStatements } from "./command-statements.js";
import { incidentStatements } from "./incident-statements.js";
import { toVisit, type VisitRecord } from "./visit-record.js";

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
  | {
      kind: "duplicate";
      /** Stored before, but its consumer copy never reached the broker: the visit to publish it with. */
      copyPending?: { visit: VisitRecord | null };
    }
  | {
      kind: "stored";
      /** The visit after the passage, and before it; null for a passage of no visit. */
      visit: VisitRecord | null;
      before: VisitRecord | null;
      plan: PassagePlan<VisitRecord>;
      /** The revoke the passage caused, stored already, to send. */
      command: Command | null;
    };

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
   * A turnstile alarm's incident (and its email to the site's security contact), once per alarm id. Returns
   * false for a repeat.
   */
  async recordAlarm(a: TerminalAlarm, incident: Incident): Promise<boolean> {
    return this.db.exclusive(async () => {
      const dedupKey = `alarm:${a.id}`;
      const known = await this.db.read("SELECT 1 FROM incidents WHERE dedup_key = ?", [dedupKey]);
      if (known.rows.length > 0) return false;
      const site = await this.db.read(
        "SELECT name, security_email, time_zone, language FROM sites WHERE id = ?",
        [a.site],
      );
      const row = site.rows[0];
      await this.db.writeNow(
        incidentStatements(incident, dedupKey, {
          securityEmail: row?.security_email ? String(row.security_email) : null,
          siteName: String(row?.name ?? a.site),
          timeZone: String(row?.time_zone ?? "UTC"),
          language: String(row?.language ?? "en"),
        }),
      );
      return true;
    });
  }

  /**
   * An agent's answer to a command: `plan` decides from the command and its visit as stored, under the write
   * lock; this writes what it decided in one batch.
   */
  async recordAck(
    ack: Ack,
    plan: (command: { type: string; status: CommandStatus }, visitAccess: Access | null) => AckPlan,
    now: Date,
  ): Promise<AckOutcome> {
    return this.db.exclusive(async () => {
      const row = await this.db.readRow(
        "SELECT type, status, visit_id, created_at FROM commands WHERE id = ? AND site_id = ?",
        [ack.commandId, ack.site],
      );
      if (!row) return { kind: "unknown_command" };
      const command = { type: String(row.type), status: String(row.status) as CommandStatus };
      const visitId = row.visit_id === null ? null : String(row.visit_id);
      const v = visitId ? await this.db.readRow("SELECT * FROM visits WHERE id = ?", [visitId]) : undefined;
      const before = v ? toVisit(v) : null;
      const decided = plan(command, before?.access ?? null);
      if (!decided.command) return { kind: "unchanged", status: command.status };
      const stamp = now.toISOString();
      const c = decided.command;
      const stmts: InStatement[] = [
        {
          sql: `UPDATE commands SET status = ?, error_code = ?, error_message = ?, acked_at = ?,
                devices = coalesce(?, devices) WHERE id = ?`,
          args: [
            c.status,
            c.error?.code ?? null,
            c.error?.message ?? null,
            stamp,
            c.devices ? JSON.stringify(c.devices) : null,
            ack.commandId,
          ],
        },
      ];
      if (c.dropPhoto)
        stmts.push({
          sql: "UPDATE commands SET envelope = json_remove(envelope, '$.payload.face') WHERE id = ?",
          args: [ack.commandId],
        });
      let visit: { before: VisitRecord; after: VisitRecord } | null = null;
      if (before && decided.access) {
        visit = { before, after: { ...before, ...decided.access, updatedAt: stamp } };
        stmts.push({
          sql: "UPDATE visits SET access = ?, access_error = ?, updated_at = ? WHERE id = ?",
          args: [decided.access.access, decided.access.accessError, stamp, before.id],
        });
      }
      await this.db.writeNow(stmts);
      return {
        kind: "updated",
        status: c.status,
        visitId,
        commandType: command.type,
        createdAt: String(row.created_at),
        visit,
      };
    });
  }

  /** A passage taken in again: whether its consumer copy is still owed, with the visit it belongs to. */
  private async repeated(id: string): Promise<PassageOutcome> {
    const row = await this.db.readRow(
      `SELECT v.* FROM passages p LEFT JOIN visits v ON v.id = p.visit_id
        WHERE p.id = ? AND p.consumer_copy_pending = 1`,
      [id],
    );
    if (!row) return { kind: "duplicate" };
    return { kind: "duplicate", copyPending: { visit: row.id === null ? null : toVisit(row) } };
  }

  /** The consumer copies of these passages are with the broker. */
  async consumerCopiesSent(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.write([
      {
        sql: `UPDATE passages SET consumer_copy_pending = 0 WHERE id IN (${ids.map(() => "?").join(",")})`,
        args: ids,
      },
    ]);
  }

  /**
   * A passage, once: the insert finds its visit and says whether it is new (a repeat changes nothing). For a
   * passage of a visit, `plan` decides from the visit and its site as stored, under the write lock, and this
   * writes what it decided — counts, incidents, host emails, a revoke at first exit — in the same batch.
   */
  async recordPassage(
    p: Passage,
    plan: (visit: VisitRecord | null, site: SiteForPassage | null) => PassagePlan<VisitRecord>,
    now: Date,
  ): Promise<PassageOutcome> {
    return this.db.exclusive(async () => {
      const stamp = now.toISOString();
      // One statement for the common case (a passage of staff, or a repeat).
      const [inserted] = await this.db.writeNow([
        {
          sql: `INSERT INTO passages (id, site_id, visit_id, person_code, door_id, door_name, direction, result, reason_code,
                  event_type, occurred_at, occurred_utc, received_at, stored_at, body, consumer_copy_pending)
                VALUES (?1, ?2,
                  coalesce((SELECT id FROM visits WHERE id = ?3 AND site_id = ?2),
                           (SELECT id FROM visits WHERE person_code = ?4 AND site_id = ?2)),
                  ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, 1)
                ON CONFLICT (id) DO NOTHING
                RETURNING visit_id`,
          oneRow: true,
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
            stamp,
            JSON.stringify(p),
          ],
        },
      ]);
      if (!inserted || inserted.rows.length === 0) return this.repeated(p.id);
      const visitId = inserted.rows[0]!.visit_id;
      if (visitId === null || visitId === undefined) {
        const decided = plan(null, null);
        return { kind: "stored", visit: null, before: null, plan: decided, command: null };
      }
      const [v, s] = await Promise.all([
        this.db.readRow("SELECT * FROM visits WHERE id = ?", [String(visitId)]),
        this.db.readRow(
          `SELECT name, fallback_email, kinds, security_email, time_zone, opening_hours, max_stay_minutes, language
             FROM sites WHERE id = ?`,
          [p.site],
        ),
      ]);
      const before = v ? toVisit(v) : null;
      const site = s ? toSiteForPassage(s) : null;
      const decided = plan(before, site);
      const after = decided.visit;
      if (!before || !after) return { kind: "stored", visit: null, before, plan: decided, command: null };
      const stmts: InStatement[] = [
        {
          sql: `UPDATE visits SET first_entry_at = ?, first_exit_at = ?, entry_count = ?, exit_count = ?, inside = ?,
                  last_passage_at = ?, status = ?, ended_at = ?, updated_at = ? WHERE id = ?`,
          args: [
            after.firstEntryAt,
            after.firstExitAt,
            after.entryCount,
            after.exitCount,
            after.inside ? 1 : 0,
            after.lastPassageAt,
            after.status,
            after.endedAt,
            stamp,
            after.id,
          ],
        },
      ];
      for (const incident of decided.incidents)
        stmts.push(
          ...incidentStatements(incident, `${incident.type}:${p.id}`, {
            securityEmail: site?.securityEmail ?? null,
            siteName: site?.name ?? p.site,
            timeZone: site?.timeZone ?? "UTC",
            language: site?.language ?? "en",
          }),
        );
      // The unique (visit, kind) key makes "first entry" a fact that can be recorded only once.
      for (const n of decided.notifications)
        stmts.push({
          sql: `INSERT INTO notifications (id, visit_id, kind, recipient, passage_id, status, next_attempt_at, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (visit_id, kind) DO NOTHING`,
          args: [
            randomUUID(),
            after.id,
            n.kind,
            n.recipient,
            p.id,
            n.recipient ? "pending" : "no_recipient",
            stamp,
            stamp,
          ],
        });
      let command: Command | null = null;
      if (decided.revoke) {
        // In this same batch: a crash cannot keep the passage and lose the revoke.
        const revoke = decided.revoke;
        const built = await commandStatements(this.db, p.site, (seq) =>
          revokeCommand({
            id: randomUUID(),
            seq,
            site: p.site,
            visitId: after.id,
            personCode: after.personCode,
            accessGroups: revoke.accessGroups,
            reason: "first_exit",
            now,
          }),
        );
        command = built.command;
        stmts.push(
          auditStatement({
            actor: SYSTEM.agent,
            action: "visit.checkout",
            entity: "visit",
            entityId: after.id,
            site: after.site,
            before: { status: revoke.statusBefore, reason: "first exit of a revokeOnExit visit" },
            after: { status: after.status, passageId: p.id },
            at: stamp,
          }),
          ...built.stmts,
        );
      }
      await this.db.writeNow(stmts);
      return { kind: "stored", visit: after, before, plan: decided, command };
    });
  }
}

const toSiteForPassage = (r: Record<string, unknown>): SiteForPassage => ({
  name: String(r.name),
  timeZone: String(r.time_zone ?? "UTC"),
  openingHours: r.opening_hours ? (JSON.parse(String(r.opening_hours)) as OpeningHours) : null,
  maxStayMinutes: Number(r.max_stay_minutes ?? 480),
  fallbackEmail: r.fallback_email ? String(r.fallback_email) : null,
  securityEmail: r.security_email ? String(r.security_email) : null,
  language: r.language === "ru" ? "ru" : "en",
  kinds: JSON.parse(String(r.kinds ?? "{}")) as SiteForPassage["kinds"],
});
