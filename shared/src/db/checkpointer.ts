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
  /** The thread ends after this long without a checkpoint to do. */
  idleMs?: number;
}

/** What the checkpoint thread says: a checkpoint's end, or that it needs the writer to stand still. */
export type CheckpointMessage = { ok: boolean; error?: string } | { pause: true };

/**
 * A checkpoint thread with no checkpoint to do this long ends: a quiet agent keeps no thread for it (a thread is
 * 13 MB of resident memory on Node 24), a busy one never starts it again.
 */
const IDLE_MS = 60_000;

/**
 * Asks the checkpoint thread to checkpoint after every `everyCommits` commits (one at a time): no commit on the
 * main thread ever waits for a checkpoint's copying and syncing. When the log has grown past what a passive
 * checkpoint can catch up with, the thread asks for a pause: `pauseWriter` resolves once no write transaction
 * is open and keeps new ones from starting; the returned function lets them go on after the thread's
 * restarting checkpoint. The thread starts with the first checkpoint due and ends after a minute without one.
 */
export class Checkpointer {
  private worker: Worker | undefined;
  private commits = 0;
  private busy = false;
  private closed = false;
  private resume: (() => void) | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly everyCommits: number;
  private readonly idleMs: number;
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
    this.idleMs = tuning.idleMs ?? IDLE_MS;
    this.options = { path, ...(tuning.restartAtFrames ? { restartAtFrames: tuning.restartAtFrames } : {}) };
  }

  get threadRunning(): boolean {
    return this.worker !== undefined;
  }

  noteCommit(): void {
    this.commits += 1;
    if (this.commits < this.everyCommits || this.busy || this.closed) return;
    this.commits = 0;
    this.busy = true;
    clearTimeout(this.idleTimer);
    this.worker ??= this.spawn();
    this.worker.postMessage("checkpoint");
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.idleTimer);
    this.resume?.();
    this.resume = undefined;
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await endWorker(worker);
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
      if (!m.ok && m.error) this.onError(m.error);
      if (this.closed) return;
      this.idleTimer = setTimeout(() => this.retire(worker), this.idleMs);
      this.idleTimer.unref();
    });
    worker.on("error", (e) => {
      finished();
      this.onError(e.message);
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

  private retire(worker: Worker): void {
    if (this.worker !== worker || this.busy) return;
    this.worker = undefined;
    void endWorker(worker);
  }
}

/** Lets the thread close its connection, and ends it if it has not within 2 s. */
async function endWorker(worker: Worker): Promise<void> {
  const exited = new Promise<void>((r) => worker.once("exit", () => r()));
  worker.postMessage("close");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 2000).unref())]);
  await worker.terminate();
}
