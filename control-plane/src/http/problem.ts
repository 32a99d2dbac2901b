import { type FieldProblem, type Issue, issueCode } from "@gatehouse/shared";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";

export type { FieldProblem } from "@gatehouse/shared";

const TITLES: Record<number, string> = {
  400: "Bad request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not found",
  409: "Conflict",
  413: "Payload too large",
  415: "Unsupported media type",
  422: "Unprocessable content",
  429: "Too many requests",
  500: "Internal server error",
  502: "Bad gateway",
};

/** RFC 9457 problem details, with the fields at fault in `errors`. */
export function problem(
  c: Context,
  status: ContentfulStatusCode,
  detail: string,
  errors: FieldProblem[] = [],
) {
  return c.body(
    JSON.stringify({ type: "about:blank", title: TITLES[status] ?? "Error", status, detail, errors }),
    status,
    { "content-type": "application/problem+json" },
  );
}

export function zodProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.flatMap((i) => {
    // An empty key would vanish from the dotted path: show it quoted.
    const at = i.path.map((p) => (p === "" ? '""' : String(p)));
    // One problem per unknown field, named, so a client sees which field it may not send.
    if (i.code === "unrecognized_keys") {
      return i.keys.map((k) => ({
        path: [...at, k === "" ? '""' : k].join("."),
        code: "unknown_field",
        message: "is not a field that can be set here",
      }));
    }
    return [{ path: at.join(".") || "(body)", message: i.message, ...issueCode(i as Issue) }];
  });
}

/** The 400 for a list cursor this API did not give out. */
export const badCursor = (c: Context): never =>
  problem(c, 400, "the cursor is not one this API gave", [
    { path: "cursor", code: "invalid", message: "invalid" },
  ]) as never;
