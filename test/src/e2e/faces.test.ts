import { randomBytes } from "node:crypto";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../stack.js";
import { tempDir, testLogger } from "../support.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    dataDir: tempDir("faces"),
    adminToken: `gh_test_${randomBytes(18).toString("base64url")}`,
    log: testLogger("faces"),
    agentEnv: { AGENT_FACE_ONLY: "true" },
  });
});
afterAll(() => stack?.stop());
afterEach(() => stack.simulator.faults.set({}));

/** A phone photo, noisy like a real one (a few MB): HikCentral refuses it (code 128) unless the agent scales it. */
let photo: string | undefined;
const phonePhoto = async () => {
  photo ??= (
    await sharp({
      create: {
        width: 1536,
        height: 2048,
        channels: 3,
        background: "#b08a70",
        noise: { type: "gaussian", mean: 128, sigma: 40 },
      },
    })
      .jpeg({ quality: 92 })
      .toBuffer()
  ).toString("base64");
  return photo;
};

async function visitWith(guest: Record<string, unknown>) {
  const r = await stack.api("POST", "/v1/visits", {
    site: stack.siteId,
    kind: "guest",
    guest,
    host: { name: "Host" },
    validFrom: new Date(Date.now() - 60_000).toISOString(),
    validUntil: new Date(Date.now() + 3600_000).toISOString(),
  });
  expect(r.status).toBe(201);
  return r.body;
}

const settled = (id: string) => stack.visitWhen(id, (v) => v.access !== "pending", "grant settled");

describe("faces on a face-only site", () => {
  it("scales a phone photo, uploads it with face/update, confirms picUri, then grants", async () => {
    const v = await visitWith({ name: "Face Guest", photo: `data:image/jpeg;base64,${await phonePhoto()}` });
    const done = await settled(v.id);
    expect(done.access).toBe("granted");
    const person = stack.simulator.state.personByCode(v.personCode)!;
    expect(person.picUri).toMatch(/^\/pic\?face=/);
    expect(stack.simulator.faults.calls.get("resource/v1/person/face/update")).toBeGreaterThanOrEqual(1);
    // The control plane keeps no copy of the photo once the grant is final.
    const stored = await stack.controlPlane.db.read("SELECT envelope FROM commands WHERE visit_id = ?", [
      v.id,
    ]);
    expect(String(stored.rows[0]!.envelope)).not.toContain("jpegBase64");
  });

  it("fails the grant with FACE_REJECTED when HikCentral silently drops the photo", async () => {
    stack.simulator.faults.set({ dropFaces: true });
    const v = await visitWith({ name: "Dropped Face", photo: await phonePhoto() });
    const done = await settled(v.id);
    expect(done.access).toBe("failed");
    expect(done.commands[0].error.code).toBe("FACE_REJECTED");
    expect(done.accessError).toContain("picUri");
    const person = stack.simulator.state.personByCode(v.personCode)!;
    expect(stack.simulator.state.groupsOf(person.personId)).toHaveLength(0);
  });

  it("fails the grant with FACE_REJECTED on HikCentral's code 128, without retrying it", async () => {
    stack.simulator.faults.set({
      rules: [{ path: "resource/v1/person/face/update", error: { code: "128" } }],
    });
    const before = stack.simulator.faults.calls.get("resource/v1/person/face/update") ?? 0;
    const v = await visitWith({ name: "Refused Face", photo: await phonePhoto() });
    const done = await settled(v.id);
    expect(done.commands[0].error).toMatchObject({ code: "FACE_REJECTED" });
    expect(stack.simulator.faults.calls.get("resource/v1/person/face/update")).toBe(before + 1);
  });

  it("fails a grant without a photo at a face-only site", async () => {
    const v = await visitWith({ name: "No Photo" });
    const done = await settled(v.id);
    expect(done).toMatchObject({ access: "failed" });
    expect(done.commands[0].error.code).toBe("FACE_REQUIRED");
  });

  it("takes a multi-megabyte photo, and refuses a body over 8 MiB with a problem", async () => {
    expect(Buffer.from(await phonePhoto(), "base64").length).toBeGreaterThan(1024 * 1024);
    const res = await fetch(`${stack.controlPlane.httpUrl}/v1/visits`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({
        site: stack.siteId,
        guest: { name: "Huge", photo: "A".repeat(9 * 1024 * 1024) },
      }),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
  });

  it("refuses a photo that is not a JPEG, naming the field", async () => {
    const png = (
      await sharp({ create: { width: 600, height: 600, channels: 3, background: "#fff" } })
        .png()
        .toBuffer()
    ).toString("base64");
    const r = await stack.api("POST", "/v1/visits", {
      site: stack.siteId,
      guest: { name: "PNG Guest", photo: png },
      host: { name: "Host" },
      validFrom: new Date().toISOString(),
      validUntil: new Date(Date.now() + 3600_000).toISOString(),
    });
    expect(r.status).toBe(400);
    expect(r.body.errors).toContainEqual({
      path: "guest.photo",
      code: "not_jpeg",
      message: "must be a JPEG photo",
    });
  });
});
