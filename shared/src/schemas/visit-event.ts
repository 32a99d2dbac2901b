import { z } from "zod";
import { IsoDateTime, MessageId, SiteId } from "./common.js";

export const VisitStatus = z.enum([
  "held",
  "scheduled",
  "active",
  "checked_out",
  "cancelled",
  "expired",
  "refused",
]);
export const VisitAccess = z.enum(["pending", "granted", "failed", "revoked"]);

/** What consumers see of a visit: no contacts, no photo. */
export const VisitSnapshot = z.object({
  id: z.string(),
  site: SiteId,
  kind: z.string(),
  status: VisitStatus,
  access: VisitAccess,
  validFrom: IsoDateTime,
  validUntil: IsoDateTime,
  guestName: z.string(),
  hostName: z.string(),
  eventId: z.string().nullable().describe("The group event the visit is a registration of"),
  firstEntryAt: IsoDateTime.nullable(),
  firstExitAt: IsoDateTime.nullable(),
  entryCount: z.int().nonnegative(),
  exitCount: z.int().nonnegative(),
  inside: z.boolean(),
});
export type VisitSnapshot = z.infer<typeof VisitSnapshot>;

export const VisitEvent = z
  .object({
    id: MessageId,
    site: SiteId,
    type: z
      .enum(["new", "update", "end"])
      .describe("`end` when the visit closes; `update` for any other change"),
    at: IsoDateTime,
    actor: z.string().describe("Who caused it: a token's name, `scheduler`, or `agent`"),
    before: VisitSnapshot.nullable(),
    after: VisitSnapshot,
  })
  .describe("A visit lifecycle event with the visit before and after the change");
export type VisitEvent = z.infer<typeof VisitEvent>;
