import { AsyncLocalStorage } from "node:async_hooks";
import { readdirSync, readFileSync } from "node:fs";
import {
  type Client,
  createClient,
  type InArgs,
  type InStatement,
  type ResultSet,
  type Transaction,
} from "@libsql/client";

export interface DatabaseOptions {
  url: string;
  authToken?: string;
  /** `FULL` where an outbox must survive power loss; `NORMAL` survives a killed process. */
  synchronous?: "NORMAL" | "FULL";
  /** Overwrite deleted and updated-away content (erased personal data, dropped photos) with zeros. */
  secureDelete?: boolean;
}

/** Units of work committed together at most: a bound on how long one commit holds the others' results. */
const MAX_GROUP = 256;

interface Unit {
  work: () => Promise<unknown>;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

/**
 * One database for one process. Every write is a unit of work run inside a write transaction
 * (`BEGIN IMMEDIATE`), so a read-then-write unit is atomic even when several processes (control-plane
 * instances) share the database. Units that arrive while a transaction commits are run together in the
 * next one, each under its own savepoint: a group commit, one commit for many units, so throughput is not
 * capped by one commit per message. No unit's promise settles before its group has committed, so callers
 * publish or answer only what is durable.
 *
 * Files get two clients: writes go through one connection (`concurrency: 1`, so the pragmas set on it
 * stay), reads outside a unit through another and see only committed data.
 */
export class Database {
  /** For reads (and read transactions) outside units of work. */
  readonly client: Client;
  readonly isLocal: boolean;
  private readonly writer: Client;
  private readonly inUnit = new AsyncLocalStorage<Transaction>();
  private readonly queue: Unit[] = [];
  private draining = false;
  private pragmasLost = false;
  /** Commits made and units they carried: units / commits is the mean group size. */
  readonly stats = { commits: 0, units: 0 };

  private constructor(
    client: Client,
    writer: Client,
    isLocal: boolean,
    private readonly isMemory: boolean,
    private readonly pragmas: string[],
  ) {
    this.client = client;
    this.writer = writer;
    this.isLocal = isLocal;
  }

  static async open(opts: DatabaseOptions): Promise<Database> {
    const isMemory = opts.url === ":memory:" || opts.url === "file::memory:";
    const isLocal = opts.url.startsWith("file:") || isMemory;
    const connect = (concurrency?: number) =>
      createClient({
        url: opts.url,
        ...(opts.authToken ? { authToken: opts.authToken } : {}),
        ...(isLocal ? { timeout: 5000 } : {}),
        ...(concurrency ? { concurrency } : {}),
      } as Parameters<typeof createClient>[0]);
    // File-only pragmas: a libSQL server manages its own journal and durability.
    const pragmas = isLocal
      ? [
          `PRAGMA synchronous=${opts.synchronous ?? "NORMAL"}`,
          "PRAGMA busy_timeout=5000",
          "PRAGMA foreign_keys=ON",
          ...(opts.secureDelete ? ["PRAGMA secure_delete=ON"] : []),
        ]
      : [];
    const writer = connect(isLocal ? 1 : undefined);
    if (isLocal && !isMemory) await writer.execute("PRAGMA journal_mode=WAL");
    for (const p of pragmas) await writer.execute(p);
    // An in-memory database is one connection: reads share the writer's.
    const client = isLocal && !isMemory ? connect() : writer;
    if (client !== writer) await client.execute("PRAGMA busy_timeout=5000");
    return new Database(client, writer, isLocal, isMemory, pragmas);
  }

  /** Inside a unit of work, reads see the unit's own writes. */
  read(sql: string, args: InArgs = []): Promise<ResultSet> {
    const tx = this.unit();
    if (tx) return tx.execute({ sql, args });
    // An in-memory database has one connection, which a unit's transaction holds while it runs.
    if (this.isMemory) return this.exclusive(() => this.read(sql, args));
    return this.client.execute({ sql, args });
  }

  /** Atomic write of several statements, committed before it resolves. */
  write(stmts: InStatement[]): Promise<ResultSet[]> {
    return this.exclusive(() => this.writeNow(stmts));
  }

  /**
   * Runs `work` as one unit: its reads see no other unit's writes in between, and its writes commit
   * together or not at all (a throw undoes them). For read-then-write units (sequence numbers, first-entry
   * checks). Inside a unit, a nested `exclusive` or `write` is part of it. A unit does database work only:
   * while it awaits anything else, every other write waits with it.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.unit()) return work();
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (!this.draining) void this.drain();
    });
  }

  /** Inside `exclusive`: writes statements in order as part of the unit. */
  writeNow(stmts: InStatement[]): Promise<ResultSet[]> {
    const tx = this.unit();
    if (!tx) return this.write(stmts);
    return tx.batch(stmts);
  }

  close(): void {
    if (this.client !== this.writer) this.client.close();
    this.writer.close();
  }

  /**
   * The transaction of the unit this code runs in. A timer or promise started inside a unit keeps its
   * context after the commit; by then the transaction is closed and it is outside any unit.
   */
  private unit(): Transaction | undefined {
    const tx = this.inUnit.getStore();
    return tx && !tx.closed ? tx : undefined;
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) await this.commitGroup(this.queue.splice(0, MAX_GROUP));
    } finally {
      this.draining = false;
    }
  }

  private async commitGroup(group: Unit[]): Promise<void> {
    let tx: Transaction;
    try {
      if (this.pragmasLost) {
        for (const p of this.pragmas) await this.writer.execute(p);
        this.pragmasLost = false;
      }
      tx = await this.writer.transaction("write");
    } catch (e) {
      for (const u of group) u.reject(e);
      return;
    }
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      // Each unit runs under a savepoint. Ending one and opening the next is one script (one call, no
      // statement to prepare): at a few statements per unit, separate calls were a third of the cost.
      await tx.executeMultiple("SAVEPOINT unit");
      for (const [i, u] of group.entries()) {
        const next = i + 1 < group.length ? "; SAVEPOINT unit" : "";
        let outcome: { ok: boolean; value: unknown };
        try {
          outcome = { ok: true, value: await this.inUnit.run(tx, u.work) };
        } catch (e) {
          outcome = { ok: false, value: e };
        }
        outcomes.push(outcome);
        // A failed unit's writes are undone; the others in the group still commit.
        await tx.executeMultiple(`${outcome.ok ? "" : "ROLLBACK TO unit; "}RELEASE unit${next}`);
      }
      await tx.commit();
      this.stats.commits += 1;
      this.stats.units += group.length;
    } catch (e) {
      // The transaction itself failed (busy, I/O, closed): nothing of the group is stored.
      this.pragmasLost = this.isLocal;
      await tx.rollback().catch(() => undefined);
      for (const u of group) u.reject(e);
      return;
    }
    group.forEach((u, i) => {
      const o = outcomes[i]!;
      if (o.ok) u.resolve(o.value);
      else u.reject(o.value);
    });
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
