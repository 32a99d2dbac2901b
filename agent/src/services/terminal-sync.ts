import { randomUUID } from "node:crypto";
import type { DriftRepair, ReportTrigger } from "@gatehouse/shared";
import type { Logger } from "pino";
import type { AgentStore } from "../adapters/db/agent-store.js";
import type { TerminalHandle, TerminalsPlace } from "../adapters/isapi/terminals-place.js";
import { displayName, type TerminalState } from "../domain/replica.js";
import type { AgentMetrics } from "../metrics.js";
import type { Lanes } from "./lanes.js";

/**
 * Brings terminals in line with the replica (ISAPI mode): writes what waited while a terminal was away (each
 * person in its lane, so a newer command is never overtaken), and on a sync compares every terminal's persons
 * with the replica both ways. Each run reports what it changed.
 */
export class TerminalSync {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly terminals: readonly TerminalHandle[],
    private readonly place: TerminalsPlace,
    private readonly store: AgentStore,
    private readonly lanes: Lanes,
    private readonly log: Logger,
    private readonly metrics: AgentMetrics,
    private readonly opts: {
      site: string;
      personCodePrefix: string;
      everyMs: number;
      /** Persons whose access ended longer ago than this are deleted from the terminals. */
      retentionMs: number;
      onQueued: () => void;
    },
  ) {}

  start(): void {
    this.timer = setInterval(() => this.poke(), this.opts.everyMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Looks at every terminal's backlog now (a terminal's stream came back). */
  poke(): void {
    this.running ??= this.drainAll()
      .catch((e: Error) => this.log.warn({ err: e.message }, "writing to terminals failed; will try again"))
      .finally(() => {
        this.running = undefined;
      });
  }

  private async drainAll(): Promise<void> {
    const changes: DriftRepair[] = [];
    for (const t of this.terminals) {
      for (;;) {
        const backlog = await this.store.terminals.backlog(t.id, 50);
        if (backlog.length === 0) break;
        let progressed = false;
        for (const item of backlog) {
          const device = await this.lanes.run(`person:${item.personCode}`, async () => {
            // A newer command may have written the terminal meanwhile: take the row as it is now.
            const now = await this.store.terminals.pendingFor(t.id, item.personCode);
            if (!now) return undefined;
            return this.place.applyTo(t, now.personCode, now.state, now.face);
          });
          if (device?.status === "applied") {
            progressed = true;
            changes.push(this.change(t.id, item.personCode, item.state));
          }
        }
        if (!progressed) break;
      }
    }
    await this.report("terminal", changes);
  }

  private change(terminal: string, personCode: string, s: TerminalState): DriftRepair {
    return {
      action: s.state === "granted" ? "regranted" : "revoked",
      personCode,
      detail: `written to terminal ${terminal} after it was away (${s.state}, until ${s.validUntil})`,
    };
  }

  /**
   * For a sync: each terminal's persons under Gatehouse's prefix against the replica — persons missing or
   * different are written, persons the replica does not grant lose their doors.
   */
  async reconcile(
    commandId?: string,
    trigger: ReportTrigger = "sync",
  ): Promise<{ changes: number; failed: number }> {
    const changes: DriftRepair[] = [];
    let failed = 0;
    const now = Date.now();
    // Replica rows past retention; forgotten once every terminal is done with them.
    const expired = new Set<string>();
    const keep = new Set<string>();
    let anyTerminalFailed = false;
    for (const t of this.terminals) {
      let held: Awaited<ReturnType<typeof t.gateway.findPersons>>;
      try {
        held = await t.gateway.findPersons();
      } catch (e) {
        failed += 1;
        anyTerminalFailed = true;
        changes.push({
          action: "failed",
          personCode: "-",
          detail: `terminal ${t.id}: ${(e as Error).message}`.slice(0, 500),
        });
        continue;
      }
      const onTerminal = new Map(
        held.filter((p) => p.employeeNo.startsWith(this.opts.personCodePrefix)).map((p) => [p.employeeNo, p]),
      );
      const groups = new Set(t.accessGroups.map((g) => g.toLowerCase()));
      for await (const person of this.store.replica.all()) {
        const serves = (person.desired.groups ?? []).some((g) => groups.has(g.toLowerCase()));
        if (!serves) continue;
        const heldHere = onTerminal.get(person.personCode);
        onTerminal.delete(person.personCode);
        const d = person.desired;
        const endedAt = Date.parse(person.endedAt ?? "");
        if (d.state !== "granted" && endedAt && now - endedAt > this.opts.retentionMs) {
          // Past the retention period: gone from the terminal (with its face), then from the replica.
          if (heldHere) {
            try {
              await t.gateway.deletePersons([person.personCode]);
              changes.push({
                action: "deleted",
                personCode: person.personCode,
                visitId: person.visitId,
                detail: `deleted from terminal ${t.id} after the retention period`,
              });
            } catch (e) {
              failed += 1;
              keep.add(person.personCode);
              changes.push({
                action: "failed",
                personCode: person.personCode,
                detail: `terminal ${t.id}: ${(e as Error).message}`.slice(0, 500),
              });
            }
          }
          expired.add(person.personCode);
          continue;
        }
        const granted = d.state === "granted" && Date.parse(d.validUntil ?? "") > now;
        const state: TerminalState = {
          state: granted ? "granted" : "revoked",
          name: displayName(d, person.personCode),
          validFrom: d.validFrom ?? new Date(now).toISOString(),
          validUntil: granted
            ? d.validUntil!
            : new Date(Math.min(now, Date.parse(d.validUntil ?? "") || now)).toISOString(),
        };
        const inLine = granted
          ? heldHere !== undefined &&
            t.doors.every((n) => heldHere.doors.includes(n)) &&
            Math.abs((heldHere.validUntil?.getTime() ?? 0) - Date.parse(state.validUntil)) < 1000
          : heldHere === undefined || heldHere.doors.length === 0;
        if (inLine) continue;
        // A sync runs alone (the inbox holds every lane), so no lane is taken here.
        const r = await this.place.applyTo(t, person.personCode, state);
        if (r.status === "applied")
          changes.push({
            action: granted ? (heldHere ? "updated" : "created") : "revoked",
            personCode: person.personCode,
            visitId: person.visitId,
            detail: `terminal ${t.id} held it differently; written again`,
          });
        else {
          failed += 1;
          changes.push({
            action: "failed",
            personCode: person.personCode,
            detail: `terminal ${t.id}: ${r.error ?? r.status}`.slice(0, 500),
          });
        }
      }
      // Gatehouse's persons on the terminal that the replica does not grant here keep no doors.
      for (const p of onTerminal.values()) {
        if (p.validUntil && now - p.validUntil.getTime() > this.opts.retentionMs) {
          try {
            await t.gateway.deletePersons([p.employeeNo]);
            changes.push({
              action: "deleted",
              personCode: p.employeeNo,
              detail: `not in the replica; deleted from terminal ${t.id} after the retention period`,
            });
          } catch {
            failed += 1;
          }
          continue;
        }
        if (p.doors.length === 0) continue;
        const state: TerminalState = {
          state: "revoked",
          name: p.name,
          validFrom: (p.validFrom ?? new Date(now)).toISOString(),
          validUntil: new Date(now).toISOString(),
        };
        const r = await this.place.applyTo(t, p.employeeNo, state);
        if (r.status === "applied")
          changes.push({
            action: "removed_from_group",
            personCode: p.employeeNo,
            detail: `not granted at terminal ${t.id}; its doors taken away`,
          });
        else failed += 1;
      }
    }
    if (!anyTerminalFailed)
      for (const code of expired) if (!keep.has(code)) await this.store.replica.forget(code);
    await this.report(trigger, changes, commandId, true);
    return { changes: changes.length, failed };
  }

  private async report(
    trigger: ReportTrigger,
    changes: DriftRepair[],
    commandId?: string,
    always = false,
  ): Promise<void> {
    if (changes.length === 0 && !always) return;
    for (const c of changes) this.metrics.repairs.inc({ trigger, action: c.action });
    const at = new Date().toISOString();
    await this.store.outbox.queueReport({
      id: randomUUID(),
      site: this.opts.site,
      trigger,
      ...(commandId ? { commandId } : {}),
      startedAt: at,
      finishedAt: at,
      checked: changes.length,
      changes: changes.slice(0, 1000),
      truncated: Math.max(0, changes.length - 1000),
    });
    this.opts.onQueued();
  }
}
