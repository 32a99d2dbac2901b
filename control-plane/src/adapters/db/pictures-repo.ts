import type { PassagePicture } from "@gatehouse/shared";
import { type Database, deleteInBatches } from "@gatehouse/shared/db";

/** Passage pictures: personal data (a face), stored as the agent sent them and deleted after retention. */
export class PicturesRepo {
  constructor(private readonly db: Database) {}

  /** Stores a picture once; a repeat (the agent sent it again) changes nothing. Returns whether it was new. */
  async store(p: PassagePicture, now = new Date()): Promise<boolean> {
    const [r] = await this.db.write([
      {
        sql: `INSERT INTO passage_pictures (passage_id, site_id, content_type, bytes, fetched_at, stored_at)
              VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (passage_id) DO NOTHING`,
        args: [
          p.passageId,
          p.site,
          p.contentType,
          Buffer.from(p.data, "base64"),
          p.fetchedAt,
          now.toISOString(),
        ],
      },
    ]);
    return (r?.rowsAffected ?? 0) > 0;
  }

  async get(passageId: string): Promise<{ contentType: string; bytes: Buffer } | undefined> {
    const r = await this.db.read("SELECT content_type, bytes FROM passage_pictures WHERE passage_id = ?", [
      passageId,
    ]);
    const row = r.rows[0];
    if (!row) return undefined;
    return { contentType: String(row.content_type), bytes: Buffer.from(row.bytes as ArrayBuffer) };
  }

  /**
   * Deletes pictures stored before the cutoff; returns how many. In batches: after a retention change, or a
   * control plane that was down, one statement would overwrite gigabytes with zeros on the event loop.
   */
  prune(cutoff: string): Promise<number> {
    return deleteInBatches(this.db, "passage_pictures", "stored_at < ?", [cutoff], 10);
  }
}
