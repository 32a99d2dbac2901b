// Over 400 lines: one Database for both kinds (a local file with its group commit and checkpoints, a libSQL
// server), behind the one interface services use; the write path's order and durability rules live together.
import { AsyncLocalStorage } from "node:async_hooks";
import { readdirSync, readFileSync } from "node:fs";
import {
  type Client,
  createClient,
  type InArgs,
  type InStatement,
  type ResultSet,
  type Row,
  type Transaction,
} from "@libsql/client";
import { Checkpointer, type CheckpointTuning } from "./checkpointer.js";
import { filePath, LocalConnection, type Statement, WalSync } from "./local-connection.js";

/** A transaction of the group commit: what the units run their statements in. */
interface UnitTx {
  readonly closed: boolean;
  execute(stmt: Statement): Promise<ResultSet>;
  batch(stmts: Statement[]): Promise<ResultSet[]>;
  /** Statements with no result (savepoints), run in order with the rest; a failed one fails the commit. */
  script(sql: string): void;
  /** Commits; resolves once committed, with `durable` for when the commit is on disk as promised. */
  commit(): Promise<{ durable: Promise<void> }>;
  rollback(): Promise<void>;
}

export interface DatabaseOptions {
  url: string;
  authToken?: string;
  /** `FULL` where an outbox must survive power loss; `NORMAL` survives a killed process. */
  synchronous?: "NORMAL" | "FULL";
  /** Overwrite deleted and updated-away content (erased personal data, dropped photos) with zeros. */
  secureDelete?: boolean;
  /** A local file's checkpoints (the defaults suit the services; tests make them small). */
  checkpoint?: CheckpointTuning;
}

/** Units of work committed together at most: a bound on how long one commit holds the others' results. */
const MAX_GROUP = 256;
/** How long a group runs its units before it commits, at most (milliseconds). */
const GROUP_MS = 3;

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
 * capped by one commit per message. No unit's promise settles before its group is durable, so callers
 * publish or answer only what is.
 *
 * A local file is written through the `libsql` driver with its statements kept prepared, and nothing on the
 * event loop ever waits for the disk: the write connection does not sync (`synchronous=OFF`, no automatic
 * checkpoint); where `synchronous=FULL` is asked for, each commit's log is synced by `fdatasync` in libuv's
 * thread pool before its units settle — the same promise FULL makes — while the next group already runs;
 * and a checkpoint thread with its own `synchronous=FULL` connection copies the log into the file. Reads
 * outside a unit go through a second connection and see only committed data. A libSQL server, and an
 * in-memory database (one connection), are written through the client.
 */
export class Database {
  readonly isLocal: boolean;
  private readonly inUnit = new AsyncLocalStorage<UnitTx>();
  private readonly queue: Unit[] = [];
  private draining = false;
  private pragmasLost = false;
  /** Commits made and units they carried: units / commits is the mean group size. */
  readonly stats = { commits: 0, units: 0 };

  private readClient: Client | undefined;

  private constructor(
    private readonly writer: Client | LocalFile,
    isLocal: boolean,
    private readonly isMemory: boolean,
    private readonly pragmas: string[],
    private readonly connect: () => Client,
  ) {
    this.isLocal = isLocal;
  }

  /** The async client, for read transactions outside units (a consistent snapshot over several reads). */
  get client(): Client {
    if (!(this.writer instanceof LocalFile)) return this.writer;
    this.readClient ??= this.connect();
    return this.readClient;
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
    if (isLocal && !isMemory)
      return new Database(new LocalFile(filePath(opts.url), opts), isLocal, isMemory, pragmas, () =>
        connect(),
      );
    // An in-memory database is one connection: reads share the writer's.
    const writer = connect(isLocal ? 1 : undefined);
    for (const p of pragmas) await writer.execute(p);
    return new Database(writer, isLocal, isMemory, pragmas, () => writer);
  }

