// Over 400 lines: the REST API's request and response schemas in one place, built from the shared field
// definitions; the OpenAPI document and the generated client come from them, and they refer to each other.
import {
  AccessLevels,
  AccessTime,
  Email,
  FacePhotoInput,
  FIELD_LIMITS,
  Incident,
  issueCode,
  NoteInput,
  Occupancy,
  PersonNameInput,
  Phone,
  SiteId,
  TimeZone,
  textField,
  VisitAccess,
  VisitKind,
  VisitStatus,
} from "@gatehouse/shared";
import { z } from "@hono/zod-openapi";

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    errors: z.array(
      z.object({
        path: z
          .string()
          .describe("The field at fault, dotted (`guest.email`), or `(body)`, `(path)`, `header.…`"),
        code: z
          .string()
          .describe(
            "Stable: required, too_long, too_short, too_large, too_small, too_many, invalid_email, invalid_format, invalid_choice, invalid_type, unknown_field, after_valid_from, … (word it from code and params)",
          ),
        message: z.string().describe("In English, for people reading the raw answer"),
        params: z
          .record(z.string(), z.union([z.string(), z.number()]))
          .optional()
          .describe("What the code needs to be worded: maximum, minimum, values, …"),
      }),
    ),
  })
  .openapi("Problem");

export const KindConfig = z
  .strictObject({
    accessGroups: AccessLevels,
    revokeOnExit: z.boolean().default(false),
  })
  .openapi("KindConfig");

export const DEFAULT_KINDS = {
  guest: { accessGroups: ["Visitors"], revokeOnExit: false },
  student: { accessGroups: ["Students"], revokeOnExit: false },
  contractor: { accessGroups: ["Contractors"], revokeOnExit: false },
};

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be HH:MM (24-hour)");

export const OpeningHours = z
  .strictObject({
    from: HHMM,
    to: HHMM,
    days: z
      .array(z.int().min(1).max(7))
      .min(1)
      .optional()
      .describe("ISO weekdays the site opens on (1 = Monday … 7 = Sunday); every day when absent"),
  })
  .refine((h) => h.from !== h.to, {
    message: "must differ from `from`",
    path: ["to"],
    params: { code: "same_as_from" },
  })
  .describe("When guests are expected, on the site's clock; `to` before `from` spans midnight")
  .openapi("OpeningHours");

/**
 * A site's visit kinds, by name. Names are checked on the raw keys before the record is built: a key such as
 * `__proto__` would otherwise set the object's prototype instead of naming a kind.
 */
const Kinds = z
  .custom<Record<string, unknown>>((v) => typeof v === "object" && v !== null && !Array.isArray(v), {
    message: "must be an object of kind name → { accessGroups, revokeOnExit }",
    params: { code: "invalid_type", expected: "object" },
  })
  .superRefine((raw, ctx) => {
    for (const key of Object.keys(raw)) {
      const name = VisitKind.safeParse(key);
      if (!name.success) {
        // The kind name's own problem, as a code a client can word (reserved_name, too_long, …).
        const inner = issueCode(name.error.issues[0]!);
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: name.error.issues[0]?.message ?? "bad name",
          params: { code: inner.code, ...inner.params },
        });
      }
    }
    if (Object.keys(raw).length > 50)
      ctx.addIssue({
        code: "custom",
        message: "at most 50 kinds",
        params: { code: "too_many", maximum: 50 },
      });
  })
  .pipe(z.record(z.string(), KindConfig))
  .openapi({
    type: "object",
    additionalProperties: { $ref: "#/components/schemas/KindConfig" },
    description: "Visit kind (a lower-case word) → its HikCentral access levels and revokeOnExit",
  });

const siteRules = {
  securityEmail: z.email().describe("Where security incidents are emailed"),
  maxStayHours: z
    .number()
    .positive()
    .max(168)
    .describe("A guest inside longer than this is an incident (default 8)"),
  openingHours: OpeningHours,
  earlyArrivalMinutes: z
    .int()
    .min(0)
    .max(720)
    .describe("The turnstiles let a guest in this long before the visit starts (default 0)"),
  maxVisitDays: z
    .int()
    .min(1)
    .max(3660)
    .describe("The longest a visit may last, validFrom to validUntil (default 366)"),
  language: z
    .enum(["en", "ru"])
    .describe(
      "The language of the site's emails: a new host's, unless the visit names one, and the security contact's (default en)",
    ),
};

const SiteName = textField(200, "the site's name is required");

