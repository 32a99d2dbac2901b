import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import createClient from "openapi-fetch";
import openapiTS, { astToString } from "openapi-typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { paths } from "../api-client/gatehouse-api.js";
import { type Stack, startStack } from "../stack.js";
import { tempDir, testLogger } from "../support.js";

const run = promisify(execFile);
const CLIENT = join(import.meta.dirname, "..", "api-client", "gatehouse-api.ts");

let stack: Stack;
let doc: any;

beforeAll(async () => {
  stack = await startStack({
    dataDir: tempDir("openapi-clients"),
    adminToken: `gh_test_${randomBytes(18).toString("base64url")}`,
    log: testLogger("openapi-clients"),
  });
  doc = await (await fetch(`${stack.controlPlane.httpUrl}/openapi.json`)).json();
});
afterAll(() => stack?.stop());

/** What client generators and linters make of /openapi.json: Redocly's recommended rules, openapi-typescript. */
describe("/openapi.json for client generators", () => {
  it("passes Redocly's recommended rules with no error and no warning", async () => {
    const file = join(tempDir("openapi-lint"), "openapi.json");
    writeFileSync(file, JSON.stringify(doc));
    const redocly = join("node_modules", ".bin", "redocly");
    const out = await run(redocly, ["lint", file, "--extends=recommended", "--format=json"], {
      cwd: join(import.meta.dirname, "..", ".."),
      maxBuffer: 16 * 1024 * 1024,
    }).catch((e: { stdout?: string; stderr?: string }) => ({
      stdout: e.stdout ?? "",
      stderr: e.stderr ?? "",
    }));
    const report = JSON.parse(out.stdout) as {
      totals: { errors: number; warnings: number };
      problems: Array<{ ruleId: string; message: string }>;
    };
    expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    // What a generator names its methods by: one stable verb-noun id per operation, each its own.
    const ids = Object.values(doc.paths).flatMap((ops: any) =>
      Object.values(ops).map((o: any) => o.operationId),
    );
    expect(ids.every((id) => typeof id === "string" && /^[a-z]+[A-Z][A-Za-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.servers).toEqual([{ url: stack.controlPlane.httpUrl, description: "This control plane" }]);
  });

  it("generates a TypeScript client (openapi-typescript) that is the one kept in the repository", async () => {
    const generated = astToString(await openapiTS(doc));
    // The kept client is what tsc checks the calls below against; regenerate it when the API changes.
    if (process.env.GATEHOUSE_WRITE_CLIENT === "1") writeFileSync(CLIENT, generated);
    expect(
      generated,
      "run GATEHOUSE_WRITE_CLIENT=1 npx vitest run test/src/e2e/openapi-clients.test.ts",
    ).toBe(readFileSync(CLIENT, "utf8"));
  });

  it("calls the API through the generated client (openapi-fetch), typed end to end", async () => {
    const api = createClient<paths>({
      baseUrl: stack.controlPlane.httpUrl,
      headers: { authorization: `Bearer ${stack.adminToken}` },
    });
    const site = await api.GET("/v1/sites/{id}", { params: { path: { id: stack.siteId } } });
    expect(site.data?.timeZone).toBe("Asia/Almaty");
    const created = await api.POST("/v1/visits", {
      body: {
        site: stack.siteId,
        kind: "guest",
        guest: { name: "Typed Client" },
        host: { name: "Host" },
        validFrom: new Date().toISOString(),
        validUntil: new Date(Date.now() + 3600_000).toISOString(),
      },
    });
    expect(created.response.status).toBe(201);
    expect(created.data?.guest.name).toBe("Typed Client");
    const refused = await api.POST("/v1/visits", {
      body: {
        site: stack.siteId,
        kind: "guest",
        guest: { name: "Typed Client", email: "not-an-email" },
        host: { name: "Host" },
        validFrom: new Date().toISOString(),
        validUntil: new Date(Date.now() + 3600_000).toISOString(),
      },
    });
    expect(refused.error?.errors).toContainEqual(
      expect.objectContaining({ path: "guest.email", code: "invalid_email" }),
    );
  });
});
