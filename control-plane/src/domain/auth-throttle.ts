/**
 * Failed logins, counted per (client address, credential) in a sliding one-minute window. A client that
 * keeps sending one bad token is shut out with that token only: good tokens from the same address (a campus
 * NAT) go on logging in. A client that tries many different credentials from one address is guessing: past
 * `distinctPerMinute` different failed credentials the address is refused for every credential that has not
 * logged in from it before — so a guess that happens to be right is refused too, while known clients go on.
 *
 * `identity` is a digest of the credential (never the credential itself). Memory is bounded: the least
 * recently failing addresses and the least recently seen good pairs are forgotten first.
 */
export interface AuthThrottleOptions {
  /** Different failed credentials a minute before an address is locked for strangers (default: the limit). */
  distinctPerMinute?: number;
  maxAddresses?: number;
  /** Good (address, credential) pairs remembered, and for how long. */
  maxKnown?: number;
  knownForMs?: number;
  windowMs?: number;
}

export class AuthThrottle {
  /** address → credential identity → failure times in the window. */
  private readonly failures = new Map<string, Map<string, number[]>>();
  /** `address credential` → when it last logged in. */
  private readonly known = new Map<string, number>();
  private readonly distinctPerMinute: number;
  private readonly maxAddresses: number;
  private readonly maxKnown: number;
  private readonly knownForMs: number;
  private readonly windowMs: number;

  constructor(
    private readonly limitPerMinute: number,
    opts: AuthThrottleOptions = {},
  ) {
    this.distinctPerMinute = opts.distinctPerMinute ?? limitPerMinute;
    this.maxAddresses = opts.maxAddresses ?? 10_000;
    this.maxKnown = opts.maxKnown ?? 10_000;
    this.knownForMs = opts.knownForMs ?? 86_400_000;
    this.windowMs = opts.windowMs ?? 60_000;
  }

  /** Seconds this credential must wait before it may be tried from this address; 0 when it may be tried now. */
  retryAfter(address: string, identity: string, now: number): number {
    const byIdentity = this.recent(address, now);
    if (!byIdentity) return 0;
    const own = byIdentity.get(identity);
    if (own && own.length >= this.limitPerMinute) return this.secondsUntil(own[0]! + this.windowMs, now);
    if (this.isKnown(address, identity, now)) return 0;
    if (byIdentity.size < this.distinctPerMinute) return 0;
    // The address opens again once enough of its failed credentials have aged out of the window.
    const lastFailures = [...byIdentity.values()].map((t) => t[t.length - 1]!).sort((a, b) => a - b);
    const opensAt = lastFailures[byIdentity.size - this.distinctPerMinute]! + this.windowMs;
    return this.secondsUntil(opensAt, now);
  }

  fail(address: string, identity: string, now: number): void {
    const byIdentity = this.recent(address, now) ?? new Map<string, number[]>();
    const times = byIdentity.get(identity) ?? [];
    times.push(now);
    byIdentity.set(identity, times);
    // Re-inserting keeps the Map in least-recently-failed order for eviction.
    this.failures.delete(address);
    this.failures.set(address, byIdentity);
    evictOldest(this.failures, this.maxAddresses);
  }

  /** A good login: the pair's failures are forgotten, and it passes an address lock for a while. */
  succeed(address: string, identity: string, now: number): void {
    this.failures.get(address)?.delete(identity);
    const key = `${address} ${identity}`;
    this.known.delete(key);
    this.known.set(key, now);
    evictOldest(this.known, this.maxKnown);
  }

  private isKnown(address: string, identity: string, now: number): boolean {
    const at = this.known.get(`${address} ${identity}`);
    return at !== undefined && now - at < this.knownForMs;
  }

  /** The address's failures within the window (older ones dropped), or undefined when there are none. */
  private recent(address: string, now: number): Map<string, number[]> | undefined {
    const byIdentity = this.failures.get(address);
    if (!byIdentity) return undefined;
    for (const [identity, times] of byIdentity) {
      const kept = times.filter((t) => t > now - this.windowMs);
      if (kept.length === 0) byIdentity.delete(identity);
      else byIdentity.set(identity, kept);
    }
    if (byIdentity.size === 0) {
      this.failures.delete(address);
      return undefined;
    }
    return byIdentity;
  }

  private secondsUntil(at: number, now: number): number {
    return Math.max(1, Math.ceil((at - now) / 1000));
  }
}

function evictOldest<K, V>(map: Map<K, V>, max: number): void {
  while (map.size > max) {
    const oldest = map.keys().next().value;
    if (oldest === undefined) break;
    map.delete(oldest);
  }
}
