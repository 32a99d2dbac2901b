import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { createInterface } from "node:readline";
import { GatehouseError } from "@gatehouse/shared";
import type { Database } from "@gatehouse/shared/db";
import type { InStatement } from "@libsql/client";
import { z } from "zod";

/**
 * The agent's state as a file, to move it to a new box: JSON Lines, a header, then one line per replica
 * person, command not yet finished, and message not yet delivered. It holds guests' names: mode 0600.
 */
export const REPLICA_FORMAT = "gatehouse-agent-replica";

const Header = z.object({
  format: z.literal(REPLICA_FORMAT),
  version: z.literal(1),
  site: z.string(),
  exportedAt: z.string(),
  lastAppliedSeq: z.int().nonnegative(),
  meta: z.record(z.string(), z.string()),
});

const Line = z.union([
  z.object({
    person: z.object({
      personCode: z.string(),
      visitId: z.string(),
      personId: z.string().nullable(),
      desired: z.string(),
      appliedSeq: z.int().nullable(),
      appliedAt: z.string().nullable(),
      lastError: z.string().nullable(),
      endedAt: z.string().nullable(),
    }),
  }),
  z.object({
    command: z.object({
      id: z.string(),
      seq: z.int().positive(),
      type: z.string(),
      lane: z.string().nullable(),
      body: z.string(),
      status: z.string(),
      attempts: z.int().nonnegative(),
      receivedAt: z.string(),
      finishedAt: z.string().nullable(),
      finalAck: z.string().nullable(),
    }),
  }),
  z.object({ outbox: z.object({ topic: z.string(), payload: z.string(), createdAt: z.string() }) }),
]);

/** Meta keys that belong to this box (the push callback's secret), not to the site. */
const LOCAL_META = new Set(["event_token", "last_applied_seq", "imported_at", "resync_from"]);

export interface ExportSummary {
  persons: number;
  commands: number;
  outbox: number;
  lastAppliedSeq: number;
}

/** Writes a consistent snapshot (one read transaction) of the agent's database to `path`. */
export async function exportReplica(db: Database, site: string, path: string): Promise<ExportSummary> {
  const tx = await db.client.transaction("read");
  const out = createWriteStream(path, { mode: 0o600, flags: "w" });
  const write = async (v: unknown) => {
    if (!out.write(`${JSON.stringify(v)}\n`)) await once(out, "drain");
  };
  try {
    const meta = await tx.execute("SELECT key, value FROM meta");
    const metaMap = Object.fromEntries(meta.rows.map((r) => [String(r.key), String(r.value)]));
    const lastAppliedSeq = Number(metaMap.last_applied_seq ?? 0);
    await write({
      format: REPLICA_FORMAT,
      version: 1,
      site,
      exportedAt: new Date().toISOString(),
      lastAppliedSeq,
      meta: Object.fromEntries(Object.entries(metaMap).filter(([k]) => !LOCAL_META.has(k))),
    });
    const summary: ExportSummary = { persons: 0, commands: 0, outbox: 0, lastAppliedSeq };
    let after = "";
    for (;;) {
      const r = await tx.execute({
        sql: "SELECT * FROM persons WHERE person_code > ? ORDER BY person_code LIMIT 1000",
        args: [after],
      });
      for (const row of r.rows) {
        await write({
          person: {
            personCode: String(row.person_code),
            visitId: String(row.visit_id),
            personId: row.person_id === null ? null : String(row.person_id),
            desired: String(row.desired),
            appliedSeq: row.applied_seq === null ? null : Number(row.applied_seq),
            appliedAt: row.applied_at === null ? null : String(row.applied_at),
            lastError: row.last_error === null ? null : String(row.last_error),
            endedAt: row.ended_at === null ? null : String(row.ended_at),
          },
        });
        summary.persons += 1;
      }
      if (r.rows.length < 1000) break;
      after = String(r.rows[r.rows.length - 1]!.person_code);
    }
    // Every command above the watermark, finished or not: without the finished ones the new box would see a
    // gap and have them sent and carried out again.
    const commands = await tx.execute({
      sql: `SELECT id, seq, type, lane, body, status, attempts, received_at, finished_at, final_ack
              FROM inbox WHERE seq > ? ORDER BY seq`,
      args: [lastAppliedSeq],
    });
    for (const row of commands.rows) {
      await write({
        command: {
          id: String(row.id),
          seq: Number(row.seq),
          type: String(row.type),
          lane: row.lane === null ? null : String(row.lane),
          body: String(row.body),
          status: String(row.status),
          attempts: Number(row.attempts),
          receivedAt: String(row.received_at),
          finishedAt: row.finished_at === null ? null : String(row.finished_at),
          finalAck: row.final_ack === null ? null : String(row.final_ack),
        },
      });
      summary.commands += 1;
    }
    let lastId = 0;
    for (;;) {
      const r = await tx.execute({
        sql: "SELECT id, topic, payload, created_at FROM outbox WHERE id > ? ORDER BY id LIMIT 1000",
        args: [lastId],
      });
      for (const row of r.rows) {
        await write({
          outbox: {
            topic: String(row.topic),
            payload: String(row.payload),
            createdAt: String(row.created_at),
          },
        });
        summary.outbox += 1;
      }
      if (r.rows.length < 1000) break;
      lastId = Number(r.rows[r.rows.length - 1]!.id);
    }
    out.end();
    await once(out, "finish");
    return summary;
  } finally {
    tx.close();
    if (!out.writableFinished) out.destroy();
  }
}

