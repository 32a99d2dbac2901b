import type { Database } from "@gatehouse/shared/db";
import type { InValue, Row } from "@libsql/client";

/** A filter clause and its values; absent filters are simply left out of the list. */
export type Filter = { sql: string; args: InValue[] } | false | undefined | "";

export type Page<T> = { items: T[]; nextCursor: string | null };

export const encodeCursor = (parts: [string, string]) =>
  Buffer.from(JSON.stringify(parts)).toString("base64url");

export function decodeCursor(cursor: string): [string, string] | null {
  try {
    const v = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    return Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === "string")
      ? (v as [string, string])
      : null;
  } catch {
    return null;
  }
}

/**
 * Newest first by `orderBy`, then `id`, with an opaque cursor holding the last item's (orderBy, id): the
 * next page is an index range, not an OFFSET, so page 2,000 costs what page 1 does.
 */
export async function keysetPage<T>(
  db: Database,
  q: {
    table: string;
    orderBy: string;
    filters: Filter[];
    limit: number;
    cursor?: string | undefined;
    map: (row: Row) => T;
    /** The item's (orderBy, id) values, for the next cursor. */
    key: (item: T) => [string, string];
  },
): Promise<Page<T> | "bad_cursor"> {
  const where: string[] = [];
  const args: InValue[] = [];
  for (const f of q.filters) {
    if (!f) continue;
    where.push(f.sql);
    args.push(...f.args);
  }
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    if (!c) return "bad_cursor";
    where.push(`(${q.orderBy} < ? OR (${q.orderBy} = ? AND id < ?))`);
    args.push(c[0], c[0], c[1]);
  }
  const r = await db.read(
    `SELECT * FROM ${q.table} ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
      ORDER BY ${q.orderBy} DESC, id DESC LIMIT ?`,
    [...args, q.limit + 1],
  );
  const items = r.rows.slice(0, q.limit).map(q.map);
  const last = items.at(-1);
  return {
    items,
    nextCursor: r.rows.length > q.limit && last !== undefined ? encodeCursor(q.key(last)) : null,
  };
}
