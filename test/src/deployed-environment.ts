import { readFileSync } from "node:fs";

/**
 * The runtime settings a shipped systemd unit gives its service (V8's heap sizes in `NODE_OPTIONS`, glibc's
 * arenas), so that tests and benchmarks run a service as it is deployed.
 */
export function deployedEnvironment(
  unit: "gatehouse.service" | "gatehouse-agent.service",
): Record<string, string> {
  const text = readFileSync(new URL(`../../deploy/systemd/${unit}`, import.meta.url), "utf8");
  const env = Object.fromEntries(
    [...text.matchAll(/^Environment="?((?:NODE_OPTIONS|MALLOC_\w+)=[^"\n]+)"?$/gm)].map((m) => {
      const at = m[1]!.indexOf("=");
      return [m[1]!.slice(0, at), m[1]!.slice(at + 1)];
    }),
  );
  if (!env.NODE_OPTIONS) throw new Error(`deploy/systemd/${unit} sets no NODE_OPTIONS`);
  return env;
}
