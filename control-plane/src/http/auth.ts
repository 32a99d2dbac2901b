import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context, MiddlewareHandler } from "hono";
import type { Actor } from "../adapters/db/audit.js";
import type { Role, TokensRepo } from "../adapters/db/tokens-repo.js";
import type { AuthThrottle } from "../domain/auth-throttle.js";
import { problem } from "./problem.js";

export type AuthEnv = { Variables: { role: Role; tokenId: string; actor: Actor } };

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** The peer's address (not X-Forwarded-For, which any client can write). */
export function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown"; // app.request() in tests has no socket
  }
}

/**
 * Bearer tokens; the role decides what a token may do. An address that keeps sending bad tokens is
 * answered 429 for a while, good token or not, so tokens cannot be guessed at line speed.
 */
export function bearerAuth(
  tokens: TokensRepo,
  throttle: AuthThrottle,
  onFailure: (reason: "missing" | "invalid" | "throttled") => void,
): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const address = clientAddress(c);
    const wait = throttle.retryAfter(address, Date.now());
    if (wait > 0) {
      onFailure("throttled");
      c.header("Retry-After", String(wait));
      return problem(c, 429, `too many failed logins from this address; try again in ${wait} s`, [
        { path: "header.authorization", message: "too many failed attempts" },
      ]);
    }
    const header = c.req.header("authorization") ?? "";
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) {
      onFailure("missing");
      return problem(c, 401, "send Authorization: Bearer <token>", [
        { path: "header.authorization", message: "missing bearer token" },
      ]);
    }
    const who = await tokens.verify(m[1]!);
    if (!who) {
      throttle.fail(address, Date.now());
      onFailure("invalid");
      return problem(c, 401, "the token is not valid", [
        { path: "header.authorization", message: "unknown or revoked token" },
      ]);
    }
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
        { path: "header.authorization", message: `role ${c.get("role")} is not enough` },
      ]);
    }
    await next();
  };
}
