import { describe, expect, it } from "vitest";
import { SerialLoop } from "./serial-loop.js";

describe("SerialLoop", () => {
  it("never overlaps passes and runs once more for a wake that came mid-pass", async () => {
    let active = 0;
    let maxActive = 0;
    let passes = 0;
    let release: () => void = () => {};
    const loop = new SerialLoop(
      async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        passes++;
        await new Promise<void>((r) => {
          release = r;
        });
        active--;
      },
      () => {},
    );
    loop.wake();
    loop.wake();
    loop.wake();
    release();
    await new Promise((r) => setTimeout(r, 5));
    release();
    await new Promise((r) => setTimeout(r, 5));
    expect(passes).toBe(2);
    expect(maxActive).toBe(1);
    await loop.stop();
    loop.wake();
    expect(passes).toBe(2);
  });

  it("reports a failing pass and keeps working", async () => {
    const errors: string[] = [];
    let n = 0;
    const loop = new SerialLoop(
      async () => {
        n++;
        if (n === 1) throw new Error("boom");
      },
      (e) => errors.push(e.message),
    );
    loop.wake();
    await new Promise((r) => setTimeout(r, 5));
    loop.wake();
    await loop.stop();
    expect(errors).toEqual(["boom"]);
    expect(n).toBe(2);
  });
});
