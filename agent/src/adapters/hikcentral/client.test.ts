import { type Simulator, startSimulator } from "@gatehouse/simulator";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { HikCentralClient, type HikCentralClientOptions } from "./client.js";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ timeZone: "Asia/Almaty" });
});
afterAll(() => sim.stop());
afterEach(() => {
  sim.faults.set({ rules: [], dropPushRate: 0 });
  sim.faults.calls.clear();
});

const client = (o: Partial<HikCentralClientOptions> = {}) =>
  new HikCentralClient({
    baseUrl: sim.url,
    appKey: sim.appKey,
    appSecret: sim.appSecret,
    contentMd5: true,
    timeoutMs: 2000,
    ratePerSecond: 1000,
    retries: 3,
    ...o,
  });

const person = (code: string) => ({
  personCode: code,
  personGivenName: "Павел",
  personFamilyName: "Дуров",
  orgIndexCode: "65",
  beginTime: "2025-10-03T09:00:00+05:00",
  endTime: "2025-10-03T18:00:00+05:00",
});

describe("HikCentral client against the simulator", () => {
  it("talks to a gateway that verifies every signature, with and without Content-MD5", async () => {
    expect(await client().version()).toMatchObject({ softVersion: "V3.1.1.0" });
    expect(await client({ contentMd5: false }).version()).toMatchObject({
      produceName: "HikCentral Professional",
    });
  });

  it("turns a wrong secret into HIKCENTRAL_SIGNATURE, which is not retried", async () => {
    const err = await client({ appSecret: "wrong-secret-0000000" })
      .version()
      .catch((e) => e);
    expect(err).toMatchObject({ code: "HIKCENTRAL_SIGNATURE", retryable: false });
    expect(err.message).toContain("Invalid Signature");
    expect(err.message).not.toContain("wrong-secret");
    expect(sim.faults.calls.get("common/v1/version")).toBeUndefined(); // refused at the gateway
  });

  it("creates, finds and round-trips a Cyrillic person, and answers undefined for an unknown code", async () => {
    const c = client();
    const id = await c.addPerson(person("GHCLIENT1"));
    const found = await c.personByCode("GHCLIENT1");
    expect(found).toMatchObject({
      personId: id,
      personName: "Павел Дуров",
      endTime: "2025-10-03T18:00:00+05:00",
    });
    expect(await c.personByCode("GHNOBODY")).toBeUndefined();
  });

  it("reads the new personId whether HCP answers it as a string or as {personId}", async () => {
    const other = await startSimulator({ addPersonData: "object", personNotFound: "code-2" });
    try {
      const c = new HikCentralClient({
        baseUrl: other.url,
        appKey: other.appKey,
        appSecret: other.appSecret,
        contentMd5: false,
        timeoutMs: 2000,
        ratePerSecond: 100,
        retries: 0,
      });
      const id = await c.addPerson(person("GHSHAPE01"));
      expect(id).toBe(other.state.personByCode("GHSHAPE01")!.personId);
      // This simulator answers an unknown code with code 2 naming the field: still "no such person".
      expect(await c.personByCode("GHNOBODY")).toBeUndefined();
      expect(await c.personById("424242")).toBeUndefined();
    } finally {
      await other.stop();
    }
  });

  it("maps code 2 to a permanent error naming the field", async () => {
    const err = await client()
      .addPerson({ ...person("GHCLIENT2"), beginTime: "2025-10-03T09:00:00Z" })
      .catch((e) => e);
    expect(err).toMatchObject({
      code: "HIKCENTRAL_PARAMETER",
      retryable: false,
      details: { field: "beginTime" },
    });
  });

  it("maps codes 8 and 17 to permanent errors that say what to fix", async () => {
    sim.faults.set({
      rules: [{ path: "acs/v1/privilege/group", error: { code: "17" }, rate: 1 }],
      dropPushRate: 0,
    });
    const e17 = await client()
      .privilegeGroups()
      .catch((e) => e);
    expect(e17).toMatchObject({ code: "HIKCENTRAL_NO_PERMISSION", retryable: false });
    expect(e17.message).toContain("Partner Management");
    expect(sim.faults.calls.get("acs/v1/privilege/group")).toBe(1);
    const e8 = await client()
      .call("resource/v1/no/such/api", {})
      .catch((e) => e);
    expect(e8).toMatchObject({ code: "HIKCENTRAL_NOT_SUPPORTED", retryable: false });
  });

  it("retries 5xx and 429 with backoff and succeeds when HikCentral recovers", async () => {
    sim.faults.set({
      rules: [
        { path: "common/v1/version", error: { http: 503 }, rate: 1, times: 2 },
        { path: "resource/v1/acsDoor/acsDoorList", error: { http: 429 }, rate: 1, times: 1 },
      ],
      dropPushRate: 0,
    });
    expect(await client().version()).toMatchObject({ softVersion: "V3.1.1.0" });
    expect(sim.faults.calls.get("common/v1/version")).toBe(3);
    expect((await client().doors()).map((d) => d.doorName)).toContain("Turnstile Entry");
    expect(sim.faults.calls.get("resource/v1/acsDoor/acsDoorList")).toBe(2);
  });

  it("gives up after its retries with a retryable HIKCENTRAL_UNAVAILABLE (no retry storm)", async () => {
    sim.faults.set({
      rules: [{ path: "common/v1/version", error: { http: 500 }, rate: 1 }],
      dropPushRate: 0,
    });
    const err = await client({ retries: 2 })
      .version()
      .catch((e) => e);
    expect(err).toMatchObject({ code: "HIKCENTRAL_UNAVAILABLE", retryable: true });
    expect(sim.faults.calls.get("common/v1/version")).toBe(3);
  });

  it("retries a connection reset and HikCentral's database error (code 5)", async () => {
    sim.faults.set({
      rules: [
        { path: "common/v1/version", error: "reset", times: 1 },
        { path: "resource/v1/org/orgList", error: { code: "5" }, times: 1 },
      ],
    });
    expect(await client().version()).toMatchObject({ softVersion: "V3.1.1.0" });
    expect(sim.faults.calls.get("common/v1/version")).toBe(2);
    expect((await client().orgs()).map((o) => o.orgIndexCode)).toContain("65");
    expect(sim.faults.calls.get("resource/v1/org/orgList")).toBe(2);
  });

  it("maps code 64 to a permanent authentication error that mentions the clock", async () => {
    sim.faults.set({ rules: [{ path: "common/v1/version", error: { code: "64" } }] });
    const err = await client()
      .version()
      .catch((e) => e);
    expect(err).toMatchObject({ code: "HIKCENTRAL_AUTH", retryable: false });
    expect(err.message).toMatch(/clock/);
    expect(sim.faults.calls.get("common/v1/version")).toBe(1);
  });

  it("times out a call that hangs", async () => {
    sim.faults.set({ rules: [{ path: "common/v1/version", error: "timeout", rate: 1 }], dropPushRate: 0 });
    const err = await client({ retries: 0, timeoutMs: 300 })
      .version()
      .catch((e) => e);
    expect(err).toMatchObject({ code: "HIKCENTRAL_UNAVAILABLE", retryable: true });
    expect(err.message).toContain("300 ms");
  });

  it("subscribes, shows and unsubscribes access events", async () => {
    const c = client();
    await c.subscribeEvents([196893, 197151], "http://127.0.0.1:9/hikcentral/events/t", "t");
    expect(await c.subscriptions()).toContainEqual(
      expect.objectContaining({
        eventDest: "http://127.0.0.1:9/hikcentral/events/t",
        eventTypes: [196893, 197151],
      }),
    );
    await c.unsubscribeEvents([196893, 197151]);
    expect(await c.subscriptions()).toEqual([]);
  });

  it("reads an empty page whose list HCP leaves out", async () => {
    const r = await client().call(
      "acs/v1/privilege/group",
      { pageNo: 1, pageSize: 10, type: 2 },
      z.unknown(),
    );
    expect(r).toEqual({ total: 0, pageNo: 1, pageSize: 10 });
    expect(await client().privilegeGroups(2)).toEqual([]);
  });

  it("lists persons and an access level's members, and deletes a person", async () => {
    const c = client();
    const id = await c.addPerson(person("GHCLIENT4"));
    await c.addToGroup("9", [id]);
    const all = await c.persons(1);
    expect(all.list.map((p) => p.personCode)).toContain("GHCLIENT4");
    expect((await c.groupMembers("9", 1)).list).toEqual([id]);
    await c.deletePerson(id);
    expect(await c.personById(id)).toBeUndefined();
    expect((await c.groupMembers("9", 1)).list).toEqual([]);
  });

  it("fetches an event picture through HikCentral's redirect", async () => {
    const c = client();
    await c.addPerson(person("GHCLIENT5"));
    const res = await fetch(`${sim.url}/_sim/passages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ personCode: "GHCLIENT5", result: "granted" }),
    });
    expect(res.status).toBe(201);
    const event = sim.state.events.at(-1)!;
    const pic = await c.eventPicture(event.picUri!);
    expect(pic.contentType).toBe("image/jpeg");
    expect([...pic.bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    await expect(c.eventPicture("/pic?nope")).rejects.toMatchObject({ code: "HIKCENTRAL_PARAMETER" });
  });

  it("manages access-level membership and re-applies authorization", async () => {
    const c = client();
    const id = await c.addPerson(person("GHCLIENT3"));
    await c.addToGroup("8", [id]);
    expect(sim.state.groups.get("8")!.members.has(id)).toBe(true);
    expect(sim.state.persons.get(id)!.pendingDownload).toBe(true);
    await c.reapply([id]);
    expect(sim.state.persons.get(id)!.pendingDownload).toBe(false);
    await c.removeFromGroup("8", [id]);
    expect(sim.state.groups.get("8")!.members.has(id)).toBe(false);
  });
});
