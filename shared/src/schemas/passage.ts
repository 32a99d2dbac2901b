import { z } from "zod";
import { IsoDateTime, MessageId, SiteId } from "./common.js";

export const Direction = z.enum(["entry", "exit", "unknown"]);
export type Direction = z.infer<typeof Direction>;
export const PassageResult = z.enum(["granted", "denied"]);

export const Passage = z
  .object({
    id: MessageId.describe("site:source:event identity; the same turnstile event always gets the same id"),
    site: SiteId,
    source: z.enum(["hikcentral", "isapi"]),
    sourceEventId: z.string().min(1),
    personCode: z.string().optional(),
    personId: z.string().optional(),
    visitId: z.string().optional(),
    door: z.object({ id: z.string(), name: z.string().optional() }),
    direction: Direction,
    result: PassageResult,
    reasonCode: z.string().optional().describe("Why a passage was denied, e.g. FACE_NOT_RECOGNISED"),
    eventType: z.int().describe("HikCentral event type code, e.g. 196893 (granted by face)"),
    verifyMode: z.string().optional(),
    occurredAt: IsoDateTime,
    receivedAt: IsoDateTime,
    pictureUri: z.string().optional(),
  })
  .describe("A passage through a turnstile as the agent saw it");
export type Passage = z.infer<typeof Passage>;

export const ConsumerPassage = Passage.extend({
  visit: z
    .object({
      id: z.string(),
      kind: z.string(),
      guestName: z.string(),
      hostName: z.string().optional(),
    })
    .nullable()
    .describe("The visit the passage belongs to, or null for an unknown person"),
}).describe("A passage enriched with its visit, for consumers");
export type ConsumerPassage = z.infer<typeof ConsumerPassage>;
