/** Deny-list entries and how a visit's guest is matched against them. Pure. */
export type DenyField = "name" | "document";

export interface DenyEntry {
  id: string;
  field: DenyField;
  value: string;
  reason: string;
}

/** Names match whatever their case, spacing, word order or ё/е; "Ivanov  Ivan" is "ivan ivanov". */
export function normalizeName(name: string): string {
  return name
    .normalize("NFKC")
    .toLowerCase()
    .replace(/ё/g, "е")
    .split(/[\s,.'-]+/)
    .filter(Boolean)
    .sort()
    .join(" ");
}

/** Document numbers match on letters and digits only: "AB 12-34 56" is "AB123456". */
export function normalizeDocument(doc: string): string {
  return doc
    .normalize("NFKC")
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]/gu, "");
}

export const normalize = (field: DenyField, value: string) =>
  field === "name" ? normalizeName(value) : normalizeDocument(value);

/** The entries a guest matches; the caller holds the visit for an admin when there is any. */
export function denyMatches(
  guest: { name: string; documentNumber?: string | null | undefined },
  entries: Array<DenyEntry & { normalized: string }>,
): DenyEntry[] {
  const name = normalizeName(guest.name);
  const doc = guest.documentNumber ? normalizeDocument(guest.documentNumber) : null;
  return entries.filter((e) =>
    e.field === "name" ? e.normalized === name : doc !== null && e.normalized === doc,
  );
}
