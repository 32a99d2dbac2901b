import { z } from "zod";

/**
 * Text that people type and that travels to HikCentral and the terminals. Two forms of one rule: the wire form
 * (`wireText`) only checks — a command carries text already clean — and the input form (`textInput`) cleans
 * what a person sent (NFC, trimmed) and then checks it with the very same wire schema, so whatever the API
 * accepts is what the agent's parser accepts.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Bidi overrides and isolates reorder what a screen shows: a name could be made to read as another. */
const isBidiControl = (c: number) => (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);

const hex = (c: number) => `U+${c.toString(16).toUpperCase().padStart(4, "0")}`;

/**
 * Why this text may not be stored or sent, or undefined. A lone surrogate cannot be encoded as UTF-8 (the
 * command's signature breaks on it); control characters (NUL first) break HikCentral's and the terminals'
 * string handling and the CSV export. Multi-line text keeps tab and line breaks.
 */
export function textProblem(s: string, multiline = false): string | undefined {
  return textIssue(s, multiline)?.message;
}

/** The same, as an issue with a stable code (for clients that word it in their reader's language). */
export function textIssue(
  s: string,
  multiline = false,
): { message: string; params: { code: string; character: string; position: number } } | undefined {
  const lone = LONE_SURROGATE.exec(s);
  if (lone) {
    const character = hex(lone[0].charCodeAt(0));
    return {
      message: `contains a lone surrogate (${character}) at position ${lone.index}`,
      params: { code: "lone_surrogate", character, position: lone.index },
    };
  }
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const allowed = multiline && (c === 0x09 || c === 0x0a || c === 0x0d);
    const control = c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029;
    if ((control && !allowed) || isBidiControl(c))
      return {
        message: `contains the control character ${hex(c)} at position ${i}`,
        params: { code: "control_character", character: hex(c), position: i },
      };
  }
  return undefined;
}

export interface TextRule {
  min?: number;
  max: number;
  /** What an empty value is told, when the field is required (e.g. "the guest's name is required"). */
  required?: string;
  /** Notes keep line breaks and tabs; every other field is one line. */
  multiline?: boolean;
}

/** The wire form: text as it must arrive, already NFC and without control characters. */
export function wireText(rule: TextRule) {
  const min = rule.min ?? 0;
  return z
    .string()
    .min(min, min === 1 ? (rule.required ?? "must not be empty") : `must be at least ${min} characters`)
    .max(rule.max, `must be at most ${rule.max} characters`)
    .superRefine((s, ctx) => {
      const problem = textIssue(s, rule.multiline);
      if (problem) ctx.addIssue({ code: "custom", ...problem });
      else if (s !== s.normalize("NFC"))
        ctx.addIssue({ code: "custom", message: "must be Unicode NFC", params: { code: "not_nfc" } });
    });
}

/**
 * The input form of a wire schema: refuses what cannot be cleaned (lone surrogates, control characters —
 * refused, not stripped, so that nobody's name changes silently), then NFC-normalises and trims, then applies
 * the wire schema itself.
 */
export function textInput<T extends z.ZodType<string, string>>(wire: T, multiline = false) {
  return z
    .string()
    .superRefine((s, ctx) => {
      const problem = textIssue(s, multiline);
      if (problem) ctx.addIssue({ code: "custom", ...problem });
    })
    .transform((s) => s.normalize("NFC").trim())
    .pipe(wire);
}
