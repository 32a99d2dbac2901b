import { createHash } from "node:crypto";
import { type FieldProblem, issueCode } from "@gatehouse/shared";
import { parse } from "csv-parse/sync";
import type { z } from "zod";
import type { Actor } from "../adapters/db/audit.js";
import type { Site, SitesRepo } from "../adapters/db/sites-repo.js";
import { columnFor, csvRecordToVisit, unknownColumns } from "../domain/import-rows.js";
import type { VisitCreate } from "../http/schemas.js";
import { FieldError, type NewVisit, type VisitService } from "./visits.js";

/** A bad row's field: its path says the line and the column (CSV) or the row and the field (JSON). */
export type ImportProblem = FieldProblem;

export interface ImportRow {
  /** Line in the CSV file (header = 1), or index + 1 in a JSON array. */
  line: number;
  raw: Record<string, unknown>;
}

export interface ImportResult {
  dryRun: boolean;
  total: number;
  created: number;
  existing: number;
  items: Array<{ line: number; visitId: string | null; status: "valid" | "created" | "existing" }>;
}

/** Most errors a response lists: a file with a wrong column fails every row the same way. */
const MAX_PROBLEMS = 1000;

/**
 * Bulk visits from CSV or JSON: every row is validated (schema, site, kind, times) before any is created,
 * and all bad rows are reported with their line and field. Each row is idempotent: a row's `externalId`, or
 * else its content, is its key, so importing the same file again creates nothing twice.
 */
export class VisitImport {
  constructor(
    private readonly visits: VisitService,
    private readonly sites: SitesRepo,
    private readonly schema: typeof VisitCreate,
  ) {}

  parseCsv(text: string, defaultSite?: string): ImportRow[] {
    let records: Array<Record<string, string>>;
    try {
      records = parse(text, { columns: true, skip_empty_lines: true, bom: true, trim: false }) as Array<
        Record<string, string>
      >;
    } catch (e) {
      throw new FieldError(422, "(body)", `not CSV this importer can read: ${(e as Error).message}`);
    }
    const headers = Object.keys(records[0] ?? {});
    const unknown = unknownColumns(headers);
    if (unknown.length > 0)
      throw new FieldError(
        422,
        `column ${unknown[0]}`,
        `unknown column${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}; see the import documentation for the column names`,
      );
    return records.map((r, i) => ({ line: i + 2, raw: csvRecordToVisit(r, defaultSite) }));
  }

  fromJson(rows: Array<Record<string, unknown>>, defaultSite?: string): ImportRow[] {
    return rows.map((r, i) => ({
      line: i + 1,
      raw: defaultSite && r.site === undefined ? { ...r, site: defaultSite } : r,
    }));
  }

  /** Every row's problems, or the rows ready to create. */
  async validate(
    rows: ImportRow[],
    format: "csv" | "json",
    now = new Date(),
  ): Promise<{ problems: ImportProblem[]; ready: Array<{ line: number; visit: NewVisit; key: string }> }> {
    const problems: ImportProblem[] = [];
    const ready: Array<{ line: number; visit: NewVisit; key: string }> = [];
    // A file is mostly one site: look each up once, not once a row.
    const sites = new Map<string, Promise<Site | undefined>>();
    const getSite = (id: string) => {
      if (!sites.has(id)) sites.set(id, this.sites.get(id));
      return sites.get(id)!;
    };
    const where = (line: number, field: string) =>
      format === "csv" ? `line ${line}: ${columnFor(field)}` : `rows[${line - 1}].${field}`;
    for (const row of rows) {
      if (problems.length >= MAX_PROBLEMS) break;
      const { externalId, ...rest } = row.raw;
      const parsed = this.schema.safeParse(rest);
      if (!parsed.success) {
        for (const issue of parsed.error.issues)
          problems.push({
            path: where(row.line, issue.path.join(".") || "(row)"),
            message: issue.message,
            ...issueCode(issue),
          });
        continue;
      }
      try {
        await this.visits.check(parsed.data, now, getSite);
      } catch (e) {
        if (!(e instanceof FieldError)) throw e;
        problems.push({
          path: where(row.line, e.path),
          code: e.code,
          message: e.message,
          ...(e.params ? { params: e.params } : {}),
        });
        continue;
      }
      const key =
        typeof externalId === "string" && externalId.length > 0
          ? `external:${externalId}`
          : `row:${createHash("sha256").update(JSON.stringify(parsed.data)).digest("hex")}`;
      ready.push({ line: row.line, visit: parsed.data satisfies z.infer<typeof VisitCreate>, key });
    }
    return { problems, ready };
  }

  /** Creates the rows in order; a row imported before answers with its visit. */
  async create(
    ready: Array<{ line: number; visit: NewVisit; key: string }>,
    actor: Actor,
  ): Promise<Omit<ImportResult, "dryRun">> {
    const items: ImportResult["items"] = [];
    let created = 0;
    for (const r of ready) {
      const out = await this.visits.create(r.visit, {
        actor,
        action: "visit.import",
        // Scoped to the site, not the token: anyone importing the same rows again creates nothing twice.
        idempotency: { tokenId: `import:${r.visit.site}`, key: r.key },
      });
      if (!out.replayed) created++;
      items.push({ line: r.line, visitId: out.visit.id, status: out.replayed ? "existing" : "created" });
    }
    return { total: ready.length, created, existing: ready.length - created, items };
  }
}
