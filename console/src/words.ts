import type { Problem } from "./field-errors.js";
import { isKey, type Key, label, t } from "./i18n.js";
import type { Incident } from "./types.js";

/**
 * Codes the API and the agent send, worded in the reader's language. The code itself stays with the words
 * (a tooltip, a detail) for support; a code this console does not know reads as a neutral phrase, never raw.
 */

export const reasonText = (code: string | null | undefined): string =>
  code ? label("reason", code, "reason.other") : "";

/** How the guest verified ("face", "card + PIN"), from HikCentral's mode names. */
export function verifyText(mode: string | null | undefined): string {
  if (!mode) return t("verify.unknown");
  return mode
    .split("+")
    .map((m) => (isKey(`verify.${m}`) ? t(`verify.${m}` as Key) : t("verify.unknown")))
    .join(" + ");
}

export const kindText = (kind: string): string => label("kind", kind);

/** An incident in the reader's language, from its type and facts; the server's English only as a last resort. */
export function incidentText(i: Incident): string {
  const key = `inc.${i.type}`;
  if (!isKey(key) || !i.params || Object.keys(i.params).length === 0) return i.message;
  const p = i.params;
  return t(key, {
    ...p,
    guest: String(p.guest ?? i.guestName ?? t("unknownPerson")),
    door: String(p.door ?? i.doorName ?? "—"),
    reason: p.reason ? reasonText(String(p.reason)) : "—",
    alarm: p.alarm ? label("alarm", String(p.alarm), "alarm.other") : t("alarm.other"),
  });
}

/** A field's problem in the reader's language, from its code and params. */
export function fieldMessage(e: {
  code?: string;
  params?: Record<string, string | number>;
  message: string;
}): string {
  const key = `err.${e.code ?? "invalid"}`;
  return t(isKey(key) ? key : "err.invalid", e.params ?? {});
}

/** A refused request in one sentence: its first field's problem, or what its status says. */
export function problemText(status: number, p: Problem): string {
  const first = p.errors[0];
  if (first) return fieldMessage(first);
  if (status === 0) return t("error.network");
  if (status === 403) return t("error.forbidden");
  return t("err.failed", { status });
}

/** Why a command failed, by its error code's family (HikCentral's, a terminal's, the photo's). */
export function commandErrorText(code: string): string {
  if (isKey(`cmdError.${code}`)) return t(`cmdError.${code}` as Key);
  if (code.startsWith("HIKCENTRAL_")) return t("cmdError.hikcentral");
  if (code.startsWith("ISAPI_") || code.startsWith("TERMINALS_")) return t("cmdError.terminal");
  if (code.startsWith("FACE_")) return t("cmdError.face");
  return t("cmdError.other");
}

/** A visit's `accessError` ("CODE: message") as words, and the code for support. */
export function accessErrorText(accessError: string): { text: string; code: string } {
  const code = accessError.split(":")[0]!.trim();
  return { text: commandErrorText(code), code: accessError };
}

/** Why a visit is held: the deny list's fields, in words (the reasons are the admins' own text). */
export function heldText(heldReason: string | null): string {
  const m = /^on the deny list: (.*)$/.exec(heldReason ?? "");
  if (!m) return t("visit.heldOther");
  const fields = m[1]!
    .split("; ")
    .map((part) => part.split(" (")[0]!)
    .map((f) => (isKey(`field.${f}`) ? t(`field.${f}` as Key) : f));
  return t("visit.heldDeny", { fields: [...new Set(fields)].join(", ") });
}

/** What the agent watches, by its name in the agent's status: HikCentral's API and pushes, a terminal. */
export function sourceText(name: string): string {
  if (name === "hikcentral-api") return t("source.api");
  if (name === "hikcentral-push") return t("source.push");
  const terminal = /^terminal[:-](.+)$/.exec(name);
  return terminal ? t("source.terminal", { id: terminal[1]! }) : name;
}
