import { fileURLToPath } from "node:url";
import { type Database, openTempDatabase } from "@gatehouse/shared/db";
import { afterEach, describe, expect, it } from "vitest";
import { PicturesRepo } from "./pictures-repo.js";

const open: Database[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

describe("passage pictures past retention", () => {
  it("are deleted in batches, and no picture stored after the cutoff is", async () => {
    const { db } = await openTempDatabase({
      prefix: "pictures",
      secureDelete: true,
      migrations: fileURLToPath(new URL("../../../migrations", import.meta.url)),
    });
    open.push(db);
    const pictures = new PicturesRepo(db);
    // 150 KB each: a camera snapshot's size, overwritten with zeros when deleted.
    const data = Buffer.alloc(150_000, 0xab).toString("base64");
    const picture = (id: string) => ({
      passageId: id,
      site: "north",
      contentType: "image/jpeg" as const,
      data,
      fetchedAt: "2026-01-01T00:00:00.000Z",
    });
    for (let i = 0; i < 120; i++) await pictures.store(picture(`old-${i}`), new Date("2026-01-01T00:00:00Z"));
    for (let i = 0; i < 3; i++) await pictures.store(picture(`new-${i}`), new Date("2026-03-01T00:00:00Z"));
    const commits = db.stats.commits;

    expect(await pictures.prune("2026-02-01T00:00:00.000Z")).toBe(120);
    expect(db.stats.commits - commits).toBeGreaterThan(1);
    expect(await pictures.get("old-0")).toBeUndefined();
    expect(await pictures.get("old-119")).toBeUndefined();
    expect((await pictures.get("new-2"))?.bytes.length).toBe(150_000);
    const left = await db.read("SELECT count(*) AS n FROM passage_pictures");
    expect(Number(left.rows[0]!.n)).toBe(3);
  });
});
