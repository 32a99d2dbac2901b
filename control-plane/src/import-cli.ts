import { readFileSync } from "node:fs";
import { SingleBar } from "cli-progress";
import { parse } from "csv-parse/sync";
import { columnFor, csvRecordToVisit, unknownColumns } from "./domain/import-rows.js";

export interface ImportCliOptions {
  site: string;
  api: string;
  token: string;
  batch: number;
  dryRun: boolean;
}

interface Row {
  line: number;
  body: Record<string, unknown>;
}

/** The rows of a CSV (line numbers as in the file) or a JSON array (index + 1). */
function readRows(file: string): { rows: Row[]; csv: boolean } {
  const text = readFileSync(file, "utf8");
  if (/\.json$/i.test(file)) {
    const data = JSON.parse(text) as unknown;
    if (!Array.isArray(data)) throw new Error(`${file}: a JSON import is an array of visits`);
    return {
      rows: data.map((body, i) => ({ line: i + 1, body: body as Record<string, unknown> })),
      csv: false,
    };
  }
  const records = parse(text, { columns: true, skip_empty_lines: true, bom: true, info: true }) as Array<{
    record: Record<string, string>;
    info: { lines: number };
  }>;
  const unknown = unknownColumns(Object.keys(records[0]?.record ?? {}));
  if (unknown.length > 0) throw new Error(`${file}: unknown column(s) ${unknown.join(", ")}`);
  return { rows: records.map((r) => ({ line: r.info.lines, body: csvRecordToVisit(r.record) })), csv: true };
}

async function post(o: ImportCliOptions, rows: Row[], dryRun: boolean) {
  const res = await fetch(`${o.api}/v1/visits/import?site=${encodeURIComponent(o.site)}&dryRun=${dryRun}`, {
    method: "POST",
    headers: { authorization: `Bearer ${o.token}`, "content-type": "application/json" },
    body: JSON.stringify(rows.map((r) => r.body)),
  });
  const body = (await res.json().catch(() => ({}))) as {
    created?: number;
    existing?: number;
    detail?: string;
    errors?: Array<{ path: string; message: string }>;
  };
  return { status: res.status, body };
}

/**
 * `gatehouse import`: validates the whole file first (in batches, through the API's dry run) and lists every
 * bad row by line and column; only a clean file is imported, batch by batch, with a progress bar. Each row
 * is idempotent on the server, so running it again after an interruption creates nothing twice.
 */
export async function runImport(file: string, o: ImportCliOptions): Promise<number> {
  const { rows, csv } = readRows(file);
  if (rows.length === 0) {
    console.error(`${file}: no rows`);
    return 1;
  }
  const batches: Row[][] = [];
  for (let i = 0; i < rows.length; i += o.batch) batches.push(rows.slice(i, i + o.batch));
  const problems: string[] = [];
  for (const batch of batches) {
    const r = await post(o, batch, true);
    if (r.status === 200) continue;
    if (r.status !== 422 || !r.body.errors) {
      console.error(`gatehouse import: the API answered ${r.status}: ${r.body.detail ?? "no detail"}`);
      return 1;
    }
    for (const e of r.body.errors) {
      // rows[i].field in the batch → the line and column of the file
      const m = /^rows\[(\d+)\]\.?(.*)$/.exec(e.path);
      const row = m ? batch[Number(m[1])] : undefined;
      problems.push(
        row
          ? `line ${row.line}: ${csv ? columnFor(m![2] ?? "") : m![2]}: ${e.message}`
          : `${e.path}: ${e.message}`,
      );
    }
  }
  if (problems.length > 0) {
    console.error(`${problems.length} problem(s); nothing was imported:`);
    for (const p of problems) console.error(`  ${p}`);
    return 1;
  }
  if (o.dryRun) {
    console.log(`${rows.length} row(s) valid; nothing imported (--dry-run)`);
    return 0;
  }
  const bar = new SingleBar({
    format: "importing [{bar}] {value}/{total} rows | {created} new, {existing} already there",
    stream: process.stderr,
    // In a log file or a pipe too, not only on a terminal.
    noTTYOutput: true,
    notTTYSchedule: 1000,
  });
  bar.start(rows.length, 0, { created: 0, existing: 0 });
  let created = 0;
  let existing = 0;
  for (const batch of batches) {
    const r = await post(o, batch, false);
    if (r.status !== 200) {
      bar.stop();
      console.error(
        `gatehouse import: a batch failed with ${r.status}: ${r.body.detail ?? ""}; run the import again to resume (rows are idempotent)`,
      );
      return 1;
    }
    created += r.body.created ?? 0;
    existing += r.body.existing ?? 0;
    bar.increment(batch.length, { created, existing });
  }
  bar.stop();
  console.log(`imported ${rows.length} row(s): ${created} new visit(s), ${existing} already imported`);
  return 0;
}
