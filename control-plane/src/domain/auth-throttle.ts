/**
 * Counts failed logins per client address in a sliding one-minute window; past the limit the address is
 * refused outright until the window clears, so a token or MQTT password cannot be guessed at line speed.
 * Memory is bounded: the oldest addresses are forgotten first.
 */
export class AuthThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limitPerMinute: number,
    private readonly maxAddresses = 10_000,
    private readonly windowMs = 60_000,
  ) {}

  /** Seconds the address must wait before it may try again; 0 when it may try now. */
  retryAfter(address: string, now: number): number {
    const times = this.recent(address, now);
    if (times.length < this.limitPerMinute) return 0;
    return Math.max(1, Math.ceil((times[0]! + this.windowMs - now) / 1000));
  }

  fail(address: string, now: number): void {
    const times = this.recent(address, now);
    times.push(now);
    // Re-inserting keeps the Map in least-recently-failed order for eviction.
    this.failures.delete(address);
    this.failures.set(address, times);
    while (this.failures.size > this.maxAddresses) {
      const oldest = this.failures.keys().next().value;
      if (oldest === undefined) break;
      this.failures.delete(oldest);
    }
  }

  private recent(address: string, now: number): number[] {
    const times = (this.failures.get(address) ?? []).filter((t) => t > now - this.windowMs);
    if (times.length === 0) this.failures.delete(address);
    else this.failures.set(address, times);
    return times;
  }
}
