import { z } from "zod";
import { IsoDateTime, MessageId, Reason, SiteId } from "./common.js";

export const AckStatus = z.enum(["received", "applied", "failed", "expired", "rejected"]);
export type AckStatus = z.infer<typeof AckStatus>;

export const DeviceResult = z.object({
  device: z.string().describe("Terminal or HikCentral element the result is about"),
  status: z.enum(["applied", "pending", "failed"]),
  error: z.string().optional(),
});

export const Ack = z
  .object({
    id: MessageId,
    commandId: MessageId.describe("Correlates with the command's id"),
    site: SiteId,
    seq: z.int().positive(),
    status: AckStatus,
    at: IsoDateTime,
    reason: Reason.optional(),
    devices: z.array(DeviceResult).optional(),
  })
  .describe("The agent's result for one command");
export type Ack = z.infer<typeof Ack>;
