import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../stack.js";
import { tempDir, testLogger } from "../support.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    dataDir: tempDir("lifecycle"),
    adminToken: `gh_test_${randomBytes(18).toString("base64url")}`,
    log: testLogger("visit-lifecycle"),
    controlPlaneEnv: { GATEHOUSE_SCHEDULER_SECONDS: "1" },
    agentEnv: { AGENT_HIKCENTRAL_RATE: "100" },
  });
});
afterAll(() => stack?.stop());

const inMinutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();
const get = async (id: string) => (await stack.api("GET", `/v1/visits/${id}`)).body;
const until = (id: string, what: string, ok: (v: any) => boolean) => stack.visitWhen(id, ok, what);

async function grantedVisit(name: string, validUntil = inMinutes(60), validFrom = inMinutes(-1), extra = {}) {
  const r = await stack.api("POST", "/v1/visits", {
    site: stack.siteId,
    guest: { name },
    host: { name: "Host" },
    validFrom,
    validUntil,
    ...extra,
  });
  expect(r.status).toBe(201);
  return until(r.body.id, "granted", (v) => v.access === "granted");
}

const inGroup = (personCode: string) => {
  const p = stack.simulator.state.personByCode(personCode);
  return p ? stack.simulator.state.groupsOf(p.personId).map((g) => g.privilegeGroupId) : [];
};

