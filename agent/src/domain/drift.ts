import type { DriftRepair } from "@gatehouse/shared";

/** What the replica wants for one person (the parts reconciliation compares). */
export interface WantedPerson {
  personCode: string;
  visitId: string;
  state: "granted" | "revoked" | "expired" | undefined;
  groups: readonly string[];
  validFrom?: string | undefined;
  validUntil?: string | undefined;
  givenName?: string | undefined;
  familyName?: string | undefined;
  /** When access ended (revoked or expired), for the retention period. */
  endedAt: string | null;
}

/** What HikCentral holds for one person; times already parsed to instants. */
export interface HeldPerson {
  personId: string;
  begin: number | undefined;
  end: number | undefined;
  givenName?: string | undefined;
  familyName?: string | undefined;
  /** Its levels among those Gatehouse manages. */
  groups: ReadonlySet<string>;
}

export interface DriftContext {
  now: number;
  retentionMs: number;
  /** Every access level Gatehouse grants at this site (the replica's). */
  managedGroups: ReadonlySet<string>;
}

export type Repair =
  | { kind: "create" }
  | { kind: "update"; fields: ("window" | "name")[] }
  | { kind: "add_groups"; groups: string[] }
  | { kind: "remove_groups"; groups: string[] }
  | { kind: "end_validity" }
  | { kind: "expire" }
  | { kind: "delete" }
  | { kind: "forget" };

/** HikCentral keeps seconds; a window within a second of the replica's is the same window. */
const sameInstant = (a: number | undefined, b: string | undefined) =>
  a !== undefined && b !== undefined && Math.abs(a - Date.parse(b)) < 1000;

/**
 * The repairs that bring HikCentral in line with the replica for one person, in the order to carry them out.
 * `held` is undefined when HikCentral has no person with the code.
 */
export function planRepairs(want: WantedPerson, held: HeldPerson | undefined, ctx: DriftContext): Repair[] {
  const ended = want.state === "revoked" || want.state === "expired";
  if (ended) {
    const endedAt = Date.parse(want.endedAt ?? "") || ctx.now;
    if (ctx.now - endedAt > ctx.retentionMs) return [held ? { kind: "delete" } : { kind: "forget" }];
    if (!held) return [];
    const repairs: Repair[] = [];
    const stray = [...held.groups].filter((g) => want.groups.includes(g) || ctx.managedGroups.has(g));
    if (stray.length > 0) repairs.push({ kind: "remove_groups", groups: stray });
    // Up to a minute after the end is the revoke's own clock; later means someone extended it by hand.
    if (held.end === undefined || held.end > endedAt + 60_000) repairs.push({ kind: "end_validity" });
    return repairs;
  }
  if (want.state !== "granted") return [];
  if (want.validUntil !== undefined && Date.parse(want.validUntil) <= ctx.now) return [{ kind: "expire" }];
  if (!held) return [{ kind: "create" }];
  const repairs: Repair[] = [];
  const fields: ("window" | "name")[] = [];
  if (!sameInstant(held.begin, want.validFrom) || !sameInstant(held.end, want.validUntil))
    fields.push("window");
  if (
    (want.givenName !== undefined && held.givenName !== undefined && held.givenName !== want.givenName) ||
    (want.familyName !== undefined &&
      held.familyName !== undefined &&
      want.familyName.trim() !== "" &&
      held.familyName !== want.familyName)
  )
    fields.push("name");
  if (fields.length > 0) repairs.push({ kind: "update", fields });
  const missing = want.groups.filter((g) => !held.groups.has(g));
  if (missing.length > 0) repairs.push({ kind: "add_groups", groups: missing });
  const extra = [...held.groups].filter((g) => ctx.managedGroups.has(g) && !want.groups.includes(g));
  if (extra.length > 0) repairs.push({ kind: "remove_groups", groups: extra });
  return repairs;
}

/**
 * A person under Gatehouse's personCode prefix that the replica does not know (made by an agent whose
 * database was lost, or by hand): it keeps no access, and is deleted once its validity is older than the
 * retention period.
 */
export function planUnknown(held: HeldPerson, ctx: DriftContext): Repair[] {
  if (held.end !== undefined && ctx.now - held.end > ctx.retentionMs) return [{ kind: "delete" }];
  const repairs: Repair[] = [];
  const managed = [...held.groups].filter((g) => ctx.managedGroups.has(g));
  if (managed.length > 0) repairs.push({ kind: "remove_groups", groups: managed });
  if (held.end === undefined || held.end > ctx.now + 60_000) repairs.push({ kind: "end_validity" });
  return repairs;
}

/** How a carried-out repair is reported. */
export function describeRepair(r: Repair): Pick<DriftRepair, "action" | "detail"> {
  switch (r.kind) {
    case "create":
      return {
        action: "created",
        detail:
          "HikCentral had no such person (deleted by hand?); created again with its access levels, without a face (the photo is not kept after enrolment)",
      };
    case "update":
      return { action: "updated", detail: `HikCentral's ${r.fields.join(" and ")} differed; put back` };
    case "add_groups":
      return { action: "regranted", detail: `added back to access level ${r.groups.join(", ")}` };
    case "remove_groups":
      return { action: "removed_from_group", detail: `removed from access level ${r.groups.join(", ")}` };
    case "end_validity":
      return {
        action: "revoked",
        detail: "validity ended: access had ended but HikCentral still held it valid",
      };
    case "expire":
      return { action: "revoked", detail: "validUntil passed; removed from its access levels" };
    case "delete":
      return { action: "deleted", detail: "deleted from HikCentral after the retention period" };
    case "forget":
      return { action: "forgotten", detail: "retention period over and HikCentral holds no such person" };
  }
}