export const SiteCreate = z
  .strictObject({
    id: SiteId,
    name: SiteName,
    timeZone: TimeZone.default("UTC"),
    kinds: Kinds.default(DEFAULT_KINDS),
    fallbackEmail: z.email().optional(),
    securityEmail: siteRules.securityEmail.optional(),
    maxStayHours: siteRules.maxStayHours.optional(),
    openingHours: siteRules.openingHours.optional(),
    earlyArrivalMinutes: siteRules.earlyArrivalMinutes.optional(),
    maxVisitDays: siteRules.maxVisitDays.optional(),
    language: siteRules.language.optional(),
  })
  .openapi("SiteCreate", {
    example: {
      id: "north-campus",
      name: "North campus",
      timeZone: "Asia/Almaty",
      language: "ru",
      securityEmail: "security@example.edu",
    },
  });

export const SitePatch = z
  .strictObject({
    name: SiteName.optional(),
    timeZone: TimeZone.optional(),
    kinds: Kinds.optional().describe("Replaces the site's visit kinds (existing visits keep theirs)"),
    fallbackEmail: z.email().nullable().optional(),
    securityEmail: siteRules.securityEmail.nullable().optional(),
    maxStayHours: siteRules.maxStayHours.optional(),
    openingHours: siteRules.openingHours.nullable().optional(),
    earlyArrivalMinutes: siteRules.earlyArrivalMinutes.optional(),
    maxVisitDays: siteRules.maxVisitDays.optional(),
    language: siteRules.language.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, {
    message: "give at least one setting",
    path: ["(body)"],
    params: { code: "empty_patch" },
  })
  .openapi("SitePatch", { example: { maxStayHours: 10, openingHours: { from: "07:00", to: "22:00" } } });

export const SiteView = z
  .object({
    id: z.string(),
    name: z.string(),
    timeZone: z.string(),
    kinds: z.record(z.string(), z.object({ accessGroups: z.array(z.string()), revokeOnExit: z.boolean() })),
    fallbackEmail: z.string().nullable(),
    securityEmail: z.string().nullable(),
    maxStayHours: z.number(),
    openingHours: z
      .object({ from: z.string(), to: z.string(), days: z.array(z.int()).optional() })
      .nullable(),
    earlyArrivalMinutes: z.int(),
    maxVisitDays: z.int(),
    language: z.enum(["en", "ru"]),
    agent: z.object({
      username: z.string(),
      state: z.string(),
      seenAt: z.string().nullable(),
      status: z.unknown().nullable(),
    }),
    commands: z.object({ pending: z.int(), oldestPendingAt: z.string().nullable() }),
    createdAt: z.string(),
  })
  .openapi("Site");

export const SiteCreated = SiteView.extend({
  agentCredentials: z.object({
    username: z.string(),
    password: z.string().describe("Shown once; only its hash is stored"),
  }),
  commandPublicKey: z
    .string()
    .describe("The agent's AGENT_COMMAND_PUBLIC_KEY: the key(s) that sign its commands, comma-separated"),
}).openapi("SiteCreated");

/** A person's name as the API takes it (host, organiser): clean text, at most 128 characters. */
export const HostName = textField(FIELD_LIMITS.hostName, "the host's name is required");

/**
 * A new visit. Every field that reaches HikCentral is made of the same schema the grant command is (`shared`
 * visit fields): what this accepts, the agent accepts.
 */
export const VisitCreate = z
  .strictObject({
    site: SiteId,
    kind: VisitKind.default("guest"),
    guest: z.strictObject({
      name: PersonNameInput,
      email: Email.optional(),
      phone: Phone.optional(),
      documentNumber: textField(FIELD_LIMITS.documentNumber, "must not be empty")
        .optional()
        .describe("Passport or ID number, checked against the deny list"),
      photo: FacePhotoInput.optional().describe(
        "Face photo, base64 JPEG; sent to HikCentral, not kept after the grant",
      ),
    }),
    host: z.strictObject({
      name: HostName,
      email: Email.optional(),
      language: z
        .enum(["en", "ru"])
        .optional()
        .describe("The language of the host's emails (default: the site's language)"),
    }),
    validFrom: AccessTime,
    validUntil: AccessTime,
    revokeOnExit: z.boolean().optional(),
    note: NoteInput.optional(),
  })
  // A time that is not a time is reported as such above, not as out of order too.
  .refine((v) => !(Date.parse(v.validUntil) <= Date.parse(v.validFrom)), {
    message: "must be after validFrom",
    path: ["validUntil"],
    params: { code: "after_valid_from" },
  })
  .openapi("VisitCreate", {
    example: {
      site: "north-campus",
      kind: "guest",
      guest: { name: "Aigerim Sadykova", email: "aigerim@example.com", phone: "+7 701 555 0101" },
      host: { name: "Marat Akhmetov", email: "marat@example.edu" },
      validFrom: "2026-12-03T09:00:00+05:00",
      validUntil: "2026-12-03T18:00:00+05:00",
    },
  });

/** The muster list as the API answers it: the same message consumers read on `gatehouse/v1/occupancy/{site}`. */
export const OccupancyView = Occupancy;

/** The filters of the passage list and of its CSV export. */
export const PassageQuery = z.object({
  site: z.string().optional(),
  door: z.string().optional().describe("The door's id as the agent reports it (HikCentral's doorIndexCode)"),
  result: z.enum(["granted", "denied"]).optional(),
  direction: z.enum(["entry", "exit", "unknown"]).optional(),
  since: z.iso.datetime({ offset: true }).optional().describe("Passages from this instant on (inclusive)"),
  until: z.iso.datetime({ offset: true }).optional().describe("Passages before this instant"),
});

/** The query as the database filters it: instants in UTC, as passages keep them. */
export function passageFilter(q: z.infer<typeof PassageQuery>) {
  const utc = (t: string | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
  return {
    site: q.site,
    door: q.door,
    result: q.result,
    direction: q.direction,
    since: utc(q.since),
    until: utc(q.until),
  };
}

export const PassageView = z
  .object({
    id: z.string(),
    site: z.string(),
    visitId: z.string().nullable(),
    personCode: z.string().nullable(),
    door: z.object({ id: z.string(), name: z.string().nullable() }),
    direction: z.enum(["entry", "exit", "unknown"]),
    result: z.enum(["granted", "denied"]),
    reasonCode: z.string().nullable(),
    verifyMode: z
      .string()
      .nullable()
      .describe("How the person verified (face, card, card+pin, …), when known"),
    eventType: z.int(),
    occurredAt: z.string(),
    storedAt: z.string(),
    hasPicture: z.boolean().describe("The camera's picture is at `/v1/passages/{id}/picture`"),
    visit: z
      .object({ id: z.string(), kind: z.string(), guestName: z.string(), hostName: z.string() })
      .nullable()
      .describe("The visit the passage belongs to, or null for an unknown person"),
  })
  .openapi("Passage");

export const VisitView = z
  .object({
    id: z.string(),
    site: z.string(),
    kind: z.string(),
    personCode: z.string(),
    guest: z.object({
      name: z.string(),
      email: z.string().nullable(),
      phone: z.string().nullable(),
      documentNumber: z.string().nullable(),
    }),
    host: z.object({ name: z.string(), email: z.string().nullable(), language: z.string() }),
    validFrom: z.string(),
    validUntil: z.string(),
    revokeOnExit: z.boolean(),
    note: z.string().nullable(),
    status: VisitStatus,
    access: VisitAccess,
    accessError: z.string().nullable(),
    firstEntryAt: z.string().nullable(),
    firstExitAt: z.string().nullable(),
    entryCount: z.int(),
    exitCount: z.int(),
    inside: z.boolean(),
    lastPassageAt: z.string().nullable().describe("Event time of the latest passage; `inside` follows it"),
    eventId: z.string().nullable().describe("The group event this visit is a registration of"),
    heldReason: z.string().nullable().describe("Why the deny list holds this visit for an admin"),
    endedAt: z.string().nullable().describe("When the visit closed or its access was taken away"),
    createdAt: z.string(),
    updatedAt: z.string(),
    commands: z.array(
      z.object({
        id: z.string(),
        seq: z.int(),
        type: z.string(),
        status: z.string(),
        error: z.object({ code: z.string(), message: z.string() }).nullable(),
        createdAt: z.string(),
        sentAt: z.string().nullable(),
        ackedAt: z.string().nullable(),
      }),
    ),
    notifications: z.array(
      z.object({
        kind: z.string(),
        recipient: z.string().nullable(),
        status: z.string(),
        attempts: z.int(),
        lastError: z.string().nullable(),
        sentAt: z.string().nullable(),
      }),
    ),
  })
  .openapi("Visit");

export const IncidentView = Incident;

export const AuditView = z
  .object({
    id: z.string(),
    at: z.string(),
    actor: z.string().describe("The API token's name, or scheduler / agent / cli"),
    action: z.string().describe("e.g. visit.create, visit.cancel, site.update, event.register"),
    entity: z.string(),
    entityId: z.string(),
    site: z.string().nullable(),
    before: z.unknown().nullable(),
    after: z.unknown().nullable(),
  })
  .openapi("AuditEntry");

export const Page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });
