import type { DeviceDownload } from "../../services/ports.js";

export type { DeviceDownload };

/** HCP versions differ in the case of these keys (ElementDetail vs elementDetail): read them case-blind. */
function lowerKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(lowerKeys);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.toLowerCase(), lowerKeys(x)]));
  }
  return v;
}

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/**
 * Reads `visitor/v1/person/ID/elementDownloadDetail`: one element per terminal, status "0" done, "1"
 * pending, "2"/"3" failed (shared/hikcentral-openapi.md §4.4).
 */
export function parseDownloadDetail(data: unknown): DeviceDownload[] {
  const root = lowerKeys(data) as Record<string, unknown> | undefined;
  const list = asArray((root?.elementdetaillist as Record<string, unknown> | undefined)?.elementdetail);
  return list.map((raw) => {
    const e = raw as { baseinfo?: Record<string, unknown>; elementstatus?: unknown };
    const device = String(e.baseinfo?.name ?? e.baseinfo?.id ?? "unknown");
    const statuses = asArray(e.elementstatus) as Array<{
      status?: unknown;
      errorcode?: unknown;
      errormodule?: unknown;
    }>;
    const codes = statuses.map((s) => String(s.status ?? ""));
    const failed = statuses.find((s) => String(s.status) === "2" || String(s.status) === "3");
    if (failed) {
      const error = [failed.errormodule, failed.errorcode]
        .filter((x) => x !== undefined && x !== "")
        .join(" ");
      return { device, status: "failed", ...(error ? { error } : {}) };
    }
    if (codes.length > 0 && codes.every((c) => c === "0")) return { device, status: "applied" };
    return { device, status: "pending" };
  });
}
