import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MultipartStreamReader } from "./multipart-stream.js";

const event = (serialNo: number) =>
  `{\n\t"eventType":\t"AccessControllerEvent",\n\t"AccessControllerEvent":\t{\n\t\t"majorEventType":\t5,\n\t\t"subEventType":\t75,\n\t\t"serialNo":\t${serialNo}\n\t}\n}`;

const part = (boundary: string, body: string, opts: { length?: number | null; eol?: string } = {}) => {
  const eol = opts.eol ?? "\r\n";
  const len = opts.length === null ? "" : `Content-Length: ${opts.length ?? Buffer.byteLength(body)}${eol}`;
  return `--${boundary}${eol}Content-Type: application/json; charset="UTF-8"${eol}${len}${eol}${body}${eol}`;
};

const serials = (parts: { body: Buffer }[]) =>
  parts.map((p) => JSON.parse(p.body.toString()).AccessControllerEvent.serialNo as number);

describe("MultipartStreamReader", () => {
  it("reads parts with the boundary the body uses, not the header's", () => {
    const r = new MultipartStreamReader();
    const stream =
      part("MIME_boundary", event(1)) + part("MIME_boundary", event(2)) + part("MIME_boundary", event(3));
    // A part with its Content-Length is given out as soon as its bytes are there: a live event is not held
    // back until the next one arrives.
    expect(serials(r.push(Buffer.from(stream)))).toEqual([1, 2, 3]);
    expect(serials(r.push(Buffer.from(`--MIME_boundary\r\nContent-Type: application/json\r\n\r\n`)))).toEqual(
      [],
    );
    expect(serials(r.push(Buffer.from(`${event(4)}\r\n--MIME_boundary\r\n`)))).toEqual([4]);
    expect(r.boundary).toBe("MIME_boundary");
  });

  it("reads a stream split at every possible byte, with LF line ends and without Content-Length", () => {
    const body =
      [1, 2, 3, 4].map((n) => part("boundary", event(n), { length: null, eol: "\n" })).join("") +
      "--boundary--\n";
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: body.length - 1 }), { maxLength: 12 }), (cuts) => {
        const r = new MultipartStreamReader();
        const at = [...new Set(cuts)].sort((a, b) => a - b);
        const got: number[] = [];
        let prev = 0;
        for (const c of [...at, body.length]) {
          got.push(...serials(r.push(Buffer.from(body.slice(prev, c)))));
          prev = c;
        }
        expect(got).toEqual([1, 2, 3, 4]);
      }),
    );
  });

  it("finds the delimiter again when a part's Content-Length is wrong", () => {
    const r = new MultipartStreamReader();
    const stream =
      part("b", event(1), { length: 10 }) +
      part("b", event(2), { length: 5000 }) +
      part("b", event(3)) +
      "--b\r\n";
    expect(serials(r.push(Buffer.from(stream)))).toEqual([1, 2, 3]);
    expect(r.resyncedBytes).toBeGreaterThan(0);
  });

  it("skips a preamble and keeps XML heartbeats as parts", () => {
    const r = new MultipartStreamReader();
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>\r\n<EventNotificationAlert><eventType>videoloss</eventType><eventState>inactive</eventState></EventNotificationAlert>';
    const parts = r.push(
      Buffer.from(
        `\r\nHTTP noise\r\n${part("myboundary", xml)}${part("myboundary", event(9))}--myboundary\r\n`,
      ),
    );
    expect(parts).toHaveLength(2);
    expect(parts[0]!.body.toString()).toContain("videoloss");
    expect(parts[0]!.headers["content-type"]).toContain("application/json");
  });
});
