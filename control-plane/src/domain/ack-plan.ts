import type { Ack } from "@gatehouse/shared";
import { type Access, accessAfterAck, type CommandStatus, nextCommandStatus } from "./visit.js";

export interface AckPlan {
  /** The command's row after the ack; null when the ack changes nothing (a repeat, or a late `received`). */
  command: {
    status: CommandStatus;
    error: { code: string; message: string } | null;
    /** The terminals' results, when the ack lists them. */
    devices: Ack["devices"] | null;
    /** A final grant's photo is HikCentral's now: the control plane keeps no copy. */
    dropPhoto: boolean;
  } | null;
  /** The visit's access after the ack; null when it does not change. */
  access: { access: Access; accessError: string | null } | null;
}

/**
 * What an agent's answer to a command changes: the command's status moves forward only (acks come twice or
 * late), and a final one decides the visit's access. Pure: the caller stores it atomically.
 */
export function planAck(
  ack: Ack,
  command: { type: string; status: CommandStatus },
  visitAccess: Access | null,
): AckPlan {
  const next = nextCommandStatus(command.status, ack.status);
  if (next === command.status) return { command: null, access: null };
  const after = visitAccess === null ? null : accessAfterAck(visitAccess, command.type, next);
  return {
    command: {
      status: next,
      error: ack.reason ? { code: ack.reason.code, message: ack.reason.message } : null,
      devices: ack.devices ?? null,
      dropPhoto: command.type === "grant" && next !== "received",
    },
    access:
      after === null || after === visitAccess
        ? null
        : {
            access: after,
            accessError:
              after === "failed" ? `${ack.reason?.code ?? next}: ${ack.reason?.message ?? ""}` : null,
          },
  };
}
