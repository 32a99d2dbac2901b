import type { PassageRow } from "./types.js";

interface RestPassage {
  id: string;
  site: string;
  visitId: string | null;
  personCode: string | null;
  door: { id: string; name: string | null };
  direction: PassageRow["direction"];
  result: PassageRow["result"];
  reasonCode: string | null;
  verifyMode: string | null;
  occurredAt: string;
  hasPicture: boolean;
  visit: { guestName: string; hostName: string } | null;
}

interface StreamPassage {
  id: string;
  site: string;
  visitId?: string;
  personCode?: string;
  door: { id: string; name?: string };
  direction: PassageRow["direction"];
  result: PassageRow["result"];
  reasonCode?: string;
  verifyMode?: string;
  occurredAt: string;
  visit: { id: string; guestName: string; hostName?: string } | null;
}

/** A passage from `GET /v1/passages` or from the stream (the MQTT message), as one row shape. */
export function passageRow(p: RestPassage | StreamPassage): PassageRow {
  return {
    id: p.id,
    site: p.site,
    visitId: p.visitId ?? (p.visit && "id" in p.visit ? p.visit.id : null),
    personCode: p.personCode ?? null,
    guestName: p.visit?.guestName ?? null,
    hostName: p.visit?.hostName ?? null,
    door: p.door.name ?? p.door.id,
    direction: p.direction,
    result: p.result,
    reasonCode: p.reasonCode ?? null,
    verifyMode: p.verifyMode ?? null,
    occurredAt: p.occurredAt,
    hasPicture: "hasPicture" in p ? p.hasPicture : false,
  };
}
