import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyMigrations, Database, type DatabaseOptions } from "./database.js";

/**
 * A database file in a new temporary folder, with `migrations` applied: the one fixture the tests that need a
 * real libSQL file share. The folder is left for the operating system to clean (CI keeps it when a test fails).
 */
export async function openTempDatabase(
  opts: { prefix: string; migrations?: string } & Omit<DatabaseOptions, "url">,
): Promise<{ db: Database; dir: string; url: string }> {
  const { prefix, migrations, ...options } = opts;
  const dir = mkdtempSync(join(tmpdir(), `gatehouse-${prefix}-`));
  const url = `file:${join(dir, `${prefix}.db`)}`;
  const db = await Database.open({ url, ...options });
  if (migrations) await applyMigrations(db, migrations);
  return { db, dir, url };
}
