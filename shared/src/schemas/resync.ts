import { z } from "zod";
import { IsoDateTime, MessageId, SiteId } from "./common.js";

export const ResyncRequest = z
  .object({
    id: MessageId,
    site: SiteId,
    fromSeq: z.int().positive().describe("The first command sequence number the agent is missing"),
    toSeq: z.int().positive().optional().describe("The last one (omitted: everything from fromSeq)"),
    at: IsoDateTime,
  })
  .describe("An agent that saw a gap in command seq asks for the missing commands again");
export type ResyncRequest = z.infer<typeof ResyncRequest>;
