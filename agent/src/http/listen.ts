import type { AddressInfo } from "node:net";
import { listenFailed } from "@gatehouse/shared";
import { type ServerType, serve } from "@hono/node-server";
import type { Hono } from "hono";

/** Serves `app`; a port that cannot be bound names its setting (`AGENT_HTTP_PORT: cannot listen …`). */
export function listen(
  app: Hono,
  host: string,
  port: number,
  setting: string,
): Promise<{ server: ServerType; port: number; close(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, () =>
      resolve({
        server,
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>((r) => server.close(() => r())),
      }),
    );
    server.once("error", (e) => reject(listenFailed(setting, host, port, e)));
  });
}
