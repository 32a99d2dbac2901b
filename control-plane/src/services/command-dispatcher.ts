import { randomUUID } from "node:crypto";
import { type Ack, type Command, type CommandSigner, topics } from "@gatehouse/shared";
import type { Database } from "@gatehouse/shared/db";
import type { InStatement } from "@libsql/client";
import type { Logger } from "pino";
import { commandStatements } from "../adapters/db/command-statements.js";
import { skipCommand } from "../domain/commands.js";

/**
 * Signs and publishes stored commands to their site's agent and re-sends any not yet received: MQTT re-sends an
 * unacknowledged message only on reconnect, and an embedded broker forgets its queues when it restarts.
 */
export class CommandDispatcher {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly publish: (topic: string, payload: string) => Promise<void>,
    /** Signing at send time, not at storage: a re-send after a key rotation carries the current key. */
    private readonly signer: CommandSigner,
    private readonly log: Logger,
    private readonly resendAfterMs: number,
    /** Records a command's failure as if its agent had answered it (status, reason on the visit). */
    private readonly recordFailure: (ack: Ack) => Promise<void>,
  ) {}

  start(): void {
    this.timer = setInterval(
      () => void this.resendStale().catch(() => {}),
      Math.max(1000, this.resendAfterMs / 2),
    );
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /**
   * Stores a command under the site's next seq, with `extra` statements (its audit row) in the same write, then
   * sends it. For commands no visit change causes (sync); a visit's commands are stored with the visit.
   */
  async queue(
    site: string,
    build: (seq: number) => Command,
    extra: (c: Command) => InStatement[],
  ): Promise<Command> {
    const command = await this.db.exclusive(async () => {
      const { command, stmts } = await commandStatements(this.db, site, build);
      await this.db.writeNow([...stmts, ...extra(command)]);
      return command;
    });
    // Stored: a failed publish is re-sent by the timer.
    this.send(command).catch((e: Error) =>
      this.log.warn({ err: e.message }, "publishing a command failed; it will be re-sent"),
    );
    return command;
  }

  async send(cmd: Command): Promise<void> {
    let signed: string;
    try {
      signed = JSON.stringify(this.signer.sign(cmd));
    } catch (e) {
      return this.skip(cmd, e as Error);
    }
    await this.publish(topics.commands(cmd.site), signed);
    await this.db.write([
      {
        sql: "UPDATE commands SET sent_at = ?, send_count = send_count + 1 WHERE id = ?",
        args: [new Date().toISOString(), cmd.id],
      },
    ]);
  }

  /**
   * A command that cannot be signed fails on its own, never the queue: it is recorded failed with the reason
   * (on the visit too), and a skip under its id and seq goes to the agent in its place.
   */
  private async skip(cmd: Command, err: Error): Promise<void> {
    if (cmd.type === "skip") throw err; // a skip carries nothing that can fail to sign
    const message = `the command could not be signed: ${err.message}`;
    this.log.error({ commandId: cmd.id, site: cmd.site, seq: cmd.seq, err: err.message }, "command skipped");
    const skip = skipCommand(cmd, message);
    await this.db.write([
      { sql: "UPDATE commands SET envelope = ? WHERE id = ?", args: [JSON.stringify(skip), cmd.id] },
    ]);
    await this.recordFailure({
      id: randomUUID(),
      commandId: cmd.id,
      site: cmd.site,
      seq: cmd.seq,
      status: "failed",
      at: new Date().toISOString(),
      reason: { code: "SIGNING_FAILED", message, retryable: false },
    });
    await this.send(skip);
  }

  /** Every command of the site the agent has not confirmed, oldest first (on agent reconnect). */
  async resendSite(site: string): Promise<number> {
    const r = await this.db.read(
      "SELECT envelope FROM commands WHERE site_id = ? AND status = 'pending' ORDER BY seq",
      [site],
    );
    for (const row of r.rows) await this.send(JSON.parse(String(row.envelope)) as Command);
    if (r.rows.length > 0) this.log.info({ site, count: r.rows.length }, "re-sent unconfirmed commands");
    return r.rows.length;
  }

  /**
   * An agent that saw a gap asks for a range again: every command in it is re-sent, whatever its status here
   * (the agent answers one it has already with its original ack). At most 1,000 a request.
   */
  async resendRange(site: string, fromSeq: number, toSeq?: number): Promise<number> {
    const r = await this.db.read(
      "SELECT envelope FROM commands WHERE site_id = ? AND seq >= ? AND seq <= ? ORDER BY seq LIMIT 1000",
      [site, fromSeq, toSeq ?? Number.MAX_SAFE_INTEGER],
    );
    for (const row of r.rows) await this.send(JSON.parse(String(row.envelope)) as Command);
    return r.rows.length;
  }

  /**
   * Only to agents that say they are online: an offline agent gets its whole backlog from `resendSite` when
   * it returns, and re-sending meanwhile would only pile copies into its broker session.
   */
  private async resendStale(): Promise<void> {
    const before = new Date(Date.now() - this.resendAfterMs).toISOString();
    const r = await this.db.read(
      `SELECT c.envelope FROM commands c JOIN sites s ON s.id = c.site_id
        WHERE c.status = 'pending' AND s.agent_state = 'online' AND (c.sent_at IS NULL OR c.sent_at < ?)
        ORDER BY c.site_id, c.seq LIMIT 500`,
      [before],
    );
    for (const row of r.rows) await this.send(JSON.parse(String(row.envelope)) as Command);
  }
}
