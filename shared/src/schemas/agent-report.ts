import { z } from "zod";
import { IsoDateTime, MessageId, PersonCode, SiteId } from "./common.js";

export const ReportTrigger = z
  .enum(["start", "sync", "schedule", "import", "expiry", "terminal"])
  .describe(
    "What made the agent change HikCentral or the terminals on its own: reconciliation at start, on a sync command, hourly, after a replica import; a visit's validUntil passing; or a terminal that was away coming back (ISAPI mode)",
  );

export type ReportTrigger = z.infer<typeof ReportTrigger>;

export const DriftAction = z
  .enum([
    "created",
    "updated",
    "regranted",
    "removed_from_group",
    "revoked",
    "deleted",
    "forgotten",
    "failed",
  ])
  .describe(
    "created: person re-created (deleted by hand); updated: name or validity put back; regranted: access level added back; removed_from_group: a level the replica does not hold; revoked: validity ended and levels removed; deleted: person deleted after the retention period; forgotten: replica row dropped; failed: the repair failed (see detail)",
  );

export const DriftRepair = z.object({
  action: DriftAction,
  personCode: PersonCode,
  visitId: z.string().optional(),
  detail: z.string().max(500).describe("What differed, or why the repair failed"),
});
export type DriftRepair = z.infer<typeof DriftRepair>;

export const AgentReport = z
  .object({
    id: MessageId,
    site: SiteId,
    trigger: ReportTrigger,
    commandId: MessageId.optional().describe("The sync command that asked for it"),
    startedAt: IsoDateTime,
    finishedAt: IsoDateTime,
    checked: z.int().nonnegative().describe("Persons compared"),
    changes: z.array(DriftRepair).max(1000).describe("What the agent changed, at most 1,000 (see truncated)"),
    truncated: z.int().nonnegative().default(0).describe("Changes left out of the list"),
  })
  .describe("What the agent changed in HikCentral without a command: reconciliation and offline expiries");
export type AgentReport = z.infer<typeof AgentReport>;
