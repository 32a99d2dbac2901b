import { createHash, randomUUID } from "node:crypto";
import type { Command } from "@gatehouse/shared";
import type { SitesRepo } from "../adapters/db/sites-repo.js";
import type { VisitRecord, VisitsRepo } from "../adapters/db/visits-repo.js";
import { revokeCommand, validityCommand } from "../domain/commands.js";
import { transition, type VisitAction } from "../domain/lifecycle.js";
import { initialStatus, personCodeFor, splitName } from "../domain/visit.js";
import type { ControlPlaneMetrics } from "../metrics.js";
import type { CommandDispatcher } from "./command-dispatcher.js";

export interface NewVisit {
  site: string;
  kind: string;
  guest: { name: string; email?: string | undefined; phone?: string | undefined; photo?: string | undefined };
  host: { name: string; email?: string | undefined; language?: "en" | "ru" | undefined };
  validFrom: string;
  validUntil: string;
  revokeOnExit?: boolean | undefined;
  note?: string | undefined;
}

/** A problem with one field of the request, reported as a 4xx naming it. */
export class FieldError extends Error {
  constructor(
    readonly status: 404 | 409 | 422,
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

export class VisitService {
  constructor(
    private readonly sites: SitesRepo,
    private readonly visits: VisitsRepo,
    private readonly dispatcher: CommandDispatcher,
    private readonly metrics: ControlPlaneMetrics,
    private readonly onError: (e: Error) => void,
  ) {}

  /** Stores the visit with its grant command in one write, then publishes the command. */
  /**
   * With an idempotency key, the same request again answers with the visit it created (`replayed`), and a
   * different request under the same key is refused naming the header.
   */
  async create(
    input: NewVisit,
    now = new Date(),
    idempotency?: { tokenId: string; key: string },
  ): Promise<{ visit: VisitRecord; replayed: boolean }> {
    const site = await this.sites.get(input.site);
    if (!site) throw new FieldError(422, "site", `no site '${input.site}'; create it with POST /v1/sites`);
    const kind = site.kinds[input.kind];
    if (!kind) {
      throw new FieldError(
        422,
        "kind",
        `site '${site.id}' has no visit kind '${input.kind}' (it has: ${Object.keys(site.kinds).join(", ")})`,
      );
    }
    if (Date.parse(input.validUntil) <= now.getTime()) {
      throw new FieldError(
        422,
        "validUntil",
        `the visit ended already (${input.validUntil}); nothing to grant`,
      );
    }
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
      },
      host: {
        name: input.host.name.trim(),
        email: input.host.email ?? null,
        language: input.host.language ?? "en",
      },
      validFrom: new Date(input.validFrom).toISOString(),
      validUntil: new Date(input.validUntil).toISOString(),
      revokeOnExit: input.revokeOnExit ?? kind.revokeOnExit,
      note: input.note ?? null,
      status: initialStatus(new Date(input.validFrom), now),
      access: "pending",
      accessError: null,
      firstEntryAt: null,
      firstExitAt: null,
      entryCount: 0,
      exitCount: 0,
      inside: false,
      lastPassageAt: null,
      createdAt: stamp,
      updatedAt: stamp,
    };
    const name = splitName(visit.guest.name);
    const requestHash = createHash("sha256").update(JSON.stringify(input)).digest("hex");
    const stored = await this.visits.createWithCommand(
      visit,
      (seq): Command => ({
        id: randomUUID(),
        site: site.id,
        seq,
        type: "grant",
        issuedAt: stamp,
        // A grant is pointless once the visit is over.
        expiresAt: visit.validUntil,
        payload: {
          visitId: id,
          personCode: visit.personCode,
          person: {
            givenName: name.givenName,
            familyName: name.familyName,
            ...(visit.guest.email ? { email: visit.guest.email } : {}),
            ...(visit.guest.phone ? { phone: visit.guest.phone } : {}),
          },
          kind: visit.kind,
          accessGroups: kind.accessGroups,
          validFrom: visit.validFrom,
          validUntil: visit.validUntil,
          ...(input.guest.photo
            ? {
                face: {
                  jpegBase64: input.guest.photo,
                  sha256: createHash("sha256").update(Buffer.from(input.guest.photo, "base64")).digest("hex"),
                },
              }
            : {}),
        },
      }),
      idempotency ? { ...idempotency, requestHash } : undefined,
    );
    if (stored === "conflict") {
      throw new FieldError(
        422,
        "header.idempotency-key",
        "this Idempotency-Key was used for a different request",
      );
    }
    if ("existing" in stored) {
      const visit = await this.visits.get(stored.existing);
      if (!visit) throw new Error(`idempotency key names a missing visit ${stored.existing}`);
      return { visit, replayed: true };
    }
    const cmd = stored.created;
    this.metrics.commandsCreated.inc({ type: "grant" });
    // Stored first: if this publish fails, the dispatcher's re-send delivers it.
    this.dispatcher.send(cmd).catch((e: Error) => this.onError(e));
    return { visit, replayed: false };
  }

