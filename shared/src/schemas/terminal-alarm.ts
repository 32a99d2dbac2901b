import { z } from "zod";
import { IsoDateTime, MessageId, SiteId } from "./common.js";

export const TurnstileAlarmKind = z
  .enum([
    "tailgating",
    "reverse_passage",
    "forced_passage",
    "climbing_over",
    "passing_timeout",
    "intrusion",
    "free_passage_not_authenticated",
    "barrier_blocked",
    "barrier_block_cleared",
  ])
  .describe("A turnstile's alarm (ISAPI major 5, minors 133–141)");
export type TurnstileAlarmKind = z.infer<typeof TurnstileAlarmKind>;

export const TerminalAlarm = z
  .object({
    id: MessageId.describe("site:isapi:terminal:serialNo, the same however the event arrived"),
    site: SiteId,
    terminal: z.string().min(1),
    door: z.object({ id: z.string(), name: z.string().optional() }),
    alarm: TurnstileAlarmKind,
    serialNo: z.int().positive(),
    occurredAt: IsoDateTime,
    receivedAt: IsoDateTime,
  })
  .describe("A turnstile alarm from a terminal (tailgating, reverse passage, climbing over...)");
export type TerminalAlarm = z.infer<typeof TerminalAlarm>;
