import type { Logger } from "pino";
import type { LeasesRepo } from "../adapters/db/leases-repo.js";

/** The longest an adoption of a dead instance's broker sessions may take (64 sessions, each up to 20 s to connect). */
const ADOPTION_MS = 5 * 60_000;

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
  /** The search for dead instances and the adoption of what they left, when one is under way. */
  private cleaning: Promise<void> | undefined;
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
    await this.cleaning;
    for (const name of [...this.held.keys()]) {
      await this.lose(name);
      await this.leases.release(name, this.holder).catch(() => undefined);
    }
    // A clean stop leaves nothing to take over (its broker sessions are ended by the broker adapter).
    await this.leases.release(`instance:${this.holder}`, this.holder).catch(() => undefined);
  }

  private async tick(): Promise<void> {
    const mine = `instance:${this.holder}`;
    await this.leases
      .acquire(mine, this.holder, this.ttlMs)
      .catch((e: Error) => this.log.warn({ err: e.message }, "could not renew this instance's heartbeat"));
    await this.renewRoles();
    // Not awaited by the tick: adopting a dead instance's broker sessions can take longer than a lease
    // lives, and the renewals above must go on meanwhile, or another instance would start this one's roles
    // while they still run here.
    this.cleaning ??= this.takeOverDeadInstances(mine)
      .catch((e: Error) => this.log.warn({ err: e.message }, "could not check the other instances"))
      .finally(() => {
        this.cleaning = undefined;
      });
  }

  private async renewRoles(): Promise<void> {
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

  /** The take-over of any instance whose heartbeat row has expired. */
  private async takeOverDeadInstances(mine: string): Promise<void> {
    const now = Date.now();
    for (const l of await this.leases.all()) {
      if (!l.name.startsWith("instance:") || l.name === mine || l.expiresAt >= now || this.stopped) continue;
      const dead = l.name.slice("instance:".length);
      // Taking the expired row over makes this instance the only one cleaning up after the dead one; for
      // long enough that an adoption still under way is not started again by another instance.
      if (!(await this.leases.acquire(l.name, this.holder, Math.max(this.ttlMs * 4, ADOPTION_MS)))) continue;
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
