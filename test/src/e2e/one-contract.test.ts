// Over 400 lines: every door the outside world has (visits, sites, status, logins, imports) against one stack.
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseSignedCommand } from "@gatehouse/agent";
import { parsePublicKeys, type TrustedKey, topics } from "@gatehouse/shared";
import fc from "fast-check";
import { connectAsync, type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../stack.js";
import { eventually, sleep, tempDir, testLogger } from "../support.js";

/**
 * One contract, checked at the door: every visit the API accepts becomes a command the agent's own parser
 * accepts — asserted by running that parser on what the control plane really published — and every other
 * request is refused with the field and the reason.
 */
let stack: Stack;
let keys: TrustedKey[];
let contractAgent: MqttClient;
const LOG = "one-contract";
const SITE = "contract";
/** What the control plane published on the contract site's commands topic, by the visit it is for. */
const published = new Map<string, Buffer[]>();
const clients: MqttClient[] = [];

beforeAll(async () => {
  stack = await startStack({
    dataDir: tempDir(LOG),
    adminToken: `gh_test_${randomBytes(18).toString("base64url")}`,
    log: testLogger(LOG),
    controlPlaneEnv: { GATEHOUSE_TRUSTED_PROXIES: "127.0.0.1" },
  });
  keys = parsePublicKeys(stack.controlPlane.commandPublicKeys);
  // A site whose "agent" is this test: it takes the commands as they are sent and parses them as the agent does.
  const site = await stack.api("POST", "/v1/sites", { id: SITE, name: "Contract campus", maxVisitDays: 400 });
  expect(site.status).toBe(201);
  contractAgent = await connectAsync(stack.controlPlane.mqttUrl, {
    ...site.body.agentCredentials,
    clientId: `gatehouse-agent-${SITE}`,
    reconnectPeriod: 0,
  });
  clients.push(contractAgent);
  contractAgent.on("message", (_t, payload) => {
    const visitId = (JSON.parse(payload.toString()) as { payload?: { visitId?: string } }).payload?.visitId;
    if (visitId) published.set(visitId, [...(published.get(visitId) ?? []), payload]);
  });
  await contractAgent.subscribeAsync(topics.commands(SITE), { qos: 1 });
});
afterAll(async () => {
  for (const c of clients) c.end(true);
  await stack?.stop();
});

async function call(method: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${stack.controlPlane.httpUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${stack.adminToken}`,
      "content-type": "application/json",
      ...headers,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

/** A 4xx whose problem body names at least one field (not just "the body"), each with a reason. */
function expectRefusedNamingAField(r: { status: number; body: any }, input: unknown) {
  const where = `${r.status} for ${JSON.stringify(input)?.slice(0, 300)}: ${JSON.stringify(r.body)?.slice(0, 300)}`;
  expect(r.status, where).toBeGreaterThanOrEqual(400);
  expect(r.status, where).toBeLessThan(500);
  const errors = r.body.errors as Array<{ path: string; message: string }>;
  expect(errors.length, where).toBeGreaterThan(0);
  expect(
    errors.some((e) => e.path && e.path !== "(body)"),
    where,
  ).toBe(true);
  for (const e of errors) expect(e.message, where).toBeTruthy();
}

/** A visit of the contract site from a minute ago, lasting `ms`. */
const newVisit = (name: string, ms: number) =>
  call("POST", "/v1/visits", {
    site: SITE,
    guest: { name },
    host: { name: "Host" },
    validFrom: iso(Date.now() - 60_000),
    validUntil: iso(Date.now() + ms),
  });

/** The agent's verdict on the command the control plane published for this visit. */
async function agentReads(visitId: string, index = 0) {
  const payload = await eventually(
    async () => published.get(visitId)?.[index],
    5000,
    `command for ${visitId}`,
  );
  return parseSignedCommand(payload, keys, SITE);
}

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1]).toString("base64");
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
/** An instant in an offset other than Z, as people and other systems send them. */
const withOffset = (ms: number, offsetMinutes: number) => {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const a = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(a / 60)).padStart(2, "0")}:${String(a % 60).padStart(2, "0")}`;
};

const hostileText = fc.constantFrom(
  "Ada Lovelace",
  "Павел Дуров",
  "A\ud800B",
  "\udc00",
  "Zoe\u0308 Mu\u0308ller",
  "  ",
  "Nul\u0000l",
  "tab\tbed",
  "evil\u202Egnp",
  `${"x".repeat(70)} Y`,
  `X ${"y".repeat(70)}`,
  "a".repeat(129),
  `${"A".repeat(64)} ${"B".repeat(63)}`,
  "😀 Emoji",
  "line\nbreak",
);
const text = fc.oneof(
  { weight: 3, arbitrary: hostileText },
  { weight: 2, arbitrary: fc.string({ maxLength: 80 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.string({ minLength: 1, maxLength: 70 }), fc.string({ minLength: 1, maxLength: 70 }))
      .map(([a, b]) => `${a} ${b}`),
  },
);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 });
/** Mostly what people really send, often something else: both doors must be exercised. */
const mostly = <T>(usual: fc.Arbitrary<T>, other: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: usual }, { weight: 1, arbitrary: other });
const realEmail = fc.constantFrom("ada@campus.edu", "p.durov@mail.ru", "zoe+visit@example.org", "x@y.kz");
const realName = fc
  .tuple(
    fc.constantFrom("Ada", "Павел", "Zoë", "Jean-Luc", "Nguyễn Thị", "李", "María José"),
    fc.constantFrom("Lovelace", "Дуров", "Müller", "O'Brien", "Minh Khai", "小龙", ""),
  )
  .map(([g, f]) => `${g} ${f}`.trim());
