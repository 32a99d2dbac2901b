import { randomUUID } from "node:crypto";
import {
  type Ack,
  type AckStatus,
  type Command,
  type CommandRef,
  GatehouseError,
  type Reason,
  type RefusalReason,
  type RefusedCommand,
  SerialLoop,
  type TrustedKey,
} from "@gatehouse/shared";
import type { Logger } from "pino";
import type { AgentStore } from "../adapters/db/agent-store.js";
import type { PendingCommand, StoreResult } from "../adapters/db/inbox-store.js";
import type { AgentMetrics } from "../metrics.js";
import type { Executor } from "./access-executor.js";
import { parseSignedCommand } from "./command-parser.js";
import type { Lanes } from "./lanes.js";

export interface InboxOptions {
  site: string;
  /** The control plane's command keys: only commands signed by one of them are believed. */
  trustedKeys: readonly TrustedKey[];
  /** A command was refused; the agent says so on its status topic. */
  onRefused: (r: RefusedCommand) => void;
  /** How long a retryable failure waits before the command is tried again (grows per attempt). */
  retryDelayMs: (attempt: number) => number;
  /** Commands of different persons carried out at once, at most. */
  concurrency: number;
  onQueued: () => void;
  /** A command was applied (the expiry watch looks at a new validUntil). */
  onApplied?: (cmd: Command) => void;
  /** Commands above a gap wait; the agent asks the control plane for the missing ones (false: not connected). */
  requestResync: (fromSeq: number, toSeq: number) => Promise<boolean>;
  /** How often a gap that is still open is asked about again. */
  resyncEveryMs: number;
}

/** A retryable failure waits 1 s, 2 s, 4 s … up to a minute, each wait jittered so retries do not bunch. */
export const backoffWithJitter = (attempt: number) =>
  Math.min(60_000, 1000 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random() / 2);

const makeAck = (
  site: string,
  cmd: { id: string; seq: number },
  status: AckStatus,
  reason?: Reason,
): Ack => ({
  id: randomUUID(),
  commandId: cmd.id,
  site,
  seq: cmd.seq,
  status,
  at: new Date().toISOString(),
  ...(reason ? { reason } : {}),
});

function withDevices(ack: Ack, devices: unknown): Ack {
  if (!Array.isArray(devices) || devices.length === 0) return ack;
  return { ...ack, devices: devices as NonNullable<Ack["devices"]> };
}

/**
 * Takes commands in, stores them before the broker gets its PUBACK, and carries them out in `seq` order:
 * a command starts only once every command before it has arrived, after the earlier ones of its own lane
 * (person, door) and after any earlier sync; commands of different persons run side by side. A gap in `seq`
 * is asked for again; the watermark (`lastAppliedSeq`) is the highest seq up to which all are done.
 */
export class Inbox {
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeAt = Number.POSITIVE_INFINITY;
  private readonly loop: SerialLoop;
  private readonly running = new Map<string, Promise<void>>();
  private lastResync: { fromSeq: number; at: number } | undefined;

  constructor(
    private readonly store: AgentStore,
    private readonly executor: Executor,
    private readonly lanes: Lanes,
    private readonly log: Logger,
    private readonly metrics: AgentMetrics,
    private readonly opts: InboxOptions,
  ) {
    this.loop = new SerialLoop(
      () => this.schedule(),
      (e) => log.error({ err: e.message }, "applying commands paused"),
    );
  }

  /**
   * Called for every message on the commands topic. Resolves once the command is durable (or refused).
   * Authenticity comes first: nothing an unverified message says (its id, seq or site) is believed or
   * answered, so a forger can neither apply a command nor take a real command's seq or ack.
   */
  async receive(payload: Buffer): Promise<void> {
    const read = parseSignedCommand(payload, this.opts.trustedKeys, this.opts.site);
    if (read.kind === "refused") return this.refuse(read.reason, read.message, read.json);
    if (read.kind === "invalid") {
      this.refuse("schema", read.message, read.json);
      const failed = makeAck(this.opts.site, read.ref, "failed", {
        code: "INVALID_COMMAND",
        message: read.message,
        retryable: false,
      });
      return this.answer(read.ref, await this.store.inbox.storeFinished(read.ref, read.json, failed));
    }
    const cmd = read.command;
    if (cmd.type === "skip") {
      this.log.warn(
        { commandId: cmd.id, seq: cmd.seq, reason: cmd.payload.reason },
        "the control plane could not send the command of this seq; skipped",
      );
      const done = makeAck(this.opts.site, cmd, "applied");
      return this.answer(cmd, await this.store.inbox.storeFinished(cmd, cmd, done));
    }
    await this.answer(cmd, await this.store.inbox.store(cmd, makeAck(this.opts.site, cmd, "received")));
  }

