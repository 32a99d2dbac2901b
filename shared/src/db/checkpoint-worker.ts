import { createRequire } from "node:module";
import { parentPort, workerData } from "node:worker_threads";

/**
 * The thread that checkpoints a local database: copies the write-ahead log into the database file and syncs
 * it (its connection is `synchronous=FULL`), so that the log can start over. It runs here because a
 * checkpoint reads and writes many pages and waits for the disk; the writer on the main thread never does one.
 */
export interface CheckpointOptions {
  path: string;
  /** A log of more frames (pages) than this is checkpointed with the writer held back, so it starts over. */
  restartAtFrames?: number;
}

/**
 * A log of this many frames (pages, 32 MiB) is checkpointed with the writer held back, so that the next write
 * starts it over from its beginning: the most the log file holds. The file is reused, never cut: a cut is an
 * `ftruncate` and a sync while the writer stands still (a TRUNCATE checkpoint held it 17.7 ms at the median,
 * 23 ms at most, at 1,000 passages/s; a RESTART one 4.1 and 8.8 ms), and on the writer's own connection, when
 * the log starts over, the cut would be on the event loop.
 */
const RESTART_AT_FRAMES = 8192;

const opts = (workerData as { gatehouseCheckpoint?: CheckpointOptions } | undefined)?.gatehouseCheckpoint;
if (parentPort && opts) {
  const port = parentPort;
  const Driver = createRequire(import.meta.url)("libsql") as new (
    path: string,
  ) => {
    exec(sql: string): void;
    prepare(sql: string): { get(): { log: number; checkpointed: number } };
    close(): void;
  };
  const db = new Driver(opts.path);
  db.exec("PRAGMA busy_timeout=5000");
  db.exec("PRAGMA synchronous=FULL");
  const passive = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
  const restart = db.prepare("PRAGMA wal_checkpoint(RESTART)");
  const done = (error?: unknown) =>
    port.postMessage(error === undefined ? { ok: true } : { ok: false, error: (error as Error).message });
  port.on("message", (m: "checkpoint" | "paused" | "close") => {
    try {
      if (m === "checkpoint") {
        // A passive checkpoint copies what was committed when it began, beside the writer. The log starts over
        // only when a writer begins after everything in it was copied, which under steady writes almost never
        // happens (it grew to 764 MB in two minutes, and a checkpoint waiting for the write lock starved): past
        // RESTART_AT_FRAMES, the main thread holds its writes back while the tail is copied here, and the next
        // write starts the log over.
        if (passive.get().log > (opts.restartAtFrames ?? RESTART_AT_FRAMES))
          return port.postMessage({ pause: true });
        done();
      } else if (m === "paused") {
        restart.get();
        done();
      } else {
        db.close();
        port.close();
      }
    } catch (e) {
      done(e);
    }
  });
}
