import { z } from "zod";

/** Response shapes, tolerant of what differs between HCP versions (string codes, missing lists, id shapes). */
export const Envelope = z.object({
  code: z.union([z.string(), z.number()]).transform(String),
  msg: z.string().optional().default(""),
  data: z.unknown().optional(),
});

export const PersonRecord = z
  .object({
    personId: z.union([z.string(), z.number()]).transform(String),
    personCode: z.string().optional().default(""),
    personName: z.string().optional(),
    personFamilyName: z.string().optional(),
    personGivenName: z.string().optional(),
    orgIndexCode: z.union([z.string(), z.number()]).transform(String).optional(),
    beginTime: z.string().optional(),
    endTime: z.string().optional(),
    status: z.union([z.string(), z.number()]).optional(),
    personPhoto: z.object({ picUri: z.string().optional() }).partial().optional(),
  })
  .loose();
export type PersonRecord = z.infer<typeof PersonRecord>;

/** `person/single/add` answers the new id as a string on V2.x/V3.1.1, as `{personId}` on others. */
export const AddedPersonId = z.union([
  z.string().min(1),
  z.number().transform(String),
  z.object({ personId: z.union([z.string(), z.number()]).transform(String) }).transform((o) => o.personId),
]);

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    total: z.coerce.number().int().nonnegative(),
    pageNo: z.coerce.number().int().optional(),
    pageSize: z.coerce.number().int().optional(),
    list: z.array(item).optional().default([]),
  });
}

export const PrivilegeGroup = z
  .object({
    privilegeGroupId: z.union([z.string(), z.number()]).transform(String),
    privilegeGroupName: z.string(),
  })
  .loose();
export type PrivilegeGroup = z.infer<typeof PrivilegeGroup>;

export const Door = z
  .object({
    doorIndexCode: z.union([z.string(), z.number()]).transform(String),
    doorName: z.string().optional().default(""),
  })
  .loose();

export const Version = z
  .object({ produceName: z.string().optional(), softVersion: z.string().optional() })
  .loose();

/** One access event as HCP pushes it in `OnEventNotify`; `data` keys vary by version, so all are optional. */
export const PushedEvent = z
  .object({
    eventId: z.string().min(1),
    eventType: z.coerce.number().int(),
    srcIndex: z.union([z.string(), z.number()]).transform(String).optional(),
    srcName: z.string().optional(),
    happenTime: z.string(),
    data: z
      .object({
        ExtEventPersonNo: z.union([z.string(), z.number()]).transform(String).optional(),
        personCode: z.string().optional(),
        ExtEventInOut: z.coerce.number().int().optional(),
        ExtEventDoorID: z.coerce.number().int().optional(),
        ExtEventCardNo: z.string().optional(),
        ExtEventPictureURL: z.string().optional(),
        Seq: z.coerce.number().int().optional(),
      })
      .loose()
      .optional()
      .default({}),
  })
  .loose();
export type PushedEvent = z.infer<typeof PushedEvent>;

export const EventNotify = z.object({
  method: z.literal("OnEventNotify"),
  params: z.object({
    ability: z.string().optional(),
    sendTime: z.string().optional(),
    events: z.array(z.unknown()).max(500),
  }),
});

/** One `acs/v1/door/events` record (ISC field names, which HCP clients read too). */
export const DoorEventRecord = z
  .object({
    eventId: z.string().min(1),
    eventType: z.coerce.number().int(),
    eventTime: z.string(),
    personId: z.union([z.string(), z.number()]).transform(String).optional(),
    personName: z.string().optional(),
    doorIndexCode: z.union([z.string(), z.number()]).transform(String).optional(),
    doorName: z.string().optional(),
    inAndOutType: z.coerce.number().int().optional(),
    picUri: z.string().optional(),
  })
  .loose();
export type DoorEventRecord = z.infer<typeof DoorEventRecord>;

export const SubscriptionView = z
  .object({
    detail: z
      .array(
        z
          .object({ eventTypes: z.array(z.coerce.number()).optional().default([]), eventDest: z.string() })
          .loose(),
      )
      .optional()
      .default([]),
  })
  .loose();
