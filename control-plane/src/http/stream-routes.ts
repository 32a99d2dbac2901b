import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import type { LiveEvent, LiveEvents } from "../services/live-events.js";
import type { TokenRevocations } from "../services/token-revocations.js";
import type { AuthEnv } from "./auth.js";
import { problems, security } from "./openapi-helpers.js";

const TYPES = [
  "visit",
  "passage",
  "incident",
  "agent_status",
  "agent_report",
  "occupancy",
  "picture",
] as const;
/** A watcher this far behind is cut off (it reconnects and reads what it missed from the API). */
const MAX_BACKLOG = 1000;

/** Server-sent events: passages, visit changes, incidents, agent status and occupancy, live. */
export function registerStreamRoutes(
  app: OpenAPIHono<AuthEnv>,
  deps: { live: LiveEvents; revocations: TokenRevocations },
): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/stream",
      operationId: "streamEvents",
      summary:
        "Live events as server-sent events: `visit`, `passage`, `incident`, `agent_status`, `agent_report`, `occupancy` (each `data` is the JSON of the matching MQTT message), and `picture` (`{passageId, site}`: a passage's picture arrived; fetch it from `/v1/passages/{id}/picture`)",
      security,
      request: {
        query: z.object({
          site: z.string().optional().describe("Only this site's events"),
          types: z
            .string()
            .regex(
              new RegExp(`^(${TYPES.join("|")})(,(${TYPES.join("|")}))*$`),
              `must be a comma-separated list of ${TYPES.join(", ")}`,
            )
            .optional(),
        }),
      },
      responses: {
        200: { description: "An event stream", content: { "text/event-stream": { schema: z.string() } } },
        ...problems(400, 401),
      },
    }),
    (c) => {
      const q = c.req.valid("query");
      const types = new Set(q.types ? q.types.split(",") : TYPES);
      const tokenId = c.get("tokenId");
      return streamSSE(c, async (stream) => {
        const backlog: LiveEvent[] = [];
        let wake: (() => void) | undefined;
        let overflow = false;
        // A revoked (or expired) token's stream ends at once, not at its next reconnect.
        let revoked = false;
        const unrevoke = deps.revocations.on((id) => {
          if (id !== tokenId) return;
          revoked = true;
          wake?.();
        });
        const unwatch = deps.live.watch((e) => {
          if ((q.site && e.site !== q.site) || !types.has(e.type)) return;
          if (backlog.length >= MAX_BACKLOG) overflow = true;
          else backlog.push(e);
          wake?.();
        });
        stream.onAbort(() => {
          unwatch();
          wake?.();
        });
        // Proxies close idle connections; a comment line every 15 s keeps this one open.
        const ping = setInterval(() => {
          void stream.write(": ping\n\n").catch(() => {});
        }, 15_000);
        try {
          await stream.write(": connected\n\n");
          while (!stream.aborted && !stream.closed && !overflow && !revoked) {
            const e = backlog.shift();
            if (!e) {
              await new Promise<void>((r) => {
                wake = r;
              });
              wake = undefined;
              continue;
            }
            await stream.writeSSE({
              event: e.type,
              id: "id" in e.data && typeof e.data.id === "string" ? e.data.id : undefined,
              data: JSON.stringify(e.data),
            });
          }
        } finally {
          clearInterval(ping);
          unwatch();
          unrevoke();
        }
      }) as never;
    },
  );
}
