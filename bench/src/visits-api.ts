import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startStack } from "@gatehouse/test";
import pino from "pino";
import { type BenchResult, percentile } from "./results.js";

/**
 * The central admins' everyday calls on a database the size of a busy year: `visits` visits and `passages`
 * passages (seeded in SQL), then p99 of GET /v1/visits filtered (site + status, site + inside) and walked
 * page by page with the cursor, and of POST /v1/visits (each one a visit, its grant command and its audit row,
 * with the agent taking the grants). Baseline in the same run: GET /healthz on the same server.
 */
export async function visitsApi(visits: number, passages: number, samples: number): Promise<BenchResult[]> {
  const token = `gh_bench_${randomBytes(18).toString("base64url")}`;
  const stack = await startStack({
    dataDir: mkdtempSync(join(tmpdir(), "gatehouse-bench-api-")),
    adminToken: token,
    log: pino({ level: "error" }),
    agentEnv: { AGENT_HIKCENTRAL_RATE: "1000" },
  });
  const db = stack.controlPlane.db;
  const site = stack.siteId;
  const seedStart = performance.now();
  // Five statuses in turn; one visit in fifty inside; passages spread over the visits and the last year.
  await db.write([
    {
      sql: `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
            INSERT INTO visits (id, site_id, kind, person_code, guest_name, host_name, host_email, valid_from, valid_until,
                                status, access, inside, entry_count, created_at, updated_at)
            SELECT printf('seed-%08d', i), ?, 'guest', printf('GHSEED%014d', i), 'Guest ' || i, 'Host ' || (i % 500),
                   'host' || (i % 500) || '@campus.test',
                   strftime('%Y-%m-%dT%H:%M:%fZ', 'now', printf('-%d minutes', i * 5)),
                   -- Open visits end in the future (the scheduler has nothing to expire); closed ones ended.
                   CASE WHEN i % 5 IN (0, 1) THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+600 minutes')
                        ELSE strftime('%Y-%m-%dT%H:%M:%fZ', 'now', printf('-%d minutes', i * 5 - 1)) END,
                   CASE i % 5 WHEN 0 THEN 'active' WHEN 1 THEN 'scheduled' WHEN 2 THEN 'expired'
                              WHEN 3 THEN 'checked_out' ELSE 'cancelled' END,
                   'granted', CASE WHEN i % 50 = 0 THEN 1 ELSE 0 END, 1,
                   strftime('%Y-%m-%dT%H:%M:%fZ', 'now', printf('-%d minutes', i * 5)),
                   strftime('%Y-%m-%dT%H:%M:%fZ', 'now', printf('-%d minutes', i * 5))
              FROM n`,
      args: [visits, site],
    },
  ]);
  for (let done = 0; done < passages; done += 200_000) {
    const count = Math.min(200_000, passages - done);
    await db.write([
      {
        sql: `WITH RECURSIVE n(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM n WHERE i < ?)
              INSERT INTO passages (id, site_id, visit_id, person_code, door_id, door_name, direction, result, event_type,
                                    occurred_at, occurred_utc, received_at, stored_at, body)
              SELECT printf('seed-p-%09d', i), ?, printf('seed-%08d', (i % ?) + 1), printf('GHSEED%014d', (i % ?) + 1),
                     CASE i % 2 WHEN 0 THEN '1' ELSE '2' END, 'Turnstile', CASE i % 2 WHEN 0 THEN 'entry' ELSE 'exit' END,
                     'granted', 196893,
                     strftime('%Y-%m-%dT%H:%M:%S+05:00', 'now', printf('-%d seconds', i * 30)),
                     strftime('%Y-%m-%dT%H:%M:%fZ', 'now', printf('-%d seconds', i * 30)),
                     strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), '{}'
                FROM n`,
        args: [done + 1, done + count, site, visits, visits],
      },
    ]);
  }
  await db.write([{ sql: "ANALYZE", args: [] }]);
  const seedSeconds = (performance.now() - seedStart) / 1000;

  const call = async (method: string, path: string, body?: unknown) => {
    const t0 = performance.now();
    const res = await fetch(`${stack.controlPlane.httpUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as { nextCursor?: string | null };
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return { ms: performance.now() - t0, json };
  };
  // The seeding left the keep-alive socket idle past the server's timeout; the first call may find it closed.
  await call("GET", "/healthz").catch(() => undefined);
  const p99 = (xs: number[]) =>
    percentile(
      [...xs].sort((a, b) => a - b),
      99,
    );

  const health: number[] = [];
  for (let i = 0; i < samples; i++) health.push((await call("GET", "/healthz")).ms);

  // Filtered lists, walked by cursor as a console pages through them.
  const list: number[] = [];
  const filters = [
    `site=${site}&status=active&limit=50`,
    `site=${site}&inside=true&limit=50`,
    `site=${site}&limit=100`,
  ];
  let cursor: string | null | undefined = null;
  for (let i = 0; i < samples; i++) {
    const f = filters[i % filters.length]!;
    const r = await call(
      "GET",
      `/v1/visits?${f}${cursor && i % filters.length === 0 ? `&cursor=${cursor}` : ""}`,
    );
    if (i % filters.length === 0) cursor = r.json.nextCursor;
    list.push(r.ms);
  }
  const search: number[] = [];
  for (let i = 0; i < Math.min(samples, 50); i++)
    search.push((await call("GET", `/v1/visits?site=${site}&q=Host%20${i}&limit=50`)).ms);

  const create: number[] = [];
  for (let i = 0; i < samples; i++) {
    const from = new Date(Date.now() - 60_000).toISOString();
    const until = new Date(Date.now() + 3_600_000).toISOString();
    create.push(
      (
        await call("POST", "/v1/visits", {
          site,
          guest: { name: `Bench Guest ${i}` },
          host: { name: "Bench Host", email: "bench@campus.test" },
          validFrom: from,
          validUntil: until,
        })
      ).ms,
    );
  }
  await stack.stop();

  const base = Math.round(p99(health) * 100) / 100;
  const r = (name: string, xs: number[], target: number | null): BenchResult => {
    const value = Math.round(p99(xs) * 100) / 100;
    return {
      name,
      value,
      unit: "ms",
      baseline: base,
      ratio: Math.round((value / base) * 10) / 10,
      target,
      met: target === null ? null : value <= target,
    };
  };
  console.log(
    `visits_api: seeded ${visits} visits and ${passages} passages in ${seedSeconds.toFixed(1)} s; ${samples} samples each`,
  );
  return [
    r("visits_list_filtered_p99", list, 50),
    r("visits_create_p99", create, 50),
    r("visits_search_by_name_p99", search, null),
  ];
}
