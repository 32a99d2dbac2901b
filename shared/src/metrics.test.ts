import { describe, expect, it } from "vitest";
import { createMetricsRegistry, oncePerScrape } from "./metrics.js";

describe("metrics helpers", () => {
  it("reads a shared source once per window, and does not keep a failed read", async () => {
    let calls = 0;
    let fail = true;
    const read = oncePerScrape(async () => {
      calls++;
      if (fail) throw new Error("busy");
      return calls;
    }, 60_000);
    await expect(read()).rejects.toThrow("busy");
    fail = false;
    expect(await Promise.all([read(), read(), read()])).toEqual([2, 2, 2]);
    expect(calls).toBe(2);
  });

  it("leaves out prom-client's gauges named *_total", async () => {
    const text = await createMetricsRegistry().metrics();
    expect(text).toContain("process_cpu_seconds_total");
    expect(text).not.toContain("nodejs_active_handles_total");
  });
});
