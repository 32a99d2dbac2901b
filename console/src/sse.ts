/** One server-sent event as the stream delivered it. */
export interface SseEvent {
  event: string;
  data: string;
  id: string | undefined;
}

/**
 * The text/event-stream format, fed in chunks as they arrive (a chunk may end mid-line). `EventSource`
 * cannot send an Authorization header, so the console reads the stream with fetch and parses it here.
 */
export class SseParser {
  private buffer = "";
  private afterCR = false;
  private event = "";
  private data: string[] = [];
  private id: string | undefined;

  push(chunk: string): SseEvent[] {
    // A \r that ended the last chunk may have been the first half of \r\n.
    if (this.afterCR && chunk.startsWith("\n")) chunk = chunk.slice(1);
    this.afterCR = false;
    this.buffer += chunk;
    const out: SseEvent[] = [];
    for (;;) {
      const end = this.buffer.search(/\r\n|\r|\n/);
      if (end < 0) break;
      const line = this.buffer.slice(0, end);
      if (this.buffer[end] === "\r" && end === this.buffer.length - 1) this.afterCR = true;
      this.buffer = this.buffer.slice(end + (this.buffer.startsWith("\r\n", end) ? 2 : 1));
      const e = this.line(line);
      if (e) out.push(e);
    }
    return out;
  }

  private line(line: string): SseEvent | undefined {
    if (line === "") {
      if (this.data.length === 0) {
        this.event = "";
        return undefined;
      }
      const e = { event: this.event || "message", data: this.data.join("\n"), id: this.id };
      this.event = "";
      this.data = [];
      return e;
    }
    if (line.startsWith(":")) return undefined; // a comment: the server's keep-alive
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.event = value;
    else if (field === "data") this.data.push(value);
    else if (field === "id" && !value.includes("\u0000")) this.id = value;
    return undefined;
  }
}
