import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { fileURLToPath } from "node:url";
import { childNodeArgs } from "@gatehouse/test";
import { stopChild } from "./stop-child.js";

const cli = fileURLToPath(new URL("../../simulator/dist/cli.js", import.meta.url));

/**
 * The HikCentral simulator as its own process (`gatehouse-sim --http`), as HikCentral is its own server: its
 * work does not slow the control plane measured beside it, nor the other way round. Its log goes to `logFile`.
 */
export class SimulatorProcess {
  private child: ChildProcess | undefined;
  url = "";
  appKey = "";
  appSecret = "";

  constructor(private readonly logFile: string) {}

  async start(): Promise<this> {
    const log = createWriteStream(this.logFile, { flags: "a" });
    const nodeArgs = childNodeArgs();
    const child = spawn(
      process.execPath,
      [...nodeArgs, cli, "--http", "--port", "0", "--terminals", "0", "--time-zone", "Asia/Almaty"],
      { env: { PATH: process.env.PATH ?? "" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    this.child = child;
    child.stderr?.pipe(log);
    const ready = await new Promise<{ url: string; appKey: string; appSecret: string }>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(
        () => reject(new Error(`the simulator did not start; see ${this.logFile}`)),
        20_000,
      );
      child.stdout?.on("data", (d: Buffer) => {
        out += d.toString();
        const line = out.split("\n").find((l) => l.startsWith("{"));
        if (line && out.includes("\n")) {
          clearTimeout(timer);
          resolve(JSON.parse(line) as never);
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the simulator exited with ${code}; see ${this.logFile}`));
      });
    });
    Object.assign(this, { url: ready.url, appKey: ready.appKey, appSecret: ready.appSecret });
    return this;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** OpenAPI calls answered so far, all paths. */
  async calls(): Promise<number> {
    const r = (await (await fetch(`${this.url}/_sim/faults`)).json()) as { calls: Record<string, number> };
    return Object.values(r.calls).reduce((a, b) => a + b, 0);
  }

  stop(): Promise<void> {
    return stopChild(this.child);
  }
}
