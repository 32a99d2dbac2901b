import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import type { Actor } from "../adapters/db/audit.js";
import type { SitesRepo } from "../adapters/db/sites-repo.js";
import type { BrokerLogins } from "./ports.js";
import { FieldError } from "./visits.js";

/**
 * Rotating an agent's broker login without a gap: the new login works at once, the one before until the agent
 * has logged in with the new one (seen at its login on the embedded broker, or in its status on any broker),
 * or until the grace period ends.
 */
export class AgentLogins {
  constructor(
    private readonly sites: SitesRepo,
    private readonly broker: BrokerLogins,
    private readonly log: Logger,
  ) {}

  /**
   * The broker takes the new login before the site does: a broker that is down refuses the rotation and the
   * current login goes on; stored first, the site would name a login the broker never had, and the old one
   * would be retired under the agent at the end of its grace.
   */
  async rotate(site: string, graceHours: number, actor: Actor) {
    const next = await this.sites.nextAgentLogin(site);
    if (!next) return undefined;
    const password = randomBytes(24).toString("base64url");
    const graceUntil = new Date(Date.now() + graceHours * 3600_000).toISOString();
    await this.broker.agentAdded(site, next.username, password);
    const r = await this.sites.rotateAgentLogin(site, next, password, graceUntil, actor);
    if (r === "conflict") {
      await this.broker.removed(next.username);
      throw new FieldError(
        409,
        "id",
        `site '${site}' had its login rotated meanwhile; rotate again`,
        "invalid_state",
      );
    }
    // Rotated twice within a grace: the login before last goes now.
    if (r.retired) await this.broker.removed(r.retired);
    this.log.info({ site, username: next.username, previous: r.previous, graceUntil }, "agent login rotated");
    return {
      username: next.username,
      password,
      previousUsername: r.previous,
      previousValidUntil: graceUntil,
    };
  }

  /** The agent logged in with (or reported) this login: if it is the site's current one, the one before goes. */
  async inUse(site: string, username: string): Promise<void> {
    try {
      const previous = await this.sites.retirePreviousAgentLogin(site, username);
      if (!previous) return;
      await this.broker.removed(previous);
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
      // The broker first: if it does not answer, the login stays listed and the next sweep tries again.
      await this.broker.removed(username);
      await this.sites.retirePreviousAgentLogin(site);
      this.log.info({ site, retired: username }, "an agent's previous login reached the end of its grace");
    }
  }
}
