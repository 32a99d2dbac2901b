import type { MiddlewareHandler } from "hono";
import type { Role, TokensRepo } from "../adapters/db/tokens-repo.js";
import { problem } from "./problem.js";

export type AuthEnv = { Variables: { role: Role; tokenId: string } };

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** Bearer tokens; the role decides what a token may do. */
export function bearerAuth(tokens: TokensRepo): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m)
      return problem(c, 401, "send Authorization: Bearer <token>", [
        { path: "header.authorization", message: "missing bearer token" },
      ]);
    const who = await tokens.verify(m[1]!);
    if (!who)
      return problem(c, 401, "the token is not valid", [
        { path: "header.authorization", message: "unknown or revoked token" },
      ]);
    c.set("role", who.role);
    c.set("tokenId", who.id);
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
