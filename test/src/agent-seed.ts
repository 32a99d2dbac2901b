import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { topics } from "@gatehouse/shared";
import { applyMigrations, Database } from "@gatehouse/shared/db";

const migrations = new URL("../../agent/migrations", import.meta.url).pathname;

/** A passage as the agent sends it (granted, face, entry) with `over` on top. */
export function agentPassage(site: string, sourceEventId: string, over: Record<string, unknown> = {}) {
  const now = new Date().toISOString();
  return {
    id: `${site}:hikcentral:${sourceEventId}`,
    site,
    source: "hikcentral",
    sourceEventId,
    occurredAt: now,
    receivedAt: now,
    door: { id: "1", name: "Turnstile Entry" },
    direction: "entry",
    result: "granted",
    verifyMode: "face",
    eventType: 196893,
    ...over,
  };
}

/** Fills the agent's database before it starts: `passages` undelivered passages, `persons` replica rows. */
export async function seedAgentDatabase(
  dir: string,
  site: string,
  o: { passages: number; persons: number },
): Promise<void> {
  const db = await Database.open({ url: `file:${join(dir, "agent.db")}` });
  await applyMigrations(db, migrations);
  const now = new Date().toISOString();
  for (let i = 0; i < o.passages; i += 5000) {
    const stmts = [];
    for (let k = i; k < Math.min(o.passages, i + 5000); k++) {
      const id = randomUUID();
      stmts.push({
        sql: "INSERT INTO outbox (topic, payload, created_at) VALUES (?, ?, ?)",
        args: [
          topics.passageEvents(site),
          JSON.stringify(agentPassage(site, id, { personCode: `GH${String(k).padStart(10, "0")}` })),
          now,
        ],
      });
    }
    await db.write(stmts);
  }
  const until = new Date(Date.now() + 86_400_000).toISOString();
  for (let i = 0; i < o.persons; i += 5000) {
    const stmts = [];
    for (let k = i; k < Math.min(o.persons, i + 5000); k++) {
      const desired = {
        state: "granted",
        kind: "guest",
        givenName: `Guest ${k}`,
        familyName: "Bench",
        groups: ["7"],
        validFrom: now,
        validUntil: until,
      };
      stmts.push({
        sql: "INSERT INTO persons (person_code, visit_id, person_id, desired, applied_seq, applied_at) VALUES (?, ?, ?, ?, ?, ?)",
        args: [
          `GH${String(k).padStart(10, "0")}`,
          randomUUID(),
          String(100_000 + k),
          JSON.stringify(desired),
          1,
          now,
        ],
      });
    }
    await db.write(stmts);
  }
  db.close();
}
