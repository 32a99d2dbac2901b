import type { z } from "zod";

/**
 * A field's problem as a stable code with the numbers a reader needs; clients word it in their reader's
 * language (the console does), the English message stays for people reading the raw answer. Pure.
 */
export interface FieldCode {
  code: string;
  params?: Record<string, string | number>;
}

/** One field at fault, as every refusal names it: where, the code and its numbers, and English for people. */
export interface FieldProblem extends FieldCode {
  path: string;
  message: string;
}

export type Issue = z.core.$ZodIssue;

/** zod's own issue codes as the API's field codes, with the numbers a reader needs (a length, a choice). */
export function issueCode(i: Issue): FieldCode {
  switch (i.code) {
    case "invalid_type":
      return i.input === undefined
        ? { code: "required" }
        : { code: "invalid_type", params: { expected: i.expected } };
    case "too_big":
    case "too_small": {
      const limit = Number(i.code === "too_big" ? i.maximum : i.minimum);
      const bound = i.code === "too_big" ? "maximum" : "minimum";
      if (i.origin === "string")
        return i.code === "too_small" && limit <= 1
          ? { code: "required" }
          : { code: i.code === "too_big" ? "too_long" : "too_short", params: { [bound]: limit } };
      if (i.origin === "array" || i.origin === "set")
        return { code: i.code === "too_big" ? "too_many" : "too_few", params: { [bound]: limit } };
      return { code: i.code === "too_big" ? "too_large" : "too_small", params: { [bound]: limit } };
    }
    case "invalid_format":
      return i.format === "email"
        ? { code: "invalid_email" }
        : { code: "invalid_format", params: { format: i.format } };
    case "invalid_value":
      return { code: "invalid_choice", params: { values: i.values.map(String).join(", ") } };
    case "custom": {
      const { code, ...params } = (i.params ?? {}) as Record<string, string | number>;
      return {
        code: typeof code === "string" ? code : "invalid",
        ...(Object.keys(params).length ? { params } : {}),
      };
    }
    default:
      return { code: "invalid" };
  }
}