  /** Inside a unit of work, reads see the unit's own writes. */
  read(sql: string, args: InArgs = []): Promise<ResultSet> {
    return this.readStatement({ sql, args });
  }

  /** A read that finds one row at most (by a unique key), as `read` does; undefined when there is none. */
  async readRow(sql: string, args: InArgs = []): Promise<Row | undefined> {
    return (await this.readStatement({ sql, args, oneRow: true })).rows[0];
  }

  private readStatement(stmt: Extract<Statement, object>): Promise<ResultSet> {
    const tx = this.unit();
    if (tx) return tx.execute(stmt);
    // An in-memory database has one connection, which a unit's transaction holds while it runs.
    if (this.isMemory) return this.exclusive(() => this.readStatement(stmt));
    if (!(this.writer instanceof LocalFile)) return this.writer.execute(plain(stmt));
    const reader = this.writer.reader;
    return attempt(() => reader.execute(stmt));
  }

  /** Atomic write of several statements, committed before it resolves. */
  write(stmts: Statement[]): Promise<ResultSet[]> {
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
  writeNow(stmts: Statement[]): Promise<ResultSet[]> {
    const tx = this.unit();
    if (!tx) return this.write(stmts);
    return tx.batch(stmts);
  }

  /**
   * Tells `observer` how long each commit's sync to the disk took (seconds): a local file opened with
   * `synchronous=FULL` only. Its callers' answers wait for it (the agent answers HikCentral's push after it).
   */
  onSync(observer: (seconds: number) => void): void {
    if (this.writer instanceof LocalFile) this.writer.onSync = observer;
  }

  close(): void {
    this.readClient?.close();
    this.writer.close();
  }

  /**
   * The transaction of the unit this code runs in. A timer or promise started inside a unit keeps its
   * context after the commit; by then the transaction is closed and it is outside any unit.
   */
  private unit(): UnitTx | undefined {
    const tx = this.inUnit.getStore();
    return tx && !tx.closed ? tx : undefined;
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        await this.commitGroup(this.queue.splice(0, MAX_GROUP));
        // Units run synchronously underneath: without a turn of the event loop between groups, a long queue
        // would hold sockets and timers until it is empty.
        if (this.queue.length > 0) await new Promise((r) => setImmediate(r));
      }
    } finally {
      this.draining = false;
    }
  }

  /** A write transaction on the writer: the local file's, or the client's (whose connection it swaps). */
  private async begin(): Promise<UnitTx> {
    const writer = this.writer;
    if (writer instanceof LocalFile) return writer.begin();
    if (this.pragmasLost) {
      for (const p of this.pragmas) await writer.execute(p);
      this.pragmasLost = false;
    }
    return clientUnitTx(await writer.transaction("write"));
  }

  /**
   * Runs a group in one transaction and commits it; its units settle once the commit is durable, while the
   * next group already runs (a later sync covers an earlier commit's log too).
   */
  private async commitGroup(group: Unit[]): Promise<void> {
    let tx: UnitTx;
    try {
      tx = await this.begin();
    } catch (e) {
      for (const u of group) u.reject(e);
      return;
    }
    const outcomes: { ok: boolean; value: unknown }[] = [];
    let durable: Promise<void>;
    try {
      // Each unit runs under a savepoint. Ending one and opening the next is one script, run in order with
      // the units' statements.
      tx.script("SAVEPOINT unit");
      const started = performance.now();
      for (const [i, u] of group.entries()) {
        // A group commits once it has run for GROUP_MS: the first unit's answer waits for the whole group, so a
        // long group is latency; what is left goes first into the next one.
        if (i > 0 && performance.now() - started > GROUP_MS) {
          this.queue.unshift(...group.splice(i));
          tx.script("RELEASE unit");
          break;
        }
        const next = i + 1 < group.length ? "; SAVEPOINT unit" : "";
        let outcome: { ok: boolean; value: unknown };
        try {
          outcome = { ok: true, value: await this.inUnit.run(tx, u.work) };
        } catch (e) {
          outcome = { ok: false, value: e };
        }
        outcomes.push(outcome);
        // A failed unit's writes are undone; the others in the group still commit.
        tx.script(`${outcome.ok ? "" : "ROLLBACK TO unit; "}RELEASE unit${next}`);
      }
      durable = (await tx.commit()).durable;
      this.stats.commits += 1;
      this.stats.units += group.length;
    } catch (e) {
      // The transaction itself failed (busy, I/O, closed): nothing of the group is stored.
      this.pragmasLost = this.isLocal;
      await tx.rollback().catch(() => undefined);
      for (const u of group) u.reject(e);
      return;
    }
    durable.then(
      () =>
        group.forEach((u, i) => {
          const o = outcomes[i]!;
          if (o.ok) u.resolve(o.value);
          else u.reject(o.value);
        }),
      // Committed but not synced: whether it survives a power cut is unknown, so it counts as not stored.
      (e: unknown) => {
        for (const u of group) u.reject(e);
      },
    );
  }
}

