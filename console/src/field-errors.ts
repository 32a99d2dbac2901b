import { fieldMessage } from "./words.js";

/** One field at fault: a stable code the console words, and the API's English message for support. */
export interface FieldProblem {
  path: string;
  code?: string;
  params?: Record<string, string | number>;
  message: string;
}

/** An RFC 9457 problem body as the API answers a request it refused. */
export interface Problem {
  status: number;
  title: string;
  detail: string;
  errors: FieldProblem[];
}

export function isProblem(x: unknown): x is Problem {
  if (typeof x !== "object" || x === null) return false;
  const p = x as Record<string, unknown>;
  return typeof p.status === "number" && typeof p.detail === "string" && Array.isArray(p.errors);
}

/**
 * Sorts a problem's errors onto the form's fields, worded in the reader's language by code: an error whose
 * path is a field of the form (or lies under one, as `guest.photo` under a photo field) goes beside it; the
 * rest are said above the form.
 */
export function fieldErrors(
  problem: Problem,
  fields: readonly string[],
  fallback: string,
): { byField: Map<string, string[]>; general: string[] } {
  const byField = new Map<string, string[]>();
  const general: string[] = [];
  for (const e of problem.errors) {
    const field = fields.find((f) => e.path === f || e.path.startsWith(`${f}.`));
    if (field) byField.set(field, [...(byField.get(field) ?? []), fieldMessage(e)]);
    else general.push(fieldMessage(e));
  }
  if (byField.size === 0 && general.length === 0) general.push(fallback);
  return { byField, general };
}
