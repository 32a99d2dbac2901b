/**
 * Bulk import rows: CSV columns mapped onto the visit request. Pure: the caller parses the CSV text into
 * records and validates what comes out with the same schema as POST /v1/visits.
 */
const COLUMNS: Record<string, string[]> = {
  site: ["site"],
  kind: ["kind"],
  externalid: ["externalId"],
  guestname: ["guest", "name"],
  guestemail: ["guest", "email"],
  guestphone: ["guest", "phone"],
  guestdocument: ["guest", "documentNumber"],
  guestdocumentnumber: ["guest", "documentNumber"],
  documentnumber: ["guest", "documentNumber"],
  hostname: ["host", "name"],
  hostemail: ["host", "email"],
  hostlanguage: ["host", "language"],
  validfrom: ["validFrom"],
  validuntil: ["validUntil"],
  revokeonexit: ["revokeOnExit"],
  note: ["note"],
};

const key = (header: string) => header.toLowerCase().replace(/[\s._-]/g, "");

/** The field a header maps to; own keys only (a header called `constructor` is an unknown column). */
const fieldOf = (header: string): string[] | undefined =>
  Object.hasOwn(COLUMNS, key(header)) ? COLUMNS[key(header)] : undefined;

/** Header names that map to no field, to report before any row is read. */
export function unknownColumns(headers: string[]): string[] {
  return headers.filter((h) => !fieldOf(h));
}

const BOOLEAN: Record<string, boolean> = {
  true: true,
  yes: true,
  "1": true,
  false: false,
  no: false,
  "0": false,
};

/** One CSV record as the JSON a visit request takes; empty cells are absent fields. */
export function csvRecordToVisit(
  record: Record<string, string>,
  defaultSite?: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = defaultSite ? { site: defaultSite } : {};
  for (const [header, raw] of Object.entries(record)) {
    const path = fieldOf(header);
    const value = raw.trim();
    // An empty cell is an absent field, except a name: "" gets the schema's own "name is required".
    if (!path || (value === "" && path[1] !== "name")) continue;
    const parsed: unknown = path[0] === "revokeOnExit" ? (BOOLEAN[value.toLowerCase()] ?? value) : value;
    if (path.length === 1) out[path[0]!] = parsed;
    else {
      const inner = (out[path[0]!] ?? {}) as Record<string, unknown>;
      inner[path[1]!] = parsed;
      out[path[0]!] = inner;
    }
  }
  return out;
}

/** The CSV column a field path came from, so that errors name what the person sees in their file. */
export function columnFor(path: string): string {
  const wanted = path.split(".");
  for (const [k, p] of Object.entries(COLUMNS))
    if (p.join(".") === wanted.join(".")) return k === "guestdocument" ? "guest_document" : snake(p);
  return path;
}

const snake = (p: string[]) => p.map((x) => x.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`)).join("_");
