import { SimTerminal, type TerminalOptions } from "@gatehouse/simulator";
import sharp from "sharp";
import { afterEach, describe, expect, it } from "vitest";
import { IsapiClient } from "./client.js";
import { TerminalGateway } from "./terminal-gateway.js";

const ZONE = "Asia/Almaty";
const terminals: SimTerminal[] = [];
afterEach(async () => {
  for (const t of terminals.splice(0)) await t.stop();
});

async function gateway(opts: Partial<TerminalOptions> = {}) {
  const t = new SimTerminal({ id: "gate-1", timeZone: ZONE, ...opts });
  await t.start();
  terminals.push(t);
  const client = new IsapiClient({
    id: t.opts.id,
    baseUrl: t.url,
    credentials: { username: t.username, password: t.password },
    timeoutMs: 2000,
    refusedLogins: { refused: async () => false, noteRefused: async () => {} },
  });
  return { t, g: new TerminalGateway(client, ZONE) };
}

const visitor = (employeeNo: string, hours = 2) => ({
  employeeNo,
  name: `Guest ${employeeNo}`,
  validFrom: new Date(Date.now() - 3600_000),
  validUntil: new Date(Date.now() + hours * 3600_000),
  doors: [1, 2],
});

describe("TerminalGateway", () => {
  for (const supportsSetUp of [true, false]) {
    it(`writes a visitor with its local-time window and door rights (${supportsSetUp ? "SetUp" : "Record, then Modify"})`, async () => {
      const { t, g } = await gateway({ supportsSetUp });
      await g.upsertPerson(visitor("GH1"));
      // One window for the write and the check: two calls of Date.now() may fall in different seconds.
      const renamed = { ...visitor("GH1", 5), name: "Renamed" };
      await g.upsertPerson(renamed);
      const u = t.users.get("GH1")!;
      expect(u).toMatchObject({ name: "Renamed", userType: "visitor", doorRight: "1,2" });
      expect(u.RightPlan).toEqual([
        { doorNo: 1, planTemplateNo: "1" },
        { doorNo: 2, planTemplateNo: "1" },
      ]);
      expect(u.Valid.endTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
      expect(u.Valid.endTime).toBe(t.localTime(renamed.validUntil));
      expect(t.calls.get("/ISAPI/AccessControl/UserInfo/Modify") ?? 0).toBe(supportsSetUp ? 0 : 1);
    });
  }

  it("pages through persons 30 at a time until OK, and finds none with NO MATCH", async () => {
    const { g } = await gateway();
    expect(await g.findPersons()).toEqual([]);
    for (let i = 0; i < 70; i++) await g.upsertPerson(visitor(`GH${String(i).padStart(3, "0")}`));
    const all = await g.findPersons();
    expect(all).toHaveLength(70);
    expect(new Set(all.map((p) => p.employeeNo)).size).toBe(70);
    const one = await g.findPersons(["GH007"]);
    expect(one).toHaveLength(1);
    expect(one[0]).toMatchObject({ employeeNo: "GH007", doors: [1, 2], userType: "visitor" });
    expect(Math.abs(one[0]!.validUntil!.getTime() - visitor("x").validUntil.getTime())).toBeLessThan(2000);
  });

  it("revokes by ending the validity and taking the doors, and deletes with the progress polled", async () => {
    const { t, g } = await gateway();
    await g.upsertPerson(visitor("GH1"));
    await g.revokePerson("GH1");
    expect(t.users.get("GH1")).toMatchObject({ doorRight: "", RightPlan: [] });
    await g.deletePersons(["GH1"], { pollMs: 10 });
    expect(t.users.has("GH1")).toBe(false);
    expect(t.calls.get("/ISAPI/AccessControl/UserInfoDetail/DeleteProcess")).toBeGreaterThanOrEqual(3);
    await g.upsertPerson(visitor("GH2"));
    t.setDeleteOutcome("failed");
    await expect(g.deletePersons(["GH2"], { pollMs: 10 })).rejects.toMatchObject({
      code: "ISAPI_DELETE_FAILED",
      retryable: true,
    });
  });

  it("enrols a face by multipart, and turns a picture the terminal refuses into FACE_REJECTED", async () => {
    const { t, g } = await gateway();
    await g.upsertPerson(visitor("GH1"));
    const face = await sharp({ create: { width: 400, height: 500, channels: 3, background: "#a0806a" } })
      .jpeg()
      .toBuffer();
    await g.uploadFace("GH1", face);
    expect(t.faces.get("GH1")?.length).toBe(face.length);
    expect(t.users.get("GH1")?.numOfFace).toBe(1);
    const tiny = await sharp({ create: { width: 40, height: 40, channels: 3, background: "#000" } })
      .jpeg()
      .toBuffer();
    await expect(g.uploadFace("GH1", tiny, true)).rejects.toMatchObject({
      code: "FACE_REJECTED",
      retryable: false,
    });
    await expect(g.uploadFace("NOBODY", face)).rejects.toMatchObject({ code: "ISAPI_PERSON_NOT_FOUND" });
  });

  it("opens and locks doors, and reads the device and its clock", async () => {
    const { t, g } = await gateway();
    await g.door(1, "open");
    await g.door(2, "always_closed");
    expect(t.doorCommands).toEqual([
      { door: 1, cmd: "open" },
      { door: 2, cmd: "alwaysClose" },
    ]);
    await expect(g.door(3, "open")).rejects.toMatchObject({ code: "ISAPI_INVALID_CONTENT" });
    expect(await g.deviceInfo()).toMatchObject({ model: "DS-K1T671M", serialNumber: t.serialNumber });
    const clock = await g.clockSkewMs();
    expect(Math.abs(clock.skewMs)).toBeLessThan(1500);
    expect(clock.terminalTime).toMatch(/\+05:00$/);
  });
});