  /** Answers how storing a verified command went: a replay or a taken seq is refused, a re-send repeated. */
  private async answer(cmd: CommandRef, result: StoreResult): Promise<void> {
    if (result === "seq_conflict" || result === "replay") {
      const message =
        result === "replay"
          ? `seq ${cmd.seq} is at or below the last applied seq; a command is never applied twice`
          : `seq ${cmd.seq} already belongs to another command`;
      this.refuse(result, message, cmd);
      await this.store.outbox.queueAck(
        makeAck(this.opts.site, cmd, "rejected", {
          code: result === "replay" ? "REPLAY" : "SEQ_CONFLICT",
          message,
          retryable: false,
        }),
      );
    } else if (result === "duplicate") {
      // The control plane re-sent it: repeat the final answer if there is one, apply nothing twice.
      const final = await this.store.inbox.finalAck(cmd.id);
      if (final)
        await this.store.outbox.queueAck({ ...final, id: randomUUID(), at: new Date().toISOString() });
    } else {
      this.log.info({ commandId: cmd.id, seq: cmd.seq, type: cmd.type }, "command stored");
    }
    this.opts.onQueued();
    this.wake();
  }

  /** Counts, logs and reports a refused command; nothing of it is stored or applied. */
  private refuse(reason: RefusalReason, message: string, json?: unknown): void {
    const ref = (typeof json === "object" && json !== null ? json : {}) as { id?: unknown; seq?: unknown };
    // Echoed only as a bounded string and a number: they may come from a forger.
    const commandId = typeof ref.id === "string" ? ref.id.slice(0, 100) : undefined;
    const seq = typeof ref.seq === "number" ? ref.seq : undefined;
    this.metrics.commandsRejected.inc({ reason });
    this.log.warn({ reason, commandId, seq, detail: message }, "refused a command");
    this.opts.onRefused({
      reason,
      message,
      at: new Date().toISOString(),
      ...(commandId ? { commandId } : {}),
    });
  }

  wake(): void {
    this.loop.wake();
  }

  async stop(): Promise<void> {
    clearTimeout(this.wakeTimer);
    await this.loop.stop();
    await Promise.all(this.running.values());
  }

  /** Wakes the scheduler at `at` (the earliest of all asked), for retries and gap re-asks. */
  private wakeLater(at: number): void {
    if (at >= this.wakeAt) return;
    clearTimeout(this.wakeTimer);
    this.wakeAt = at;
    this.wakeTimer = setTimeout(
      () => {
        this.wakeAt = Number.POSITIVE_INFINITY;
        this.wake();
      },
      Math.max(0, at - Date.now()),
    );
  }

  /** One pass: start every command that may start now, in seq order. */
  private async schedule(): Promise<void> {
    const limit = this.opts.concurrency;
    if (this.running.size >= limit || this.lanes.exclusive) return;
    const watermark = await this.store.meta.lastAppliedSeq();
    const pending = await this.store.inbox.pending(watermark, limit * 8 + 64);
    const blocked = new Set<string>();
    const now = Date.now();
    for (const [i, row] of pending.entries()) {
      if (row.seq !== watermark + row.n) {
        await this.askForGap();
        break;
      }
      if (this.running.has(row.id)) {
        if (row.lane) blocked.add(row.lane);
        else break;
        continue;
      }
      if (row.lane === null) {
        // Site-wide: after everything before it, before everything after it.
        if (i === 0 && this.running.size === 0) this.start(row);
        break;
      }
      if (blocked.has(row.lane) || this.lanes.isBusy(row.lane)) {
        blocked.add(row.lane);
        continue;
      }
      blocked.add(row.lane);
      if (row.nextAttemptAt !== undefined && row.nextAttemptAt > now) {
        this.wakeLater(row.nextAttemptAt);
        continue;
      }
      if (this.running.size >= limit) break;
      this.start(row);
    }
  }

