/**
 * A failure with a stable code that survives into logs, acks and problem bodies.
 * `retryable` decides whether anything may try again; nothing else does.
 */
export class GatehouseError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: string,
    message: string,
    opts: { retryable?: boolean; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "GatehouseError";
    this.code = code;
    this.retryable = opts.retryable ?? false;
    this.details = opts.details;
  }

  toReason(): { code: string; message: string; retryable: boolean } {
    return { code: this.code, message: this.message, retryable: this.retryable };
  }
}

export function isRetryable(err: unknown): boolean {
  return err instanceof GatehouseError ? err.retryable : false;
}

/**
 * A server that could not take its port, naming the setting that chose it, so that campus IT can tell which
 * of the two ports clashes without reading a stack trace.
 */
export function listenFailed(setting: string, host: string, port: number, err: unknown): GatehouseError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const why =
    code === "EADDRINUSE"
      ? "another process already listens there"
      : code === "EACCES"
        ? "this user may not listen there"
        : code === "EADDRNOTAVAIL"
          ? "no interface of this machine has that address"
          : String((err as Error | undefined)?.message ?? err);
  return new GatehouseError("listen_failed", `${setting}: cannot listen on ${host}:${port}: ${why}`, {
    cause: err,
    details: { setting, host, port, ...(code ? { errno: code } : {}) },
  });
}
