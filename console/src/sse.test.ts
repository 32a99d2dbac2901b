import { describe, expect, it } from "vitest";
import { SseParser } from "./sse.js";

describe("the event-stream parser", () => {
  it("joins events split across chunks at any point, and skips comments", () => {
    const text = ': connected\n\nevent: passage\nid: p1\ndata: {"a":1}\n\nevent: visit\ndata: x\ndata: y\n\n';
    for (let cut = 0; cut <= text.length; cut++) {
      const p = new SseParser();
      const events = [...p.push(text.slice(0, cut)), ...p.push(text.slice(cut))];
      expect(events).toEqual([
        { event: "passage", data: '{"a":1}', id: "p1" },
        { event: "visit", data: "x\ny", id: "p1" },
      ]);
    }
  });

  it("takes CRLF and CR line ends, a CRLF split between chunks included", () => {
    const p = new SseParser();
    expect(p.push("event: occupancy\r\ndata: 1\r")).toEqual([]);
    expect(p.push("\n\r\n")).toEqual([{ event: "occupancy", data: "1", id: undefined }]);
    expect(p.push("data: 2\r\r")).toEqual([{ event: "message", data: "2", id: undefined }]);
  });

  it("drops an event name with no data", () => {
    const p = new SseParser();
    expect(p.push("event: visit\n\ndata: z\n\n")).toEqual([{ event: "message", data: "z", id: undefined }]);
  });
});
