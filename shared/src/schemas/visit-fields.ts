import { z } from "zod";
import { IsoDateTime } from "./common.js";
import { textInput, wireText } from "./text.js";

/**
 * The fields of a visit that reach HikCentral and the terminals, with one limit each. The command schemas are
 * made of the wire forms; the REST API's request schemas of the input forms, which end in the same wire form
 * (see `textInput`). A limit changed here changes both sides at once.
 *
 * Lengths are UTF-16 code units (JavaScript's `length`), which is characters for every script but emoji.
 */
export const FIELD_LIMITS = {
  /** The guest's whole name as typed; split into a given and a family name for HikCentral. */
  personName: 128,
  givenName: 64,
  familyName: 64,
  hostName: 128,
  email: 254,
  phone: 32,
  documentNumber: 64,
  note: 1000,
  /** Base64 characters of a face photo: a 5 MB JPEG. */
  photoBase64: 7_200_000,
  accessLevel: 128,
  accessLevels: 32,
  kind: 32,
} as const;

export const GivenName = wireText({ min: 1, max: FIELD_LIMITS.givenName });
export const FamilyName = wireText({ max: FIELD_LIMITS.familyName });

export const Email = z
  .email("must be an email address")
  .max(FIELD_LIMITS.email, `must be at most ${FIELD_LIMITS.email} characters`);

export const Phone = z
  .string()
  .max(FIELD_LIMITS.phone, `must be at most ${FIELD_LIMITS.phone} characters`)
  .regex(/^\+?[0-9(][0-9 ()./-]*$/, "must be a phone number: digits, spaces and + ( ) . / -")
  .describe("Phone number: digits, spaces and + ( ) . / -");

/**
 * Names that are properties of every JavaScript object: a kind called `constructor` would be found in any
 * site's kinds by a careless lookup. Refused whatever their case.
 */
const RESERVED_NAMES = new Set(
  [...Object.getOwnPropertyNames(Object.prototype), "prototype"].map((n) => n.toLowerCase()),
);

export const isReservedName = (name: string) => RESERVED_NAMES.has(name.toLowerCase());

export const VisitKind = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,31}$/, "must be a lower-case word (a-z, 0-9, '_', '-'; at most 32)")
  .refine((k) => !isReservedName(k), {
    message: "is a reserved name; choose another",
    params: { code: "reserved_name" },
  })
  .describe("Kind of visit (guest, student, contractor, ...)");

/** A HikCentral access level (privilege group), by id or name. */
export const AccessLevelRef = wireText({ min: 1, max: FIELD_LIMITS.accessLevel });

export const AccessLevels = z
  .array(AccessLevelRef)
  .min(1, "give at least one access level")
  .max(FIELD_LIMITS.accessLevels, `at most ${FIELD_LIMITS.accessLevels} access levels`)
  .describe("HikCentral access levels (privilege group ids or names)");

const isBase64 = (s: string) => /^[A-Za-z0-9+/]+={0,2}$/.test(s) && s.length % 4 === 0;

/** A face photo: a base64 JPEG without a data: prefix. */
export const FaceJpegBase64 = z
  .string()
  .min(1, "must not be empty")
  .max(FIELD_LIMITS.photoBase64, "the photo is larger than 5 MB")
  .refine(isBase64, { message: "must be base64", params: { code: "not_base64" } })
  .refine(
    (s) => {
      if (!isBase64(s)) return true; // said above; one reason per field
      const head = Buffer.from(s.slice(0, 8), "base64");
      return head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff;
    },
    { message: "must be a JPEG photo", params: { code: "not_jpeg" } },
  );

/** The earliest and latest instants HikCentral and the terminals take for a person's validity. */
export const ACCESS_TIME_RANGE = {
  from: "2000-01-01T00:00:00Z",
  /** Terminals stop at 2037-12-31T23:59:59 local time (a 32-bit clock); a day earlier in UTC fits every zone. */
  until: "2037-12-31T00:00:00Z",
} as const;

export const AccessTime = IsoDateTime.refine(
  (t) => {
    const at = Date.parse(t);
    // Not a time at all is said above; one reason per field.
    if (Number.isNaN(at)) return true;
    return at >= Date.parse(ACCESS_TIME_RANGE.from) && at < Date.parse(ACCESS_TIME_RANGE.until);
  },
  {
    message:
      "must be from 2000-01-01 and before 2037-12-31, where HikCentral's and the terminals' clocks end",
    params: { code: "time_out_of_range", from: "2000-01-01", until: "2037-12-31" },
  },
);

/**
 * HikCentral keeps a family and a given name. The last word is taken as the family name ("Павел Дуров" →
 * given "Павел", family "Дуров"); a single word is a given name only.
 */
export function splitPersonName(full: string): { givenName: string; familyName: string } {
  const words = full.trim().split(/\s+/).filter(Boolean);
  if (words.length <= 1) return { givenName: words[0] ?? "", familyName: "" };
  return { givenName: words.slice(0, -1).join(" "), familyName: words[words.length - 1]! };
}

/** Input form of a one-line text field of a visit (host name, document number). */
export const textField = (max: number, required?: string) =>
  textInput(wireText({ min: required ? 1 : 0, max, ...(required ? { required } : {}) }));

/**
 * The guest's name as the API takes it: clean text that splits into a given and a family name the grant
 * command's schema accepts.
 */
const PersonNameWire = wireText({
  min: 1,
  max: FIELD_LIMITS.personName,
  required: "the guest's name is required",
});

export const PersonNameInput = textInput(PersonNameWire)
  .superRefine((name, ctx) => {
    // Only a name that is clean text at all is split; what is wrong with it otherwise is said once, above.
    if (!PersonNameWire.safeParse(name).success) return;
    const parts = splitPersonName(name);
    const given = GivenName.safeParse(parts.givenName);
    if (!given.success)
      ctx.addIssue({
        code: "custom",
        message: `the given name (every word but the last) ${given.error.issues[0]?.message ?? "is not valid"}; HikCentral keeps given and family names apart`,
        params: { code: "given_name_too_long", maximum: FIELD_LIMITS.givenName },
      });
    const family = FamilyName.safeParse(parts.familyName);
    if (!family.success)
      ctx.addIssue({
        code: "custom",
        message: `the family name (the last word) ${family.error.issues[0]?.message ?? "is not valid"}`,
        params: { code: "family_name_too_long", maximum: FIELD_LIMITS.familyName },
      });
  })
  .describe(
    `The guest's full name, at most ${FIELD_LIMITS.personName} characters; the last word is the family name (at most ${FIELD_LIMITS.familyName}), the rest the given name (at most ${FIELD_LIMITS.givenName})`,
  );

export const NoteInput = textInput(wireText({ max: FIELD_LIMITS.note, multiline: true }), true);

/** A photo as the API takes it: a `data:image/jpeg;base64,` prefix and line breaks are dropped first. */
export const FacePhotoInput = z
  .string()
  .max(FIELD_LIMITS.photoBase64 + 100, "the photo is larger than 5 MB")
  .transform((s) => s.replace(/^data:image\/jpe?g;base64,/i, "").replace(/\s+/g, ""))
  .pipe(FaceJpegBase64);
