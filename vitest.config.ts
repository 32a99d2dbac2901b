import { defineConfig } from "vitest/config";
import { deployedEnvironment } from "./test/src/deployed-environment.ts";

export default defineConfig({
  resolve: { conditions: ["gatehouse-source"] },
  ssr: { resolve: { conditions: ["gatehouse-source"] } },
  test: {
    include: ["*/src/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // The control plane runs inside the tests' processes: with the V8 flags its systemd unit gives it.
    execArgv: deployedEnvironment("gatehouse.service").NODE_OPTIONS!.split(" "),
  },
});
