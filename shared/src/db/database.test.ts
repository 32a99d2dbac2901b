import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Database } from "./database.js";

describe("Database units of work", () => {
  let dir: string;
  let url: string;
  const open: Database[] = [];
  const openDb = async () => {
    const db = await Database.open({ url });
    open.push(db);
    return db;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "gatehouse-db-"));
    url = `file:${join(dir, "t.db")}`;
    const db = await openDb();
    await db.write([
      "CREATE TABLE counters (id TEXT PRIMARY KEY, n INTEGER NOT NULL)",
      "INSERT INTO counters VALUES ('c', 0)",
      "CREATE TABLE rows (id INTEGER PRIMARY KEY)",
    ]);
  });
  afterEach(() => {
    for (const db of open.splice(0)) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("commits concurrent units in groups, each resolved only once durable", async () => {
    const [db] = open as [Database];
    const other = await openDb();
    const before = { ...db.stats };
    const writes = Array.from({ length: 200 }, (_, i) =>
      db.write([{ sql: "INSERT INTO rows (id) VALUES (?)", args: [i] }]).then(async () => {
        // Another connection sees the row the moment its write resolves.
        const r = await other.read("SELECT 1 FROM rows WHERE id = ?", [i]);
        return r.rows.length;
      }),
    );
    expect(await Promise.all(writes)).toEqual(Array(200).fill(1));
    const commits = db.stats.commits - before.commits;
    expect(db.stats.units - before.units).toBe(200);
    expect(commits).toBeLessThan(20);
  });

  it("a failing unit undoes only its own writes; the rest of its group commits", async () => {
    const [db] = open as [Database];
    const results = await Promise.allSettled([
      db.write([{ sql: "INSERT INTO rows (id) VALUES (1)", args: [] }]),
      db.exclusive(async () => {
        await db.writeNow([{ sql: "INSERT INTO rows (id) VALUES (2)", args: [] }]);
        throw new Error("changed my mind");
      }),
      // The same key twice: the second unit fails on the constraint, after writing row 4.
      db.write([{ sql: "INSERT INTO rows (id) VALUES (3)", args: [] }]),
      db.write([
        { sql: "INSERT INTO rows (id) VALUES (4)", args: [] },
        { sql: "INSERT INTO rows (id) VALUES (3)", args: [] },
      ]),
      db.write([{ sql: "INSERT INTO rows (id) VALUES (5)", args: [] }]),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      "fulfilled",
      "rejected",
      "fulfilled",
      "rejected",
      "fulfilled",
    ]);
    const ids = (await db.read("SELECT id FROM rows ORDER BY id")).rows.map((r) => Number(r.id));
    expect(ids).toEqual([1, 3, 5]);
  });

  it("a unit's reads see its own writes, and a nested write is part of the unit", async () => {
    const [db] = open as [Database];
    await expect(
      db.exclusive(async () => {
        await db.write([{ sql: "INSERT INTO rows (id) VALUES (7)", args: [] }]);
        const seen = (await db.read("SELECT count(*) AS n FROM rows")).rows[0]!.n;
        throw new Error(`saw ${seen}`);
      }),
    ).rejects.toThrow("saw 1");
    expect((await db.read("SELECT count(*) AS n FROM rows")).rows[0]!.n).toBe(0);
  });

  it("one-row statements and reads give their row, or none, on a file and in memory alike", async () => {
    const memory = await Database.open({ url: ":memory:" });
    open.push(memory);
    await memory.write(["CREATE TABLE rows (id INTEGER PRIMARY KEY)"]);
    for (const db of [open[0]!, memory]) {
      const insert = {
        sql: "INSERT INTO rows (id) VALUES (?) ON CONFLICT DO NOTHING RETURNING id",
        oneRow: true,
      } as const;
      const [first] = await db.write([{ ...insert, args: [5] }]);
      expect(first!.rows.map((r) => r.id)).toEqual([5]);
      // A repeat inserts nothing and returns no row; the unit goes on.
      const [again, after] = await db.exclusive(() =>
        db.writeNow([
          { ...insert, args: [5] },
          { ...insert, args: [6] },
        ]),
      );
      expect(again!.rows).toEqual([]);
      expect(after!.rows.map((r) => r.id)).toEqual([6]);
      expect((await db.readRow("SELECT id FROM rows WHERE id = ?", [6]))?.id).toBe(6);
      expect(await db.readRow("SELECT id FROM rows WHERE id = ?", [7])).toBeUndefined();
      // Inside a unit it sees the unit's own write.
      const inside = await db.exclusive(async () => {
        await db.writeNow([{ sql: "INSERT INTO rows (id) VALUES (8)", args: [] }]);
        return db.readRow("SELECT count(*) AS n FROM rows");
      });
      expect(inside?.n).toBe(3);
    }
  });

  it("a one-row read of a text just read with the cursor gives the row of its own arguments, as the cursor does", async () => {
    const [db] = open as [Database];
    await db.write([
      "CREATE TABLE things (id TEXT PRIMARY KEY, picture BLOB)",
      "INSERT INTO things VALUES ('a', x'0102'), ('b', NULL), ('c', NULL)",
    ]);
    const sql = "SELECT * FROM things WHERE id = ?";
    // Outside a unit (the read connection) and inside one (the write connection), alternating the two reads.
    for (const inUnit of [false, true]) {
      const rows = await (inUnit ? db.exclusive.bind(db) : (f: () => Promise<unknown>) => f())(async () => {
        const seen: unknown[] = [];
        for (const id of ["a", "b", "c", "b"]) {
          seen.push((await db.read(sql, [id])).rows[0]?.id);
          seen.push((await db.readRow(sql, [id === "c" ? "a" : "c"]))?.id);
        }
        return seen;
      });
      expect(rows).toEqual(["a", "c", "b", "c", "c", "a", "b", "c"]);
    }
    const row = await db.readRow(sql, ["a"]);
    expect(Object.keys(row!)).toEqual(["id", "picture"]);
    expect(new Uint8Array(row!.picture as ArrayBuffer)).toEqual(new Uint8Array([1, 2]));
    expect(row!.picture).toBeInstanceOf(ArrayBuffer);
  });

  it("read-then-write units stay atomic across processes sharing the file (two instances)", async () => {
    const [db] = open as [Database];
    // Separate processes, as instances are: in one process, one client's busy wait would block the other's
    // commit. Runs the compiled module, which the test command builds first.
    const module = new URL("../../dist/db/database.js", import.meta.url).href;
    const script = `
      const { Database } = await import(${JSON.stringify(module)});
      const db = await Database.open({ url: ${JSON.stringify(url)} });
      const seen = await Promise.all(Array.from({ length: 100 }, () => db.exclusive(async () => {
        const n = Number((await db.read("SELECT n FROM counters WHERE id = 'c'")).rows[0].n);
        await db.writeNow([{ sql: "UPDATE counters SET n = ? WHERE id = 'c'", args: [n + 1] }]);
        await new Promise((r) => setImmediate(r));
        return n + 1;
      })));
      console.log(JSON.stringify(seen));
      db.close();`;
    const run = () =>
      new Promise<number[]>((resolve, reject) =>
        execFile(process.execPath, ["--input-type=module", "-e", script], (err, stdout, stderr) =>
          err ? reject(new Error(stderr || err.message)) : resolve(JSON.parse(stdout) as number[]),
        ),
      );
    const [a, b] = await Promise.all([run(), run()]);
    // Every increment saw a value no other saw: no lost update between the instances.
    expect(new Set([...a, ...b]).size).toBe(200);
    expect(Number((await db.read("SELECT n FROM counters")).rows[0]!.n)).toBe(200);
  });

  it("keeps the log short under steady writes: checkpoints beside the writer, and the log starts over", async () => {
    const walFile = join(dir, "steady.db-wal");
    const db = await Database.open({
      url: `file:${join(dir, "steady.db")}`,
      synchronous: "FULL",
      checkpoint: { everyCommits: 2, restartAtFrames: 64 },
    });
    open.push(db);
    await db.write(["CREATE TABLE blobs (id INTEGER PRIMARY KEY, body BLOB NOT NULL)"]);
    let largestLog = 0;
    // 4,000 rows of 2 KB: 8 MB of pages, all in the log if it never started over.
    for (let round = 0; round < 200; round++) {
      await Promise.all(
        Array.from({ length: 20 }, () =>
          db.exclusive(() =>
            db.writeNow([{ sql: "INSERT INTO blobs (body) VALUES (randomblob(2048))", args: [] }]),
          ),
        ),
      );
      largestLog = Math.max(largestLog, statSync(walFile).size);
    }
    expect(Number((await db.read("SELECT count(*) AS n FROM blobs")).rows[0]!.n)).toBe(4000);
    expect(largestLog).toBeLessThan(4 * 1024 * 1024);
    expect(db.stats.commits).toBeGreaterThan(20);
  });

  it("tells how long each commit waited for its sync, where commits are synced, and only there", async () => {
    const syncs: number[] = [];
    const full = await Database.open({ url: `file:${join(dir, "full.db")}`, synchronous: "FULL" });
    open.push(full);
    full.onSync((s) => syncs.push(s));
    await full.write(["CREATE TABLE t (n INTEGER)"]);
    for (let i = 0; i < 3; i++) await full.write([{ sql: "INSERT INTO t VALUES (?)", args: [i] }]);
    // A group that only read has nothing to sync.
    await full.exclusive(() => full.read("SELECT count(*) FROM t"));
    expect(syncs).toHaveLength(4);
    expect(syncs.every((s) => s > 0 && s < 10)).toBe(true);

    const [normal] = open as [Database];
    const none: number[] = [];
    normal.onSync((s) => none.push(s));
    await normal.write([{ sql: "INSERT INTO rows (id) VALUES (?)", args: [1] }]);
    expect(none).toEqual([]);
  });

  it("once closed, takes no write lock: a late write fails, and the next instance on the file writes", async () => {
    const [db] = open as [Database];
    await db.write([{ sql: "INSERT INTO rows (id) VALUES (?)", args: [1] }]);
    // A unit still running when the database closes: its transaction is open, and is rolled back.
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const running = db.exclusive(async () => {
      await db.writeNow([{ sql: "INSERT INTO rows (id) VALUES (?)", args: [2] }]);
      await held;
      await db.writeNow([{ sql: "INSERT INTO rows (id) VALUES (?)", args: [3] }]);
    });
    await new Promise((r) => setTimeout(r, 20));
    db.close();
    release();
    await expect(running).rejects.toThrow();
    // A timer's write after the close (it used to run its kept statement on the closed connection, begin, and
    // keep the write lock for good).
    await expect(db.write([{ sql: "INSERT INTO rows (id) VALUES (?)", args: [4] }])).rejects.toThrow(
      "the database is closed",
    );
    const next = await openDb();
    await next.write([{ sql: "INSERT INTO rows (id) VALUES (?)", args: [5] }]);
    const ids = (await next.read("SELECT id FROM rows ORDER BY id")).rows.map((r) => Number(r.id));
    expect(ids).toEqual([1, 5]);
  });
});
