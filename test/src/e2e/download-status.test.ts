import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../stack.js";
import { eventually, tempDir, testLogger } from "../support.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    dataDir: tempDir("download"),
    adminToken: `gh_test_${randomBytes(18).toString("base64url")}`,
    log: testLogger("download-status"),
  });
});
afterAll(() => stack?.stop());
afterEach(() => stack.simulator.faults.set({}));

async function grant(name: string) {
  const r = await stack.api("POST", "/v1/visits", {
    site: stack.siteId,
    guest: { name },
    host: { name: "Host" },
    validFrom: new Date(Date.now() - 60_000).toISOString(),
    validUntil: new Date(Date.now() + 3600_000).toISOString(),
  });
  expect(r.status).toBe(201);
  const t0 = Date.now();
  const v = await eventually(
    async () => {
      const x = (await stack.api("GET", `/v1/visits/${r.body.id}`)).body;
      return x.access !== "pending" ? x : undefined;
    },
    15_000,
    "grant settled",
  );
  return { v, ms: Date.now() - t0 };
}

describe("acks follow HikCentral's download to the terminals", () => {
  it("acks applied with every terminal of the access level listed", async () => {
    const { v } = await grant("Download Ok");
    expect(v.access).toBe("granted");
    expect(v.commands[0].devices).toEqual([
      { device: "Turnstile Entry Terminal", status: "applied" },
      { device: "Turnstile Exit Terminal", status: "applied" },
    ]);
  });

  it("waits while a download is pending, and acks once it is done", async () => {
    stack.simulator.faults.set({ downloadDelayMs: 700 });
    const { v, ms } = await grant("Download Slow");
    expect(v.access).toBe("granted");
    expect(ms).toBeGreaterThanOrEqual(700);
  });

  it("fails the grant naming the terminal the download failed on", async () => {
    stack.simulator.faults.set({ offlineDevices: ["2"] });
    const { v } = await grant("Download Fails");
    expect(v.access).toBe("failed");
    expect(v.commands[0].error.code).toBe("DEVICE_DOWNLOAD_FAILED");
    expect(v.commands[0].error.message).toContain("Turnstile Exit Terminal");
    expect(v.commands[0].devices).toEqual(
      expect.arrayContaining([
        { device: "Turnstile Exit Terminal", status: "failed", error: "device 0x80000002" },
        { device: "Turnstile Entry Terminal", status: "applied" },
      ]),
    );
  });
});
