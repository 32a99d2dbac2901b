import { z } from "zod";
import { EVENT, grantedCode, type VerifyMode } from "../hikcentral/event-codes.js";
import type { EventPusher } from "../hikcentral/push.js";
import { type HikState, personName, type SimEvent } from "../hikcentral/state.js";

export const PassageRequest = z
  .object({
    personCode: z.string().min(1).optional(),
    personId: z.string().min(1).optional(),
    door: z
      .string()
      .min(1)
      .optional()
      .describe("doorIndexCode; default: the first turnstile of the direction"),
    direction: z.enum(["entry", "exit"]).default("entry"),
    result: z.enum(["granted", "denied"]).optional().describe("Default: what the terminal would decide"),
    verifyMode: z.enum(["face", "card", "qr", "fingerprint"]).default("face"),
    at: z.iso.datetime({ offset: true }).optional(),
    picture: z
      .boolean()
      .optional()
      .describe("false: a turnstile without a camera, whose events carry no picUri (default true)"),
  })
  .refine((r) => r.personCode !== undefined || r.personId !== undefined || r.result === "denied", {
    message: "give personCode or personId (or result denied for a stranger)",
    path: ["personCode"],
  });
export type PassageRequest = z.infer<typeof PassageRequest>;

function deniedCode(mode: VerifyMode, why: "unknown" | "no_level" | "expired"): number {
  if (why === "no_level") return EVENT.noAccessLevel;
  if (why === "expired")
    return mode === "card" || mode === "qr" ? EVENT.cardExpired : EVENT.invalidTimePeriod;
  if (mode === "face") return EVENT.deniedByFace;
  if (mode === "fingerprint") return EVENT.deniedByFingerprint;
  return EVENT.cardNotFound;
}

/** Who is at which door; throws (changing nothing) when either is unknown. */
export function passageTarget(state: HikState, req: PassageRequest) {
  const person = req.personId
    ? state.persons.get(req.personId)
    : req.personCode
      ? state.personByCode(req.personCode)
      : undefined;
  if (!person && req.result !== "denied") {
    throw new Error(`no person ${req.personId ?? req.personCode} in HikCentral`);
  }
  const door = req.door
    ? state.doors.get(req.door)
    : [...state.doors.values()].find((d) => d.direction === req.direction);
  if (!door) throw new Error(`no door ${req.door ?? req.direction}`);
  return { person, door };
}

/** What a turnstile terminal does with someone in front of it, as HikCentral then reports it. */
export function simulatePassage(state: HikState, req: PassageRequest, now = new Date()): SimEvent {
  const { person, door } = passageTarget(state, req);
  const at = req.at ? new Date(req.at) : now;

  let eventType: number;
  if (req.result === "granted") eventType = grantedCode(req.verifyMode);
  else if (req.result === "denied") eventType = deniedCode(req.verifyMode, person ? "no_level" : "unknown");
  else {
    // The terminal knows only what was downloaded to it (reapplication), and enforces the validity window.
    const p = person!;
    const inGroup = state.groupsOf(p.personId).some((g) => g.doors.includes(door.doorIndexCode));
    const t = at.getTime();
    const valid =
      (!p.beginTime || Date.parse(p.beginTime) <= t) && (!p.endTime || t <= Date.parse(p.endTime));
    // The terminal knows the person only once a download to it has finished.
    const download = p.downloads?.get(door.acsDevIndexCode);
    const onTerminal = download !== undefined && download.status === "0" && Date.now() >= download.readyAt;
    if (!onTerminal) eventType = deniedCode(req.verifyMode, "unknown");
    else if (!inGroup) eventType = deniedCode(req.verifyMode, "no_level");
    else if (!valid) eventType = deniedCode(req.verifyMode, "expired");
    else eventType = grantedCode(req.verifyMode);
  }

  return state.addEvent({
    eventType,
    happenTime: at,
    doorIndexCode: door.doorIndexCode,
    inAndOutType: door.direction === "entry" ? 1 : 0,
    ...(person
      ? { personId: person.personId, personCode: person.personCode, personName: personName(person) }
      : {}),
    ...(req.verifyMode === "card" || req.verifyMode === "qr"
      ? { cardNo: person ? `C${person.personId}` : "99999999" }
      : {}),
    ...(req.picture !== false ? { picUri: `/pic?sim=${door.doorIndexCode}-${Date.now()}` } : {}),
  });
}

/** A passage carried out and pushed to HikCentral's subscribers: what `POST /_sim/passages` answers with. */
export function carryOutPassage(state: HikState, pusher: EventPusher, req: PassageRequest) {
  const event = simulatePassage(state, req);
  pusher.publish(event);
  return { eventId: event.eventId, eventType: event.eventType, door: event.doorIndexCode, seq: event.seq };
}
