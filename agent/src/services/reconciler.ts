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
import type { AgentStore } from "../adapters/db/agent-store.js";
import type { HikCentralClient } from "../adapters/hikcentral/client.js";
import {
  type DriftContext,
  describeRepair,
  type HeldPerson,
  planRepairs,
  planUnknown,
  type Repair,
  type WantedPerson,
} from "../domain/drift.js";
import type { ReplicaPerson } from "../domain/replica.js";
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

/** A HikCentral person as reconciliation keeps it: only what it compares. */
type HeldRecord = Omit<HeldPerson, "groups"> & { personCode: string };

/**
 * A level member's personId as a set keeps it: HikCentral's ids are decimal numbers in strings, kept as numbers
 * (a small integer is stored in the set itself; a string is an object of its own, 100,000 of them for a
 * level of a big site); an id that is not such a number stays a string.
 */
const memberKey = (personId: string): number | string => {
  const n = Number(personId);
  return Number.isSafeInteger(n) && String(n) === personId ? n : personId;
};

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

    const managed = new Set(await this.store.replica.groups());
    const members = await this.groupMembers(managed);
    const ctx: DriftContext = { now: Date.now(), retentionMs: this.opts.retentionMs, managedGroups: managed };
    const view = (r: HeldRecord): HeldPerson => ({
      ...r,
      groups: new Set([...managed].filter((g) => members.get(g)?.has(memberKey(r.personId)))),
    });

    // HikCentral's persons a page at a time, each compared with its replica row; the replica rows seen are
    // marked with this run in the database, not kept in memory (a site holds 100,000 persons on a gateway
    // box). Repairs wait until the listing is done, so that no page shifts under it.
    type Work =
      | { person: ReplicaPerson; record: HeldRecord | undefined; repairs: Repair[] }
      | { person: undefined; record: HeldRecord; repairs: Repair[] };
    const work: Work[] = [];
    const run = randomUUID();
    let count = 0;
    await this.eachHeldPage(async (records) => {
      const replica = await this.store.replica.getMany(records.map((r) => r.personCode));
      const checked: string[] = [];
      for (const record of records) {
        count += 1;
        const person = replica.get(record.personCode);
        // A replica just restored from a backup does not know the grants made after it until the control
        // plane has sent them again: persons it does not know are left to the next reconciliation.
        if (!person && trigger === "import") continue;
        const repairs = person
          ? planRepairs(wanted(person), view(record), ctx)
          : planUnknown(view(record), ctx);
        if (repairs.length > 0) work.push({ person, record, repairs });
        else if (person) checked.push(person.personCode);
      }
      await this.store.replica.markSeen(
        run,
        records.filter((r) => replica.has(r.personCode)).map((r) => r.personCode),
        checked,
      );
    });
    // Replica persons HikCentral does not hold at all.
    for await (const person of this.store.replica.unseen(run)) {
      count += 1;
      const repairs = planRepairs(wanted(person), undefined, ctx);
      if (repairs.length > 0) work.push({ person, record: undefined, repairs });
    }

    const touched = new Set<string>();
    for (const w of work) {
      const { person } = w;
      const personCode = person ? person.personCode : w.record.personCode;
      for (const repair of w.repairs) {
        try {
          const personId = person
            ? await this.carryOut(repair, person, w.record)
            : await this.carryOutUnknown(repair, w.record);
          if (personId) touched.add(personId);
          const said = describeRepair(repair);
          note({
            ...said,
            personCode,
            ...(person ? { visitId: person.visitId } : { detail: `not in the replica: ${said.detail}` }),
          });
        } catch (e) {
          note(failed(e, personCode, person?.visitId, repair));
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
    await this.store.outbox.queueReport(report);
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

  /** HikCentral's persons under Gatehouse's personCode prefix, a page at a time, reduced to what is compared. */
  private async eachHeldPage(fn: (records: HeldRecord[]) => Promise<void>): Promise<void> {
    for (let pageNo = 1; ; pageNo++) {
      const page = await this.hik.persons(pageNo, 500);
      const records: HeldRecord[] = [];
      for (const p of page.list) {
        if (!p.personCode.startsWith(this.opts.personCodePrefix)) continue;
        records.push({
          personId: p.personId,
          personCode: p.personCode,
          begin: this.instant(p.beginTime),
          end: this.instant(p.endTime),
          givenName: p.personGivenName,
          familyName: p.personFamilyName,
        });
      }
      await fn(records);
      if (page.list.length < 500 || pageNo * 500 >= page.total) break;
    }
  }

  /** Each managed level's members (personIds). A level HikCentral no longer has is logged and left out. */
  private async groupMembers(groups: Set<string>): Promise<Map<string, Set<number | string>>> {
    const out = new Map<string, Set<number | string>>();
    for (const g of groups) {
      try {
        const set = new Set<number | string>();
        for (let pageNo = 1; ; pageNo++) {
          const page = await this.hik.groupMembers(g, pageNo, 500);
          for (const id of page.list) set.add(memberKey(id));
          if (page.list.length < 500 || pageNo * 500 >= page.total) break;
        }
        out.set(g, set);
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
    record: HeldRecord | undefined,
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
        await this.store.replica.update(
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
        await this.store.replica.update({
          ...base,
          personId: record?.personId ?? null,
          desired: { state: "expired" },
        });
        return record?.personId;
      }
      case "delete":
        await this.hik.deletePerson(record!.personId);
        await this.store.replica.forget(person.personCode);
        return undefined;
      case "forget":
        await this.store.replica.forget(person.personCode);
        return undefined;
    }
  }

  private async carryOutUnknown(repair: Repair, record: HeldRecord): Promise<string | undefined> {
    switch (repair.kind) {
      case "remove_groups":
        for (const g of repair.groups) await this.hik.removeFromGroup(g, [record.personId]);
        return record.personId;
      case "end_validity":
        await this.hik.updatePerson(record.personId, { endTime: this.zoned(Date.now()) });
        return record.personId;
      case "delete":
        await this.hik.deletePerson(record.personId);
        return undefined;
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
