import { Worker } from "node:worker_threads";
import type { CheckpointOptions } from "./checkpoint-worker.js";

/** Where the worker module is: beside this one when built, in the built tree when tests run the sources. */
function workerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith(".ts")
    ? new URL("../../dist/db/checkpoint-worker.js", here)
    : new URL("./checkpoint-worker.js", here);
}

/** When to checkpoint: after this many commits; with the writer held back past this many frames in the log. */
export interface CheckpointTuning {
  everyCommits?: number;
  restartAtFrames?: number;
}

/** What the checkpoint thread says: a checkpoint's end, or that it needs the writer to stand still. */
export type CheckpointMessage = { ok: boolean; error?: string } | { pause: true };

/**
 * Asks the checkpoint thread to checkpoint after every `everyCommits` commits (one at a time): no commit on the
 * main thread ever waits for a checkpoint's copying and syncing. When the log has grown past what a passive
 * checkpoint can catch up with, the thread asks for a pause: `pauseWriter` resolves once no write transaction
 * is open and keeps new ones from starting; the returned function lets them go on after the thread's
 * restarting checkpoint. A thread that dies is started again with the next checkpoint due.
 */
export class Checkpointer {
  private worker: Worker | undefined;
  private commits = 0;
  private busy = false;
  private closed = false;
  private resume: (() => void) | undefined;
  private readonly everyCommits: number;
  private readonly options: CheckpointOptions;

  constructor(
    path: string,
    private readonly pauseWriter: () => Promise<() => void>,
    tuning: CheckpointTuning = {},
    // A failing checkpoint lets the log grow: said where the service's output goes, without the data.
    private readonly onError: (message: string) => void = (message) =>
      process.emitWarning(`database checkpoint failed: ${message}`, "GatehouseCheckpointWarning"),
  ) {
    this.everyCommits = tuning.everyCommits ?? 32;
    this.options = { path, ...(tuning.restartAtFrames ? { restartAtFrames: tuning.restartAtFrames } : {}) };
    // Started with the database, not with the first checkpoint due: a thread started during a burst of commits
    // took the core the event loop needed (the control plane's longest stall while it committed 10,000 passages
    // went from 38–42 ms to 37–59 ms in five runs each).
    this.worker = this.spawn();
  }

  get threadRunning(): boolean {
    return this.worker !== undefined;
  }

  noteCommit(): void {
    this.commits += 1;
    if (this.commits < this.everyCommits || this.busy || this.closed) return;
    this.commits = 0;
    this.busy = true;
    this.worker ??= this.spawn();
    this.worker.postMessage("checkpoint");
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.resume?.();
    this.resume = undefined;
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await endWorker(worker);
  }

  /**
   * A failure after close is not told: the thread, started with the database, may still be opening its
   * connection when the database closes (and its file is gone), and there is nothing left to checkpoint.
   */
  private failed(message: string): void {
    if (!this.closed) this.onError(message);
  }

  private spawn(): Worker {
    // No flags of the parent's (`--input-type`, `--eval`): they do not apply to a module worker.
    const worker = new Worker(workerUrl(), {
      workerData: { gatehouseCheckpoint: this.options },
      execArgv: [],
    });
    worker.unref();
    const finished = () => {
      this.resume?.();
      this.resume = undefined;
      this.busy = false;
    };
    worker.on("message", (m: CheckpointMessage) => {
      if ("pause" in m) {
        void this.pauseWriter().then((resume) => {
          // The thread died or was closed while the writer came to a stop: nothing will let it go on but this.
          if (this.worker !== worker || this.closed) return resume();
          this.resume = resume;
          worker.postMessage("paused");
        });
        return;
      }
      finished();
      if (!m.ok && m.error) this.failed(m.error);
    });
    worker.on("error", (e) => {
      finished();
      this.failed(e.message);
    });
    // A thread that died is started afresh with the next checkpoint due.
    worker.on("exit", () => {
      if (this.worker === worker) {
        this.worker = undefined;
        finished();
      }
    });
    return worker;
  }
}

/** Lets the thread close its connection, and ends it if it has not within 2 s. */
async function endWorker(worker: Worker): Promise<void> {
  const exited = new Promise<void>((r) => worker.once("exit", () => r()));
  worker.postMessage("close");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 2000).unref())]);
  await worker.terminate();
}
