import { describe, expect, it } from "vitest";
import { Lanes } from "./lanes.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("Lanes", () => {
  it("runs one lane's work in order, other lanes alongside, and site-wide work alone", async () => {
    const lanes = new Lanes();
    const log: string[] = [];
    const job = (name: string, ms: number) => async () => {
      log.push(`${name}+`);
      await sleep(ms);
      log.push(`${name}-`);
    };
    const done = [
      lanes.run("a", job("a1", 30)),
      lanes.run("a", job("a2", 5)),
      lanes.run("b", job("b1", 10)),
      lanes.runExclusive(job("sync", 10)),
      lanes.run("b", job("b2", 5)),
    ];
    expect(lanes.isBusy("a")).toBe(true);
    expect(lanes.exclusive).toBe(true);
    await Promise.all(done);
    // a2 after a1; b1 alongside a1; the sync after all three; b2 after the sync.
    expect(log.indexOf("a2+")).toBeGreaterThan(log.indexOf("a1-"));
    expect(log.indexOf("b1+")).toBeLessThan(log.indexOf("a1-"));
    expect(log.indexOf("sync+")).toBeGreaterThan(Math.max(log.indexOf("a2-"), log.indexOf("b1-")));
    expect(log.indexOf("b2+")).toBeGreaterThan(log.indexOf("sync-"));
    expect(lanes.isBusy("a")).toBe(false);
    expect(lanes.exclusive).toBe(false);
  });

  it("keeps going after a failure in a lane", async () => {
    const lanes = new Lanes();
    const failed = lanes.run("a", async () => {
      throw new Error("boom");
    });
    await expect(failed).rejects.toThrow("boom");
    await expect(lanes.run("a", async () => 42)).resolves.toBe(42);
  });
});
