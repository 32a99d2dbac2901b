import { z } from "zod";
import { IsoDateTime, SiteId } from "./common.js";

export const SourceHealth = z.object({
  name: z.string().describe("hikcentral-api, hikcentral-push, or terminal:<id>"),
  state: z.enum(["up", "down", "unknown"]),
  lastEventAt: IsoDateTime.optional(),
  error: z.string().optional(),
});

export const AgentStatus = z
  .object({
    site: SiteId,
    state: z.enum(["online", "offline"]),
    since: IsoDateTime,
    version: z.string(),
    queues: z.object({ inbox: z.int().nonnegative(), outbox: z.int().nonnegative() }).optional(),
    lastAppliedSeq: z.int().nonnegative().optional(),
    sources: z.array(SourceHealth).optional(),
  })
  .describe("Retained agent status; the last will publishes state offline");
export type AgentStatus = z.infer<typeof AgentStatus>;
