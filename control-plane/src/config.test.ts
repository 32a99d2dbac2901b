import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadControlPlaneConfig } from "./config.js";

const example = readFileSync(
  fileURLToPath(new URL("../../deploy/config/control-plane.example.yaml", import.meta.url)),
  "utf8",
);

describe("control plane config", () => {
  it("loads the example file with defaults for the rest", () => {
    expect(loadControlPlaneConfig({}, example)).toMatchObject({
      GATEHOUSE_HTTP_PORT: 8080,
      GATEHOUSE_MQTT_PORT: 1883,
    });
    expect(loadControlPlaneConfig({})).toMatchObject({ GATEHOUSE_DB_URL: "file:./data/gatehouse.db" });
  });

  it("names a bad value without echoing a secret", () => {
    const smtp = "smtp://user:hunter2@mail";
    expect(() => loadControlPlaneConfig({ GATEHOUSE_HTTP_PORT: "eighty" })).toThrow(
      /GATEHOUSE_HTTP_PORT: .*"eighty"/,
    );
    try {
      loadControlPlaneConfig({ GATEHOUSE_SMTP_URL: smtp.replace("smtp", "ftp") });
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toMatch(/GATEHOUSE_SMTP_URL: must be smtp:\/\//);
      expect((e as Error).message).not.toContain("hunter2");
    }
  });
});
