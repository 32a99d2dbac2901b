import type { Logger } from "pino";
import type { LeasesRepo } from "../adapters/db/leases-repo.js";

/** Work that must run on one instance at a time. */
export interface Role {
  start(): void;
  stop(): Promise<void> | void;
}

/**
 * Runs each role on the instance holding its lease row. Every instance tries every lease a third of the
 * lease's life; the holder renews it, the others take it over once it has expired (the holder died or
 * lost the database). A holder that cannot renew stops the role before its lease can have expired.
 */
export class Leadership {
  private readonly held = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly leases: LeasesRepo,
    private readonly holder: string,
    private readonly ttlMs: number,
    private readonly roles: Record<string, Role>,
    private readonly log: Logger,
    private readonly onChange: (role: string, held: boolean) => void = () => {},
    /**
     * Another instance stopped renewing its own lease: it died. Called on one instance only, to take over
     * what the dead one left (its broker sessions); the dead instance's row goes once this resolves.
     */
    private readonly onDeadInstance: (instanceId: string) => Promise<void> = async () => {},
  ) {}

  holds(role: string): boolean {
    return this.held.has(role);
  }

  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => {
      this.ticking = this.ticking.then(() => this.tick());
    }, this.ttlMs / 3);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.ticking;
    for (const name of [...this.held.keys()]) {
      await this.lose(name);
      await this.leases.release(name, this.holder).catch(() => undefined);
    }
    // A clean stop leaves nothing to take over (its broker sessions are ended by the broker adapter).
    await this.leases.release(`instance:${this.holder}`, this.holder).catch(() => undefined);
  }

  private async tick(): Promise<void> {
    await this.watchInstances().catch((e: Error) =>
      this.log.warn({ err: e.message }, "could not check the other instances"),
    );
    for (const name of Object.keys(this.roles)) {
      if (this.stopped) return;
      const started = Date.now();
      let won: boolean;
      try {
        won = await this.leases.acquire(name, this.holder, this.ttlMs, started);
      } catch (e) {
        // Unknown: keep the role only while the last renewal is surely still valid.
        const renewed = this.held.get(name);
        this.log.warn({ lease: name, err: (e as Error).message }, "could not renew a lease");
        if (renewed !== undefined && Date.now() - renewed > this.ttlMs / 2) await this.lose(name);
        continue;
      }
      if (won) {
        const had = this.held.has(name);
        this.held.set(name, started);
        if (!had) {
          this.log.info({ lease: name, holder: this.holder }, "took the lease: running this scheduler here");
          this.onChange(name, true);
          this.roles[name]!.start();
        }
      } else if (this.held.has(name)) {
        this.log.warn({ lease: name }, "lost the lease to another instance");
        await this.lose(name);
      }
    }
  }

  /** This instance's heartbeat row, and the take-over of any instance whose row has expired. */
  private async watchInstances(): Promise<void> {
    const mine = `instance:${this.holder}`;
    await this.leases.acquire(mine, this.holder, this.ttlMs);
    const now = Date.now();
    for (const l of await this.leases.all()) {
      if (!l.name.startsWith("instance:") || l.name === mine || l.expiresAt >= now || this.stopped) continue;
      const dead = l.name.slice("instance:".length);
      // Taking the expired row over makes this instance the only one cleaning up after the dead one.
      if (!(await this.leases.acquire(l.name, this.holder, this.ttlMs * 4))) continue;
      this.log.warn(
        { instance: dead },
        "another instance stopped renewing its lease: taking over what it left",
      );
      await this.onDeadInstance(dead);
      await this.leases.release(l.name, this.holder);
    }
  }

  private async lose(name: string): Promise<void> {
    if (!this.held.delete(name)) return;
    this.onChange(name, false);
    await this.roles[name]!.stop();
  }
}
