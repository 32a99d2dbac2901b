/** One part of a multipart stream: its headers (lower-case names) and its body. */
export interface StreamPart {
  headers: Record<string, string>;
  body: Buffer;
}

const CRLF2 = Buffer.from("\r\n\r\n");
const LF2 = Buffer.from("\n\n");

/**
 * A tolerant reader of a terminal's `multipart/mixed` alert stream, fed chunks as they arrive (a part may be
 * split anywhere). Terminals send a boundary in the header that differs from the body (`myboundary` vs
 * `--boundary`, `mime_boundary` vs `MIME_boundary`), so the delimiter is learned from the first `--…` line.
 * A part's `Content-Length` is trusted when present, and the reader finds the next delimiter again if a
 * terminal's length was wrong; without one, the body runs to the next delimiter.
 */
export class MultipartStreamReader {
  private buffer: Buffer = Buffer.alloc(0);
  private delimiter: Buffer | undefined;
  private state: "preamble" | "headers" | "body" | "end" = "preamble";
  private headers: Record<string, string> = {};
  /** Bytes skipped to find a delimiter again after a part that did not end where it said. */
  resyncedBytes = 0;

  /** Adds a chunk; returns the parts it completed. */
  push(chunk: Buffer): StreamPart[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const parts: StreamPart[] = [];
    for (;;) {
      const progressed = this.step(parts);
      if (!progressed) break;
    }
    return parts;
  }

  /** The boundary learned from the stream, without its leading dashes. */
  get boundary(): string | undefined {
    return this.delimiter?.toString("latin1").slice(2);
  }

  private step(parts: StreamPart[]): boolean {
    switch (this.state) {
      case "end":
        this.buffer = Buffer.alloc(0);
        return false;
      case "preamble":
        return this.findDelimiter(true);
      case "headers": {
        const crlf = this.buffer.indexOf(CRLF2);
        const lf = this.buffer.indexOf(LF2);
        const at = crlf >= 0 && (lf < 0 || crlf <= lf) ? crlf : lf;
        if (at < 0) return false;
        const sep = at === crlf ? 4 : 2;
        const text = this.buffer.subarray(0, at).toString("latin1");
        this.headers = {};
        for (const line of text.split(/\r?\n/)) {
          const i = line.indexOf(":");
          if (i > 0) this.headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
        }
        this.buffer = this.buffer.subarray(at + sep);
        this.state = "body";
        return true;
      }
      case "body": {
        const length = Number(this.headers["content-length"]);
        // A delimiter line before `length` bytes means the length is too long: do not wait for them.
        const early = this.buffer.length < length && this.indexOfDelimiterLine(this.buffer) >= 0;
        if (Number.isInteger(length) && length >= 0 && !early) {
          if (this.buffer.length < length) return false;
          const body = this.buffer.subarray(0, length);
          const rest = this.buffer.subarray(length);
          // The delimiter should follow (after optional line ends); if it does not, the length lied.
          const trimmed = rest.subarray(leadingNewlines(rest));
          const d = this.delimiter!;
          // Nothing after the body yet (the stream waits for the next event): trust the length now rather
          // than hold a live event back until the next one comes.
          const startsDelimiter =
            trimmed.length < d.length
              ? d.subarray(0, trimmed.length).equals(trimmed)
              : trimmed.subarray(0, d.length).equals(d);
          if (startsDelimiter) {
            parts.push({ headers: this.headers, body: Buffer.from(body) });
            this.buffer = trimmed;
            this.state = "preamble";
            return true;
          }
        }
        // No (usable) length: the body runs to the next delimiter line.
        const next = this.indexOfDelimiterLine(this.buffer);
        if (next < 0) return false;
        const body = trimTrailingNewline(this.buffer.subarray(0, next));
        if (Number.isInteger(length) && length >= 0) this.resyncedBytes += Math.abs(body.length - length);
        parts.push({ headers: this.headers, body: Buffer.from(body) });
        this.buffer = this.buffer.subarray(next);
        this.state = "preamble";
        return true;
      }
    }
  }

  /** At a delimiter line: learns it the first time, moves to the headers (or the end for `--x--`). */
  private findDelimiter(learn: boolean): boolean {
    let start = leadingNewlines(this.buffer);
    if (!this.delimiter && learn) {
      // Skip a preamble up to the first line that starts with `--`.
      const text = this.buffer.toString("latin1");
      const m = /(^|\n)(--[^\r\n]+?)(--)?\r?\n/.exec(text.slice(start));
      if (!m) return false;
      this.delimiter = Buffer.from(m[2]!, "latin1");
      start += m.index + m[1]!.length;
    } else {
      const at = this.indexOfDelimiterLine(this.buffer.subarray(start));
      if (at < 0) return false;
      if (at > 0) this.resyncedBytes += at;
      start += at;
    }
    const lineEnd = this.buffer.indexOf(0x0a, start);
    if (lineEnd < 0) return false;
    const line = this.buffer.subarray(start, lineEnd).toString("latin1").replace(/\r$/, "");
    this.buffer = this.buffer.subarray(lineEnd + 1);
    this.state = line.endsWith("--") && line !== this.delimiter!.toString("latin1") ? "end" : "headers";
    return true;
  }

  /** Where the next line that is the delimiter starts (at the buffer's start, or after a line end). */
  private indexOfDelimiterLine(buf: Buffer): number {
    const d = this.delimiter!;
    if (buf.subarray(0, d.length).equals(d) && isLineEnd(buf, d.length)) return 0;
    let from = 0;
    for (;;) {
      const at = buf.indexOf(d, from);
      if (at < 0) return -1;
      if ((at === 0 || buf[at - 1] === 0x0a) && isLineEnd(buf, at + d.length)) return at;
      from = at + 1;
    }
  }
}

/** After the delimiter: a line end, `--` (the close), or not yet known (end of buffer). */
function isLineEnd(buf: Buffer, at: number): boolean {
  if (at >= buf.length) return true;
  const c = buf[at];
  return c === 0x0d || c === 0x0a || (c === 0x2d && buf[at + 1] === 0x2d);
}

function leadingNewlines(buf: Buffer): number {
  let i = 0;
  while (i < buf.length && (buf[i] === 0x0d || buf[i] === 0x0a)) i++;
  return i;
}

function trimTrailingNewline(buf: Buffer): Buffer {
  let end = buf.length;
  if (end > 0 && buf[end - 1] === 0x0a) end--;
  if (end > 0 && buf[end - 1] === 0x0d) end--;
  return buf.subarray(0, end);
}
