import { randomBytes } from "node:crypto";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../stack.js";
import { eventually, tempDir, testLogger } from "../support.js";

let stack: Stack;
let doc: any;
const ajv = new Ajv2020({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
const exercised = new Set<string>();

beforeAll(async () => {
  stack = await startStack({
    dataDir: tempDir("openapi"),
    adminToken: `gh_test_${randomBytes(18).toString("base64url")}`,
    log: testLogger("openapi"),
    agentEnv: { AGENT_HIKCENTRAL_RATE: "100" },
  });
  doc = await (await fetch(`${stack.controlPlane.httpUrl}/openapi.json`)).json();
  ajv.addSchema(doc, "openapi.json");
});
afterAll(() => stack?.stop());

const pointer = (...parts: string[]) =>
  parts.map((p) => p.replace(/~/g, "~0").replace(/\//g, "~1")).join("/");

/** Calls the API and checks the answer against the document: a documented status, and a body of its schema. */
async function call(
  method: string,
  template: string,
  path: string,
  body?: unknown,
  contentType = "application/json",
) {
  const res = await fetch(`${stack.controlPlane.httpUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${stack.adminToken}`, "content-type": contentType },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const op = doc.paths[template]?.[method.toLowerCase()];
  expect(op, `${method} ${template} is documented`).toBeDefined();
  exercised.add(`${method.toLowerCase()} ${template}`);
  const documented = op.responses[String(res.status)];
  expect(
    documented,
    `${method} ${path} answered ${res.status}, which the document does not list`,
  ).toBeDefined();
  const type = (res.headers.get("content-type") ?? "").split(";")[0]!;
  const text = await res.text();
  const media = documented.content?.[type];
  if (documented.content)
    expect(media, `${method} ${path}: ${type} is not documented for ${res.status}`).toBeDefined();
  if (media?.schema && type.includes("json")) {
    const ref = `openapi.json#/${pointer("paths", template, method.toLowerCase(), "responses", String(res.status), "content", type, "schema")}`;
    const ok = ajv.validate({ $ref: ref }, JSON.parse(text));
    expect(ok, `${method} ${path} ${res.status}: ${ajv.errorsText(ajv.errors)}`).toBe(true);
  }
  return { status: res.status, body: text && type.includes("json") ? JSON.parse(text) : text };
}

const inMinutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();

describe("the API answers as /openapi.json says", () => {
  it("every documented operation, with good input and bad", async () => {
    const site = stack.siteId;
    const sites = await call("GET", "/v1/sites", "/v1/sites");
    // The list and one site show the same queue, with nothing more.
    const one = await call("GET", "/v1/sites/{id}", `/v1/sites/${sites.body.items[0].id}`);
    expect(sites.body.items[0].commands).toEqual(one.body.commands);
    expect(Object.keys(sites.body.items[0].commands).sort()).toEqual(["oldestPendingAt", "pending"]);
    await call("GET", "/v1/sites/{id}", `/v1/sites/${site}`);
    await call("GET", "/v1/sites/{id}", "/v1/sites/nope");
    const created = await call("POST", "/v1/sites", "/v1/sites", { id: "second", name: "Second" });
    expect(created.status).toBe(201);
    expect((await call("POST", "/v1/sites", "/v1/sites", { id: "Bad Id", name: "" })).status).toBe(400);
    await call("PATCH", "/v1/sites/{id}", "/v1/sites/second", {
      openingHours: { from: "08:00", to: "20:00" },
    });
    expect(
      (
        await call("PATCH", "/v1/sites/{id}", "/v1/sites/second", {
          openingHours: { from: "8", to: "20:00" },
        })
      ).body.errors[0].path,
    ).toBe("openingHours.from");
    await call("POST", "/v1/sites/{id}/sync", `/v1/sites/${site}/sync`);
    // The demo site's agent speaks HikCentral: the door command is queued, and its ack will say failed.
    const door = await call("POST", "/v1/sites/{id}/doors/{door}", `/v1/sites/${site}/doors/gate-1:1`, {
      action: "open",
    });
    expect(door.status).toBe(202);
    expect(Date.parse(door.body.expiresAt) - Date.now()).toBeLessThanOrEqual(30_000);
    const badDoor = await call("POST", "/v1/sites/{id}/doors/{door}", `/v1/sites/${site}/doors/gate-1`, {
      action: "unlock",
    });
    expect(badDoor.status).toBe(400);
    expect(badDoor.body.errors[0].path).toBe("door");
    const badAction = await call("POST", "/v1/sites/{id}/doors/{door}", `/v1/sites/${site}/doors/gate-1:1`, {
      action: "unlock",
    });
    expect(badAction.body.errors[0].path).toBe("action");

    const visit = {
      site,
      guest: { name: "Conformance Carl" },
      host: { name: "H" },
      validFrom: inMinutes(-1),
      validUntil: inMinutes(60),
    };
    const v = (await call("POST", "/v1/visits", "/v1/visits", visit)).body;
    const bad = await call("POST", "/v1/visits", "/v1/visits", {
      ...visit,
      guest: { name: "X", email: "nope" },
    });
    expect(bad.body.errors[0].path).toBe("guest.email");
    await call("GET", "/v1/visits", `/v1/visits?site=${site}&status=active&limit=2`);
    await call("GET", "/v1/visits", "/v1/visits?status=unknown");
    await call("GET", "/v1/visits/{id}", `/v1/visits/${v.id}`);
    await call("GET", "/v1/visits/{id}", "/v1/visits/missing");
    await eventually(
      async () => (await call("GET", "/v1/visits/{id}", `/v1/visits/${v.id}`)).body.access === "granted",
      15_000,
      "granted",
    );
    await call("PATCH", "/v1/visits/{id}", `/v1/visits/${v.id}`, { validUntil: inMinutes(90) });
    await call("PATCH", "/v1/visits/{id}", `/v1/visits/${v.id}`, {});
    const me = await call("GET", "/v1/me", "/v1/me");
    expect(me.body).toEqual({ name: "bootstrap", role: "admin" });
    const notFailed = await call("POST", "/v1/visits/{id}/retry", `/v1/visits/${v.id}/retry`);
    expect(notFailed.status).toBe(409);
    const sim = await fetch(`${stack.simulator.url}/_sim/passages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ personCode: v.personCode, direction: "entry" }),
    });
    expect(sim.status).toBe(201);
    const withPicture = await eventually(
      async () =>
        (await call("GET", "/v1/visits/{id}/passages", `/v1/visits/${v.id}/passages`)).body.items.find(
          (p: any) => p.hasPicture,
        ),
      15_000,
      "the passage's picture",
    );
    expect(withPicture.visit).toMatchObject({ id: v.id, guestName: "Conformance Carl" });
    const picture = await call(
      "GET",
      "/v1/passages/{id}/picture",
      `/v1/passages/${encodeURIComponent(withPicture.id)}/picture`,
    );
    expect(picture.status).toBe(200);
    await call("GET", "/v1/passages/{id}/picture", "/v1/passages/missing/picture");
    await call("GET", "/v1/passages", `/v1/passages?site=${site}`);
    await call("GET", "/v1/occupancy", "/v1/occupancy");
    await call("GET", "/v1/incidents", `/v1/incidents?site=${site}`);
    await call("GET", "/v1/incidents", "/v1/incidents?cursor=zz");
    await call("POST", "/v1/visits/{id}/revoke", `/v1/visits/${v.id}/revoke`);
    await call("POST", "/v1/visits/{id}/checkout", `/v1/visits/${v.id}/checkout`);
    await call("POST", "/v1/visits/{id}/cancel", `/v1/visits/${v.id}/cancel`);
    await call("POST", "/v1/visits/{id}/cancel", `/v1/visits/${v.id}/cancel`);

    const entry = (
      await call("POST", "/v1/deny-list", "/v1/deny-list", {
        field: "name",
        value: "Held Harry",
        reason: "test",
      })
    ).body;
    await call("GET", "/v1/deny-list", "/v1/deny-list");
    const held = (await call("POST", "/v1/visits", "/v1/visits", { ...visit, guest: { name: "Held Harry" } }))
      .body;
    const held2 = (
      await call("POST", "/v1/visits", "/v1/visits", { ...visit, guest: { name: "harry held" } })
    ).body;
    await call("POST", "/v1/visits/{id}/approve", `/v1/visits/${held.id}/approve`);
    await call("POST", "/v1/visits/{id}/refuse", `/v1/visits/${held2.id}/refuse`);
    await call("POST", "/v1/visits/{id}/refuse", `/v1/visits/${held2.id}/refuse`);
    await call("DELETE", "/v1/deny-list/{id}", `/v1/deny-list/${entry.id}`);
    await call("DELETE", "/v1/deny-list/{id}", `/v1/deny-list/${entry.id}`);

    const event = (
      await call("POST", "/v1/events", "/v1/events", {
        site,
        name: "Conf",
        organizer: { name: "O" },
        startsAt: inMinutes(10),
        endsAt: inMinutes(70),
        capacity: 1,
        registrationDeadline: inMinutes(5),
      })
    ).body;
    await call("GET", "/v1/events", "/v1/events");
    await call("GET", "/v1/events/{id}", `/v1/events/${event.id}`);
    await call("POST", "/v1/events/{id}/registrations", `/v1/events/${event.id}/registrations`, {
      guest: { name: "R" },
    });
    await call("POST", "/v1/events/{id}/registrations", `/v1/events/${event.id}/registrations`, {
      guest: { name: "S" },
    });
    await call("POST", "/v1/events/{id}/reopen", `/v1/events/${event.id}/reopen`, { capacity: 2 });
    await call("POST", "/v1/events/{id}/reopen", `/v1/events/${event.id}/reopen`, { capacity: 2 });

    await call(
      "POST",
      "/v1/visits/import",
      "/v1/visits/import?site=demo&dryRun=true",
      "guest_name,host_name,valid_from,valid_until\nA,B,2030-01-01T09:00:00+05:00,2030-01-01T18:00:00+05:00",
      "text/csv",
    );
    await call("POST", "/v1/visits/import", "/v1/visits/import?site=demo", [{ guest: { name: "" } }]);
    await call("POST", "/v1/visits/import", "/v1/visits/import", "x", "text/plain");
    await call("GET", "/v1/audit", "/v1/audit?limit=5");
    await call("GET", "/v1/audit", "/v1/audit?since=yesterday");
    await call("GET", "/v1/exports/visits.csv", "/v1/exports/visits.csv");
    await call("GET", "/v1/exports/passages.csv", "/v1/exports/passages.csv?result=denied");
    await call("GET", "/v1/exports/passages.csv", "/v1/exports/passages.csv?since=last-week");
    await call("GET", "/v1/passages", "/v1/passages?direction=entry&limit=2");

    const token = (await call("POST", "/v1/tokens", "/v1/tokens", { name: "conf", role: "viewer" })).body;
    await call("POST", "/v1/tokens", "/v1/tokens", { name: "", role: "root" });
    await call("GET", "/v1/tokens", "/v1/tokens");
    await call("DELETE", "/v1/tokens/{id}", `/v1/tokens/${token.id}`);
    await call("DELETE", "/v1/tokens/{id}", "/v1/tokens/nope");
    await call(
      "POST",
      "/v1/sites/{id}/agent-credentials/rotate",
      "/v1/sites/second/agent-credentials/rotate",
      {
        graceHours: 1,
      },
    );
    await call(
      "POST",
      "/v1/sites/{id}/agent-credentials/rotate",
      "/v1/sites/second/agent-credentials/rotate",
      {
        graceHours: 1000,
      },
    );
    await call(
      "POST",
      "/v1/sites/{id}/agent-credentials/rotate",
      "/v1/sites/nope/agent-credentials/rotate",
      {},
    );

    const ac = new AbortController();
    const s = await fetch(`${stack.controlPlane.httpUrl}/v1/stream?types=visit`, {
      headers: { authorization: `Bearer ${stack.adminToken}` },
      signal: ac.signal,
    });
    expect(s.status).toBe(200);
    exercised.add("get /v1/stream");
    ac.abort();
    await call("GET", "/v1/stream", "/v1/stream?types=nonsense");

    // The check itself bites: a visit without its fields is not a visit.
    const visitRef = `openapi.json#/${pointer("paths", "/v1/visits/{id}", "get", "responses", "200", "content", "application/json", "schema")}`;
    expect(ajv.validate({ $ref: visitRef }, { id: "x" })).toBe(false);
    expect(
      ajv.validate({ $ref: visitRef }, (await call("GET", "/v1/visits/{id}", `/v1/visits/${v.id}`)).body),
    ).toBe(true);

    const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops as object).map((m) => `${m} ${p}`),
    );
    expect(documented.filter((d) => !exercised.has(d))).toEqual([]);
  });
});
