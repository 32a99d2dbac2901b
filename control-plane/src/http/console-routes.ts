import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { etag } from "hono/etag";
import type { AuthEnv } from "./auth.js";
import { problem } from "./problem.js";

/** Only the console's own modules and stylesheet: a name that is not one of them never reaches the disk. */
const ASSET = /^(?:views\/)?[a-z][a-z0-9-]*\.js$|^console\.css$/;

/**
 * The web console: a page and its ES modules, built by `tsc -b` with the rest, served from the installed
 * package at the API's origin (the same tokens, no CORS, and the Content-Security-Policy holds: scripts
 * from 'self' only). It calls the API like any other client.
 */
export function registerConsoleRoutes(app: OpenAPIHono<AuthEnv>): void {
  const dir = dirname(createRequire(import.meta.url).resolve("@gatehouse/console/package.json"));
  // Read once: the files change only with an upgrade, which restarts the service.
  const files = new Map<string, Promise<Buffer>>();
  const read = (path: string) => {
    let f = files.get(path);
    if (!f) {
      f = readFile(join(dir, path));
      files.set(path, f);
      f.catch(() => files.delete(path));
    }
    return f;
  };
  const notBuilt = { path: "(path)", code: "not_found", message: "run `pnpm build` to build the console" };
  // Revalidated on each load (no-cache) and answered 304 when unchanged.
  app.use("/", etag());
  app.use("/console/*", etag());
  app.get("/", async (c) => {
    try {
      const page = (await read("static/index.html")).toString("utf8");
      return c.html(page, 200, { "cache-control": "no-cache" });
    } catch {
      return problem(c, 404, "the console is not installed", [notBuilt]);
    }
  });
  app.get("/console/:file{.+}", async (c) => {
    const name = c.req.param("file");
    if (!ASSET.test(name))
      return problem(c, 404, "no such console file", [
        { path: "(path)", code: "not_found", message: "not found" },
      ]);
    const css = name === "console.css";
    try {
      const body = await read(css ? `static/${name}` : `dist/${name}`);
      return c.body(new Uint8Array(body), 200, {
        "content-type": css ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8",
        "cache-control": "no-cache",
      });
    } catch {
      return problem(c, 404, "no such console file", [notBuilt]);
    }
  });
}
