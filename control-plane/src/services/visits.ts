import { createHash, randomUUID } from "node:crypto";
import { splitPersonName } from "@gatehouse/shared";
import type { Database } from "@gatehouse/shared/db";
import type { InStatement } from "@libsql/client";
import type { Actor } from "../adapters/db/audit.js";
import type { Site, SitesRepo } from "../adapters/db/sites-repo.js";
import type { VisitQueries } from "../adapters/db/visit-queries.js";
import type { VisitRecord } from "../adapters/db/visit-record.js";
import type { VisitWrites } from "../adapters/db/visit-writes.js";
import { accessFrom, grantCommand, revokeCommand, validityCommand } from "../domain/commands.js";
import { type DenyEntry, denyMatches, normalizeDocument, normalizeName } from "../domain/deny-list.js";
import { isClosed, transition, type VisitAction } from "../domain/lifecycle.js";
import { initialStatus, NO_PASSAGES, personCodeFor } from "../domain/visit.js";
import { kindOf, visitWindowProblem, type WindowProblem } from "../domain/visit-rules.js";
import type { ControlPlaneMetrics } from "../metrics.js";
import type { CommandDispatcher } from "./command-dispatcher.js";
import type { LiveEvents } from "./live-events.js";

export interface NewVisit {
  site: string;
  kind: string;
  guest: {
    name: string;
    email?: string | undefined;
    phone?: string | undefined;
    documentNumber?: string | undefined;
    photo?: string | undefined;
  };
  host: { name: string; email?: string | undefined; language?: "en" | "ru" | undefined };
  validFrom: string;
  validUntil: string;
  revokeOnExit?: boolean | undefined;
  note?: string | undefined;
}

/** A problem with one field of the request, reported as a 4xx naming it. */
/** A request the service refuses: the field at fault, a stable code a client words, and English for people. */
export class FieldError extends Error {
  constructor(
    readonly status: 404 | 409 | 422,
    readonly path: string,
    message: string,
    readonly code = "invalid",
    readonly params?: Record<string, string | number>,
  ) {
    super(message);
  }
}

export interface CreateOptions {
  actor: Actor;
  now?: Date;
  idempotency?: { tokenId: string; key: string } | undefined;
  /** A group event's registration: the visit belongs to it, and `guard` decides under the write lock. */
  eventId?: string;
  guard?: () => Promise<{ stmts: InStatement[] } | { refused: string }>;
  action?: string;
}

export class VisitService {
  constructor(
    private readonly db: Database,
    private readonly sites: SitesRepo,
    private readonly visits: VisitQueries,
    private readonly writes: VisitWrites,
    private readonly dispatcher: CommandDispatcher,
    private readonly live: LiveEvents,
    private readonly metrics: ControlPlaneMetrics,
    private readonly onError: (e: Error) => void,
  ) {}

  /** Checks a new visit against its site without storing anything (bulk import validates every row first). */
  async check(
    input: NewVisit,
    now = new Date(),
    getSite: (id: string) => Promise<Site | undefined> = (id) => this.sites.get(id),
  ): Promise<Site> {
    const site = await getSite(input.site);
    if (!site)
      throw new FieldError(
        422,
        "site",
        `no site '${input.site}'; create it with POST /v1/sites`,
        "unknown_site",
        {
          site: input.site,
        },
      );
    if (!kindOf(site.kinds, input.kind)) {
      throw new FieldError(
        422,
        "kind",
        `site '${site.id}' has no visit kind '${input.kind}' (it has: ${Object.keys(site.kinds).join(", ")})`,
        "unknown_kind",
        { kind: input.kind, kinds: Object.keys(site.kinds).join(", ") },
      );
    }
    const window = visitWindowProblem(input.validFrom, input.validUntil, now, site.maxVisitDays);
    if (window) throw new FieldError(422, window.path, window.message, window.code, window.params);
    return site;
  }

