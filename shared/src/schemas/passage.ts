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

/** The largest passage picture the agent sends (base64 of 256 KiB); a camera snapshot is 20–150 KB. */
export const MAX_PICTURE_BYTES = 256 * 1024;

export const PassagePicture = z
  .object({
    passageId: MessageId.describe("The passage this is the picture of"),
    site: SiteId,
    contentType: z.enum(["image/jpeg", "image/png"]),
    data: z
      .string()
      .max(Math.ceil(MAX_PICTURE_BYTES / 3) * 4, "the picture is larger than 256 KiB")
      .regex(/^[A-Za-z0-9+/]+={0,2}$/, "must be base64")
      .describe("The image, base64"),
    fetchedAt: IsoDateTime,
  })
  .describe(
    "The camera's snapshot of a passage, fetched from HikCentral after the passage (best effort: a passage is never held up for its picture)",
  );
export type PassagePicture = z.infer<typeof PassagePicture>;
