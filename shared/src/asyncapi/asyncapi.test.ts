import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildAsyncApi, renderAsyncApiYaml } from "./build.js";

describe("asyncapi.yaml", () => {
  it("is what the schemas generate now (run `pnpm asyncapi` when this fails)", () => {
    const onDisk = readFileSync(fileURLToPath(new URL("../../asyncapi.yaml", import.meta.url)), "utf8");
    expect(onDisk).toBe(renderAsyncApiYaml());
    expect(parse(onDisk)).toMatchObject({ asyncapi: "3.0.0", defaultContentType: "application/json" });
  });

  it("documents every topic of the contract with a payload schema", () => {
    const doc = buildAsyncApi() as {
      channels: Record<string, { address: string }>;
      components: { messages: Record<string, { payload: { type?: string; anyOf?: unknown[] } }> };
    };
    const addresses = Object.values(doc.channels).map((c) => c.address);
    expect(addresses).toEqual(
      expect.arrayContaining([
        "gatehouse/v1/sites/{site}/commands",
        "gatehouse/v1/sites/{site}/acks",
        "gatehouse/v1/sites/{site}/events/passage",
        "gatehouse/v1/sites/{site}/status",
        "gatehouse/v1/passages/{site}",
      ]),
    );
    const command = doc.components.messages.Command!.payload;
    expect(command.anyOf ?? (command as { oneOf?: unknown[] }).oneOf).toHaveLength(6);
  });
});