  /**
   * Stores the visit with its grant command in one write, then publishes the command. A guest on the deny
   * list is stored `held`, with no grant, for an admin to approve or refuse. With an idempotency key, the
   * same request again answers with the visit it created (`replayed`), and a different request under the
   * same key is refused naming the header.
   */
  async create(input: NewVisit, opts: CreateOptions): Promise<{ visit: VisitRecord; replayed: boolean }> {
    const now = opts.now ?? new Date();
    const site = await this.check(input, now);
    const kind = kindOf(site.kinds, input.kind)!;
    const denied = await this.denyList(input.guest);
    const id = randomUUID();
    const stamp = now.toISOString();
    const visit: VisitRecord = {
      id,
      site: site.id,
      kind: input.kind,
      personCode: personCodeFor(id),
      guest: {
        name: input.guest.name.trim(),
        email: input.guest.email ?? null,
        phone: input.guest.phone ?? null,
        documentNumber: input.guest.documentNumber ?? null,
      },
      host: {
        name: input.host.name.trim(),
        email: input.host.email ?? null,
        language: input.host.language ?? site.language,
      },
      validFrom: new Date(input.validFrom).toISOString(),
      validUntil: new Date(input.validUntil).toISOString(),
      revokeOnExit: input.revokeOnExit ?? kind.revokeOnExit,
      note: input.note ?? null,
      status: denied.length > 0 ? "held" : initialStatus(new Date(input.validFrom), now),
      access: "pending",
      accessError: null,
      ...NO_PASSAGES,
      eventId: opts.eventId ?? null,
      heldReason:
        denied.length > 0
          ? `on the deny list: ${denied.map((d) => `${d.field} (${d.reason})`).join("; ")}`
          : null,
      endedAt: null,
      createdAt: stamp,
      updatedAt: stamp,
    };
    const requestHash = createHash("sha256").update(JSON.stringify(input)).digest("hex");
    const build = denied.length > 0 ? null : this.grantBuilder(visit, site, input.guest.photo ?? null, now);
    const stored = await this.writes.createWithCommand(visit, build, {
      idempotency: opts.idempotency ? { ...opts.idempotency, requestHash } : undefined,
      audit: { actor: opts.actor, action: opts.action ?? "visit.create" },
      ...(denied.length > 0 ? { heldPhoto: input.guest.photo } : {}),
      ...(opts.guard ? { guard: opts.guard } : {}),
    });
    if (stored === "conflict") {
      throw new FieldError(
        422,
        "header.idempotency-key",
        "this Idempotency-Key was used for a different request",
        "idempotency_conflict",
      );
    }
    if ("refused" in stored) throw new FieldError(409, "event", stored.refused, "event_closed");
    if ("existing" in stored) {
      const visit = await this.visits.get(stored.existing);
      if (!visit) throw new Error(`idempotency key names a missing visit ${stored.existing}`);
      return { visit, replayed: true };
    }
    this.live.visitChanged(null, visit, opts.actor.name);
    const cmd = stored.created;
    if (cmd) {
      this.metrics.commandsCreated.inc({ type: "grant" });
      // Stored first: if this publish fails, the dispatcher's re-send delivers it.
      this.dispatcher.send(cmd).catch((e: Error) => this.onError(e));
    }
    return { visit, replayed: false };
  }

  private grantBuilder(v: VisitRecord, site: Site, photo: string | null, now: Date) {
    const name = splitPersonName(v.guest.name);
    return (seq: number) =>
      grantCommand({
        id: randomUUID(),
        seq,
        site: site.id,
        visitId: v.id,
        personCode: v.personCode,
        now,
        kind: v.kind,
        person: { ...name, email: v.guest.email, phone: v.guest.phone },
        accessGroups: kindOf(site.kinds, v.kind)?.accessGroups ?? [],
        validFrom: accessFrom(v.validFrom, site.earlyArrivalMinutes),
        validUntil: v.validUntil,
        face: photo
          ? {
              jpegBase64: photo,
              sha256: createHash("sha256").update(Buffer.from(photo, "base64")).digest("hex"),
            }
          : null,
      });
  }

  private async denyList(guest: NewVisit["guest"]): Promise<DenyEntry[]> {
    const r = await this.db.read(
      `SELECT id, field, value, reason, normalized FROM deny_list
        WHERE (field = 'name' AND normalized = ?) OR (field = 'document' AND normalized = ?)`,
      [normalizeName(guest.name), guest.documentNumber ? normalizeDocument(guest.documentNumber) : "\u0000"],
    );
    return denyMatches(
      guest,
      r.rows.map((row) => ({
        id: String(row.id),
        field: String(row.field) as DenyEntry["field"],
        value: String(row.value),
        reason: String(row.reason),
        normalized: String(row.normalized),
      })),
    );
  }

  /** Cancel, check out, revoke, approve, refuse, or (from the scheduler) expire a visit. */
  async act(
    id: string,
    action: Exclude<VisitAction, "change_validity">,
    actor: Actor,
    now = new Date(),
  ): Promise<VisitRecord> {
    return this.apply(id, action, {}, actor, now);
  }

  /** New times for an open visit; a validity command carries them to HikCentral. */
  async changeValidity(
    id: string,
    times: { validFrom?: string; validUntil?: string },
    actor: Actor,
    now = new Date(),
  ) {
    return this.apply(id, "change_validity", times, actor, now);
  }

