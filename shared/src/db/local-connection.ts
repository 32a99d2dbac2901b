import { type FileHandle, open } from "node:fs/promises";
import { createRequire } from "node:module";
import type { InArgs, InStatement, ResultSet } from "@libsql/client";

/**
 * A connection to a local database file through the `libsql` driver itself, which the async client wraps:
 * each statement is prepared once and kept, with its column names, across calls (the client prepared every
 * statement afresh and read its columns twice — a third of the intake's time).
 */

interface DriverStatement {
  reader: boolean;
  columns(): Array<{ name: string }>;
  run(args: unknown): { changes: number; lastInsertRowid: bigint | number };
  get(args: unknown): Record<string, unknown> | undefined;
  all(args: unknown): Record<string, unknown>[];
}

interface DriverConnection {
  readonly inTransaction: boolean;
  prepare(sql: string): DriverStatement;
  exec(sql: string): void;
  close(): void;
}

const Driver = createRequire(import.meta.url)("libsql") as new (
  path: string,
  opts?: { timeout?: number },
) => DriverConnection;

/**
 * A statement that returns one row at most: a lookup by key, an `INSERT … VALUES (…) RETURNING` of one row.
 * A local file runs it with the driver's single-row call; reading through the driver's cursor costs 10–15 µs
 * more a statement (measured on the intake's insert), the price of a cursor object made and collected each
 * time. A row past the first would be dropped: mark only what cannot return two.
 */
export type OneRowStatement = { sql: string; args?: InArgs; oneRow: true };

/** What the database takes: the client's statement, or one marked as returning one row at most. */
export type Statement = InStatement | OneRowStatement;

interface Prepared {
  stmt: DriverStatement;
  reader: boolean;
  columns: string[];
}

/** Statements kept prepared at most: the services use a few hundred distinct ones. */
const CACHE = 2000;

const bindable = (v: unknown) =>
  typeof v === "boolean"
    ? v
      ? 1
      : 0
    : v instanceof Date
      ? v.getTime()
      : v instanceof ArrayBuffer
        ? Buffer.from(v)
        : v;

function args(a: InArgs | undefined): unknown {
  if (!a) return [];
  return Array.isArray(a)
    ? a.map(bindable)
    : Object.fromEntries(Object.entries(a).map(([k, v]) => [k, bindable(v)]));
}

/**
 * A single-row read as the cursor gives it: only the columns (the driver adds `_metadata`), and a BLOB as an
 * ArrayBuffer (the driver gives a Buffer).
 */
function asCursorRow(columns: string[], row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of columns) {
    const v = row[c];
    out[c] = Buffer.isBuffer(v) ? v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength) : v;
  }
  return out;
}

/** The path of a `file:` URL as the driver opens it. */
export const filePath = (url: string) => url.replace(/^file:(\/\/(?=\/))?/, "");

export class LocalConnection {
  private readonly db: DriverConnection;
  private readonly cache = new Map<string, Prepared>();
  /**
   * One-row statements, prepared apart from the same text read with the cursor: a statement read with the
   * cursor, then with the single-row call, gives the row of the cursor's arguments, not of the new ones
   * (libsql 0.5.29).
   */
  private readonly oneRowCache = new Map<string, Prepared>();
  private closed = false;

  constructor(path: string, pragmas: readonly string[]) {
    this.db = new Driver(path);
    for (const p of pragmas) this.db.exec(p);
  }

  /** Runs one statement now (synchronously: the driver answers from memory, or the OS's page cache). */
  execute(s: Statement): ResultSet {
    if (this.closed) throw closedError();
    const sql = typeof s === "string" ? s : s.sql;
    const oneRow = typeof s !== "string" && "oneRow" in s;
    const cache = oneRow ? this.oneRowCache : this.cache;
    let p = cache.get(sql);
    if (!p) {
      const stmt = this.db.prepare(sql);
      // `reader` is a call into the driver each time it is read: asked once.
      const reader = stmt.reader;
      p = { stmt, reader, columns: reader ? stmt.columns().map((c) => c.name) : [] };
      if (cache.size >= CACHE) cache.delete(cache.keys().next().value!);
      cache.set(sql, p);
    }
    const bound = args(typeof s === "string" ? undefined : s.args);
    if (p.reader) {
      let rows: Record<string, unknown>[];
      if (oneRow) {
        const row = p.stmt.get(bound);
        rows = row ? [asCursorRow(p.columns, row)] : [];
      } else rows = p.stmt.all(bound);
      return resultSet(p.columns, rows, rows.length, undefined);
    }
    const info = p.stmt.run(bound);
    return resultSet([], [], info.changes, BigInt(info.lastInsertRowid));
  }

  exec(sql: string): void {
    if (this.closed) throw closedError();
    this.db.exec(sql);
  }

  /**
   * Ends an open transaction (what it wrote was never committed, so none of it was promised) and drops the
   * kept statements: a kept statement still reaches the driver's connection after its close, so one run
   * later (a late timer's write) took the write lock and held it, with nothing left to release it, from every
   * other process and from the next instance on the same file.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.db.inTransaction) this.db.exec("ROLLBACK");
    } catch {
      // the connection is gone already
    }
    this.cache.clear();
    this.oneRowCache.clear();
    this.db.close();
  }
}

const closedError = () =>
  Object.assign(new Error("the database is closed"), { code: "SQLITE_MISUSE", retryable: false });

const resultSet = (
  columns: string[],
  rows: Record<string, unknown>[],
  rowsAffected: number,
  lastInsertRowid: bigint | undefined,
): ResultSet =>
  ({
    columns,
    columnTypes: [],
    rows,
    rowsAffected,
    lastInsertRowid,
    toJSON: () => ({ columns, rows, rowsAffected }),
  }) as unknown as ResultSet;

/**
 * The write-ahead log's own file, to make a commit durable off the event loop: `datasync` runs in libuv's
 * thread pool, so the wait for the disk stalls no timer, socket or request. fsync of any descriptor of a file
 * flushes the file.
 */
export class WalSync {
  private handle: Promise<FileHandle> | undefined;

  constructor(private readonly walPath: string) {}

  async datasync(): Promise<void> {
    this.handle ??= open(this.walPath, "r+");
    const h = await this.handle.catch((e: unknown) => {
      this.handle = undefined;
      throw e;
    });
    await h.datasync();
  }

  async close(): Promise<void> {
    const h = await this.handle?.catch(() => undefined);
    this.handle = undefined;
    await h?.close();
  }
}