async function passage(personCode: string, direction: "entry" | "exit" = "entry") {
  const res = await fetch(`${stack.simulator.url}/_sim/passages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ personCode, direction }),
  });
  return (await res.json()) as { eventType: number };
}

describe("the visit lifecycle closes the door", () => {
  it("revoke: the access level loses the person and the turnstile denies them", async () => {
    const v = await grantedVisit("Revoke Me");
    expect(inGroup(v.personCode)).toEqual(["7"]);
    expect((await passage(v.personCode)).eventType).toBe(196893);
    const r = await stack.api("POST", `/v1/visits/${v.id}/revoke`);
    expect(r.status).toBe(200);
    const done = await until(v.id, "revoked", (x) => x.access === "revoked");
    expect(done.status).toBe("active");
    expect(done.commands.map((c: any) => [c.type, c.status])).toEqual([
      ["grant", "applied"],
      ["revoke", "applied"],
    ]);
    expect(inGroup(v.personCode)).toEqual([]);
    expect((await passage(v.personCode)).eventType).toBe(197151); // face not recognised: no longer on the terminal
    const again = await stack.api("POST", `/v1/visits/${v.id}/revoke`);
    expect(again.status).toBe(409);
  });

  it("cancel and check out end the visit; a closed visit refuses every change with 409 and its state", async () => {
    const a = await grantedVisit("Cancel Me");
    expect((await stack.api("POST", `/v1/visits/${a.id}/cancel`)).body.status).toBe("cancelled");
    await until(a.id, "revoked", (x) => x.access === "revoked");
    const b = await grantedVisit("Check Me Out");
    expect((await stack.api("POST", `/v1/visits/${b.id}/checkout`)).body.status).toBe("checked_out");
    await until(b.id, "revoked", (x) => x.access === "revoked");
    for (const [method, path, body] of [
      ["POST", `/v1/visits/${a.id}/checkout`, undefined],
      ["POST", `/v1/visits/${b.id}/cancel`, undefined],
      ["PATCH", `/v1/visits/${b.id}`, { validUntil: inMinutes(120) }],
    ] as const) {
      const r = await stack.api(method, path, body);
      expect(r.status).toBe(409);
      expect(r.body.errors[0]).toMatchObject({ path: "status" });
      expect(r.body.detail).toMatch(/cancelled|checked_out/);
    }
    expect(inGroup(a.personCode)).toEqual([]);
    expect(inGroup(b.personCode)).toEqual([]);
  });

  it("new times reach HikCentral through a validity command, in the site's offset", async () => {
    const v = await grantedVisit("Stay Longer");
    const until2 = new Date(Date.now() + 3 * 3600_000);
    until2.setUTCMilliseconds(0);
    const r = await stack.api("PATCH", `/v1/visits/${v.id}`, { validUntil: until2.toISOString() });
    expect(r.status).toBe(200);
    await until(v.id, "validity applied", (x) =>
      x.commands.some((c: any) => c.type === "validity" && c.status === "applied"),
    );
    const p = stack.simulator.state.personByCode(v.personCode)!;
    expect(p.endTime).toMatch(/\+05:00$/);
    expect(Date.parse(p.endTime!)).toBe(until2.getTime());
    const bad = await stack.api("PATCH", `/v1/visits/${v.id}`, { validUntil: inMinutes(-10) });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].path).toBe("validUntil");
  });

  it("a revokeOnExit visit is checked out and revoked at its first exit, once", async () => {
    const v = await grantedVisit("One Way", inMinutes(60), inMinutes(-1), { revokeOnExit: true });
    expect((await passage(v.personCode, "entry")).eventType).toBe(196893);
    expect((await passage(v.personCode, "exit")).eventType).toBe(196893);
    const done = await until(v.id, "revoked at exit", (x) => x.access === "revoked");
    expect(done).toMatchObject({ status: "checked_out", exitCount: 1, inside: false });
    expect(inGroup(v.personCode)).toEqual([]);
    // The guest cannot come back in, and a second exit event queues nothing more.
    expect((await passage(v.personCode, "entry")).eventType).toBe(197151);
    await passage(v.personCode, "exit");
    await new Promise((r) => setTimeout(r, 300));
    expect((await get(v.id)).commands.map((c: any) => c.type)).toEqual(["grant", "revoke"]);
  });

  it("keeps a checked-out guest who has not left on the muster list", async () => {
    const v = await grantedVisit("Still Inside");
    await passage(v.personCode, "entry");
    await until(v.id, "inside", (x) => x.inside);
    await stack.api("POST", `/v1/visits/${v.id}/checkout`);
    const muster = (await stack.api("GET", `/v1/occupancy?site=${stack.siteId}`)).body.items[0];
    expect(muster.inside.map((g: any) => g.visitId)).toContain(v.id);
  });

  it("the scheduler expires a visit at validUntil and revokes it", async () => {
    const v = await grantedVisit("Short Stay", new Date(Date.now() + 2500).toISOString());
    const done = await until(
      v.id,
      "expired and revoked",
      (x) => x.status === "expired" && x.access === "revoked",
    );
    expect(done.commands.map((c: any) => c.type)).toEqual(["grant", "revoke"]);
    expect(inGroup(v.personCode)).toEqual([]);
  });

  it("a scheduled visit is granted at once with its window, and becomes active when the window opens", async () => {
    const r = await stack.api("POST", "/v1/visits", {
      site: stack.siteId,
      guest: { name: "Early Booking" },
      host: { name: "Host" },
      validFrom: new Date(Date.now() + 2000).toISOString(),
      validUntil: inMinutes(60),
    });
    expect(r.body.status).toBe("scheduled");
    await until(r.body.id, "granted while scheduled", (x) => x.access === "granted");
    // HikCentral enforces the window: the terminal refuses the guest before it opens.
    expect((await passage(r.body.personCode)).eventType).toBe(197384);
    await until(r.body.id, "active", (x) => x.status === "active");
  });

  it("lists visits with filters and a cursor, and a visit's passages", async () => {
    const page1 = (await stack.api("GET", "/v1/visits?limit=2")).body;
    expect(page1.items).toHaveLength(2);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const page2 = (await stack.api("GET", `/v1/visits?limit=2&cursor=${page1.nextCursor}`)).body;
    expect(page2.items[0].id).not.toBe(page1.items[1].id);
    expect(page2.items[0].createdAt <= page1.items[1].createdAt).toBe(true);
    const cancelled = (await stack.api("GET", "/v1/visits?status=cancelled")).body.items;
    expect(cancelled.map((v: any) => v.guest.name)).toEqual(["Cancel Me"]);
    const byName = (await stack.api("GET", "/v1/visits?q=Revoke")).body.items;
    expect(byName).toHaveLength(1);
    const passages = (await stack.api("GET", `/v1/visits/${byName[0].id}/passages`)).body.items;
    expect(passages.map((p: any) => p.result)).toEqual(["denied", "granted"]);
    expect((await stack.api("GET", "/v1/visits?cursor=bogus")).status).toBe(400);
  });

  it("a viewer may read but not end a visit; an unknown visit is a 404", async () => {
    const viewer = await stack.controlPlane.tokens.create("viewer", "test viewer");
    const list = (await (
      await fetch(`${stack.controlPlane.httpUrl}/v1/visits`, {
        headers: { authorization: `Bearer ${viewer}` },
      })
    ).json()) as any;
    const id = list.items[0].id;
    const res = await fetch(`${stack.controlPlane.httpUrl}/v1/visits/${id}/cancel`, {
      method: "POST",
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(res.status).toBe(403);
    expect((await stack.api("POST", "/v1/visits/nope/cancel")).status).toBe(404);
  });
});

describe("Idempotency-Key", () => {
  const body = () => ({
    site: stack.siteId,
    guest: { name: "Retried Script" },
    host: { name: "Host" },
    validFrom: "2030-01-01T09:00:00+05:00",
    validUntil: "2030-01-01T18:00:00+05:00",
  });
  const post = (key: string, b: object) =>
    fetch(`${stack.controlPlane.httpUrl}/v1/visits`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${stack.adminToken}`,
        "content-type": "application/json",
        "idempotency-key": key,
      },
      body: JSON.stringify(b),
    });
  const count = async () =>
    Number(
      (
        await stack.controlPlane.db.read(
          "SELECT count(*) AS n FROM visits WHERE guest_name = 'Retried Script'",
        )
      ).rows[0]!.n,
    );

  it("answers a repeated request with the same visit and creates one visit, one grant", async () => {
    const first = await post("import-42", body());
    const second = await post("import-42", body());
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    const a = (await first.json()) as any;
    const b = (await second.json()) as any;
    expect(b.id).toBe(a.id);
    expect(await count()).toBe(1);
    expect(b.commands).toHaveLength(1);
  });

  it("refuses the same key for a different request, naming the header", async () => {
    const r = await post("import-42", { ...body(), guest: { name: "Someone Else" } });
    expect(r.status).toBe(422);
    expect(((await r.json()) as any).errors[0].path).toBe("header.idempotency-key");
    expect(await count()).toBe(1);
  });
});
