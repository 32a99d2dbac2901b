import { readFileSync } from "node:fs";
import { createServer } from "node:net";

/** The wanted port when it is free, else 0 (any free port), so a default that is taken does not stop the demo. */
export async function portOrAny(wanted: number, host = "127.0.0.1"): Promise<number> {
  if (wanted === 0) return 0;
  return (await isFree(wanted, host)) ? wanted : 0;
}

function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

/** The kernel's range for outgoing connections' local ports (and for `listen(0)`). */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/);
    return [Number(low), Number(high)];
  } catch {
    return [32768, 60999];
  }
}

const handedOut = new Set<number>();

/**
 * A port that is free now, for a process started later (a server that must come back on the same port after a
 * restart, or a child told its port in its environment). Taken below the kernel's ephemeral range: a port that
 * `listen(0)` picked and let go is soon taken again as the local port of some outgoing connection (the tests
 * open thousands), and the child then fails with EADDRINUSE. Never the same port twice in one process.
 */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  const [low] = ephemeralRange();
  const floor = Math.max(1024, low - 16_384);
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = floor + Math.floor(Math.random() * (low - floor));
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await isFree(port, host)) return port;
  }
  throw new Error(`no free port found below ${low} on ${host}`);
}
