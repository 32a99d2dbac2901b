import { mkdtempSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Worker } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import { Checkpointer } from "./checkpointer.js";

const Driver = createRequire(import.meta.url)("libsql") as new (
  path: string,
) => { exec(sql: string): void; close(): void };

async function until(what: string, done: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("the checkpoint thread", () => {
  const closing: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of closing.splice(0)) await c();
  });

  it("starts a new thread for the next checkpoint when its thread died, and checkpoints with it", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "gatehouse-checkpointer-")), "a.db");
    const writer = new Driver(path);
    closing.push(() => writer.close());
    writer.exec("PRAGMA journal_mode=WAL");
    writer.exec("PRAGMA wal_autocheckpoint=0");
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
    await until("the log copied into the file", () => fileSize() > 2 * 1024 * 1024);

    // What an uncaught error or an out-of-memory end of the thread comes to: it is gone.
    await (checkpointer as unknown as { worker: Worker }).worker.terminate();
    await until("the dead thread noticed", () => !checkpointer.threadRunning);
    fill();
    checkpointer.noteCommit();
    checkpointer.noteCommit();
    expect(checkpointer.threadRunning).toBe(true);
    await until("the next log copied by a new thread", () => fileSize() > 4 * 1024 * 1024);
    expect(errors).toEqual([]);
  });
});
