import { ResyncRequest } from "@gatehouse/shared";
import type { TopicDeps, TopicHandler } from "./topic-handler.js";

/** An agent that saw a gap in command seq: the missing commands go to it again. */
export function resyncHandler(d: TopicDeps): TopicHandler<ResyncRequest> {
  return {
    schema: ResyncRequest,
    async handle(site, { fromSeq, toSeq }) {
      // Not before the PUBACK: re-sending a thousand commands must not hold up the agent's connection, and a
      // request lost to a crash here is asked again by the agent, which still sees its gap.
      void d.effects
        .resendRange(site, fromSeq, toSeq)
        .then((count) => d.log.info({ site, fromSeq, toSeq, count }, "agent asked for commands again"))
        .catch((e: Error) => d.log.warn({ site, err: e.message }, "re-sending commands failed"));
      return true;
    },
  };
}