const weirdTime = fc.constantFrom(
  "tomorrow",
  "2026-02-30T10:00:00Z",
  "0000-01-01T00:00:00Z",
  "1999-12-31T23:59:59Z",
  "2038-01-19T03:14:08Z",
  "9999-12-31T23:59:59Z",
  "2026-12-03T10:00:00",
);
/** Mostly a window a site could allow, sometimes any two times at all. */
const times = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        mostly(fc.integer({ min: -DAY, max: 60 * DAY }), fc.integer({ min: -400 * DAY, max: 400 * DAY })),
        mostly(fc.integer({ min: 3_600_000, max: 30 * DAY }), fc.integer({ min: -DAY, max: 500 * DAY })),
        fc.constantFrom(0, 300, -690, 840),
      )
      .map(([from, length, offset]) => ({
        validFrom: withOffset(Date.now() + from, offset),
        validUntil: withOffset(Date.now() + from + length, offset),
      })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.oneof(weirdTime, fc.string()),
        fc.oneof(
          weirdTime,
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        ),
      )
      .map(([validFrom, validUntil]) => ({ validFrom, validUntil })),
  },
);
const visitRequest = fc
  .record({
    kind: maybe(
      mostly(
        fc.constantFrom("guest", "student", "contractor"),
        fc.oneof(
          fc.constantFrom("toString", "constructor", "__proto__", "GUEST", "visitor"),
          fc.string({ maxLength: 40 }),
        ),
      ),
    ),
    guest: fc.record(
      {
        name: mostly(realName, text),
        email: maybe(mostly(realEmail, fc.oneof(fc.emailAddress(), text))),
        phone: maybe(mostly(fc.stringMatching(/^\+?[0-9][0-9 ]{2,40}$/), text)),
        documentNumber: maybe(mostly(fc.stringMatching(/^[A-Z0-9]{5,12}$/), text)),
        photo: maybe(fc.constantFrom(JPEG, `data:image/jpeg;base64,${JPEG}`, JPEG, "AAAA", "not base64!")),
      },
      { requiredKeys: ["name"] },
    ),
    host: fc.record(
      {
        name: mostly(realName, text),
        email: maybe(mostly(realEmail, fc.oneof(fc.emailAddress(), text))),
        language: maybe(fc.constantFrom("en", "ru", "en", "ru", "de")),
      },
      { requiredKeys: ["name"] },
    ),
    times,
    revokeOnExit: maybe(fc.boolean()),
    note: maybe(mostly(fc.lorem({ maxCount: 20 }), text)),
  })
  .map(({ times, ...rest }) => ({ site: SITE, ...rest, ...times }));

