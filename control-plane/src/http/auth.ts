import type { BlockList } from "node:net";
import type { MiddlewareHandler } from "hono";
import type { Actor } from "../adapters/db/audit.js";
import type { Role, TokensRepo } from "../adapters/db/tokens-repo.js";
import { credentialIdentity } from "../adapters/secrets.js";
import type { AuthThrottle } from "../domain/auth-throttle.js";
import { clientAddress } from "./client-address.js";
import { problem } from "./problem.js";

export type AuthEnv = { Variables: { role: Role; tokenId: string; actor: Actor } };

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/**
 * Bearer tokens; the role decides what a token may do. A token that keeps failing from one address is
 * answered 429 for a while (only that token: others from the same address go on), and an address that
 * tries many different tokens is refused for all but the tokens that have logged in from it before.
 */
export function bearerAuth(
  tokens: TokensRepo,
  throttle: AuthThrottle,
  onFailure: (reason: "missing" | "invalid" | "throttled") => void,
  trustedProxies?: BlockList,
): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) {
      onFailure("missing");
      return problem(c, 401, "send Authorization: Bearer <token>", [
        { path: "header.authorization", code: "unauthorized", message: "missing bearer token" },
      ]);
    }
    const address = clientAddress(c, trustedProxies);
    const identity = credentialIdentity(m[1]!);
    const wait = throttle.retryAfter(address, identity, Date.now());
    if (wait > 0) {
      onFailure("throttled");
      c.header("Retry-After", String(wait));
      return problem(c, 429, `too many failed logins; try again in ${wait} s`, [
        { path: "header.authorization", code: "throttled", message: "too many failed attempts" },
      ]);
    }
    const who = await tokens.verify(m[1]!);
    if (!who) {
      throttle.fail(address, identity, Date.now());
      onFailure("invalid");
      return problem(c, 401, "the token is not valid", [
        { path: "header.authorization", code: "unauthorized", message: "unknown or revoked token" },
      ]);
    }
    throttle.succeed(address, identity, Date.now());
    c.set("role", who.role);
    c.set("tokenId", who.id);
    c.set("actor", { name: who.name, tokenId: who.id });
    await next();
  };
}

export function requireRole(role: Role): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    if (RANK[c.get("role")] < RANK[role]) {
      return problem(c, 403, `this needs the ${role} role`, [
        { path: "header.authorization", code: "forbidden", message: `role ${c.get("role")} is not enough` },
      ]);
    }
    await next();
  };
}
