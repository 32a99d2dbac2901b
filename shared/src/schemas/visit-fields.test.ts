import { describe, expect, it } from "vitest";
import { textProblem } from "./text.js";
import {
  AccessTime,
  FacePhotoInput,
  GivenName,
  NoteInput,
  PersonNameInput,
  splitPersonName,
  VisitKind,
} from "./visit-fields.js";

const messages = (r: { success: boolean; error?: { issues: Array<{ message: string }> } }) =>
  r.success ? [] : (r.error?.issues.map((i) => i.message) ?? []);

describe("text people type", () => {
  it("refuses lone surrogates, NUL, other control characters and bidi overrides, saying where", () => {
    expect(textProblem("A\ud800B")).toBe("contains a lone surrogate (U+D800) at position 1");
    expect(textProblem("\udc00")).toMatch(/lone surrogate/);
    expect(textProblem("😀 ok")).toBeUndefined(); // a surrogate pair is one character
    expect(textProblem("Ada\u0000")).toBe("contains the control character U+0000 at position 3");
    expect(textProblem("a\u0085b")).toMatch(/U\+0085/);
    expect(textProblem("evil\u202Egnp.exe")).toMatch(/U\+202E/);
    expect(textProblem("line\nbreak")).toMatch(/U\+000A/);
    expect(textProblem("line\nbreak\ttab", true)).toBeUndefined();
  });

  it("normalises to NFC and trims what a person typed, then checks it as the wire does", () => {
    const decomposed = "Zo\u0065\u0308 Mu\u0308ller"; // e + combining diaeresis
    const r = PersonNameInput.safeParse(`  ${decomposed} `);
    expect(r.success).toBe(true);
    expect(r.data).toBe("Zoë Müller");
    expect(r.data?.length).toBe(10);
    // The wire form takes only what is NFC already: a command is never normalised on the way.
    expect(messages(GivenName.safeParse("Zo\u0065\u0308"))).toEqual(["must be Unicode NFC"]);
    expect(NoteInput.safeParse("two\r\nlines").success).toBe(true);
  });
});

describe("visit fields", () => {
  it("splits a name as HikCentral keeps it, Cyrillic included", () => {
    expect(splitPersonName("Павел Дуров")).toEqual({ givenName: "Павел", familyName: "Дуров" });
    expect(splitPersonName("  Anna Maria  Schmidt ")).toEqual({
      givenName: "Anna Maria",
      familyName: "Schmidt",
    });
    expect(splitPersonName("Madonna")).toEqual({ givenName: "Madonna", familyName: "" });
  });

  it("refuses a name whose given-name part the grant command would refuse, and says which part", () => {
    const long = `${"A".repeat(65)} Lovelace`;
    expect(long.length).toBeLessThanOrEqual(128);
    expect(messages(PersonNameInput.safeParse(long))).toEqual([
      "the given name (every word but the last) must be at most 64 characters; HikCentral keeps given and family names apart",
    ]);
    expect(messages(PersonNameInput.safeParse(`Ada ${"L".repeat(65)}`))[0]).toMatch(/^the family name/);
    expect(messages(PersonNameInput.safeParse(""))).toEqual(["the guest's name is required"]);
    expect(PersonNameInput.safeParse(`${"A".repeat(64)} ${"B".repeat(63)}`).success).toBe(true);
  });

  it("refuses kinds that are properties of every object, whatever their case", () => {
    for (const k of ["constructor", "tostring", "hasownproperty", "valueof", "prototype"])
      expect(messages(VisitKind.safeParse(k)), k).toEqual(["is a reserved name; choose another"]);
    for (const k of ["__proto__", "toString"]) expect(VisitKind.safeParse(k).success, k).toBe(false);
    expect(VisitKind.safeParse("contractor").success).toBe(true);
  });

  it("keeps access times where HikCentral's and the terminals' clocks run", () => {
    expect(AccessTime.safeParse("2026-12-03T09:00:00+05:00").success).toBe(true);
    expect(messages(AccessTime.safeParse("2038-01-19T03:14:08Z"))[0]).toMatch(/before 2037-12-31/);
    expect(messages(AccessTime.safeParse("1999-12-31T23:59:59Z"))[0]).toMatch(/from 2000-01-01/);
    expect(messages(AccessTime.safeParse("tomorrow"))).toEqual(["Invalid ISO datetime"]);
  });

  it("takes a photo with or without its data: prefix, and only a JPEG", () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46]).toString("base64");
    expect(FacePhotoInput.safeParse(`data:image/jpeg;base64,${jpeg}`).data).toBe(jpeg);
    expect(messages(FacePhotoInput.safeParse(Buffer.from("GIF89a..").toString("base64")))).toEqual([
      "must be a JPEG photo",
    ]);
    expect(messages(FacePhotoInput.safeParse("not base64!"))).toEqual(["must be base64"]);
  });
});
