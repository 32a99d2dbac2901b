import { ndjsonLines } from "@gatehouse/shared";

/** The event ids the simulator answers an NDJSON passage stream with, in order; a refused passage throws. */
export async function* passageAnswers(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  for await (const lines of ndjsonLines(body))
    for (const l of lines) {
      const a = JSON.parse(l) as { eventId?: string; error?: string };
      if (!a.eventId) throw new Error(`the simulator refused a passage: ${a.error}`);
      yield a.eventId;
    }
}
