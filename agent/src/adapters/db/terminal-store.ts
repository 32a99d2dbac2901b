import type { Database } from "@gatehouse/shared/db";
import type { TerminalState } from "../../domain/replica.js";

export interface TerminalBacklogItem {
  personCode: string;
  state: TerminalState;
  face: Buffer | undefined;
}

const toBacklogItem = (row: Record<string, unknown>): TerminalBacklogItem => ({
  personCode: String(row.person_code),
  state: JSON.parse(String(row.pending)) as TerminalState,
  face: row.pending_face ? Buffer.from(row.pending_face as ArrayBuffer) : undefined,
});

/**
 * What each terminal holds for each person (ISAPI mode), and what waits to be written to a terminal that was
 * away: the terminal backlog.
 */
export class TerminalStore {
  constructor(private readonly db: Database) {}

  /** A terminal now holds `state` for the person: nothing is pending for it any more. */
  async applied(terminal: string, personCode: string, state: TerminalState): Promise<void> {
    await this.db.write([
      {
        sql: `INSERT INTO terminal_persons (terminal, person_code, applied, applied_at, pending, last_error, pending_face)
              VALUES (?, ?, ?, ?, NULL, NULL, NULL)
              ON CONFLICT (terminal, person_code) DO UPDATE SET applied = excluded.applied,
                applied_at = excluded.applied_at, pending = NULL, last_error = NULL, pending_face = NULL`,
        args: [terminal, personCode, JSON.stringify(state), new Date().toISOString()],
      },
    ]);
  }

  /** The terminal was away: `state` (and the face, if any) waits to be written when it is back. */
  async pending(
    terminal: string,
    personCode: string,
    state: TerminalState,
    error: string,
    face?: Buffer,
  ): Promise<void> {
    await this.db.write([
      {
        sql: `INSERT INTO terminal_persons (terminal, person_code, pending, last_error, pending_face)
              VALUES (?, ?, ?, ?, ?)
              ON CONFLICT (terminal, person_code) DO UPDATE SET pending = excluded.pending,
                last_error = excluded.last_error, pending_face = coalesce(excluded.pending_face, terminal_persons.pending_face)`,
        args: [terminal, personCode, JSON.stringify(state), error, face ?? null],
      },
    ]);
  }

  async failed(terminal: string, personCode: string, error: string): Promise<void> {
    await this.db.write([
      {
        sql: `INSERT INTO terminal_persons (terminal, person_code, last_error) VALUES (?, ?, ?)
              ON CONFLICT (terminal, person_code) DO UPDATE SET last_error = excluded.last_error`,
        args: [terminal, personCode, error],
      },
    ]);
  }

  /** What waits to be written to a terminal, oldest first. */
  async backlog(terminal: string, limit: number): Promise<TerminalBacklogItem[]> {
    const r = await this.db.read(
      "SELECT person_code, pending, pending_face FROM terminal_persons WHERE terminal = ? AND pending IS NOT NULL ORDER BY rowid LIMIT ?",
      [terminal, limit],
    );
    return r.rows.map((row) => toBacklogItem(row as Record<string, unknown>));
  }

  /** What waits to be written to a terminal for one person, if anything. */
  async pendingFor(terminal: string, personCode: string): Promise<TerminalBacklogItem | undefined> {
    const r = await this.db.read(
      "SELECT person_code, pending, pending_face FROM terminal_persons WHERE terminal = ? AND person_code = ? AND pending IS NOT NULL",
      [terminal, personCode],
    );
    return r.rows[0] ? toBacklogItem(r.rows[0] as Record<string, unknown>) : undefined;
  }
}
