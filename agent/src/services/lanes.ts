/**
 * Who may touch HikCentral for whom right now. Work on one person (a lane, keyed by personCode) runs one at
 * a time, in the order it asked; different persons run side by side; site-wide work (reconciliation) runs
 * alone, after everything started before it and before anything asked after it.
 */
export class Lanes {
  private readonly tails = new Map<string, Promise<void>>();
  /** Everything asked so far, so site-wide work can wait for all of it. */
  private all: Promise<void> = Promise.resolve();
  private exclusiveTail: Promise<void> = Promise.resolve();
  private exclusiveDepth = 0;
  private readonly releaseListeners: Array<() => void> = [];

  /** Called whenever a lane or site-wide work is done, so waiting work can be looked at again. */
  onRelease(fn: () => void): void {
    this.releaseListeners.push(fn);
  }

  private released(): void {
    for (const fn of this.releaseListeners) fn();
  }

  /** A lane someone is working in or waiting for. */
  isBusy(lane: string): boolean {
    return this.tails.has(lane);
  }

  /** Site-wide work is running or waiting: nothing new should start. */
  get exclusive(): boolean {
    return this.exclusiveDepth > 0;
  }

  run<T>(lane: string, work: () => Promise<T>): Promise<T> {
    const before = Promise.all([this.tails.get(lane), this.exclusiveTail]);
    const result = before.then(work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(lane, tail);
    this.all = Promise.all([this.all, tail]).then(() => undefined);
    void tail.then(() => {
      if (this.tails.get(lane) === tail) this.tails.delete(lane);
      this.released();
    });
    return result;
  }

  runExclusive<T>(work: () => Promise<T>): Promise<T> {
    this.exclusiveDepth += 1;
    const result = Promise.all([this.all, this.exclusiveTail]).then(work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.exclusiveTail = tail;
    this.all = tail;
    void tail.then(() => {
      this.exclusiveDepth -= 1;
      this.released();
    });
    return result;
  }
}
