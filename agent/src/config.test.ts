import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConfigError, loadAgentConfig } from "./config.js";

const example = readFileSync(
  fileURLToPath(new URL("../../deploy/config/agent.example.yaml", import.meta.url)),
  "utf8",
);
const secrets = { AGENT_MQTT_PASSWORD: "mqtt-pass-123", AGENT_HIKCENTRAL_APP_SECRET: "app-secret-456" };

describe("agent config", () => {
  it("loads the example file, with secrets from the environment", () => {
    const c = loadAgentConfig(secrets, example);
    expect(c).toMatchObject({
      AGENT_SITE_ID: "north-campus",
      AGENT_HIKCENTRAL_APP_KEY: "34489509",
      AGENT_DOOR_DIRECTIONS: { "1": "entry", "2": "exit", "3": "entry", "4": "exit" },
      AGENT_HTTP_PORT: 9100,
    });
  });

  it("reads a secret from a *_FILE path", () => {
    const c = loadAgentConfig(
      { AGENT_MQTT_PASSWORD_FILE: "/run/creds/mqtt", AGENT_HIKCENTRAL_APP_SECRET: "s" },
      example,
      (p) => (p === "/run/creds/mqtt" ? "from-file\n" : ""),
    );
    expect(c.AGENT_MQTT_PASSWORD).toBe("from-file");
  });

  it("names each bad key and its problem, and never prints a secret", () => {
    let err: ConfigError | undefined;
    try {
      loadAgentConfig(
        {
          ...secrets,
          AGENT_TIME_ZONE: "Mars/Olympus",
          AGENT_DOOR_DIRECTIONS: "1:up",
          AGENT_MQTT_URL: "http://x",
          AGENT_COMMAND_PUBLIC_KEY: "ed25519:abc",
        },
        example,
      );
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.message).toMatch(/AGENT_TIME_ZONE: must be an IANA time zone.*Mars\/Olympus/);
    expect(err!.message).toMatch(/AGENT_DOOR_DIRECTIONS: '1:up' is not door:entry or door:exit/);
    expect(err!.message).toMatch(/AGENT_MQTT_URL: must be mqtt:\/\//);
    expect(err!.message).toMatch(/AGENT_COMMAND_PUBLIC_KEY: 'ed25519:abc' is not ed25519:<43 base64url/);
    expect(err!.message).not.toContain("mqtt-pass-123");
    expect(err!.message).not.toContain("app-secret-456");
  });

  it("says which required key is missing", () => {
    expect(() => loadAgentConfig({}, undefined)).toThrow(
      /AGENT_SITE_ID: is required \(not set\); example: north-campus/,
    );
  });

  it("takes terminals as a YAML list; isapi mode needs no HikCentral but at least one terminal", () => {
    const base = `AGENT_SITE_ID: north
AGENT_MQTT_URL: mqtt://broker:1883
AGENT_MQTT_USERNAME: agent-north
AGENT_MQTT_PASSWORD: x
AGENT_COMMAND_PUBLIC_KEY: "ed25519:11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
`;
    const c = loadAgentConfig(
      {},
      `${base}AGENT_MODE: isapi
AGENT_TERMINALS:
  - id: gate-1
    url: https://10.20.0.21
    passwordFile: /etc/gatehouse/credentials/gate-1
    accessGroups: [Visitors]
`,
    );
    expect(c.AGENT_TERMINALS).toEqual([
      expect.objectContaining({
        id: "gate-1",
        username: "admin",
        doors: { "1": "entry", "2": "exit" },
        push: false,
      }),
    ]);
    expect(() => loadAgentConfig({}, `${base}AGENT_MODE: isapi\n`)).toThrow(
      /AGENT_TERMINALS: AGENT_MODE isapi needs at least one terminal/,
    );
    expect(() => loadAgentConfig({}, base)).toThrow(/AGENT_HIKCENTRAL_URL: is required/);
    expect(() =>
      loadAgentConfig(
        {},
        `${base}AGENT_MODE: isapi\nAGENT_TERMINALS: [{ id: a, url: "http://x", passwordFile: /p }, { id: a, url: "http://y", passwordFile: /p }]\n`,
      ),
    ).toThrow(/terminal ids must be unique/);
  });
});