  /** The scheduler's move of a scheduled visit whose time has come; no command (HCP enforces the window). */
  async activate(id: string, actor: Actor, now = new Date()): Promise<void> {
    const out = await this.writes.change(
      id,
      (v) =>
        v.status === "scheduled" && Date.parse(v.validFrom) <= now.getTime()
          ? { update: { status: "active" }, command: null, result: null }
          : { refused: null },
      { actor, action: "visit.activate" },
    );
    if (out && "visit" in out) this.live.visitChanged(out.before, out.visit, actor.name);
  }

  private async apply(
    id: string,
    action: VisitAction,
    times: { validFrom?: string; validUntil?: string },
    actor: Actor,
    now: Date,
  ): Promise<VisitRecord> {
    const known = await this.visits.get(id);
    if (!known) throw new FieldError(404, "id", `no visit ${id}`, "not_found");
    const site = await this.sites.get(known.site);
    if (!site) throw new Error(`visit ${id} names a missing site ${known.site}`);
    const groups = kindOf(site.kinds, known.kind)?.accessGroups ?? [];
    const photo = action === "approve" ? await this.visits.heldPhoto(id) : null;
    const out = await this.writes.change<string | WindowProblem | null>(
      id,
      (v) => {
        const t = transition(v, action, now);
        if (!t.ok) return { refused: t.reason };
        const validFrom = times.validFrom ? new Date(times.validFrom).toISOString() : v.validFrom;
        const validUntil = times.validUntil ? new Date(times.validUntil).toISOString() : v.validUntil;
        if (action === "change_validity") {
          if (Date.parse(validUntil) <= Date.parse(validFrom))
            return {
              refused: {
                path: "validUntil",
                code: "after_valid_from",
                message: "validUntil must be after validFrom",
              },
            };
          if (Date.parse(validUntil) <= now.getTime())
            return {
              refused: {
                path: "validUntil",
                code: "ended_already",
                message: "validUntil is in the past; check the visit out instead",
              },
            };
          const window = visitWindowProblem(validFrom, validUntil, now, site.maxVisitDays);
          if (window) return { refused: window };
        }
        // A grant needs the access levels of the visit's kind; a kind the site no longer has grants nothing.
        if (t.command === "grant" && groups.length === 0)
          return {
            refused: `the visit's kind '${v.kind}' is no longer one of site '${site.id}''s kinds; add it back, or cancel the visit`,
          };
        const who = { site: v.site, visitId: v.id, personCode: v.personCode, now };
        const command =
          t.command === "revoke"
            ? (seq: number) =>
                revokeCommand({ ...who, id: randomUUID(), seq, accessGroups: groups, reason: t.reason })
            : t.command === "validity"
              ? (seq: number) =>
                  validityCommand({
                    ...who,
                    id: randomUUID(),
                    seq,
                    validFrom: accessFrom(validFrom, site.earlyArrivalMinutes),
                    validUntil,
                  })
              : t.command === "grant"
                ? this.grantBuilder({ ...v, validFrom, validUntil }, site, photo, now)
                : null;
        // A later entry than this is a passage after the visit ended (a security incident).
        const ends = (isClosed(t.status) || action === "revoke") && v.endedAt === null;
        return {
          update: {
            status: t.status,
            validFrom,
            validUntil,
            ...(ends ? { endedAt: now.toISOString() } : {}),
            ...(action === "approve" ? { heldReason: null } : {}),
            ...(action === "retry" ? { access: "pending" as const, accessError: null } : {}),
          },
          command,
          result: null,
          clearHeldPhoto: action === "approve" || isClosed(t.status),
        };
      },
      { actor, action: `visit.${action}` },
    );
    if (!out) throw new FieldError(404, "id", `no visit ${id}`, "not_found");
    if ("refused" in out) {
      const refused = out.refused;
      if (typeof refused === "object" && refused !== null)
        throw new FieldError(422, refused.path, refused.message, refused.code, refused.params);
      const reason = String(refused);
      // A visit in the wrong state is a conflict with it (409); bad new times are the caller's input (422).
      const conflict = action !== "change_validity" || reason.startsWith("the visit");
      throw new FieldError(
        conflict ? 409 : 422,
        conflict ? "status" : "validUntil",
        reason,
        conflict ? "invalid_state" : "invalid",
      );
    }
    this.live.visitChanged(out.before, out.visit, actor.name);
    if (out.command) {
      this.metrics.commandsCreated.inc({ type: out.command.type });
      this.dispatcher.send(out.command).catch((e: Error) => this.onError(e));
    }
    return out.visit;
  }
}
