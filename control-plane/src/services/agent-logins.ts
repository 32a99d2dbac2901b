import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import type { Actor } from "../adapters/db/audit.js";
import type { SitesRepo } from "../adapters/db/sites-repo.js";
import type { BrokerLogins } from "./broker-logins.js";

/**
 * Rotating an agent's broker login without a gap: the new login works at once, the one before until the agent
 * has logged in with the new one (seen at its login on the embedded broker, or in its status on any broker),
 * or until the grace period ends.
 */
export class AgentLogins {
  constructor(
    private readonly sites: SitesRepo,
    private readonly broker: () => BrokerLogins,
    private readonly log: Logger,
  ) {}

  async rotate(site: string, graceHours: number, actor: Actor) {
    const password = randomBytes(24).toString("base64url");
    const graceUntil = new Date(Date.now() + graceHours * 3600_000).toISOString();
    const r = await this.sites.rotateAgentLogin(site, password, graceUntil, actor);
    if (!r) return undefined;
    await this.broker().agentAdded(site, r.username, password);
    // Rotated twice within a grace: the login before last goes now.
    if (r.retired) await this.broker().removed(r.retired);
    this.log.info({ site, username: r.username, previous: r.previous, graceUntil }, "agent login rotated");
    return { username: r.username, password, previousUsername: r.previous, previousValidUntil: graceUntil };
  }

  /** The agent logged in with (or reported) this login: if it is the site's current one, the one before goes. */
  async inUse(site: string, username: string): Promise<void> {
    try {
      const current = (await this.sites.get(site))?.agentUsername;
      if (current !== username) return;
      const previous = await this.sites.retirePreviousAgentLogin(site);
      if (!previous) return;
      await this.broker().removed(previous);
      this.log.info(
        { site, username, retired: previous },
        "the agent uses its new login; the one before is retired",
      );
    } catch (e) {
      this.log.warn({ err: (e as Error).message, site }, "could not retire an agent's previous login");
    }
  }

  /** Previous logins past their grace are retired. */
  async sweep(): Promise<void> {
    for (const { site, username } of await this.sites.expiredAgentLogins()) {
      await this.sites.retirePreviousAgentLogin(site);
      await this.broker().removed(username);
      this.log.info({ site, retired: username }, "an agent's previous login reached the end of its grace");
    }
  }
}
