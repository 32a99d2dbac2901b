import type { z } from "@hono/zod-openapi";
import { Problem } from "./schemas.js";

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});
export const problems = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((c) => [
      c,
      { content: { "application/problem+json": { schema: Problem } }, description: "Problem" },
    ]),
  );
export const security = [{ bearer: [] }];
