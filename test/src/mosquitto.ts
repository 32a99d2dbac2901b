import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { join } from "node:path";

/** Where Debian puts the broker; PATH is searched too. Undefined when this machine has none. */
export function mosquittoBinary(): string | undefined {
  const candidates = [
    "/usr/sbin/mosquitto",
    "/usr/bin/mosquitto",
    "/usr/local/sbin/mosquitto",
    "/usr/local/bin/mosquitto",
  ];
  for (const dir of (process.env.PATH ?? "").split(":")) candidates.push(join(dir, "mosquitto"));
  return candidates.find((p) => existsSync(p));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = createConnection({ port, host: "127.0.0.1" }, () => {
        c.end();
        resolve(true);
      });
      c.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A real Mosquitto process on a free port, with the given extra configuration lines. */
export async function startMosquitto(dir: string, extraConfig: string[] = [], anonymous = true) {
  const bin = mosquittoBinary();
  if (!bin) throw new Error("mosquitto is not installed");
  const port = await freePort();
  const conf = join(dir, "mosquitto.conf");
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      `allow_anonymous ${anonymous}`,
      "persistence false",
      "log_dest stderr",
      ...extraConfig,
      "",
    ].join("\n"),
  );
  const proc: ChildProcess = spawn(bin, ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  proc.stderr?.on("data", (d: Buffer) => {
    log += d.toString();
  });
  await waitForPort(port, 5000).catch((e: Error) => {
    proc.kill("SIGKILL");
    throw new Error(`${e.message}\n${log}`);
  });
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    log: () => log,
    /** Re-reads the password and ACL files, as `systemctl reload mosquitto` does. */
    reload: () => proc.kill("SIGHUP"),
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once("exit", () => resolve());
        proc.kill("SIGTERM");
      }),
  };
}
