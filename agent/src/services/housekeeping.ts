import type { Logger } from "pino";
import type { AgentStore } from "../adapters/db/agent-store.js";

/**
 * Forgets what no longer matters: the identities of passages older than HikCentral would send again, and
 * finished commands past the retention period (below the watermark).
 */
export function housekeeping(
  store: AgentStore,
  log: Logger,
  opts: { passageDedupDays: number; retentionDays: number },
) {
  return async (): Promise<void> => {
    const now = Date.now();
    const pruned = {
      passages: await store.outbox.pruneSeen(new Date(now - opts.passageDedupDays * 86_400_000)),
      commands: await store.inbox.prune(new Date(now - opts.retentionDays * 86_400_000)),
    };
    if (pruned.passages + pruned.commands > 0)
      log.info(pruned, "forgot old passage ids and finished commands");
  };
}
