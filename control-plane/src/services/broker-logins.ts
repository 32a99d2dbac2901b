import type { BrokerLogins } from "./ports.js";

export type { BrokerLogins } from "./ports.js";

/** The embedded broker (and a Mosquitto with password files) reads logins from the database: nothing to tell. */
export const databaseLogins: BrokerLogins = {
  agentAdded: async () => {},
  consumerAdded: async () => {},
  removed: async () => {},
};
