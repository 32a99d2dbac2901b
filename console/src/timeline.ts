import type { Command, Notification, PassageRow, Visit } from "./types.js";

/** One line of a visit's history: what happened, when, and whether it went wrong. */
export interface TimelineEntry {
  at: string;
  kind: "created" | "command" | "passage" | "email" | "ended";
  /** An i18n key and its values, so the page says it in the reader's language. */
  key: string;
  values: Record<string, string>;
  tone: "normal" | "good" | "bad";
}

const commandTone = (c: Command): TimelineEntry["tone"] =>
  c.status === "applied" ? "good" : ["failed", "rejected", "expired"].includes(c.status) ? "bad" : "normal";

const emailTone = (n: Notification): TimelineEntry["tone"] =>
  n.status === "sent" ? "good" : n.status === "failed" ? "bad" : "normal";

/**
 * A visit's history, oldest first: its creation, each command with its latest state (at the time of its
 * answer, or when it was sent, or created), each passage, each email, and its end. Ties keep that order.
 */
export function visitTimeline(v: Visit, passages: PassageRow[]): TimelineEntry[] {
  const out: TimelineEntry[] = [
    { at: v.createdAt, kind: "created", key: "tl.created", values: { status: v.status }, tone: "normal" },
  ];
  for (const c of v.commands ?? []) {
    out.push({
      at: c.ackedAt ?? c.sentAt ?? c.createdAt,
      kind: "command",
      key: "tl.commandLine",
      values: {
        type: c.type,
        seq: String(c.seq),
        status: c.status,
        error: c.error ? `${c.error.code}: ${c.error.message}` : "",
      },
      tone: commandTone(c),
    });
  }
  for (const p of passages) {
    out.push({
      at: p.occurredAt,
      kind: "passage",
      key: p.result === "denied" ? "tl.passageDenied" : "tl.passage",
      values: { direction: p.direction, door: p.door, reason: p.reasonCode ?? "" },
      tone: p.result === "denied" ? "bad" : "normal",
    });
  }
  for (const n of v.notifications ?? []) {
    out.push({
      // An email not sent yet sits at the end, where it is still to come.
      at: n.sentAt ?? "",
      kind: "email",
      key: "tl.emailLine",
      values: {
        kind: n.kind,
        recipient: n.recipient ?? "",
        status: n.status,
        error: n.lastError ?? "",
      },
      tone: emailTone(n),
    });
  }
  if (v.endedAt) {
    out.push({ at: v.endedAt, kind: "ended", key: "tl.ended", values: { status: v.status }, tone: "normal" });
  }
  // Passage times carry the site's offset (+05:00), the rest are UTC: compare instants, not text.
  const instant = (at: string) => (at ? Date.parse(at) : Number.POSITIVE_INFINITY);
  return out
    .map((e, i) => ({ e, i, t: instant(e.at) }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map(({ e }) => e);
}
