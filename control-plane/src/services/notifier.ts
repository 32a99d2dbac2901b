import { SerialLoop } from "@gatehouse/shared";
import type { Database } from "@gatehouse/shared/db";
import type { Transporter } from "nodemailer";
import type { Logger } from "pino";
import { passageMail } from "../adapters/mail/templates.js";

export interface NotifierOptions {
  from: string;
  maxAttempts: number;
  backoffMs: (attempt: number) => number;
  onResult: (kind: string, status: "sent" | "failed" | "retry") => void;
}

/**
 * Sends host emails from the notifications outbox. A row is written once per visit and kind, in the same
 * transaction as the passage that causes it, so a crash never loses it; the Message-ID is derived from the
 * row so that a resend after a crash mid-send is recognisable as the same message.
 */
export class Notifier {
  private timer: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private readonly loop: SerialLoop;

  constructor(
    private readonly db: Database,
    private readonly mail: Transporter,
    private readonly log: Logger,
    private readonly opts: NotifierOptions,
  ) {
    this.loop = new SerialLoop(
      () => this.drain(),
      (e) => log.error({ err: e.message }, "notifier pass failed"),
    );
  }

  wake(): void {
    this.loop.wake();
  }

  /**
   * Sends from now on (after a `stop`, too). With `pollMs`, also looks for due rows that often besides the
   * wakes: other instances' intake and API queue rows this one is not woken for.
   */
  start(pollMs?: number): void {
    this.loop.resume();
    this.loop.wake();
    clearInterval(this.poll);
    if (pollMs) this.poll = setInterval(() => this.loop.wake(), pollMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.poll);
    clearTimeout(this.timer);
    await this.loop.stop();
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.loop.isStopped) return;
      const now = new Date().toISOString();
      const due = await this.db.read(
        `SELECT n.id, n.kind, n.recipient, n.attempts, v.guest_name, v.host_name, v.host_language,
                s.name AS site_name, s.time_zone, p.door_id, p.door_name, p.occurred_at
           FROM notifications n JOIN visits v ON v.id = n.visit_id JOIN sites s ON s.id = v.site_id
           JOIN passages p ON p.id = n.passage_id
          WHERE n.status = 'pending' AND n.next_attempt_at <= ? ORDER BY n.next_attempt_at LIMIT 20`,
        [now],
      );
      if (due.rows.length === 0) break;
      for (const r of due.rows) await this.send(r);
    }
    for (;;) {
      if (this.loop.isStopped) return;
      const due = await this.db.read(
        `SELECT id, kind, recipient, subject, text_body, html_body, attempts FROM mail_outbox
          WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT 20`,
        [new Date().toISOString()],
      );
      if (due.rows.length === 0) break;
      for (const r of due.rows) await this.sendQueued(r);
    }
    const next = await this.db.read(
      `SELECT min(t) AS t FROM (
         SELECT min(next_attempt_at) AS t FROM notifications WHERE status = 'pending'
         UNION ALL SELECT min(next_attempt_at) FROM mail_outbox WHERE status = 'pending')`,
    );
    const t = next.rows[0]?.t;
    if (t) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.wake(), Math.max(50, Date.parse(String(t)) - Date.now()));
    }
  }

  /** Incident and organiser emails: rendered when queued, sent here with the same retry rules. */
  private async sendQueued(r: Record<string, unknown>): Promise<void> {
    const id = String(r.id);
    const kind = String(r.kind);
    await this.deliver("mail_outbox", id, kind, Number(r.attempts), {
      to: String(r.recipient),
      subject: String(r.subject),
      text: String(r.text_body),
      html: String(r.html_body),
    });
  }

  private async deliver(
    table: "notifications" | "mail_outbox",
    id: string,
    kind: string,
    attemptsBefore: number,
    content: { to: string; subject: string; text: string; html: string },
  ): Promise<void> {
    try {
      await this.mail.sendMail({ from: this.opts.from, ...content, messageId: `<${id}@gatehouse>` });
      await this.db.write([
        {
          sql: `UPDATE ${table} SET status = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?`,
          args: [new Date().toISOString(), id],
        },
      ]);
      this.opts.onResult(kind, "sent");
      this.log.info({ mailId: id, kind }, "email sent");
    } catch (e) {
      const attempts = attemptsBefore + 1;
      const final = attempts >= this.opts.maxAttempts;
      const message = (e as Error).message.slice(0, 500);
      await this.db.write([
        {
          sql: `UPDATE ${table} SET status = ?, attempts = ?, last_error = ?, next_attempt_at = ? WHERE id = ?`,
          args: [
            final ? "failed" : "pending",
            attempts,
            message,
            new Date(Date.now() + this.opts.backoffMs(attempts)).toISOString(),
            id,
          ],
        },
      ]);
      this.opts.onResult(kind, final ? "failed" : "retry");
      this.log.warn({ mailId: id, kind, attempts, err: message }, "email failed");
    }
  }

  private async send(r: Record<string, unknown>): Promise<void> {
    const id = String(r.id);
    const kind = String(r.kind) as "first_entry" | "first_exit";
    const content = passageMail({
      kind,
      language: String(r.host_language),
      guestName: String(r.guest_name),
      hostName: String(r.host_name),
      siteName: String(r.site_name),
      doorName: r.door_name ? String(r.door_name) : `door ${String(r.door_id)}`,
      occurredAt: String(r.occurred_at),
      timeZone: String(r.time_zone),
    });
    await this.deliver("notifications", id, kind, Number(r.attempts), {
      to: String(r.recipient),
      ...content,
    });
  }
}
