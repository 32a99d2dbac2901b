import { z } from "zod";

/** Site ids travel inside MQTT topics, so they are restricted to one safe topic level. */
export const SiteId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be 1-63 lower-case letters, digits or '-', starting alphanumeric")
  .describe("Site identifier, used as one MQTT topic level");

/** Every time on the wire carries an explicit offset: the old system lost hours to implicit zones. */
export const IsoDateTime = z.iso
  .datetime({ offset: true })
  .describe("ISO 8601 date-time with a Z or numeric offset, e.g. 2025-10-03T09:00:00+05:00");

export const MessageId = z.string().min(1).max(200).describe("Unique id of this message, for deduplication");

export const PersonCode = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,32}$/, "must be 1-32 letters, digits, '_' or '-'")
  .describe("Stable HikCentral personCode chosen by Gatehouse");

export const Reason = z
  .object({
    code: z.string().min(1).describe("Stable machine-readable reason code, e.g. HIKCENTRAL_PARAMETER"),
    message: z.string().describe("What went wrong, for people"),
    retryable: z.boolean().describe("Whether trying again later may succeed"),
  })
  .describe("Why a command was not applied");
export type Reason = z.infer<typeof Reason>;

/** The first problem of a failed parse as "field.path: what is wrong", for logs and refusal reasons. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "invalid";
}
