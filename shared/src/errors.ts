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
