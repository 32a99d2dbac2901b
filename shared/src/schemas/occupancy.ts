import { z } from "zod";
import { IsoDateTime, SiteId } from "./common.js";
import { VisitStatus } from "./visit-event.js";

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
        visitStatus: VisitStatus.describe(
          "The visit's status: a guest checked out at the desk (or whose visit ended) who has not passed an exit is still inside",
        ),
        endedAt: IsoDateTime.nullable().describe(
          "When the visit closed or its access was taken away, while the guest is still inside; null while it is open",
        ),
      }),
    ),
  })
  .describe("Who is inside a site now (the muster list); retained");
export type Occupancy = z.infer<typeof Occupancy>;
