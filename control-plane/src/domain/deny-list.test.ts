import { describe, expect, it } from "vitest";
import { denyMatches, normalize } from "./deny-list.js";

const entry = (field: "name" | "document", value: string) => ({
  id: value,
  field,
  value,
  reason: "banned",
  normalized: normalize(field, value),
});

describe("deny list", () => {
  it("matches names whatever their case, spacing, order and ё, and documents on letters and digits", () => {
    const list = [entry("name", "Фёдор  Петров"), entry("document", "AB 12-34 56")];
    expect(denyMatches({ name: "петров федор" }, list)).toHaveLength(1);
    expect(denyMatches({ name: "Fedor Petrov", documentNumber: "ab123456" }, list)).toMatchObject([
      { field: "document" },
    ]);
    expect(denyMatches({ name: "Фёдор Петровский", documentNumber: "AB1234567" }, list)).toEqual([]);
    expect(denyMatches({ name: "Ann Lee" }, [entry("document", "")])).toEqual([]);
  });
});
