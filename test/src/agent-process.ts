import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { setPriority } from "node:os";
import { fileURLToPath } from "node:url";
import { childNodeArgs } from "./child-node-args.js";
import { eventually } from "./support.js";

const cli = fileURLToPath(new URL("../../agent/dist/cli.js", import.meta.url));

/**
 * The agent as its own process (`gatehouse-agent run`), so that a test can SIGKILL it as a power cut would:
 * no stop hook, no last flush. Its log goes to `logFile`.
 */
export class AgentProcess {
  private child: ChildProcess | undefined;
  private healthUrl: string | undefined;
  kills = 0;

  get pid(): number | undefined {
    return this.child?.pid;
  }

  constructor(
    private readonly env: Record<string, string>,
    private readonly logFile: string,
    /** Scheduling priority (nice, 0–19): an agent beside the process a test measures, as if on its own box. */
    private readonly niceness = 0,
  ) {}

  /** Starts it; resolves once it serves /healthz (on the fixed AGENT_HTTP_PORT). */
  async start(): Promise<void> {
    const log = createWriteStream(this.logFile, { flags: "a" });
    const nodeArgs = childNodeArgs();
    const child = spawn(process.execPath, [...nodeArgs, cli, "run"], {
      env: { PATH: process.env.PATH ?? "", ...this.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.child = child;
    if (this.niceness > 0 && child.pid) setPriority(child.pid, this.niceness);
    this.healthUrl = `http://127.0.0.1:${this.env.AGENT_HTTP_PORT}/healthz`;
    await eventually(
      async () => {
        if (child.exitCode !== null)
          throw new Error(`the agent exited with ${child.exitCode}; see ${this.logFile}`);
        return fetch(this.healthUrl!).then(
          (r) => r.ok,
          () => false,
        );
      },
      20_000,
      "the agent process serving /healthz",
    );
  }

  /** A power cut: SIGKILL, then wait until the process is gone. */
  async kill(): Promise<void> {
    if (await this.signal("SIGKILL")) this.kills += 1;
  }

  /** A clean stop (SIGTERM): the agent says offline and closes its database. */
  async stop(): Promise<void> {
    await this.signal("SIGTERM");
  }

  /** Sends `sig` and waits until the process is gone; false if it was not running. */
  private async signal(sig: NodeJS.Signals): Promise<boolean> {
    const child = this.child;
    if (!child || child.exitCode !== null) return false;
    const gone = new Promise((r) => child.once("exit", r));
    child.kill(sig);
    await gone;
    return true;
  }

  async health(): Promise<{
    status: string;
    queues: { inbox: number; outbox: number };
    lastAppliedSeq: number;
  }> {
    return (await (await fetch(this.healthUrl!)).json()) as never;
  }
}
