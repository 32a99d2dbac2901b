import type { InValue } from "@libsql/client";
import type { Database } from "./database.js";

/** About how long one batch may run (ms): a local statement runs on the event loop, as every statement does. */
const BATCH_MS = 10;
const MAX_BATCH = 10_000;

/**
 * Deletes the rows of `table` that `where` selects, a batch a unit of work: a prune of a day of passages at a
 * busy site (hundreds of thousands of rows, 3 µs each; pictures of up to 256 KiB, overwritten with zeros by
 * `secure_delete`) done in one statement held the event loop, and every other writer, for seconds, and wrote
 * all of it into the log at once. On a local file the batch size follows what the last one cost, so a batch
 * takes about `BATCH_MS` whatever a row weighs; other units and the event loop get their turn between
 * batches. Returns the rows deleted. `table` and `where` are the caller's constants, never input.
 */
export async function deleteInBatches(
  db: Database,
  table: string,
  where: string,
  args: InValue[],
  firstBatch = 100,
): Promise<number> {
  const sql = `DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ${where} LIMIT ?)`;
  // A libSQL server runs the statement on its side: the wait is a network one, and a round trip must not
  // shrink the batch.
  let limit = db.isLocal ? firstBatch : MAX_BATCH;
  let total = 0;
  for (;;) {
    let tookMs = 0;
    const deleted = await db.exclusive(async () => {
      const started = performance.now();
      const [r] = await db.writeNow([{ sql, args: [...args, limit] }]);
      tookMs = performance.now() - started;
      return r?.rowsAffected ?? 0;
    });
    total += deleted;
    if (deleted < limit) return total;
    if (!db.isLocal) continue;
    if (tookMs > BATCH_MS) limit = Math.max(1, Math.floor(limit / 2));
    else if (tookMs < BATCH_MS / 4) limit = Math.min(MAX_BATCH, limit * 2);
  }
}
