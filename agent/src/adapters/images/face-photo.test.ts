import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { prepareFacePhoto } from "./face-photo.js";

const jpeg = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: "#a0806a" } })
    .jpeg({ quality: 95 })
    .toBuffer();

describe("face photo preparation", () => {
  it("scales a large photo to fit 500×500 at quality 80, keeping the aspect ratio", async () => {
    const out = await prepareFacePhoto(await jpeg(1200, 1600));
    const meta = await sharp(out).metadata();
    expect(meta).toMatchObject({ format: "jpeg", width: 375, height: 500 });
  });

  it("does not enlarge a small photo", async () => {
    const meta = await sharp(await prepareFacePhoto(await jpeg(300, 400))).metadata();
    expect([meta.width, meta.height]).toEqual([300, 400]);
  });

  it("refuses what is not a JPEG, is damaged, or is too small to hold a face", async () => {
    const png = await sharp({ create: { width: 600, height: 600, channels: 3, background: "#fff" } })
      .png()
      .toBuffer();
    await expect(prepareFacePhoto(png)).rejects.toMatchObject({ code: "FACE_INVALID", retryable: false });
    await expect(prepareFacePhoto(Buffer.from([0xff, 0xd8, 0xff, 0x00, 1, 2, 3]))).rejects.toMatchObject({
      code: "FACE_INVALID",
    });
    await expect(prepareFacePhoto(await jpeg(60, 80))).rejects.toThrow(/at least 120 pixels/);
  });
});
