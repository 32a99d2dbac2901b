import { describe, expect, it } from "vitest";
import { csvCell, csvRow } from "./csv.js";

describe("csv", () => {
  it("quotes every cell and doubles quotes", () => {
    expect(csvRow(["a", 'say "hi"', null, 3])).toBe('"a","say ""hi""","","3"\r\n');
  });

  it("defuses cells a spreadsheet would run as formulas", () => {
    for (const evil of ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\r=1"])
      expect(csvCell(evil).startsWith(`"'`)).toBe(true);
    expect(csvCell("Anna-Maria")).toBe('"Anna-Maria"');
    expect(csvCell("+7 701 555")).toBe(`"'+7 701 555"`);
  });
});
