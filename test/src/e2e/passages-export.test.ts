import { randomBytes } from "node:crypto";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../stack.js";
import { tempDir, testLogger } from "../support.js";

let stack: Stack;
const ROWS = 200_000;
const START = Date.parse("2026-11-01T00:00:00Z");

beforeAll(async () => {
  stack = await startStack({
    dataDir: tempDir("passages-export"),
    adminToken: `gh_test_${randomBytes(18).toString("base64url")}`,
    log: testLogger("passages-export"),
  });
  // A month of a busy campus: a passage every 13 s at doors 1 (entry) and 2 (exit), every tenth one denied.
  await stack.controlPlane.db.write([
    {
      sql: `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ? - 1)
            INSERT INTO passages (id, site_id, visit_id, person_code, door_id, door_name, direction, result,
                                  reason_code, event_type, occurred_at, occurred_utc, received_at, stored_at, body,
                                  consumer_copy_pending)
            SELECT printf('demo:seed:%07d', i), ?, NULL, NULL, CASE i % 2 WHEN 0 THEN '1' ELSE '2' END,
                   CASE i % 2 WHEN 0 THEN 'Turnstile Entry' ELSE 'Turnstile Exit' END,
                   CASE i % 2 WHEN 0 THEN 'entry' ELSE 'exit' END,
                   CASE i % 10 WHEN 3 THEN 'denied' ELSE 'granted' END,
                   CASE i % 10 WHEN 3 THEN 'FACE_NOT_RECOGNISED' END, 196893,
                   strftime('%Y-%m-%dT%H:%M:%fZ', '2026-11-01T00:00:00Z', '+' || (i * 13) || ' seconds'),
                   strftime('%Y-%m-%dT%H:%M:%fZ', '2026-11-01T00:00:00Z', '+' || (i * 13) || ' seconds'),
                   '2026-12-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z', '{"verifyMode":"face"}', 0
              FROM n`,
      args: [ROWS, stack.siteId],
    },
  ]);
}, 120_000);
afterAll(() => stack?.stop());

const get = (path: string) =>
  fetch(`${stack.controlPlane.httpUrl}${path}`, { headers: { authorization: `Bearer ${stack.adminToken}` } });

describe("passages for the security office", { timeout: 120_000 }, () => {
  // A week in the middle of the month: passages i with START + 13 i in [since, until).
  const since = "2026-11-10T00:00:00+05:00";
  const until = "2026-11-17T00:00:00+05:00";
  const first = Math.ceil((Date.parse(since) - START) / 13_000);
  const last = Math.ceil((Date.parse(until) - START) / 13_000) - 1;
  let deniedThatWeek = 0;
  for (let i = first; i <= last; i++) if (i % 10 === 3) deniedThatWeek++;

  it("filters by site, door, result, direction and time, and pages with a cursor, every passage once", async () => {
    const ids = new Set<string>();
    let cursor: string | null = null;
    let previous = Number.POSITIVE_INFINITY;
    let pages = 0;
    do {
      const q = new URLSearchParams({ site: stack.siteId, result: "denied", since, until, limit: "500" });
      if (cursor) q.set("cursor", cursor);
      const res = await get(`/v1/passages?${q}`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as { items: any[]; nextCursor: string | null };
      for (const p of page.items) {
        expect(p.result).toBe("denied");
        expect(p.reasonCode).toBe("FACE_NOT_RECOGNISED");
        const at = Date.parse(p.occurredAt);
        expect(at).toBeGreaterThanOrEqual(Date.parse(since));
        expect(at).toBeLessThan(Date.parse(until));
        expect(at).toBeLessThanOrEqual(previous);
        previous = at;
        ids.add(p.id);
      }
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(ids.size).toBe(deniedThatWeek);
    expect(pages).toBe(Math.ceil(deniedThatWeek / 500));

    const exits = (await (
      await get(`/v1/passages?door=2&direction=exit&since=${encodeURIComponent(since)}&limit=5`)
    ).json()) as { items: any[] };
    expect(exits.items.map((p) => [p.door.id, p.direction])).toEqual(Array(5).fill(["2", "exit"]));
    expect((await get("/v1/passages?cursor=not-a-cursor")).status).toBe(400);
    const bad = await get("/v1/passages?result=maybe&since=yesterday");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).errors.map((e: any) => e.path).sort()).toEqual(["result", "since"]);
  });

  it("exports the same filters as CSV on the site's clock", async () => {
    const res = await get(
      `/v1/exports/passages.csv?result=denied&since=${encodeURIComponent(since)}&until=${encodeURIComponent(until)}`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const lines = (await res.text()).trim().split(/\r?\n/);
    // Every cell quoted (a cell that starts like a formula is defused).
    const cells = (line: string) => line.slice(1, -1).split('","');
    expect(cells(lines[0]!)).toEqual([
      "id",
      "site",
      "occurredAt",
      "doorId",
      "doorName",
      "direction",
      "result",
      "reasonCode",
      "verifyMode",
      "guestName",
      "hostName",
      "visitId",
      "personCode",
    ]);
    expect(lines.length - 1).toBe(deniedThatWeek);
    // The site is in Asia/Almaty: its wall clock, with its offset.
    const row = cells(lines[1]!);
    expect(row[2]).toMatch(/^2026-11-1\dT\d\d:\d\d:\d\d\+05:00$/);
    expect(row.slice(3, 9)).toEqual(["2", "Turnstile Exit", "exit", "denied", "FACE_NOT_RECOGNISED", "face"]);
    // Only admins export personal data.
    const viewer = await stack.controlPlane.tokens.create("viewer", "export-viewer");
    const refused = await fetch(`${stack.controlPlane.httpUrl}/v1/exports/passages.csv`, {
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(refused.status).toBe(403);
  });

  it(`streams all ${ROWS.toLocaleString("en")} passages without holding them in memory`, async () => {
    // What the process holds, not what it has yet to collect: a full collection before each reading.
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    gc();
    const before = process.memoryUsage().heapUsed;
    let held = 0;
    const res = await get("/v1/exports/passages.csv");
    const reader = res.body!.getReader();
    let bytes = 0;
    let rows = 0;
    let nextReading = 2 * 2 ** 20;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      for (const b of value) if (b === 10) rows++;
      if (bytes >= nextReading) {
        nextReading += 2 * 2 ** 20;
        gc();
        held = Math.max(held, process.memoryUsage().heapUsed - before);
      }
    }
    const heldMiB = held / 2 ** 20;
    console.log(
      `passages export: ${rows - 1} rows, ${(bytes / 2 ** 20).toFixed(1)} MiB of CSV, at most ${heldMiB.toFixed(1)} MiB more held while it streamed`,
    );
    expect(rows - 1).toBe(ROWS);
    // Holding the export would hold more than the CSV itself; streaming holds a page or two.
    expect(heldMiB).toBeLessThan((bytes / 2 ** 20) * 0.25);
  });
});