/**
 * Loads an exported file into an empty agent database for `site`. The next start reconciles HikCentral with
 * it and asks the control plane for every command after its watermark.
 */
export async function importReplica(
  db: Database,
  site: string,
  path: string,
  opts: { force?: boolean } = {},
): Promise<ExportSummary> {
  const lines = createInterface({
    input: createReadStream(path, "utf8"),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let header: z.infer<typeof Header> | undefined;
  const summary: ExportSummary = { persons: 0, commands: 0, outbox: 0, lastAppliedSeq: 0 };
  let batch: InStatement[] = [];
  const flush = async () => {
    if (batch.length > 0) await db.write(batch);
    batch = [];
  };
  let lineNo = 0;
  for await (const text of lines) {
    lineNo += 1;
    if (text.trim() === "") continue;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new GatehouseError("IMPORT_INVALID", `${path}:${lineNo} is not JSON`);
    }
    if (!header) {
      const h = Header.safeParse(json);
      if (!h.success)
        throw new GatehouseError("IMPORT_INVALID", `${path} does not start with a ${REPLICA_FORMAT} header`);
      header = h.data;
      if (header.site !== site)
        throw new GatehouseError(
          "IMPORT_WRONG_SITE",
          `${path} is site '${header.site}'s replica; this agent is for site '${site}'`,
        );
      await assertEmpty(db, opts.force ?? false);
      summary.lastAppliedSeq = header.lastAppliedSeq;
      continue;
    }
    const line = Line.safeParse(json);
    if (!line.success) throw new GatehouseError("IMPORT_INVALID", `${path}:${lineNo} is not a replica line`);
    const v = line.data;
    if ("person" in v) {
      const p = v.person;
      batch.push({
        sql: `INSERT INTO persons (person_code, visit_id, person_id, desired, applied_seq, applied_at, last_error, ended_at)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        args: [
          p.personCode,
          p.visitId,
          p.personId,
          p.desired,
          p.appliedSeq,
          p.appliedAt,
          p.lastError,
          p.endedAt,
        ],
      });
      summary.persons += 1;
    } else if ("command" in v) {
      const c = v.command;
      batch.push({
        sql: `INSERT INTO inbox (id, seq, type, lane, body, status, attempts, received_at, finished_at, final_ack)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        args: [
          c.id,
          c.seq,
          c.type,
          c.lane,
          c.body,
          c.status,
          c.attempts,
          c.receivedAt,
          c.finishedAt,
          c.finalAck,
        ],
      });
      summary.commands += 1;
    } else {
      const o = v.outbox;
      batch.push({
        sql: "INSERT INTO outbox (topic, payload, created_at) VALUES (?, ?, ?)",
        args: [o.topic, o.payload, o.createdAt],
      });
      summary.outbox += 1;
    }
    if (batch.length >= 500) await flush();
  }
  if (!header) throw new GatehouseError("IMPORT_INVALID", `${path} is empty`);
  const meta = {
    ...header.meta,
    last_applied_seq: String(header.lastAppliedSeq),
    imported_at: new Date().toISOString(),
    resync_from: String(header.lastAppliedSeq + 1),
  };
  for (const [key, value] of Object.entries(meta))
    batch.push({
      sql: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      args: [key, value],
    });
  await flush();
  return summary;
}

async function assertEmpty(db: Database, force: boolean): Promise<void> {
  const r = await db.read(
    "SELECT (SELECT count(*) FROM persons) + (SELECT count(*) FROM inbox) + (SELECT count(*) FROM outbox) AS n",
  );
  const n = Number(r.rows[0]?.n ?? 0);
  if (n === 0) return;
  if (!force)
    throw new GatehouseError(
      "IMPORT_NOT_EMPTY",
      `this agent's database already holds ${n} persons, commands or messages; import into a new one, or pass --force to replace them`,
    );
  await db.write([
    { sql: "DELETE FROM persons", args: [] },
    { sql: "DELETE FROM inbox", args: [] },
    { sql: "DELETE FROM outbox", args: [] },
    { sql: "DELETE FROM seen_passages", args: [] },
  ]);
}
