import { describe, expect, it } from "vitest";
import { AuthThrottle } from "./auth-throttle.js";

describe("auth throttle", () => {
  it("lets a credential fail up to the limit from an address, then refuses it until the minute has passed", () => {
    const t = new AuthThrottle(3);
    for (let i = 0; i < 3; i++) {
      expect(t.retryAfter("10.0.0.1", "bad", 1000 + i)).toBe(0);
      t.fail("10.0.0.1", "bad", 1000 + i);
    }
    expect(t.retryAfter("10.0.0.1", "bad", 2000)).toBe(59);
    expect(t.retryAfter("10.0.0.2", "bad", 2000)).toBe(0);
    expect(t.retryAfter("10.0.0.1", "bad", 60_999)).toBe(1);
    expect(t.retryAfter("10.0.0.1", "bad", 61_000)).toBe(0);
  });

  it("does not lock out a good credential behind the same address (a NAT) while a bad one is locked", () => {
    const t = new AuthThrottle(3);
    for (let i = 0; i < 50; i++) {
      if (t.retryAfter("nat", "bad", 1000 + i) === 0) t.fail("nat", "bad", 1000 + i);
    }
    expect(t.retryAfter("nat", "bad", 2000)).toBeGreaterThan(0);
    // Never seen before from this address, and still let in.
    expect(t.retryAfter("nat", "good", 2000)).toBe(0);
  });

  it("locks an address that tries many credentials for strangers, but not for credentials known there", () => {
    const t = new AuthThrottle(5, { distinctPerMinute: 3 });
    t.succeed("10.0.0.9", "known", 500);
    for (let i = 0; i < 3; i++) t.fail("10.0.0.9", `guess-${i}`, 1000 + i);
    expect(t.retryAfter("10.0.0.9", "guess-99", 1500)).toBe(60);
    expect(t.retryAfter("10.0.0.9", "known", 1500)).toBe(0);
    expect(t.retryAfter("10.0.0.10", "guess-99", 1500)).toBe(0);
    // It opens once the oldest guess has aged out of the window.
    expect(t.retryAfter("10.0.0.9", "guess-99", 61_000)).toBe(0);
  });

  it("forgets a credential's failures when it logs in", () => {
    const t = new AuthThrottle(2);
    t.fail("a", "x", 1);
    t.succeed("a", "x", 2);
    t.fail("a", "x", 3);
    expect(t.retryAfter("a", "x", 4)).toBe(0);
  });

  it("forgets the least recent addresses past its bound", () => {
    const t = new AuthThrottle(1, { maxAddresses: 2 });
    t.fail("a", "x", 1);
    t.fail("b", "x", 2);
    t.fail("c", "x", 3);
    expect(t.retryAfter("a", "x", 4)).toBe(0);
    expect(t.retryAfter("b", "x", 4)).toBeGreaterThan(0);
    expect(t.retryAfter("c", "x", 4)).toBeGreaterThan(0);
  });
});
