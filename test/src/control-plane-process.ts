import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { fileURLToPath } from "node:url";
import { childNodeArgs } from "./child-node-args.js";

const cli = fileURLToPath(new URL("../../control-plane/dist/cli.js", import.meta.url));

/**
 * A control-plane instance as its own process (`gatehouse serve`), so that a test can run several against
 * one database and broker, and SIGKILL one as a crash would. Its log goes to `logFile`.
 */
export class ControlPlaneProcess {
  private child: ChildProcess | undefined;
  private output = "";
  httpUrl = "";

  constructor(
    private readonly env: Record<string, string>,
    private readonly logFile: string,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get log(): string {
    return this.output;
  }

  /** Starts it; resolves with its API's URL once it says it has started. */
  async start(): Promise<string> {
    const file = createWriteStream(this.logFile, { flags: "a" });
    const nodeArgs = childNodeArgs();
    const child = spawn(process.execPath, [...nodeArgs, cli, "serve"], {
      env: { PATH: process.env.PATH ?? "", ...this.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    this.httpUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start within 30 s; see ${this.logFile}`)), 30_000);
      const onData = (d: Buffer) => {
        this.output += d.toString();
        file.write(d);
        const m = /"http":"([^"]+)".*"msg":"control plane started"/.exec(this.output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", onData);
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the control plane exited with ${code}; see ${this.logFile}`));
      });
    });
    return this.httpUrl;
  }

  /** A crash: SIGKILL, no stop hook. */
  kill(): Promise<void> {
    return this.signal("SIGKILL");
  }

  /** A clean stop (SIGTERM). */
  stop(): Promise<void> {
    return this.signal("SIGTERM");
  }

  private signal(sig: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once("exit", () => resolve());
      child.kill(sig);
    });
  }
}
