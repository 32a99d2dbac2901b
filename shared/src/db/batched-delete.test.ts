import { afterEach, describe, expect, it } from "vitest";
import { deleteInBatches } from "./batched-delete.js";
import type { Database } from "./database.js";
import { openTempDatabase } from "./temp-database.js";

const open: Database[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

/** A table of `old` rows before 2026 and `recent` after, written in one statement. */
async function tableWith(old: number, recent: number): Promise<Database> {
  const { db } = await openTempDatabase({ prefix: "batched-delete" });
  open.push(db);
  await db.write([
    "CREATE TABLE seen (id TEXT PRIMARY KEY, at TEXT NOT NULL)",
    {
      sql: `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
            INSERT INTO seen SELECT 'old-' || i, '2025-06-01T00:00:00Z' FROM n WHERE i > 0`,
      args: [old],
    },
    {
      sql: `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
            INSERT INTO seen SELECT 'new-' || i, '2026-06-01T00:00:00Z' FROM n WHERE i > 0`,
      args: [recent],
    },
  ]);
  return db;
}

const ids = async (db: Database) =>
  (await db.read("SELECT id FROM seen ORDER BY id")).rows.map((r) => String(r.id));

describe("deleteInBatches", () => {
  it("deletes every row the condition selects and no other, over several commits", async () => {
    const db = await tableWith(1000, 30);
    const commits = db.stats.commits;
    const deleted = await deleteInBatches(db, "seen", "at < ?", ["2026-01-01T00:00:00Z"], 7);
    expect(deleted).toBe(1000);
    expect(await ids(db)).toEqual(Array.from({ length: 30 }, (_, i) => `new-${i + 1}`).sort());
    // Doubling from 7 while batches are cheap: 7 + 14 + … — more than one commit, far fewer than 1000 / 7.
    const batches = db.stats.commits - commits;
    expect(batches).toBeGreaterThan(1);
    expect(batches).toBeLessThan(1000 / 7);
  });

  it("lets another write in between its batches", async () => {
    const db = await tableWith(200_000, 0);
    const order: string[] = [];
    const prune = deleteInBatches(db, "seen", "at < ?", ["2026-01-01T00:00:00Z"], 1000).then((n) => {
      order.push("prune");
      return n;
    });
    // Queued while the first batch runs: with one statement for the whole prune it would commit after it.
    const write = db
      .write([{ sql: "INSERT INTO seen VALUES ('late', '2026-07-01T00:00:00Z')", args: [] }])
      .then(() => order.push("write"));
    expect(await prune).toBe(200_000);
    await write;
    expect(order).toEqual(["write", "prune"]);
    expect(await ids(db)).toEqual(["late"]);
  });

  it("deletes nothing, in one statement, when nothing matches", async () => {
    const db = await tableWith(0, 5);
    const commits = db.stats.commits;
    expect(await deleteInBatches(db, "seen", "at < ?", ["2026-01-01T00:00:00Z"])).toBe(0);
    expect(db.stats.commits - commits).toBe(1);
    expect((await ids(db)).length).toBe(5);
  });
});
