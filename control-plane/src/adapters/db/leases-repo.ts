import type { Database } from "@gatehouse/shared/db";

/** Lease rows: which instance runs which scheduler. */
export class LeasesRepo {
  constructor(private readonly db: Database) {}

  /**
   * Takes or renews `name` for `holder` until `now + ttlMs`: it succeeds when the lease is free, already
   * this holder's, or expired. One statement, so two instances racing for it cannot both win.
   */
  async acquire(name: string, holder: string, ttlMs: number, now = Date.now()): Promise<boolean> {
    const [r] = await this.db.write([
      {
        sql: `INSERT INTO leases (name, holder, expires_at, acquired_at) VALUES (?, ?, ?, ?)
              ON CONFLICT (name) DO UPDATE SET
                acquired_at = CASE WHEN leases.holder = excluded.holder THEN leases.acquired_at ELSE excluded.acquired_at END,
                holder = excluded.holder, expires_at = excluded.expires_at
              WHERE leases.holder = excluded.holder OR leases.expires_at < ?`,
        args: [name, holder, now + ttlMs, new Date(now).toISOString(), now],
      },
    ]);
    return (r?.rowsAffected ?? 0) > 0;
  }

  /** Gives the lease up at once (a clean stop), so another instance need not wait for it to expire. */
  async release(name: string, holder: string): Promise<void> {
    await this.db.write([{ sql: "DELETE FROM leases WHERE name = ? AND holder = ?", args: [name, holder] }]);
  }

  async all(): Promise<{ name: string; holder: string; expiresAt: number }[]> {
    const r = await this.db.read("SELECT name, holder, expires_at FROM leases ORDER BY name");
    return r.rows.map((row) => ({
      name: String(row.name),
      holder: String(row.holder),
      expiresAt: Number(row.expires_at),
    }));
  }
}
