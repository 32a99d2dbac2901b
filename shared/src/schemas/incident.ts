import { z } from "zod";
import { IsoDateTime, MessageId, SiteId } from "./common.js";

export const IncidentType = z.enum([
  "denied_with_active_visit",
  "exit_without_entry",
  "overstay",
  "entry_outside_hours",
  "passage_after_revoke",
  "turnstile_alarm",
]);
export type IncidentType = z.infer<typeof IncidentType>;

export const Incident = z
  .object({
    id: MessageId,
    site: SiteId,
    type: IncidentType,
    severity: z.enum(["warning", "critical"]),
    visitId: z.string().nullable(),
    passageId: z.string().nullable(),
    guestName: z.string().nullable(),
    doorName: z.string().nullable(),
    occurredAt: IsoDateTime.describe("When it happened (the passage's event time, or when it was found)"),
    detectedAt: IsoDateTime,
    params: z
      .record(z.string(), z.union([z.string(), z.number()]))
      .describe(
        "The facts the incident is worded from, by name (guest, door, reason, from, to, hours, minutes, allowedHours, alarm), so each reader can word it in their own language",
      ),
    message: z
      .string()
      .describe("What happened, in English (readers in other languages word it from type and params)"),
  })
  .describe("A security incident for a site's security staff");
export type Incident = z.infer<typeof Incident>;