  /** Cancel, check out, revoke, or (from the scheduler) expire a visit: a revoke is queued with the change. */
  async act(
    id: string,
    action: Exclude<VisitAction, "change_validity">,
    now = new Date(),
  ): Promise<VisitRecord> {
    return this.apply(id, action, {}, now);
  }

  /** New times for an open visit; a validity command carries them to HikCentral. */
  async changeValidity(id: string, times: { validFrom?: string; validUntil?: string }, now = new Date()) {
    return this.apply(id, "change_validity", times, now);
  }

  /** The scheduler's move of a scheduled visit whose time has come; no command (HCP enforces the window). */
  async activate(id: string, now = new Date()): Promise<void> {
    await this.visits.change(id, (v) =>
      v.status === "scheduled" && Date.parse(v.validFrom) <= now.getTime()
        ? { update: { status: "active" }, command: null, result: null }
        : { refused: null },
    );
  }

  private async apply(
    id: string,
    action: VisitAction,
    times: { validFrom?: string; validUntil?: string },
    now: Date,
  ): Promise<VisitRecord> {
    const known = await this.visits.get(id);
    if (!known) throw new FieldError(404, "id", `no visit ${id}`);
    const site = await this.sites.get(known.site);
    const groups = site?.kinds[known.kind]?.accessGroups ?? [];
    const out = await this.visits.change(id, (v) => {
      const t = transition(v, action, now);
      if (!t.ok) return { refused: t.reason };
      const validFrom = times.validFrom ? new Date(times.validFrom).toISOString() : v.validFrom;
      const validUntil = times.validUntil ? new Date(times.validUntil).toISOString() : v.validUntil;
      if (action === "change_validity") {
        if (Date.parse(validUntil) <= Date.parse(validFrom))
          return { refused: "validUntil must be after validFrom" };
        if (Date.parse(validUntil) <= now.getTime())
          return { refused: "validUntil is in the past; check the visit out instead" };
      }
      const who = { site: v.site, visitId: v.id, personCode: v.personCode, now };
      const command =
        t.command === "revoke"
          ? (seq: number) =>
              revokeCommand({ ...who, id: randomUUID(), seq, accessGroups: groups, reason: t.reason })
          : t.command === "validity"
            ? (seq: number) => validityCommand({ ...who, id: randomUUID(), seq, validFrom, validUntil })
            : null;
      return { update: { status: t.status, validFrom, validUntil }, command, result: null };
    });
    if (!out) throw new FieldError(404, "id", `no visit ${id}`);
    if ("refused" in out) {
      const reason = String(out.refused);
      // A closed visit is a conflict with its state (409); bad new times are the caller's input (422).
      const conflict = action !== "change_validity" || reason.startsWith("the visit");
      throw new FieldError(conflict ? 409 : 422, conflict ? "status" : "validUntil", reason);
    }
    if (out.command) {
      this.metrics.commandsCreated.inc({ type: out.command.type });
      this.dispatcher.send(out.command).catch((e: Error) => this.onError(e));
    }
    return out.visit;
  }
}
