/**
 * Runs `pass` one at a time: `wake()` starts a pass, or asks for one more after the current pass when one
 * is running, so work that arrives mid-pass is never missed and passes never overlap.
 */
export class SerialLoop {
  private running = false;
  private again = false;
  private stopped = false;
  private current: Promise<void> = Promise.resolve();

  constructor(
    private readonly pass: () => Promise<void>,
    private readonly onError: (e: Error) => void,
  ) {}

  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.current = this.pass()
      .catch((e: Error) => this.onError(e))
      .finally(() => {
        this.running = false;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Passes may start again after `stop`. */
  resume(): void {
    this.stopped = false;
  }

  /** No new pass starts; resolves when the running one has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.current;
  }
}
