import { readdirSync, readFileSync } from "node:fs";
import { type Client, createClient, type InArgs, type InStatement, type ResultSet } from "@libsql/client";

export interface DatabaseOptions {
  url: string;
  authToken?: string;
  /** `FULL` where an outbox must survive power loss; `NORMAL` survives a killed process. */
  synchronous?: "NORMAL" | "FULL";
  /** Overwrite deleted and updated-away content (erased personal data, dropped photos) with zeros. */
  secureDelete?: boolean;
}

/**
 * One libSQL client per database per process, with writes serialised in-process: a second writer on the
 * same file would only meet SQLITE_BUSY, and one SQLITE_BUSY can poison a client (libsql-client-ts#352).
 * Writes go through `batch(..., "write")`, which is atomic; `transaction()` swaps connections and loses
 * per-connection PRAGMAs (#288), so it is not used.
 */
export class Database {
  readonly client: Client;
  readonly isLocal: boolean;
  private writeChain: Promise<unknown> = Promise.resolve();

  private constructor(client: Client, isLocal: boolean) {
    this.client = client;
    this.isLocal = isLocal;
  }

  static async open(opts: DatabaseOptions): Promise<Database> {
    const isLocal = opts.url.startsWith("file:") || opts.url === ":memory:";
    const client = createClient({
      url: opts.url,
      ...(opts.authToken ? { authToken: opts.authToken } : {}),
      ...(isLocal ? { timeout: 5000 } : {}),
    } as Parameters<typeof createClient>[0]);
    const db = new Database(client, isLocal);
    if (isLocal) {
      // File-only pragmas: a libSQL server manages its own journal.
      await client.execute("PRAGMA journal_mode=WAL");
      await client.execute(`PRAGMA synchronous=${opts.synchronous ?? "NORMAL"}`);
      await client.execute("PRAGMA busy_timeout=5000");
      await client.execute("PRAGMA foreign_keys=ON");
      if (opts.secureDelete) await client.execute("PRAGMA secure_delete=ON");
    }
    return db;
  }

  read(sql: string, args: InArgs = []): Promise<ResultSet> {
    return this.client.execute({ sql, args });
  }

  /** Atomic, serialised write of several statements. */
  write(stmts: InStatement[]): Promise<ResultSet[]> {
    const run = this.writeChain.then(() => this.client.batch(stmts, "write"));
    this.writeChain = run.catch(() => undefined);
    return run;
  }

  /**
   * Runs `work` with the write lock held, for read-then-write units whose reads must see no concurrent
   * write in between (sequence numbers, first-entry checks).
   */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.writeChain.then(work);
    this.writeChain = run.catch(() => undefined);
    return run;
  }

  /** Inside `exclusive`: a write that must not queue behind the lock its caller already holds. */
  writeNow(stmts: InStatement[]): Promise<ResultSet[]> {
    return this.client.batch(stmts, "write");
  }

  close(): void {
    this.client.close();
  }
}

/**
 * Applies numbered migrations (`0001_name.sql`, ...) in order, once each, recording them in
 * `schema_migrations`. A migration that has shipped is never edited: add the next number instead.
 */
export async function applyMigrations(db: Database, dir: string): Promise<string[]> {
  await db.write([
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
  ]);
  const applied = new Set(
    (await db.read("SELECT version FROM schema_migrations")).rows.map((r) => Number(r.version)),
  );
  const files = readdirSync(dir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort();
  const done: string[] = [];
  for (const file of files) {
    const version = Number(file.slice(0, 4));
    if (applied.has(version)) continue;
    const statements = readFileSync(`${dir}/${file}`, "utf8")
      .split(/;\s*(?:\r?\n|$)/)
      .map((s) => s.replace(/^\s*--.*$/gm, "").trim())
      .filter((s) => s.length > 0);
    await db.write([
      ...statements,
      {
        sql: "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
        args: [version, file, new Date().toISOString()],
      },
    ]);
    done.push(file);
  }
  return done;
}
