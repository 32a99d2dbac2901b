import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Worker } from "node:worker_threads";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Checkpointer } from "./checkpointer.js";
import { LocalConnection } from "./local-connection.js";

const within = { timeout: 5000, interval: 20 };

describe("the checkpoint thread", () => {
  const closing: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of closing.splice(0)) await c();
  });

  it("starts a new thread for the next checkpoint when its thread died, and checkpoints with it", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "gatehouse-checkpointer-")), "a.db");
    const writer = new LocalConnection(path, ["PRAGMA journal_mode=WAL", "PRAGMA wal_autocheckpoint=0"]);
    closing.push(() => writer.close());
    writer.exec("CREATE TABLE blobs (body BLOB NOT NULL)");
    // 1,000 rows of 2 KB: 2 MB of pages that stay in the log until a checkpoint copies them into the file.
    const fill = () => {
      writer.exec("BEGIN");
      for (let i = 0; i < 1000; i++) writer.exec("INSERT INTO blobs VALUES (randomblob(2048))");
      writer.exec("COMMIT");
    };
    const fileSize = () => statSync(path).size;
    const errors: string[] = [];
    const checkpointer = new Checkpointer(
      path,
      async () => () => {},
      { everyCommits: 2 },
      (m) => errors.push(m),
    );
    closing.push(() => checkpointer.close());
    expect(checkpointer.threadRunning).toBe(true);

    fill();
    checkpointer.noteCommit();
    checkpointer.noteCommit();
    // The log copied into the file.
    await vi.waitFor(() => expect(fileSize()).toBeGreaterThan(2 * 1024 * 1024), within);

    // What an uncaught error or an out-of-memory end of the thread comes to: it is gone.
    await (checkpointer as unknown as { worker: Worker }).worker.terminate();
    await vi.waitFor(() => expect(checkpointer.threadRunning).toBe(false), within);
    fill();
    checkpointer.noteCommit();
    checkpointer.noteCommit();
    expect(checkpointer.threadRunning).toBe(true);
    // The next log copied by a new thread.
    await vi.waitFor(() => expect(fileSize()).toBeGreaterThan(4 * 1024 * 1024), within);
    expect(errors).toEqual([]);
  });
});
