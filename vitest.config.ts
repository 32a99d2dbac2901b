import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["gatehouse-source"] },
  ssr: { resolve: { conditions: ["gatehouse-source"] } },
  test: {
    include: ["*/src/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
