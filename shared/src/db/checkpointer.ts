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
 * restarting checkpoint.
 */
export class Checkpointer {
  private readonly worker: Worker;
  private commits = 0;
  private busy = false;
  private closed = false;
  private resume: (() => void) | undefined;
  private readonly everyCommits: number;

  constructor(
    path: string,
    private readonly pauseWriter: () => Promise<() => void>,
    tuning: CheckpointTuning = {},
    // A failing checkpoint lets the log grow: said where the service's output goes, without the data.
    private readonly onError: (message: string) => void = (message) =>
      process.emitWarning(`database checkpoint failed: ${message}`, "GatehouseCheckpointWarning"),
  ) {
    this.everyCommits = tuning.everyCommits ?? 32;
    const gatehouseCheckpoint: CheckpointOptions = {
      path,
      ...(tuning.restartAtFrames ? { restartAtFrames: tuning.restartAtFrames } : {}),
    };
    // No flags of the parent's (`--input-type`, `--eval`): they do not apply to a module worker.
    this.worker = new Worker(workerUrl(), { workerData: { gatehouseCheckpoint }, execArgv: [] });
    this.worker.unref();
    this.worker.on("message", (m: CheckpointMessage) => {
      if ("pause" in m) {
        void this.pauseWriter().then((resume) => {
          this.resume = resume;
          this.worker.postMessage("paused");
        });
        return;
      }
      this.resume?.();
      this.resume = undefined;
      this.busy = false;
      if (!m.ok && m.error) this.onError(m.error);
    });
    this.worker.on("error", (e) => {
      this.resume?.();
      this.resume = undefined;
      this.busy = false;
      this.onError(e.message);
    });
  }

  noteCommit(): void {
    this.commits += 1;
    if (this.commits < this.everyCommits || this.busy || this.closed) return;
    this.commits = 0;
    this.busy = true;
    this.worker.postMessage("checkpoint");
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.resume?.();
    this.resume = undefined;
    const exited = new Promise<void>((r) => this.worker.once("exit", () => r()));
    this.worker.postMessage("close");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2000).unref())]);
    await this.worker.terminate();
  }
}
