import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./ports.js";

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

const deployConf = fileURLToPath(new URL("../../deploy/mosquitto/mosquitto.conf", import.meta.url));

/**
 * deploy/mosquitto's settings on a loopback port: its TLS listener and system paths are what a campus
 * box has; the rest (the password and ACL files in `dir`, queue limits) is kept as shipped. Pass
 * `anonymous = false` to `startMosquitto`, as the shipped file says.
 */
export function deployedMosquittoSettings(dir: string): string[] {
  return readFileSync(deployConf, "utf8")
    .split("\n")
    .filter((l) => l.trim() && !l.startsWith("#"))
    .filter(
      (l) =>
        !/^(listener|certfile|keyfile|tls_version|persistence|autosave_interval|allow_anonymous)\b/.test(l),
    )
    .map((l) =>
      l
        .replace(/^password_file .*/, `password_file ${join(dir, "passwd")}`)
        .replace(/^acl_file .*/, `acl_file ${join(dir, "acl")}`),
    );
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
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once("exit", () => resolve());
        proc.kill("SIGTERM");
      }),
  };
}
