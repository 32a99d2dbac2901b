import { randomUUID } from "node:crypto";
import {
  type AgentReport,
  type DriftRepair,
  formatInZone,
  GatehouseError,
  parseDeviceTime,
  type ReportTrigger,
} from "@gatehouse/shared";
import type { Logger } from "pino";
import type { AgentStore, ReplicaPerson } from "../adapters/db/agent-store.js";
import type { HikCentralClient } from "../adapters/hikcentral/client.js";
import type { PersonRecord } from "../adapters/hikcentral/schemas.js";
import {
  type DriftContext,
  describeRepair,
  type HeldPerson,
  planRepairs,
  planUnknown,
  type Repair,
  type WantedPerson,
} from "../domain/drift.js";
import type { AgentMetrics } from "../metrics.js";

export interface ReconcilerOptions {
  site: string;
  timeZone: string;
  orgIndexCode: string;
  personCodePrefix: string;
  retentionMs: number;
  onQueued: () => void;
}

const MAX_LISTED = 1000;

/**
 * Compares the replica with what HikCentral really holds (persons under Gatehouse's personCode prefix, their
 * levels and validity) and repairs drift both ways; deletes persons whose access ended longer ago than the
 * retention period; reports every change. The caller holds the lanes: nothing else touches HikCentral meanwhile.
 */
export class Reconciler {
  constructor(
    private readonly hik: HikCentralClient,
    private readonly store: AgentStore,
    private readonly log: Logger,
    private readonly metrics: AgentMetrics,
    private readonly opts: ReconcilerOptions,
  ) {}

  async run(trigger: ReportTrigger, commandId?: string): Promise<AgentReport> {
    const startedAt = new Date();
    const changes: DriftRepair[] = [];
    let truncated = 0;
    const note = (c: DriftRepair) => {
      this.metrics.repairs.inc({ trigger, action: c.action });
      if (changes.length < MAX_LISTED) changes.push(c);
      else truncated += 1;
    };

    const held = await this.heldPersons();
    const managed = new Set(await this.store.replicaGroups());
    const members = await this.groupMembers(managed);
    const ctx: DriftContext = { now: Date.now(), retentionMs: this.opts.retentionMs, managedGroups: managed };
    const view = (r: PersonRecord): HeldPerson => ({
      personId: r.personId,
      begin: this.instant(r.beginTime),
      end: this.instant(r.endTime),
      givenName: r.personGivenName,
      familyName: r.personFamilyName,
      groups: members.get(r.personId) ?? new Set(),
    });

    const touched = new Set<string>();
    const checked: string[] = [];
    let count = 0;
    let after = "";
    for (;;) {
      const page = await this.store.replicaPage(after, 500);
      if (page.length === 0) break;
      after = page[page.length - 1]!.personCode;
      for (const person of page) {
        count += 1;
        const record = held.get(person.personCode);
        held.delete(person.personCode);
        const repairs = planRepairs(wanted(person), record ? view(record) : undefined, ctx);
        if (repairs.length === 0) {
          checked.push(person.personCode);
          continue;
        }
        for (const repair of repairs) {
          try {
            const personId = await this.carryOut(repair, person, record);
            if (personId) touched.add(personId);
            note({ ...describeRepair(repair), personCode: person.personCode, visitId: person.visitId });
          } catch (e) {
            note(failed(e, person.personCode, person.visitId, repair));
            break;
          }
        }
      }
      await this.store.markChecked(checked.splice(0));
    }
    // Gatehouse's persons the replica does not know keep no access; but a replica just restored from a
    // backup does not know the grants made after it until the control plane has sent them again.
    if (trigger === "import" && held.size > 0)
      this.log.info(
        { count: held.size },
        "persons unknown to the imported replica are left to the next reconciliation",
      );
    for (const record of trigger === "import" ? [] : held.values()) {
      count += 1;
      for (const repair of planUnknown(view(record), ctx)) {
        try {
          await this.carryOutUnknown(repair, record);
          if (repair.kind !== "delete") touched.add(record.personId);
          note({
            ...describeRepair(repair),
            personCode: record.personCode,
            detail: `not in the replica: ${describeRepair(repair).detail}`,
          });
        } catch (e) {
          note(failed(e, record.personCode, undefined, repair));
          break;
        }
      }
    }
    const ids = [...touched];
    for (let i = 0; i < ids.length; i += 100) await this.hik.reapply(ids.slice(i, i + 100));

    const report: AgentReport = {
      id: randomUUID(),
      site: this.opts.site,
      trigger,
      ...(commandId ? { commandId } : {}),
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      checked: count,
      changes,
      truncated,
    };
    await this.store.queueReport(report);
    this.opts.onQueued();
    this.metrics.reconcileSeconds.observe((Date.now() - startedAt.getTime()) / 1000);
    this.metrics.lastReconcile.set(Date.now() / 1000);
    this.log.info(
      {
        trigger,
        checked: count,
        changes: changes.length + truncated,
        seconds: (Date.now() - startedAt.getTime()) / 1000,
      },
      "reconciled the replica with HikCentral",
    );
    return report;
  }

