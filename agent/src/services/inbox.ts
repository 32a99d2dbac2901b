import { randomUUID } from "node:crypto";
import {
  type Ack,
  type AckStatus,
  Command,
  firstIssue,
  GatehouseError,
  type Reason,
  type RefusalReason,
  type RefusedCommand,
  SerialLoop,
  type TrustedKey,
  verifyCommandSignature,
} from "@gatehouse/shared";
import type { Logger } from "pino";
import type { AgentStore } from "../adapters/db/agent-store.js";
import type { AgentMetrics } from "../metrics.js";
import type { CommandExecutor } from "./command-executor.js";

export interface InboxOptions {
  site: string;
  /** The control plane's command keys: only commands signed by one of them are believed. */
  trustedKeys: readonly TrustedKey[];
  /** A command was refused; the agent says so on its status topic. */
  onRefused: (r: RefusedCommand) => void;
  /** How long a retryable failure waits before the command is tried again (grows per attempt). */
  retryDelayMs: (attempt: number) => number;
  onQueued: () => void;
}

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
 * Takes commands in, stores them before the broker gets its PUBACK, and applies them strictly in `seq`
 * order: a command whose predecessor has not arrived waits for it (the control plane re-sends unacked
 * commands, so a gap fills itself).
 */
export class Inbox {
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly loop: SerialLoop;

  constructor(
    private readonly store: AgentStore,
    private readonly executor: CommandExecutor,
    private readonly log: Logger,
    private readonly metrics: AgentMetrics,
    private readonly opts: InboxOptions,
  ) {
    this.loop = new SerialLoop(
      () => this.drain(),
      (e) => log.error({ err: e.message }, "applying commands paused"),
    );
  }

  /**
   * Called for every message on the commands topic. Resolves once the command is durable (or refused).
   * Authenticity comes first: nothing an unverified message says (its id, seq or site) is believed or
   * answered, so a forger can neither apply a command nor take a real command's seq or ack.
   */
  async receive(payload: Buffer): Promise<void> {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString("utf8"));
    } catch {
      return this.refuse("not_json", "the command is not JSON");
    }
    const signature = verifyCommandSignature(json, this.opts.trustedKeys);
    if (!signature.ok) return this.refuse(signature.reason, signature.message, json);
    const parsed = Command.safeParse(json);
    if (!parsed.success) {
      const where = firstIssue(parsed.error);
      this.refuse("schema", `command failed validation at ${where}`, json);
      // Signed by the control plane but not understood (a newer control plane?): say so, so it is not re-sent forever.
      const ref = json as { id?: unknown; seq?: unknown };
      if (typeof ref?.id === "string" && Number.isInteger(ref.seq) && (ref.seq as number) > 0) {
        await this.store.queueAck(
          makeAck(this.opts.site, { id: ref.id, seq: ref.seq as number }, "rejected", {
            code: "INVALID_COMMAND",
            message: `command failed validation at ${where}`,
            retryable: false,
          }),
        );
        this.opts.onQueued();
      }
      return;
    }
    const cmd = parsed.data;
    if (cmd.site !== this.opts.site)
      return this.refuse("wrong_site", `the command is for site '${cmd.site}'`, cmd);
    const result = await this.store.storeCommand(cmd, makeAck(this.opts.site, cmd, "received"));
    if (result === "seq_conflict" || result === "replay") {
      const message =
        result === "replay"
          ? `seq ${cmd.seq} is at or below the last applied seq; a command is never applied twice`
          : `seq ${cmd.seq} already belongs to another command`;
      this.refuse(result, message, cmd);
      await this.store.queueAck(
        makeAck(this.opts.site, cmd, "rejected", {
          code: result === "replay" ? "REPLAY" : "SEQ_CONFLICT",
          message,
          retryable: false,
        }),
      );
    } else if (result === "duplicate") {
      // The control plane re-sent it: repeat the final answer if there is one, apply nothing twice.
      const final = await this.store.finalAck(cmd.id);
      if (final) await this.store.queueAck({ ...final, id: randomUUID(), at: new Date().toISOString() });
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
    clearTimeout(this.retryTimer);
    await this.loop.stop();
  }

  private async drain(): Promise<void> {
    while (!this.loop.isStopped) {
      const next = await this.store.nextPending();
      if (!next) return;
      const expected = (await this.store.lastAppliedSeq()) + 1;
      if (next.seq > expected) {
        this.log.info(
          { waitingFor: expected, have: next.seq },
          "waiting for an earlier command before applying",
        );
        return;
      }
      const done = await this.apply(next.command, next.attempts);
      if (!done) return;
    }
  }

  /** Returns false when the command must be retried later (the loop then pauses). */
  private async apply(cmd: Command, attempts: number): Promise<boolean> {
    const log = this.log.child({ commandId: cmd.id, seq: cmd.seq, type: cmd.type });
    if (Date.parse(cmd.expiresAt) < Date.now()) {
      // Stored all the same, so that its seq is used up and the commands after it go on.
      this.refuse("expired", `command expired at ${cmd.expiresAt}`, cmd);
      await this.store.finishCommand(
        cmd,
        makeAck(this.opts.site, cmd, "expired", {
          code: "EXPIRED",
          message: `command expired at ${cmd.expiresAt}`,
          retryable: false,
        }),
      );
      this.metrics.commands.inc({ type: cmd.type, status: "expired" });
      this.opts.onQueued();
      return true;
    }
    const started = performance.now();
    try {
      const result = await this.executor.execute(cmd);
      const visitId = "visitId" in cmd.payload ? cmd.payload.visitId : undefined;
      const personCode = "personCode" in cmd.payload ? cmd.payload.personCode : undefined;
      await this.store.finishCommand(
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
    } catch (e) {
      const err =
        e instanceof GatehouseError
          ? e
          : new GatehouseError("AGENT_ERROR", (e as Error).message, { cause: e });
      if (err.retryable) {
        await this.store.noteAttempt(cmd.id, err.message);
        const delay = this.opts.retryDelayMs(attempts + 1);
        log.warn(
          { code: err.code, err: err.message, retryInMs: delay },
          "command failed for now; will retry",
        );
        this.metrics.taskErrors.inc({ task_name: cmd.type });
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.wake(), delay);
        return false;
      }
      const visitId = "visitId" in cmd.payload ? cmd.payload.visitId : undefined;
      const personCode = "personCode" in cmd.payload ? cmd.payload.personCode : undefined;
      await this.store.finishCommand(
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
    return true;
  }
}
