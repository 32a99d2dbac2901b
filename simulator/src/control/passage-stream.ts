import { ndjsonLines } from "@gatehouse/shared";
import type { EventPusher } from "../hikcentral/push.js";
import type { HikState } from "../hikcentral/state.js";
import { carryOutPassage, PassageRequest } from "./passages.js";

/**
 * `POST /_sim/passages` as a stream (`application/x-ndjson`): a load generator keeps one request open and
 * writes a passage a line; each is carried out as its line arrives and answered by a line of the response
 * (`{"eventId","eventType","door","seq"}`, or `{"error","line"}`), so that one client can drive thousands of
 * passages a second and still time each one.
 */
export function passageStream(
  state: HikState,
  pusher: EventPusher,
  body: ReadableStream<Uint8Array>,
): Response {
  const encoder = new TextEncoder();
  const answer = (line: string) => {
    let request: unknown;
    try {
      request = JSON.parse(line);
    } catch {
      return { error: "not JSON", line: line.slice(0, 200) };
    }
    const r = PassageRequest.safeParse(request);
    if (!r.success)
      return { error: r.error.issues[0]?.message ?? "invalid passage", line: line.slice(0, 200) };
    try {
      return carryOutPassage(state, pusher, r.data);
    } catch (e) {
      return { error: (e as Error).message, line: line.slice(0, 200) };
    }
  };
  const out = new ReadableStream<Uint8Array>({
    async start(controller) {
      try {
        for await (const lines of ndjsonLines(body))
          controller.enqueue(encoder.encode(`${lines.map((l) => JSON.stringify(answer(l))).join("\n")}\n`));
      } catch {
        // The client went away: nothing more to answer.
      }
      controller.close();
    },
  });
  return new Response(out, { status: 200, headers: { "content-type": "application/x-ndjson" } });
}