  /** Every HikCentral person under Gatehouse's personCode prefix, by personCode. */
  private async heldPersons(): Promise<Map<string, PersonRecord>> {
    const out = new Map<string, PersonRecord>();
    for (let pageNo = 1; ; pageNo++) {
      const page = await this.hik.persons(pageNo, 500);
      for (const p of page.list)
        if (p.personCode.startsWith(this.opts.personCodePrefix)) out.set(p.personCode, p);
      if (page.list.length < 500 || pageNo * 500 >= page.total) break;
    }
    return out;
  }

  /** personId → the managed levels it is in. A level HikCentral no longer has is reported, not fatal. */
  private async groupMembers(groups: Set<string>): Promise<Map<string, Set<string>>> {
    const out = new Map<string, Set<string>>();
    for (const g of groups) {
      try {
        for (let pageNo = 1; ; pageNo++) {
          const page = await this.hik.groupMembers(g, pageNo, 500);
          for (const id of page.list) {
            const set = out.get(id) ?? new Set<string>();
            set.add(g);
            out.set(id, set);
          }
          if (page.list.length < 500 || pageNo * 500 >= page.total) break;
        }
      } catch (e) {
        if (!(e instanceof GatehouseError) || e.retryable) throw e;
        groups.delete(g);
        this.log.warn({ group: g, err: e.message }, "cannot list an access level's members");
      }
    }
    return out;
  }

  private instant(text: string | undefined): number | undefined {
    if (!text) return undefined;
    try {
      return parseDeviceTime(text, this.opts.timeZone).getTime();
    } catch {
      return undefined;
    }
  }

  private zoned(iso: string | number): string {
    return formatInZone(new Date(iso), this.opts.timeZone);
  }

  /** Carries out one repair of a replica person; returns the personId to re-apply, if any. */
  private async carryOut(
    repair: Repair,
    person: ReplicaPerson,
    record: PersonRecord | undefined,
  ): Promise<string | undefined> {
    const d = person.desired;
    const base = { personCode: person.personCode, visitId: person.visitId };
    switch (repair.kind) {
      case "create": {
        const personId = await this.hik.addPerson({
          personCode: person.personCode,
          personGivenName: d.givenName ?? person.personCode,
          personFamilyName: d.familyName?.trim() ? d.familyName : "-",
          orgIndexCode: this.opts.orgIndexCode,
          beginTime: this.zoned(d.validFrom ?? Date.now()),
          endTime: this.zoned(d.validUntil ?? Date.now()),
        });
        for (const g of d.groups ?? []) await this.hik.addToGroup(g, [personId]);
        // json_patch removes a key set to null: the face is HikCentral's no more.
        await this.store.updatePerson(
          { ...base, personId, desired: { faceSha256: null } },
          { checked: true },
        );
        return personId;
      }
      case "update": {
        const id = record!.personId;
        await this.hik.updatePerson(id, {
          ...(repair.fields.includes("window")
            ? {
                beginTime: this.zoned(d.validFrom ?? Date.now()),
                endTime: this.zoned(d.validUntil ?? Date.now()),
              }
            : {}),
          ...(repair.fields.includes("name")
            ? {
                ...(d.givenName ? { personGivenName: d.givenName } : {}),
                ...(d.familyName?.trim() ? { personFamilyName: d.familyName } : {}),
              }
            : {}),
        });
        return id;
      }
      case "add_groups":
        for (const g of repair.groups) await this.hik.addToGroup(g, [record!.personId]);
        return record!.personId;
      case "remove_groups":
        for (const g of repair.groups) await this.hik.removeFromGroup(g, [record!.personId]);
        return record!.personId;
      case "end_validity":
        await this.hik.updatePerson(record!.personId, { endTime: this.zoned(person.endedAt ?? Date.now()) });
        return record!.personId;
      case "expire": {
        if (record) for (const g of d.groups ?? []) await this.hik.removeFromGroup(g, [record.personId]);
        await this.store.updatePerson({
          ...base,
          personId: record?.personId ?? null,
          desired: { state: "expired" },
        });
        return record?.personId;
      }
      case "delete":
        await this.hik.deletePerson(record!.personId);
        await this.store.forgetPerson(person.personCode);
        return undefined;
      case "forget":
        await this.store.forgetPerson(person.personCode);
        return undefined;
    }
  }

  private async carryOutUnknown(repair: Repair, record: PersonRecord): Promise<void> {
    switch (repair.kind) {
      case "remove_groups":
        for (const g of repair.groups) await this.hik.removeFromGroup(g, [record.personId]);
        return;
      case "end_validity":
        await this.hik.updatePerson(record.personId, { endTime: this.zoned(Date.now()) });
        return;
      case "delete":
        await this.hik.deletePerson(record.personId);
        return;
      default:
        throw new Error(`no ${repair.kind} for a person the replica does not know`);
    }
  }
}

function wanted(p: ReplicaPerson): WantedPerson {
  return {
    personCode: p.personCode,
    visitId: p.visitId,
    state: p.desired.state,
    groups: p.desired.groups ?? [],
    validFrom: p.desired.validFrom,
    validUntil: p.desired.validUntil,
    givenName: p.desired.givenName,
    familyName: p.desired.familyName,
    endedAt: p.endedAt,
  };
}

function failed(e: unknown, personCode: string, visitId: string | undefined, repair: Repair): DriftRepair {
  const err = e as Error & { code?: string };
  return {
    action: "failed",
    personCode,
    ...(visitId ? { visitId } : {}),
    detail: `${repair.kind}: ${err.code ? `${err.code}: ` : ""}${err.message}`.slice(0, 500),
  };
}
