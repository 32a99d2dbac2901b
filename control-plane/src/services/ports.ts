/** What the control plane's services ask of adapters they do not own; adapters implement these. */

/**
 * Logins on the broker that follow Gatehouse's own records: a site's agent, an API token's consumer. The
 * embedded broker checks the database at each login and needs nothing; a managed Mosquitto (its dynamic
 * security plugin) is told at once.
 */
export interface BrokerLogins {
  agentAdded(site: string, username: string, password: string): Promise<void>;
  consumerAdded(username: string, token: string): Promise<void>;
  removed(username: string): Promise<void>;
}

/** The broker did not take a login change (it is down, or refused it): said to the caller as a 502. */
export class BrokerLoginFailed extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}