/** A client's transaction as a unit transaction: scripts are sent at once and their outcome kept for the commit. */
function clientUnitTx(tx: Transaction): UnitTx {
  const pending: Promise<unknown>[] = [];
  let failed: unknown;
  const settled = async () => {
    await Promise.all(pending.splice(0));
    if (failed !== undefined) throw failed;
  };
  return {
    get closed() {
      return tx.closed;
    },
    execute: (stmt) => tx.execute(plain(stmt)),
    batch: (stmts) => tx.batch(stmts.map(plain)),
    script(sql) {
      pending.push(
        tx.executeMultiple(sql).catch((e: unknown) => {
          failed ??= e;
        }),
      );
    },
    async commit() {
      await settled();
      await tx.commit();
      return { durable: Promise.resolve() };
    },
    async rollback() {
      await settled().catch(() => undefined);
      await tx.rollback();
    },
  };
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

/** A statement as the client takes it: the one-row mark is the local driver's alone. */
const plain = (s: Statement): InStatement =>
  typeof s === "string" || !("oneRow" in s) ? s : { sql: s.sql, args: s.args ?? [] };

/** A synchronous driver call as a promise: its throw becomes the rejection. */
function attempt<T>(f: () => T): Promise<T> {
  try {
    return Promise.resolve(f());
  } catch (e) {
    return Promise.reject(e);
  }
}

/** A statement that cannot change anything (anything else, `INSERT … RETURNING` included, may). */
const PURE_READ = /^\s*SELECT\b/i;

/** How long a local write waits for another process's write lock, at most. */
const BUSY_WAIT_MS = 5000;

/**
 * A local database file: the write connection, the read connection, the log sync and the checkpoint thread.
 * Waiting for another process's lock is a timer, not a blocked thread (the driver's busy wait would hold
 * the event loop): `BEGIN IMMEDIATE` is tried again until it gets the lock.
 */
class LocalFile {
  readonly writer: LocalConnection;
  readonly reader: LocalConnection;
  private readonly walSync: WalSync | undefined;
  private readonly checkpointer: Checkpointer;
  /** Set while the checkpoint thread restarts the log: no write transaction begins. */
  private paused: Promise<void> | undefined;
  /** Resolves when the open write transaction (if any) has ended. */
  private idle: Promise<void> = Promise.resolve();
  /** Settles when the last commit is durable (whatever the outcome). */
  private lastDurable: Promise<void> = Promise.resolve();
  /** Told each commit's sync time (seconds). */
  onSync: ((seconds: number) => void) | undefined;

  constructor(path: string, opts: DatabaseOptions) {
    this.writer = new LocalConnection(path, [
      "PRAGMA journal_mode=WAL",
      "PRAGMA synchronous=OFF",
      "PRAGMA wal_autocheckpoint=0",
      "PRAGMA busy_timeout=0",
      "PRAGMA foreign_keys=ON",
      ...(opts.secureDelete ? ["PRAGMA secure_delete=ON"] : []),
    ]);
    this.reader = new LocalConnection(path, ["PRAGMA busy_timeout=5000"]);
    this.walSync = opts.synchronous === "FULL" ? new WalSync(`${path}-wal`) : undefined;
    this.checkpointer = new Checkpointer(path, () => this.pause(), opts.checkpoint);
  }

  /** Holds new write transactions back until the returned function is called; resolves once none is open. */
  private async pause(): Promise<() => void> {
    let resume!: () => void;
    this.paused = new Promise<void>((r) => {
      resume = () => {
        this.paused = undefined;
        r();
      };
    });
    await this.idle;
    return resume;
  }

  async begin(): Promise<UnitTx> {
    while (this.paused) await this.paused;
    let leave!: () => void;
    this.idle = new Promise<void>((r) => {
      leave = r;
    });
    try {
      return await this.beginNow(leave);
    } catch (e) {
      leave();
      throw e;
    }
  }

  private async beginNow(leave: () => void): Promise<UnitTx> {
    const deadline = Date.now() + BUSY_WAIT_MS;
    for (let wait = 1; ; wait = Math.min(wait * 2, 50)) {
      try {
        this.writer.execute("BEGIN IMMEDIATE");
        break;
      } catch (e) {
        // SQLITE_BUSY, or an extended busy code (another process recovering the log after a crash).
        if (!String((e as { code?: string }).code).startsWith("SQLITE_BUSY") || Date.now() > deadline)
          throw e;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
    const w = this.writer;
    let closed = false;
    let failed: unknown;
    // A group that only read has nothing to sync.
    let wrote = false;
    const write = (stmt: Statement) => {
      if (!PURE_READ.test(typeof stmt === "string" ? stmt : stmt.sql)) wrote = true;
      return w.execute(stmt);
    };
    return {
      get closed() {
        return closed;
      },
      execute: (stmt: Statement) => attempt(() => write(stmt)),
      batch: (stmts: Statement[]) => attempt(() => stmts.map(write)),
      script(sql: string) {
        if (failed !== undefined) return;
        try {
          // Each statement prepared once and kept, as the others are: the savepoints come twice a unit.
          for (const part of sql.split(";")) if (part.trim()) w.execute(part.trim());
        } catch (e) {
          failed = e;
        }
      },
      commit: async () => {
        if (failed !== undefined) throw failed;
        w.execute("COMMIT");
        closed = true;
        leave();
        this.checkpointer.noteCommit();
        // Groups settle in commit order even when a later sync finishes first: answers (an MQTT PUBACK) go
        // out in the order their messages came, and no group is answered before one whose data it read.
        const synced = this.walSync && wrote ? this.sync(this.walSync) : undefined;
        const durable = synced ? Promise.all([this.lastDurable, synced]).then(() => {}) : this.lastDurable;
        this.lastDurable = durable.catch(() => {});
        return { durable };
      },
      rollback: async () => {
        closed = true;
        try {
          w.exec("ROLLBACK");
        } catch {
          // no transaction was open
        }
        leave();
      },
    };
  }

  private async sync(wal: WalSync): Promise<void> {
    const started = performance.now();
    await wal.datasync();
    this.onSync?.((performance.now() - started) / 1000);
  }

  close(): void {
    // A closed database is one file: the log copied into it, synced and emptied. This waits for the disk on
    // the event loop, once, at shutdown.
    try {
      this.writer.exec("PRAGMA busy_timeout=2000");
      this.writer.exec("PRAGMA synchronous=FULL");
      this.writer.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch {
      // closed already, or another process holds the lock: its last connection checkpoints
    }
    void this.checkpointer.close();
    void this.walSync?.close();
    this.writer.close();
    this.reader.close();
  }
}
