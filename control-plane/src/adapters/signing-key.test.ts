import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { verifyCommandSignature } from "@gatehouse/shared";
import { describe, expect, it } from "vitest";
import { loadCommandKeys, promoteNextKey, stageNextKey } from "./signing-key.js";

const cmd = { id: "c", site: "north", seq: 1, type: "sync", payload: { reason: "test" } };

describe("command signing keys on disk", () => {
  it("creates the key once, readable by its owner only, and keeps it across starts", () => {
    const file = join(mkdtempSync(join(tmpdir(), "gh-keys-")), "sub", "signing.pem");
    const first = loadCommandKeys(file);
    expect(first.created).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = loadCommandKeys(file);
    expect(again.created).toBe(false);
    expect(again.signer.keyId).toBe(first.signer.keyId);
    expect(again.agentSetting).toBe(first.signer.text);
  });

  it("rotates: stage (agents trust both), promote (the new key signs), old commands no longer verify", () => {
    const file = join(mkdtempSync(join(tmpdir(), "gh-keys-")), "signing.pem");
    const old = loadCommandKeys(file).signer;
    const staged = stageNextKey(file);
    expect(staged.signer.keyId).toBe(old.keyId); // still signing with the old key
    expect(staged.trusted).toHaveLength(2);
    expect(stageNextKey(file).agentSetting).toBe(staged.agentSetting); // staging twice keeps the same next key
    const next = staged.trusted[1]!;
    const bothTrusted = staged.trusted;

    const { retired, keys } = promoteNextKey(file, new Date("2026-11-23T10:00:00Z"));
    expect(keys.signer.keyId).toBe(next.keyId);
    expect(keys.trusted).toHaveLength(1);
    expect(existsSync(retired)).toBe(true);
    expect(readdirSync(join(file, ".."))).not.toContain("signing.pem.next");
    // During the changeover an agent with both keys accepts either signer; afterwards only the new one.
    expect(verifyCommandSignature(old.sign(cmd), bothTrusted).ok).toBe(true);
    expect(verifyCommandSignature(keys.signer.sign(cmd), bothTrusted).ok).toBe(true);
    expect(verifyCommandSignature(old.sign(cmd), keys.trusted).ok).toBe(false);
    expect(() => promoteNextKey(file)).toThrow(/no key is staged/);
  });

  it("names the file, never its contents, when the key is unusable", () => {
    const file = join(mkdtempSync(join(tmpdir(), "gh-keys-")), "signing.pem");
    writeFileSync(file, "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWJ1dC1icm9rZW4=\n-----END PRIVATE KEY-----\n");
    expect(() => loadCommandKeys(file)).toThrow(new RegExp(`${file} is not an Ed25519 private key`));
    try {
      loadCommandKeys(file);
    } catch (e) {
      expect((e as Error).message).not.toContain("c2VjcmV0");
    }
    expect(readFileSync(file, "utf8")).toContain("c2VjcmV0"); // untouched
  });
});
