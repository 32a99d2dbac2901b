import { createServer } from "node:net";

/** The wanted port when it is free, else 0 (any free port), so a default that is taken does not stop the demo. */
export async function portOrAny(wanted: number, host = "127.0.0.1"): Promise<number> {
  if (wanted === 0) return 0;
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(0));
    s.listen(wanted, host, () => s.close(() => resolve(wanted)));
  });
}

/** A port that is free now (for a server that must come back on the same port after a restart). */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, host, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