describe("one contract: what the API accepts, the agent accepts", () => {
  it("refuses any visit request naming the field, or turns it into a command the agent's own parser accepts", async () => {
    let accepted = 0;
    let refused = 0;
    const paths = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(visitRequest, async (req) => {
        const r = await call("POST", "/v1/visits", req);
        if (r.status !== 201) {
          expectRefusedNamingAField(r, req);
          refused++;
          for (const e of r.body.errors) paths.set(e.path, (paths.get(e.path) ?? 0) + 1);
          return;
        }
        const read = await agentReads(r.body.id);
        expect(read.kind, `${JSON.stringify(req)}: ${"message" in read ? read.message : ""}`).toBe("command");
        if (read.kind === "command") {
          expect(read.command.type).toBe("grant");
          // What HikCentral will show is what the API answered: normalised, not changed otherwise.
          if (read.command.type === "grant") {
            const p = read.command.payload.person;
            expect(`${p.givenName} ${p.familyName}`.trim()).toBe(r.body.guest.name.split(/\s+/).join(" "));
          }
        }
        accepted++;
      }),
      { numRuns: 300 },
    );
    // Both doors were exercised.
    expect(accepted, `refused by field: ${JSON.stringify([...paths])}`).toBeGreaterThan(30);
    expect(refused).toBeGreaterThan(30);
  });

  it("refuses new visit times naming the field, or sends a validity command the agent accepts", async () => {
    const v = await newVisit("Val Idity", DAY);
    expect(v.status).toBe(201);
    let sent = 1;
    await fc.assert(
      fc.asyncProperty(times, async (t) => {
        const r = await call("PATCH", `/v1/visits/${v.body.id}`, t);
        if (r.status !== 200) return expectRefusedNamingAField(r, t);
        const read = await agentReads(v.body.id, sent++);
        expect(read.kind, `${JSON.stringify(t)}: ${"message" in read ? read.message : ""}`).toBe("command");
        if (read.kind === "command") expect(read.command.type).toBe("validity");
      }),
      { numRuns: 60 },
    );
  });

  const guest = { name: "Kit Kind" };
  const window = () => ({ validFrom: iso(Date.now() - 60_000), validUntil: iso(Date.now() + 3600_000) });

  it("looks kinds up as the site's own: names every object has are not kinds", async () => {
    for (const kind of ["toString", "constructor", "__proto__", "hasOwnProperty", "valueOf"]) {
      const r = await call("POST", "/v1/visits", { site: SITE, kind, guest, host: guest, ...window() });
      expectRefusedNamingAField(r, kind);
      expect(r.body.errors[0].path, kind).toBe("kind");
    }
    // A site may not name a kind so, as a raw JSON key either (`__proto__` would set the prototype).
    const proto = await call(
      "POST",
      "/v1/sites",
      '{"id":"proto","name":"P","kinds":{"__proto__":{"accessGroups":["Visitors"]}}}',
    );
    expectRefusedNamingAField(proto, "__proto__ kinds");
    expect(proto.body.errors[0].path).toBe("kinds.__proto__");
    const ctor = await call("PATCH", `/v1/sites/${SITE}`, {
      kinds: { constructor: { accessGroups: ["X"] } },
    });
    expectRefusedNamingAField(ctor, "constructor kinds");
    expect(ctor.body.errors[0]).toEqual({
      path: "kinds.constructor",
      code: "reserved_name",
      message: "is a reserved name; choose another",
    });
    expect((await stack.api("GET", "/v1/sites/proto")).status).toBe(404);
  });

  it("refuses a name the grant could not carry, and text that cannot be signed, naming the field", async () => {
    const long = await call("POST", "/v1/visits", {
      site: SITE,
      guest: { name: `${"G".repeat(65)} Long` },
      host: guest,
      ...window(),
    });
    expect(long.status).toBe(400);
    expect(long.body.errors).toEqual([
      {
        path: "guest.name",
        code: "given_name_too_long",
        params: { maximum: 64 },
        message:
          "the given name (every word but the last) must be at most 64 characters; HikCentral keeps given and family names apart",
      },
    ]);
    for (const [field, body] of [
      ["guest.name", { guest: { name: "A\ud800B" }, host: guest }],
      ["host.name", { guest, host: { name: "Nul\u0000l" } }],
      ["note", { guest, host: guest, note: "\udfff" }],
      ["guest.documentNumber", { guest: { ...guest, documentNumber: "AB\u0007" }, host: guest }],
    ] as const) {
      const r = await call("POST", "/v1/visits", { site: SITE, ...body, ...window() });
      expectRefusedNamingAField(r, field);
      expect(r.body.errors[0].path).toBe(field);
    }
  });

  it("keeps visit times sane: a year back at most, the site's longest visit, nothing past 2037", async () => {
    const refusedAt = async (t: { validFrom: string; validUntil: string }) => {
      const r = await call("POST", "/v1/visits", { site: SITE, guest, host: guest, ...t });
      expectRefusedNamingAField(r, t);
      return r.body.errors[0];
    };
    expect(
      await refusedAt({ validFrom: iso(Date.now() - 400 * DAY), validUntil: iso(Date.now() + DAY) }),
    ).toEqual({
      path: "validFrom",
      code: "starts_too_early",
      params: { days: 366 },
      message: "must not be more than 366 days ago",
    });
    expect(
      (await refusedAt({ validFrom: iso(Date.now()), validUntil: iso(Date.now() + 401 * DAY) })).message,
    ).toMatch(/allows at most 400 \(its maxVisitDays\)/);
    expect(
      (await refusedAt({ validFrom: iso(Date.now()), validUntil: "2038-01-19T03:14:08Z" })).message,
    ).toMatch(/before 2037-12-31/);
  });

  it("fails a stored command it cannot sign on its own, and the site's grants go on", async () => {
    // A grant stored before its text was checked at the door (an older version): the guest's name holds a
    // lone surrogate, which RFC 8785 cannot canonicalise, so the control plane cannot sign it. It is made
    // here from a good grant's envelope, for a visit the deny list holds (so that it has no grant of its own).
    const template = await stack.api("POST", "/v1/visits", {
      site: stack.siteId,
      guest: { name: "Tem Plate" },
      host: guest,
      ...window(),
    });
    await stack.api("POST", "/v1/deny-list", { field: "name", value: "Old Record", reason: "test" });
    const held = await stack.api("POST", "/v1/visits", {
      site: stack.siteId,
      guest: { name: "Old Record" },
      host: guest,
      ...window(),
    });
    expect(held.body.status).toBe("held");
    const db = stack.controlPlane.db;
    await db.exclusive(async () => {
      const t = await db.read("SELECT envelope FROM commands WHERE visit_id = ?", [template.body.id]);
      const seq = Number(
        (await db.read("SELECT next_seq FROM sites WHERE id = ?", [stack.siteId])).rows[0]!.next_seq,
      );
      const env = JSON.parse(String(t.rows[0]!.envelope));
      const bad = {
        ...env,
        id: randomUUID(),
        seq,
        payload: {
          ...env.payload,
          visitId: held.body.id,
          personCode: held.body.personCode,
          person: { givenName: "Ol\ud800d", familyName: "Record" },
        },
      };
      // JSON.stringify writes the lone surrogate as the escape \ud800: the row holds exactly what was stored.
      await db.writeNow([
        { sql: "UPDATE sites SET next_seq = ? WHERE id = ?", args: [seq + 1, stack.siteId] },
        {
          sql: "INSERT INTO commands (id, site_id, seq, type, visit_id, envelope, created_at) VALUES (?, ?, ?, 'grant', ?, ?, ?)",
          args: [bad.id, stack.siteId, seq, held.body.id, JSON.stringify(bad), new Date().toISOString()],
        },
      ]);
    });
    const next = await stack.api("POST", "/v1/visits", {
      site: stack.siteId,
      guest: { name: "Next Guest" },
      host: guest,
      ...window(),
    });
    const granted = await stack.visitWhen(
      next.body.id,
      (v) => v.access === "granted",
      "the grant after the unsignable one",
      20_000,
    );
    expect(granted.access).toBe("granted");
    const old = (await stack.api("GET", `/v1/visits/${held.body.id}`)).body;
    expect(old.access).toBe("failed");
    expect(old.accessError).toMatch(/^SIGNING_FAILED: the command could not be signed: Lone surrogate/);
    expect(old.commands[0]).toMatchObject({ status: "failed", error: { code: "SIGNING_FAILED" } });
  });
});

