import { describe, expect, it } from "vitest";
import { AuthThrottle } from "./auth-throttle.js";

describe("auth throttle", () => {
  it("lets an address fail up to the limit, then refuses it until the minute has passed", () => {
    const t = new AuthThrottle(3);
    for (let i = 0; i < 3; i++) {
      expect(t.retryAfter("10.0.0.1", 1000 + i)).toBe(0);
      t.fail("10.0.0.1", 1000 + i);
    }
    expect(t.retryAfter("10.0.0.1", 2000)).toBe(59);
    expect(t.retryAfter("10.0.0.2", 2000)).toBe(0);
    expect(t.retryAfter("10.0.0.1", 60_999)).toBe(1);
    expect(t.retryAfter("10.0.0.1", 61_000)).toBe(0);
  });

  it("forgets the least recent addresses past its bound", () => {
    const t = new AuthThrottle(1, 2);
    t.fail("a", 1);
    t.fail("b", 2);
    t.fail("c", 3);
    expect(t.retryAfter("a", 4)).toBe(0);
    expect(t.retryAfter("b", 4)).toBeGreaterThan(0);
    expect(t.retryAfter("c", 4)).toBeGreaterThan(0);
  });
});
