import { paramError } from "./errors.js";

/** Readers for request bodies that fail the way HCP fails: code 2 naming the field. */
export type Body = Record<string, unknown>;

const HCP_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?[+-]\d{2}:\d{2}$/;

export function asBody(raw: unknown): Body {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw paramError("body");
  return raw as Body;
}

export function str(
  b: Body,
  field: string,
  opts: { required?: boolean; max?: number } = {},
): string | undefined {
  const v = b[field];
  if (v === undefined || v === null || v === "") {
    if (opts.required) throw paramError(field);
    return undefined;
  }
  if (typeof v !== "string" && typeof v !== "number") throw paramError(field);
  const s = String(v);
  if (opts.max !== undefined && s.length > opts.max) throw paramError(field);
  return s;
}

export function reqStr(b: Body, field: string, max?: number): string {
  return str(b, field, { required: true, ...(max === undefined ? {} : { max }) })!;
}

export function int(b: Body, field: string, opts: { required?: boolean; min?: number; max?: number } = {}) {
  const v = b[field];
  if (v === undefined || v === null) {
    if (opts.required) throw paramError(field);
    return undefined;
  }
  const n = typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n)) throw paramError(field);
  if (opts.min !== undefined && n < opts.min) throw paramError(field);
  if (opts.max !== undefined && n > opts.max) throw paramError(field);
  return n;
}

/** HCP rejects times without a numeric offset (a `Z` included) with code 2. */
export function time(b: Body, field: string, required = false): string | undefined {
  const s = str(b, field, { required });
  if (s === undefined) return undefined;
  if (!HCP_TIME.test(s)) throw paramError(field);
  return s;
}

export function paging(b: Body): { pageNo: number; pageSize: number } {
  const pageNo = int(b, "pageNo", { required: true, min: 1 })!;
  const pageSize = int(b, "pageSize", { required: true, min: 1, max: 500 })!;
  return { pageNo, pageSize };
}

/** A page as HCP returns it: `list` is left out entirely when there are no rows. */
export function page<T>(all: T[], { pageNo, pageSize }: { pageNo: number; pageSize: number }) {
  const list = all.slice((pageNo - 1) * pageSize, pageNo * pageSize);
  const out: { total: number; pageNo: number; pageSize: number; list?: T[] } = {
    total: all.length,
    pageNo,
    pageSize,
  };
  if (all.length > 0) out.list = list;
  return out;
}

/** Id lists arrive as arrays or as comma-strings depending on the HCP version and the endpoint. */
export function idList(b: Body, field: string, required = false): string[] | undefined {
  const v = b[field];
  if (v === undefined || v === null || v === "") {
    if (required) throw paramError(field);
    return undefined;
  }
  if (typeof v === "string")
    return v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  if (Array.isArray(v) && v.every((x) => typeof x === "string" || typeof x === "number"))
    return v.map(String);
  throw paramError(field);
}