  /** Asks for the first missing run of commands, at once and then every `resyncEveryMs` while it is open. */
  private async askForGap(): Promise<void> {
    const gap = await this.store.inbox.firstGap();
    if (!gap) return;
    const now = Date.now();
    const last = this.lastResync;
    if (last && last.fromSeq === gap.fromSeq && now - last.at < this.opts.resyncEveryMs) {
      this.wakeLater(last.at + this.opts.resyncEveryMs);
      return;
    }
    const sent = await this.opts.requestResync(gap.fromSeq, gap.toSeq).catch(() => false);
    this.log.info({ ...gap, sent }, "commands are missing; asked the control plane for them again");
    this.metrics.resyncRequests.inc();
    if (sent) this.lastResync = { fromSeq: gap.fromSeq, at: now };
    this.wakeLater(now + (sent ? this.opts.resyncEveryMs : 5000));
  }

  private start(row: PendingCommand): void {
    const task = (async () => {
      const cmd = await this.store.inbox.command(row.id);
      if (!cmd) return;
      const work = () => this.apply(cmd, row.attempts);
      await (row.lane === null ? this.lanes.runExclusive(work) : this.lanes.run(row.lane, work));
    })()
      .catch((e: Error) =>
        this.log.error({ err: e.message, commandId: row.id }, "carrying out a command failed"),
      )
      .finally(() => {
        this.running.delete(row.id);
        this.wake();
      });
    this.running.set(row.id, task);
  }

  /** Carries out one command and records its result; a retryable failure waits for its next attempt. */
  private async apply(cmd: Command, attempts: number): Promise<void> {
    const log = this.log.child({ commandId: cmd.id, seq: cmd.seq, type: cmd.type });
    if (Date.parse(cmd.expiresAt) < Date.now()) {
      // Stored all the same, so that its seq is used up and the commands after it go on.
      this.refuse("expired", `command expired at ${cmd.expiresAt}`, cmd);
      await this.store.inbox.finish(
        cmd,
        makeAck(this.opts.site, cmd, "expired", {
          code: "EXPIRED",
          message: `command expired at ${cmd.expiresAt}`,
          retryable: false,
        }),
      );
      this.metrics.commands.inc({ type: cmd.type, status: "expired" });
      this.opts.onQueued();
      return;
    }
    const started = performance.now();
    try {
      const result = await this.executor.execute(cmd);
      const visitId = "visitId" in cmd.payload ? cmd.payload.visitId : undefined;
      const personCode = "personCode" in cmd.payload ? cmd.payload.personCode : undefined;
      await this.store.inbox.finish(
        cmd,
        withDevices(makeAck(this.opts.site, cmd, "applied", result.warning), result.devices),
        personCode && visitId
          ? { personCode, visitId, personId: result.personId, desired: result.desired }
          : undefined,
      );
      this.metrics.commands.inc({ type: cmd.type, status: "applied" });
      this.metrics.countAccess(cmd.type, "success");
      this.metrics.commandSeconds.observe({ type: cmd.type }, (performance.now() - started) / 1000);
      log.info({ personId: result.personId }, "command applied");
      this.opts.onApplied?.(cmd);
    } catch (e) {
      const err =
        e instanceof GatehouseError
          ? e
          : new GatehouseError("AGENT_ERROR", (e as Error).message, { cause: e });
      if (err.retryable) {
        const delay = this.opts.retryDelayMs(attempts + 1);
        await this.store.inbox.noteAttempt(cmd.id, err.message, new Date(Date.now() + delay));
        log.warn(
          { code: err.code, err: err.message, retryInMs: Math.round(delay) },
          "command failed for now; will retry",
        );
        this.metrics.taskErrors.inc({ task_name: cmd.type });
        this.wakeLater(Date.now() + delay);
        return;
      }
      const visitId = "visitId" in cmd.payload ? cmd.payload.visitId : undefined;
      const personCode = "personCode" in cmd.payload ? cmd.payload.personCode : undefined;
      await this.store.inbox.finish(
        cmd,
        withDevices(makeAck(this.opts.site, cmd, "failed", err.toReason()), err.details?.devices),
        personCode && visitId
          ? { personCode, visitId, personId: null, desired: {}, error: `${err.code}: ${err.message}` }
          : undefined,
      );
      this.metrics.commands.inc({ type: cmd.type, status: "failed" });
      this.metrics.countAccess(cmd.type, "failed");
      log.error({ code: err.code, err: err.message }, "command failed");
    }
    this.opts.onQueued();
  }
}
