import { type Simulator, startSimulator } from "@gatehouse/simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAgentConfig } from "../../config.js";
import { runDoctor } from "../../doctor.js";
import { HikCentralClient } from "./client.js";
import type { HikTlsOptions } from "./tls.js";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ tls: "generate" });
});
afterAll(() => sim.stop());

const version = (tls?: HikTlsOptions) =>
  new HikCentralClient({
    baseUrl: sim.url,
    appKey: sim.appKey,
    appSecret: sim.appSecret,
    contentMd5: true,
    timeoutMs: 3000,
    ratePerSecond: 100,
    retries: 2,
    ...(tls ? { tls } : {}),
  }).version();

describe("trusting HikCentral's self-signed certificate", () => {
  it("refuses it by default, with an error that says how to trust it, and does not retry", async () => {
    const err = await version().catch((e) => e);
    expect(err).toMatchObject({ code: "HIKCENTRAL_TLS", retryable: false });
    expect(err.message).toContain("AGENT_HIKCENTRAL_FINGERPRINT");
  });

  it("trusts it through a CA file holding the certificate", async () => {
    expect(await version({ ca: sim.certificate!.cert })).toMatchObject({ softVersion: "V3.1.1.0" });
  });

  it("trusts exactly the pinned fingerprint, however it is written", async () => {
    const fp = sim.certificate!.fingerprint256;
    expect(await version({ fingerprint256: fp })).toMatchObject({ softVersion: "V3.1.1.0" });
    expect(await version({ fingerprint256: fp.replace(/:/g, "").toLowerCase() })).toBeTruthy();
    const other = `${fp.slice(0, -2)}${fp.endsWith("00") ? "01" : "00"}`;
    const err = await version({ fingerprint256: other }).catch((e) => e);
    expect(err).toMatchObject({ code: "HIKCENTRAL_TLS" });
    expect(err.message).toContain("not the pinned one");
  });

  it("accepts anything only when told to in words that say it is unsafe", async () => {
    expect(await version({ insecureSkipVerify: true })).toBeTruthy();
  });

  it("doctor shows the fingerprint to pin, and passes once it is pinned", async () => {
    const base = {
      AGENT_SITE_ID: "north",
      AGENT_MQTT_URL: "mqtt://127.0.0.1:1",
      AGENT_MQTT_USERNAME: "agent-north",
      AGENT_MQTT_PASSWORD: "x",
      AGENT_COMMAND_PUBLIC_KEY: "ed25519:ZRbRzBFnnfm712ogMMQF3ykUSfCFTq24KS8AGrLLLTU",
      AGENT_HIKCENTRAL_URL: sim.url,
      AGENT_HIKCENTRAL_APP_KEY: sim.appKey,
      AGENT_HIKCENTRAL_APP_SECRET: sim.appSecret,
    };
    const before = await runDoctor(loadAgentConfig(base));
    const tls = before.find((c) => c.name === "tls")!;
    expect(tls.status).toBe("fail");
    expect(tls.fix).toContain(`AGENT_HIKCENTRAL_FINGERPRINT=${sim.certificate!.fingerprint256}`);
    const after = await runDoctor(
      loadAgentConfig({ ...base, AGENT_HIKCENTRAL_FINGERPRINT: sim.certificate!.fingerprint256 }),
    );
    expect(after.find((c) => c.name === "tls")!.status).toBe("pass");
    expect(after.find((c) => c.name === "signature")!.status).toBe("pass");
  });
});
