import {
  Command,
  CommandRef,
  firstIssue,
  type RefusalReason,
  type TrustedKey,
  verifyCommandSignature,
} from "@gatehouse/shared";

/** What a message on the commands topic is, once read. */
export type ParsedCommand =
  | { kind: "command"; command: Command }
  /** Signed for this site, but not a command this agent understands: answered `failed`, its seq done. */
  | { kind: "invalid"; ref: CommandRef; json: unknown; message: string }
  /** Not believed (unsigned, forged, another site's) or not answerable (no id or seq): ignored, never acked. */
  | { kind: "refused"; reason: RefusalReason; message: string; json?: unknown };

/**
 * The agent's one reading of a command. Authenticity comes first: nothing an unverified message says (its
 * id, seq or site) is believed. Then its id, site and seq, so that a genuine command this agent cannot parse
 * is still answered and does not hold up the ones after it; then the whole schema.
 */
export function parseSignedCommand(
  payload: Buffer | string,
  trustedKeys: readonly TrustedKey[],
  site: string,
): ParsedCommand {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString());
  } catch {
    return { kind: "refused", reason: "not_json", message: "the command is not JSON" };
  }
  const signature = verifyCommandSignature(json, trustedKeys);
  if (!signature.ok) return { kind: "refused", reason: signature.reason, message: signature.message, json };
  const ref = CommandRef.safeParse(json);
  if (!ref.success)
    return {
      kind: "refused",
      reason: "schema",
      message: `command failed validation at ${firstIssue(ref.error)}`,
      json,
    };
  if (ref.data.site !== site)
    return {
      kind: "refused",
      reason: "wrong_site",
      message: `the command is for site '${ref.data.site}'`,
      json,
    };
  const parsed = Command.safeParse(json);
  if (!parsed.success)
    return {
      kind: "invalid",
      ref: ref.data,
      json,
      message: `command failed validation at ${firstIssue(parsed.error)}`,
    };
  return { kind: "command", command: parsed.data };
}
