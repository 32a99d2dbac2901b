import { randomUUID } from "node:crypto";
import type {
  AgentReport,
  AgentStatus,
  ConsumerPassage,
  Incident,
  Occupancy,
  VisitEvent,
} from "@gatehouse/shared";
import { snapshot, visitEventType } from "../domain/visit-events.js";

type VisitLike = Parameters<typeof snapshot>[0];

export type LiveEvent =
  | { type: "visit"; site: string; data: VisitEvent }
  | { type: "passage"; site: string; data: ConsumerPassage }
  | { type: "incident"; site: string; data: Incident }
  | { type: "agent_status"; site: string; data: AgentStatus }
  | { type: "agent_report"; site: string; data: AgentReport }
  | { type: "occupancy"; site: string; data: Occupancy }
  | { type: "picture"; site: string; data: { passageId: string; site: string } };

/**
 * What happened, as it happens, for live watchers (the SSE stream, MQTT consumers). Emitted after the change
 * is committed; a watcher that misses one reads it back through the API, so this is at most once by design.
 */
export class LiveEvents {
  private readonly watchers = new Set<(e: LiveEvent) => void>();

  watch(fn: (e: LiveEvent) => void): () => void {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }

  emit(e: LiveEvent): void {
    for (const w of this.watchers) {
      try {
        w(e);
      } catch {
        // One broken watcher must not keep the event from the others.
      }
    }
  }

  /** A visit event, unless nothing consumers see of the visit changed (a denied passage, a repeated ack). */
  visitChanged(before: VisitLike | null, after: VisitLike, actor: string): void {
    const was = before ? snapshot(before) : null;
    const now = snapshot(after);
    if (was && JSON.stringify(was) === JSON.stringify(now)) return;
    this.emit({
      type: "visit",
      site: after.site,
      data: {
        id: randomUUID(),
        site: after.site,
        type: visitEventType(before, after),
        at: new Date().toISOString(),
        actor,
        before: was,
        after: now,
      },
    });
  }
}
