/**
 * Whether HikCentral's API answers, from the outcome of every call: a call that reached it (any answer but a
 * network failure or a 5xx) says it is up. When it comes back after an outage, those waiting are told.
 */
export class HikCentralHealth {
  private healthy: boolean | undefined;
  private lastError: string | undefined;
  private readonly back: Array<() => void> = [];

  note(outcome: string): void {
    const reached = outcome !== "network" && outcome !== "5xx";
    if (reached && this.healthy === false) for (const f of this.back) f();
    this.healthy = reached;
    this.lastError = reached ? undefined : outcome;
  }

  /** Runs `f` whenever HikCentral answers again after an outage (a gap search should run now). */
  whenBack(f: () => void): void {
    this.back.push(f);
  }

  get state(): "up" | "down" | "unknown" {
    return this.healthy === undefined ? "unknown" : this.healthy ? "up" : "down";
  }

  get error(): string | undefined {
    return this.lastError;
  }
}
