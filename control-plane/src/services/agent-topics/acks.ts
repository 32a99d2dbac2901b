import { Ack } from "@gatehouse/shared";
import type { IntakeRepo } from "../../adapters/db/intake-repo.js";
import { planAck } from "../../domain/ack-plan.js";
import type { TopicDeps, TopicHandler } from "./topic-handler.js";

/**
 * An agent's answer to a command (or the control plane's own, for a command it could not send): the
 * command's status and, when final, the visit's access, decided by `planAck` and stored at once.
 */
export function ackHandler(d: TopicDeps & { intake: IntakeRepo }) {
  const record = async (ack: Ack): Promise<void> => {
    const now = new Date();
    const outcome = await d.intake.recordAck(ack, (command, access) => planAck(ack, command, access), now);
    if (outcome.kind === "updated") {
      d.metrics.commandAcks.inc({ type: outcome.commandType, status: outcome.status });
      if (outcome.status !== "received")
        d.metrics.commandLatency.observe(
          { type: outcome.commandType, status: outcome.status },
          Math.max(0, (now.getTime() - Date.parse(outcome.createdAt)) / 1000),
        );
      if (outcome.visit) d.effects.live.visitChanged(outcome.visit.before, outcome.visit.after, "agent");
      d.log.info(
        { commandId: ack.commandId, status: outcome.status, visitId: outcome.visitId },
        "command ack",
      );
    } else if (outcome.kind === "unknown_command") {
      d.log.warn({ commandId: ack.commandId, site: ack.site }, "ack for an unknown command");
    }
  };
  const handler: TopicHandler<Ack> & { record: typeof record } = {
    schema: Ack,
    record,
    async handle(_site, ack) {
      await record(ack);
      return true;
    },
  };
  return handler;
}
