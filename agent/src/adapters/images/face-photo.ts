import { GatehouseError } from "@gatehouse/shared";
import type { Metadata } from "sharp";

/** libvips costs ~25 MB of resident memory: loaded with the first photo, not at start. */
const loadSharp = async () => (await import("sharp")).default;

/** What worked on a real HCP with face terminals: fit 500×500, JPEG quality 80 (shared/hikcentral-openapi.md §12). */
export const FACE_BOX = 500;
export const FACE_QUALITY = 80;
const MAX_INPUT_BYTES = 5 * 1024 * 1024;
const MIN_SIDE = 120;

const invalid = (why: string) =>
  new GatehouseError("FACE_INVALID", `the guest's photo cannot be used: ${why}`, { retryable: false });

/**
 * Checks a guest photo and turns it into what HikCentral's face upload accepts: a JPEG no larger than
 * 500×500, quality 80, upright (EXIF orientation applied) and without metadata. An unscaled phone photo
 * is answered with code 128 by HCP.
 */
export async function prepareFacePhoto(jpeg: Buffer): Promise<Buffer> {
  if (jpeg.length > MAX_INPUT_BYTES) invalidSize(jpeg.length);
  if (jpeg.length < 3 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8 || jpeg[2] !== 0xff)
    throw invalid("it is not a JPEG");
  const sharp = await loadSharp();
  let meta: Metadata;
  try {
    meta = await sharp(jpeg).metadata();
  } catch {
    throw invalid("the JPEG is damaged");
  }
  if (meta.format !== "jpeg") throw invalid(`it is ${meta.format ?? "not an image"}, not a JPEG`);
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  if (Math.min(w, h) < MIN_SIDE)
    throw invalid(`it is ${w}×${h}; a face needs at least ${MIN_SIDE} pixels a side`);
  return sharp(jpeg)
    .rotate()
    .resize(FACE_BOX, FACE_BOX, { fit: "inside", withoutEnlargement: true })
    .jpeg({ quality: FACE_QUALITY, mozjpeg: false })
    .toBuffer();
}

function invalidSize(bytes: number): never {
  throw invalid(`it is ${(bytes / 1024 / 1024).toFixed(1)} MB; at most 5 MB`);
}
