import { type Direction, formatInZone, type Passage, parseDeviceTime } from "@gatehouse/shared";
import { ACCESS_EVENTS } from "./access-events.js";

/** What the agent knows when it reads one HikCentral access event. Pure data: no I/O. */
export interface PassageContext {
  site: string;
  timeZone: string;
  /** Door (doorIndexCode) → physical direction, from the site config. */
  doorDirections: Record<string, "entry" | "exit">;
  receivedAt: Date;
}

export interface HikAccessEvent {
  eventId: string;
  eventType: number;
  doorIndexCode: string | undefined;
  doorName: string | undefined;
  happenTime: string;
  personId: string | undefined;
  personCode: string | undefined;
  inAndOut: number | undefined;
  pictureUri: string | undefined;
}

export function passageId(site: string, eventId: string): string {
  return `${site}:hikcentral:${eventId}`;
}

/** The configured door map wins: terminals are physically entry or exit; the event's flag is the fallback. */
export function directionOf(
  door: string | undefined,
  inAndOut: number | undefined,
  map: PassageContext["doorDirections"],
): Direction {
  if (door !== undefined && map[door]) return map[door];
  if (inAndOut === 1) return "entry";
  if (inAndOut === 0) return "exit";
  return "unknown";
}

/** Maps one access event to a passage, or null when the code is not an access decision. */
export function interpretAccessEvent(e: HikAccessEvent, ctx: PassageContext): Passage | null {
  const meaning = ACCESS_EVENTS[e.eventType];
  if (!meaning) return null;
  const occurred = parseDeviceTime(e.happenTime, ctx.timeZone);
  const passage: Passage = {
    id: passageId(ctx.site, e.eventId),
    site: ctx.site,
    source: "hikcentral",
    sourceEventId: e.eventId,
    door: { id: e.doorIndexCode ?? "unknown", ...(e.doorName ? { name: e.doorName } : {}) },
    direction: directionOf(e.doorIndexCode, e.inAndOut, ctx.doorDirections),
    result: meaning.result,
    eventType: e.eventType,
    verifyMode: meaning.verifyMode,
    occurredAt: formatInZone(occurred, ctx.timeZone, { ms: true }),
    receivedAt: ctx.receivedAt.toISOString(),
  };
  if (e.personCode) passage.personCode = e.personCode;
  if (e.personId) passage.personId = e.personId;
  if (meaning.reasonCode) passage.reasonCode = meaning.reasonCode;
  if (e.pictureUri) passage.pictureUri = e.pictureUri;
  return passage;
}
