import { z } from "zod";
import { IsoDateTime, SiteId } from "./common.js";

export const SourceHealth = z.object({
  name: z.string().describe("hikcentral-api, hikcentral-push, or terminal:<id>"),
  state: z.enum(["up", "down", "unknown"]),
  lastEventAt: IsoDateTime.optional(),
  error: z.string().optional(),
});

export const RefusalReason = z
  .enum([
    "not_json",
    "unsigned",
    "unknown_key",
    "bad_signature",
    "schema",
    "wrong_site",
    "seq_conflict",
    "replay",
    "expired",
  ])
  .describe("Why the agent refused a command without applying it");
export type RefusalReason = z.infer<typeof RefusalReason>;

export const RefusedCommand = z.object({
  reason: RefusalReason,
  message: z.string(),
  at: IsoDateTime,
  commandId: z
    .string()
    .max(100)
    .optional()
    .describe("As the message claimed it; unverified for signature failures"),
});
export type RefusedCommand = z.infer<typeof RefusedCommand>;

export const AgentStatus = z
  .object({
    site: SiteId,
    state: z.enum(["online", "offline"]),
    since: IsoDateTime,
    version: z.string(),
    login: z
      .string()
      .optional()
      .describe(
        "The MQTT username the agent is logged in with: a rotated login retires the one before once it names the new one",
      ),
    queues: z.object({ inbox: z.int().nonnegative(), outbox: z.int().nonnegative() }).optional(),
    lastAppliedSeq: z.int().nonnegative().optional(),
    sources: z.array(SourceHealth).optional(),
    refusedCommands: z
      .object({ total: z.int().nonnegative(), last: RefusedCommand.optional() })
      .optional()
      .describe("Commands refused since the agent started (forged, replayed, expired, for another site)"),
  })
  .describe("Retained agent status; the last will publishes state offline");
export type AgentStatus = z.infer<typeof AgentStatus>;
