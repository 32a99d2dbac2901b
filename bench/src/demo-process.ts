import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { childNodeArgs } from "@gatehouse/test";
import { stopChild } from "./stop-child.js";

const demo = fileURLToPath(new URL("../../test/dist/demo.js", import.meta.url));

/** What the demo prints once it is up (its `{"ready":true,…}` line). */
export interface DemoReady {
  api: string;
  /** The embedded broker's URL: consumers log in with any username and the admin token as password. */
  mqtt: string;
  simulator: string;
  token: string;
}

/**
 * The demo as `pnpm demo` runs it (control plane, embedded broker, agent and simulator in one process, with
 * Node's default settings), in a process of its own; its output goes to `logFile`.
 */
export class DemoProcess {
  private child: ChildProcess | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly logFile: string,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<DemoReady> {
    const log = createWriteStream(this.logFile, { flags: "a" });
    const nodeArgs = childNodeArgs();
    const child = spawn(
      process.execPath,
      [...nodeArgs, demo, "--http-port", "0", "--mqtt-port", "0", "--data-dir", this.dataDir],
      { env: { PATH: process.env.PATH ?? "" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    this.child = child;
    child.stderr?.pipe(log);
    return new Promise<DemoReady>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the demo did not start; see ${this.logFile}`)),
        60_000,
      );
      createInterface({ input: child.stdout! }).on("line", (line) => {
        // The ready line carries the admin token: not written to the log.
        if (!line.startsWith('{"ready":true')) return void log.write(`${line}\n`);
        clearTimeout(timer);
        resolve(JSON.parse(line) as DemoReady);
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the demo exited with ${code}; see ${this.logFile}`));
      });
    });
  }

  stop(): Promise<void> {
    return stopChild(this.child);
  }
}
