import { z } from "zod";
import { IsoDateTime, MessageId, PersonCode, SiteId } from "./common.js";
import {
  AccessLevelRef,
  AccessLevels,
  AccessTime,
  Email,
  FaceJpegBase64,
  FamilyName,
  GivenName,
  Phone,
  VisitKind,
} from "./visit-fields.js";

export { VisitKind };

export const PersonInfo = z.object({
  givenName: GivenName,
  familyName: FamilyName,
  email: Email.optional(),
  phone: Phone.optional(),
});

export const FacePhoto = z
  .object({
    jpegBase64: FaceJpegBase64.describe("The guest's photo, a base64 JPEG without a data: prefix"),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .describe("SHA-256 of the JPEG bytes, so unchanged faces are not re-sent"),
  })
  .describe("A face to enrol; the agent checks and scales it before HikCentral sees it");

export const GrantPayload = z.object({
  visitId: z.string().min(1),
  personCode: PersonCode,
  person: PersonInfo,
  kind: VisitKind,
  accessGroups: AccessLevels.describe(
    "HikCentral access levels (privilege group ids or names) of the visit's kind at this site",
  ),
  validFrom: AccessTime,
  validUntil: AccessTime,
  face: FacePhoto.optional(),
});

export const RevokePayload = z.object({
  visitId: z.string().min(1),
  personCode: PersonCode,
  accessGroups: z
    .array(AccessLevelRef)
    .max(64)
    .describe(
      "Access levels to remove the person from, besides every one the agent's replica knows it granted",
    ),
  reason: z.string().describe("Why access ends: cancelled, checked_out, expired, first_exit, manual"),
});

export const ValidityPayload = z.object({
  visitId: z.string().min(1),
  personCode: PersonCode,
  validFrom: AccessTime,
  validUntil: AccessTime,
});

export const SyncPayload = z.object({
  reason: z.string().describe("Why the control plane asks for reconciliation"),
});

export const DoorPayload = z.object({
  door: z.string().min(1),
  action: z.enum(["open", "close", "always_open", "always_closed"]),
});

export const SkipPayload = z.object({
  commandId: MessageId.describe("The command that held this seq and could not be sent"),
  reason: z.string().max(500).describe("Why it could not be sent"),
});

const envelope = {
  id: MessageId,
  site: SiteId,
  seq: z.int().positive().describe("Per-site sequence number; the agent applies commands in this order"),
  issuedAt: IsoDateTime,
  expiresAt: IsoDateTime.describe("The agent refuses the command after this time"),
  keyId: z
    .string()
    .max(64)
    .optional()
    .describe("Which of the control plane's command keys signed this (agents refuse commands without it)"),
  signature: z
    .string()
    .max(200)
    .optional()
    .describe(
      "Ed25519 signature (base64url) by the control plane over the RFC 8785 canonical envelope without this field; agents refuse commands without it",
    ),
};

export const GrantCommand = z.object({ ...envelope, type: z.literal("grant"), payload: GrantPayload });
export const RevokeCommand = z.object({ ...envelope, type: z.literal("revoke"), payload: RevokePayload });
export const ValidityCommand = z.object({
  ...envelope,
  type: z.literal("validity"),
  payload: ValidityPayload,
});
export const SyncCommand = z.object({ ...envelope, type: z.literal("sync"), payload: SyncPayload });
export const DoorCommand = z.object({ ...envelope, type: z.literal("door"), payload: DoorPayload });
/**
 * Stands in for a command the control plane stored under this seq but could not sign: the agent counts the
 * seq as done and carries out nothing, so the commands after it are not held up.
 */
export const SkipCommand = z.object({ ...envelope, type: z.literal("skip"), payload: SkipPayload });

export const Command = z
  .discriminatedUnion("type", [
    GrantCommand,
    RevokeCommand,
    ValidityCommand,
    SyncCommand,
    DoorCommand,
    SkipCommand,
  ])
  .describe("A signed command envelope from the control plane to one site's agent");

export type Command = z.infer<typeof Command>;
export type CommandType = Command["type"];
export type GrantCommand = z.infer<typeof GrantCommand>;
export type RevokeCommand = z.infer<typeof RevokeCommand>;
export type ValidityCommand = z.infer<typeof ValidityCommand>;
export type GrantPayload = z.infer<typeof GrantPayload>;
export type SyncCommand = z.infer<typeof SyncCommand>;
export type DoorCommand = z.infer<typeof DoorCommand>;
export type SkipCommand = z.infer<typeof SkipCommand>;
export const COMMAND_TYPES = ["grant", "revoke", "validity", "sync", "door", "skip"] as const;

/**
 * What an agent must read of a signed command to answer it even when the rest does not parse: its id, site
 * and seq. A signed command that passes this but not `Command` is failed with INVALID_COMMAND, and its seq
 * counts as done.
 */
export const CommandRef = z.object({
  id: MessageId,
  site: SiteId,
  seq: z.int().positive(),
  type: z.string().max(32).optional(),
});
export type CommandRef = z.infer<typeof CommandRef>;
