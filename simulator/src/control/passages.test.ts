import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../server.js";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ timeZone: "Asia/Almaty" });
});
afterAll(() => sim?.stop());

const post = async (body: unknown) => {
  const r = await fetch(`${sim.url}/_sim/passages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as any };
};

describe("POST /_sim/passages", () => {
  it("takes one passage or an array of them, each becoming an event in order", async () => {
    const before = sim.state.events.length;
    const one = await post({ result: "denied", direction: "entry" });
    expect(one.status).toBe(201);
    expect(typeof one.body.eventId).toBe("string");
    const many = await post([
      { result: "denied", direction: "entry" },
      { result: "denied", direction: "exit" },
      { result: "denied", direction: "entry" },
    ]);
    expect(many.status).toBe(201);
    expect(many.body).toHaveLength(3);
    expect(sim.state.events.slice(before).map((e) => e.eventId)).toEqual([
      one.body.eventId,
      ...many.body.map((e: { eventId: string }) => e.eventId),
    ]);
  });

  it("creates none of an array when one names a person HikCentral does not know, and says which", async () => {
    const before = sim.state.events.length;
    const r = await post([
      { result: "denied", direction: "entry" },
      { personCode: "NOBODY-HERE", direction: "entry" },
    ]);
    expect(r.status).toBe(404);
    expect(JSON.stringify(r.body)).toContain("[1]: no person NOBODY-HERE");
    expect(sim.state.events.length).toBe(before);
  });

  it("rejects an empty array and names the field of a bad item", async () => {
    expect((await post([])).status).toBe(400);
    const bad = await post([{ result: "denied" }, { direction: "sideways", result: "denied" }]);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("1.direction");
  });

  it("takes a stream of passages (NDJSON), answering each line in order as it happens, errors by line", async () => {
    const before = sim.state.events.length;
    const lines = [
      JSON.stringify({ result: "denied", direction: "entry" }),
      "not json",
      JSON.stringify({ personCode: "NOBODY-HERE" }),
      JSON.stringify({ result: "denied", direction: "sideways" }),
      JSON.stringify({ result: "denied", direction: "exit", verifyMode: "card" }),
    ];
    // Split mid-line, as a network would: a line is taken only once it is whole.
    const text = `${lines.join("\n")}\n`;
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(encoder.encode(text.slice(0, 17)));
        c.enqueue(encoder.encode(text.slice(17)));
        c.close();
      },
    });
    const r = await fetch(`${sim.url}/_sim/passages`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toContain("application/x-ndjson");
    const answers = (await r.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(answers).toHaveLength(5);
    expect(answers[1]).toEqual({ error: "not JSON", line: "not json" });
    expect(answers[2].error).toContain("no person NOBODY-HERE");
    expect(answers[3].error).toBeDefined();
    const created = sim.state.events.slice(before);
    expect(created.map((e) => e.eventId)).toEqual([answers[0].eventId, answers[4].eventId]);
    expect(answers[4].seq).toBeGreaterThan(answers[0].seq);
  });
});
