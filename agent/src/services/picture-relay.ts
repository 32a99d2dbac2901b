import { MAX_PICTURE_BYTES, type Passage, type PassagePicture } from "@gatehouse/shared";
import type { Logger } from "pino";

export interface PictureRelayOptions {
  fetch(pictureUri: string): Promise<{ contentType: string; bytes: Buffer }>;
  publish(picture: PassagePicture): Promise<void>;
  count(result: "sent" | "failed" | "too_large" | "dropped"): void;
  log: Logger;
  /** Pictures waiting at most; beyond it the oldest is given up (a burst of passages outruns the rate limit). */
  maxQueued?: number;
}

/** What the bytes are, by their first bytes (HikCentral's content-type is not always set). */
function imageType(bytes: Buffer): PassagePicture["contentType"] | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "image/jpeg";
  if (bytes.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]))) return "image/png";
  return undefined;
}

/**
 * Fetches the camera picture of each new passage from HikCentral and sends it after the passage, one at a
 * time, best effort: the passage itself went through the outbox already and never waits for its picture.
 * Nothing is kept on disk; a picture lost to a restart is one the console does not show.
 */
export class PictureRelay {
  private readonly queue: Array<{ passageId: string; site: string; pictureUri: string }> = [];
  private running = false;
  private stopped = false;

  constructor(private readonly opts: PictureRelayOptions) {}

  offer(passages: readonly Passage[]): void {
    if (this.stopped) return;
    for (const p of passages) {
      if (!p.pictureUri || p.source !== "hikcentral") continue;
      this.queue.push({ passageId: p.id, site: p.site, pictureUri: p.pictureUri });
      if (this.queue.length > (this.opts.maxQueued ?? 200)) {
        this.queue.shift();
        this.opts.count("dropped");
      }
    }
    if (!this.running && this.queue.length > 0) void this.drain();
  }

  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      for (let item = this.queue.shift(); item && !this.stopped; item = this.queue.shift()) {
        try {
          const { bytes } = await this.opts.fetch(item.pictureUri);
          const contentType = imageType(bytes);
          if (bytes.length > MAX_PICTURE_BYTES || !contentType) {
            this.opts.count(contentType ? "too_large" : "failed");
            this.opts.log.debug(
              { passageId: item.passageId, bytes: bytes.length, contentType },
              "passage picture not sent: too large or not an image",
            );
            continue;
          }
          await this.opts.publish({
            passageId: item.passageId,
            site: item.site,
            contentType,
            data: bytes.toString("base64"),
            fetchedAt: new Date().toISOString(),
          });
          this.opts.count("sent");
        } catch (e) {
          this.opts.count("failed");
          this.opts.log.debug(
            { passageId: item.passageId, err: (e as Error).message },
            "passage picture failed",
          );
        }
      }
    } finally {
      this.running = false;
    }
  }
}
