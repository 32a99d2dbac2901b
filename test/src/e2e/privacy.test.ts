import { randomBytes } from "node:crypto";
import type { Database } from "@gatehouse/shared/db";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../stack.js";
import { eventually, tempDir, testLogger } from "../support.js";

/** Retention of about two seconds, so that the erasure of a closed visit can be watched. */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    dataDir: tempDir("privacy"),
    adminToken: `gh_test_${randomBytes(18).toString("base64url")}`,
    log: testLogger("privacy"),
    controlPlaneEnv: { GATEHOUSE_RETENTION_DAYS: String(2 / 86_400), GATEHOUSE_SCHEDULER_SECONDS: "0.25" },
  });
});
afterAll(() => stack?.stop());

/** Every text value in every table of a database, to search for what must not be there. */
async function everyText(db: Database): Promise<string> {
  const tables = await db.read("SELECT name FROM sqlite_master WHERE type = 'table'");
  const out: string[] = [];
  for (const t of tables.rows) {
    const rows = await db.read(`SELECT * FROM "${String(t.name)}"`);
    for (const row of rows.rows) out.push(JSON.stringify(row));
  }
  return out.join("\n");
}

describe("guests' personal data", () => {
  it("keeps no photo after the grant, and erases name and contacts a retention period after the visit closed", async () => {
    const photo = (
      await sharp({ create: { width: 480, height: 640, channels: 3, background: "#a07860" } })
        .jpeg({ quality: 85 })
        .toBuffer()
    ).toString("base64");
    const guest = {
      name: "Priya Privacy-Test",
      email: "priya.private@guest.test",
      phone: "+7 701 555 0199",
      photo,
    };
    const created = await stack.api("POST", "/v1/visits", {
      site: stack.siteId,
      guest,
      host: { name: "Host", email: "host@demo.test" },
      note: "visa number 12345",
      validFrom: new Date(Date.now() - 60_000).toISOString(),
      validUntil: new Date(Date.now() + 3600_000).toISOString(),
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await eventually(
      async () => (await stack.api("GET", `/v1/visits/${id}`)).body.access === "granted",
      15_000,
      "granted",
    );
    expect(stack.simulator.state.personByCode(created.body.personCode)?.picUri).toBeTruthy();
    // HikCentral has the face; neither the control plane nor the agent keeps the photo.
    const probe = photo.slice(200, 260);
    expect(await everyText(stack.controlPlane.db)).not.toContain(probe);
    expect(await everyText(stack.agent.store.db)).not.toContain(probe);

    expect((await stack.api("POST", `/v1/visits/${id}/checkout`)).status).toBe(200);
    const erased = await eventually(
      async () => {
        const v = (await stack.api("GET", `/v1/visits/${id}`)).body;
        return v.guest.name === "(erased)" ? v : undefined;
      },
      15_000,
      "erasure",
    );
    expect(erased.access).toBe("revoked");
    expect(erased.guest.email ?? null).toBeNull();
    expect(erased.guest.phone ?? null).toBeNull();
    expect(erased.note ?? null).toBeNull();
    const all = await everyText(stack.controlPlane.db);
    for (const secret of [guest.name, "Priya", guest.email, guest.phone, "visa number"])
      expect(all, `'${secret}' is still stored`).not.toContain(secret);
    // What is not personal stays: the visit, its counts and its commands.
    expect(erased.personCode).toBe(created.body.personCode);
    expect(erased.commands.map((c: { type: string }) => c.type)).toEqual(["grant", "revoke"]);
  });

  it("leaves open visits alone", async () => {
    const open = await stack.api("POST", "/v1/visits", {
      site: stack.siteId,
      guest: { name: "Still Here", email: "still@guest.test" },
      host: { name: "Host" },
      validFrom: new Date(Date.now() - 60_000).toISOString(),
      validUntil: new Date(Date.now() + 3600_000).toISOString(),
    });
    await new Promise((r) => setTimeout(r, 3000));
    const v = (await stack.api("GET", `/v1/visits/${open.body.id}`)).body;
    expect(v.guest).toMatchObject({ name: "Still Here", email: "still@guest.test" });
  });

  it("exports visits as CSV to admins only, with formula cells defused", async () => {
    const evil = await stack.api("POST", "/v1/visits", {
      site: stack.siteId,
      guest: { name: '=HYPERLINK("http://evil.test","click")' },
      host: { name: "Host" },
      validFrom: new Date(Date.now() - 60_000).toISOString(),
      validUntil: new Date(Date.now() + 3600_000).toISOString(),
    });
    expect(evil.status).toBe(201);
    const exportAs = (token: string) =>
      fetch(`${stack.controlPlane.httpUrl}/v1/exports/visits.csv?site=${stack.siteId}`, {
        headers: { authorization: `Bearer ${token}` },
      });
    for (const role of ["operator", "viewer"] as const) {
      const r = await exportAs(await stack.controlPlane.tokens.create(role, `export-${role}`));
      expect(r.status).toBe(403);
      expect(await r.text()).not.toContain("HYPERLINK");
    }
    const r = await exportAs(stack.adminToken);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toContain("text/csv");
    const lines = (await r.text()).trim().split("\r\n");
    expect(lines[0]).toMatch(/^"id","site","kind","status"/);
    const row = lines.find((l) => l.includes(evil.body.id))!;
    expect(row).toContain(`"'=HYPERLINK(""http://evil.test"",""click"")"`);
    expect(lines.some((l) => l.includes("Still Here"))).toBe(true);
  });
});