describe("status reaches consumers only when it parses", () => {
  it("neither forwards nor retains an agent status that is not JSON, and republishes the checked one", async () => {
    // The site's own agent credentials, from another connection (as a doctor run would log in).
    const impostor = await connectAsync(stack.controlPlane.mqttUrl, {
      username: stack.agentEnv.AGENT_MQTT_USERNAME,
      password: stack.agentEnv.AGENT_MQTT_PASSWORD,
      clientId: `gatehouse-doctor-${stack.siteId}-${randomUUID().slice(0, 8)}`,
      reconnectPeriod: 0,
    });
    clients.push(impostor);
    await impostor.publishAsync(topics.status(stack.siteId), "not json {", { qos: 1, retain: true });
    await impostor.publishAsync(topics.status(stack.siteId), '{"state":"online"}', { qos: 1, retain: true });
    const consumer = await connectAsync(stack.controlPlane.mqttUrl, {
      username: "consumer",
      password: stack.adminToken,
      clientId: `t-${randomUUID()}`,
      reconnectPeriod: 0,
    });
    clients.push(consumer);
    const seen: Array<[string, string]> = [];
    consumer.on("message", (t, p) => seen.push([t, p.toString()]));
    await consumer.subscribeAsync([topics.status(stack.siteId), topics.agentStatus(stack.siteId)], {
      qos: 1,
    });
    await eventually(async () => seen.length >= 2, 5000, "both retained statuses");
    await sleep(300);
    for (const [topic, payload] of seen) {
      const status = JSON.parse(payload);
      expect(status, topic).toMatchObject({ site: stack.siteId, state: "online" });
      expect(status.version, topic).toBeTruthy();
    }
    const metrics = await (await fetch(`${stack.controlPlane.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/gatehouse_mqtt_invalid_messages_total\{topic="status"\} [2-9]/);
  });
});

describe("logins", () => {
  it("logs a refused MQTT login's username only when it does not look like a token", async () => {
    const token = `gh_${randomBytes(18).toString("base64url")}`;
    for (const username of [token, "campus-dashboard"]) {
      await connectAsync(stack.controlPlane.mqttUrl, {
        username,
        password: "wrong",
        clientId: `t-${randomUUID()}`,
        reconnectPeriod: 0,
      }).then(
        (c) => c.end(true),
        () => {},
      );
    }
    const log = await eventually(async () => {
      const text = readFileSync(`test-output/${LOG}.log`, "utf8");
      return text.includes('"username":"campus-dashboard"') ? text : undefined;
    });
    expect(log).not.toContain(token);
    expect(log).toMatch(/"usernameDigest":"[0-9a-f]{16}"/);
  });

  it("believes X-Forwarded-For only from a trusted proxy, and locks only the client behind it", async () => {
    // This stack trusts 127.0.0.1 as its proxy: each forwarded address is a client of its own.
    const viaProxy = (client: string) => ({ "x-forwarded-for": `${client}, 127.0.0.1` });
    for (let i = 0; i < 10; i++)
      await call("GET", "/v1/sites", undefined, {
        authorization: `Bearer gh_guess-${i}`,
        ...viaProxy("198.51.100.7"),
      });
    const fresh = await stack.controlPlane.tokens.create("viewer", "proxied");
    const blocked = await call("GET", "/v1/sites", undefined, {
      authorization: `Bearer ${fresh}`,
      ...viaProxy("198.51.100.7"),
    });
    expect(blocked.status).toBe(429);
    const other = await call("GET", "/v1/sites", undefined, {
      authorization: `Bearer ${fresh}`,
      ...viaProxy("198.51.100.8"),
    });
    expect(other.status).toBe(200);
  });
});

describe("bounded work per request", () => {
  it("refuses a 50 MiB JSON import by its size, before reading it, naming the limit", async () => {
    const body = Buffer.alloc(50 * 1024 * 1024, 0x20);
    body[0] = 0x5b; // "["
    body[body.length - 1] = 0x5d; // "]"
    const started = performance.now();
    const r = await call("POST", `/v1/visits/import?site=${SITE}`, body.toString("latin1")).catch(
      (e: Error) => ({ status: 0, body: { detail: e.message }, headers: new Headers() }),
    );
    expect(r.status).toBe(413);
    expect(r.body.detail).toMatch(/larger than 16 MiB \(16777216 bytes, GATEHOUSE_IMPORT_MAX_BYTES\)/);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe("the site whose visits were refused", () => {
  it("grants the next good visit at once", async () => {
    const r = await newVisit("Good Guest", 3600_000);
    expect(r.status).toBe(201);
    expect((await agentReads(r.body.id)).kind).toBe("command");
  });
});
