import type { Command } from "@gatehouse/shared";
import type { Database } from "@gatehouse/shared/db";
import type { InStatement } from "@libsql/client";

/**
 * The statements that take a site's next `seq` and store the command `build` makes with it, for the caller
 * to write in the same batch as the change that causes the command. Call it under the write lock.
 */
export async function commandStatements(
  db: Database,
  site: string,
  build: (seq: number) => Command,
): Promise<{ command: Command; stmts: InStatement[] }> {
  const r = await db.read("SELECT next_seq FROM sites WHERE id = ?", [site]);
  const seq = Number(r.rows[0]!.next_seq);
  const command = build(seq);
  return {
    command,
    stmts: [
      { sql: "UPDATE sites SET next_seq = ? WHERE id = ?", args: [seq + 1, site] },
      {
        sql: "INSERT INTO commands (id, site_id, seq, type, visit_id, envelope, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        args: [
          command.id,
          site,
          seq,
          command.type,
          "visitId" in command.payload ? command.payload.visitId : null,
          JSON.stringify(command),
          command.issuedAt,
        ],
      },
    ],
  };
}
