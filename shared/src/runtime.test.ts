import { describe, expect, it } from "vitest";
import { unsupportedRuntime } from "./runtime.js";

describe("the runtime", () => {
  it("warns on a Node line past its end of life, and only then", () => {
    expect(unsupportedRuntime("20.20.2")).toMatch(/Node 20\.20\.2 is past its end of life.*Node 22 and 24/);
    expect(unsupportedRuntime("22.12.0")).toBeUndefined();
    expect(unsupportedRuntime("24.22.3")).toBeUndefined();
  });
});
