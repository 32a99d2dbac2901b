import { randomUUID } from "node:crypto";
import { type ConsumerPassage, Passage, topics } from "@gatehouse/shared";
import type { IntakeRepo } from "../../adapters/db/intake-repo.js";
import type { VisitRecord } from "../../adapters/db/visit-record.js";
import { planPassage } from "../../domain/passage-plan.js";
import { ConsumerCopies } from "../consumer-copies.js";
import type { TopicDeps, TopicHandler } from "./topic-handler.js";

/**
 * A turnstile passage, the heart of the intake: stored once with everything it changes — the visit's counts,
 * incidents, host emails, a revoke at first exit — as `planPassage` decides, then told to consumers, the
 * console and the notifier.
 */
export function passageHandler(
  d: TopicDeps & { intake: IntakeRepo },
): TopicHandler<Passage> & { flush(): Promise<void> } {
  const copies = new ConsumerCopies(d.intake, d.log);
  /**
   * The consumer copy, published before the agent's message is acknowledged: a control plane that dies first
   * leaves the passage's copy pending, and the redelivered message (a repeat) publishes it then.
   */
  const publishCopy = async (site: string, enriched: ConsumerPassage) => {
    await d.effects.publish(topics.passages(site), JSON.stringify(enriched));
    copies.published(enriched.id);
  };
  return {
    schema: Passage,
    flush: () => copies.flush(),
    async handle(site, p) {
      const now = new Date();
      const outcome = await d.intake.recordPassage(
        p,
        (visit, rules) => planPassage(p, visit, rules, now, randomUUID),
        now,
      );
      if (outcome.kind === "duplicate") {
        d.metrics.passagesDuplicate.inc();
        if (outcome.copyPending) await publishCopy(site, consumerPassage(p, outcome.copyPending.visit));
        return true;
      }
      d.metrics.passages.inc({ result: p.result, direction: p.direction });
      d.metrics.passageLatency.observe(Math.max(0, (now.getTime() - Date.parse(p.occurredAt)) / 1000));
      const { visit: v, before, plan, command } = outcome;
      const enriched = consumerPassage(p, v);
      const copy = publishCopy(site, enriched);
      d.effects.live.emit({ type: "passage", site, data: enriched });
      if (v && before) d.effects.live.visitChanged(before, v, "agent");
      for (const incident of plan.incidents) {
        d.metrics.incidents.inc({ type: incident.type });
        d.log.warn({ site, type: incident.type, visitId: incident.visitId }, "security incident");
        d.effects.live.emit({ type: "incident", site, data: incident });
      }
      if (plan.incidents.length > 0 || plan.notifications.length > 0) d.effects.wakeNotifier();
      if (v && p.result === "granted") d.effects.occupancyChanged(site);
      if (command) {
        d.metrics.commandsCreated.inc({ type: command.type });
        d.effects.sendCommand(command);
      }
      await copy;
      return true;
    },
  };
}

const consumerPassage = (p: Passage, v: VisitRecord | null): ConsumerPassage => ({
  ...p,
  ...(v ? { visitId: v.id } : {}),
  visit: v ? { id: v.id, kind: v.kind, guestName: v.guest.name, hostName: v.host.name } : null,
});
