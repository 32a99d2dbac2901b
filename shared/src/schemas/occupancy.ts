import { z } from "zod";
import { IsoDateTime, SiteId } from "./common.js";

export const Occupancy = z
  .object({
    site: SiteId,
    count: z.int().nonnegative(),
    at: IsoDateTime,
    inside: z.array(
      z.object({
        visitId: z.string(),
        guestName: z.string(),
        hostName: z.string(),
        since: IsoDateTime.nullable().describe("Event time of the entry that put the guest inside"),
      }),
    ),
  })
  .describe("Who is inside a site now (the muster list); retained");
export type Occupancy = z.infer<typeof Occupancy>;
