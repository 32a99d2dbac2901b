import type { ChildProcess } from "node:child_process";

/** Stops a benchmark's child process as its service manager would (SIGTERM) and waits until it is gone. */
export async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const gone = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await gone;
}
