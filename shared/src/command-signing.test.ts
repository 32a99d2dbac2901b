import { createPrivateKey, generateKeyPairSync, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  generateSigningKeyPem,
  parsePublicKey,
  parsePublicKeys,
  signedBytes,
  signerFromPem,
  verifyCommandSignature,
} from "./command-signing.js";

// RFC 8032 §7.1, TEST 2: a one-byte message.
const RFC8032 = {
  secret: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
  public: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
  message: "72",
  signature:
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
};

const rfcPrivateKey = () =>
  createPrivateKey({
    key: Buffer.concat([
      Buffer.from("302e020100300506032b657004220420", "hex"),
      Buffer.from(RFC8032.secret, "hex"),
    ]),
    format: "der",
    type: "pkcs8",
  });

const command = {
  id: "c-1",
  site: "north",
  seq: 7,
  issuedAt: "2026-11-23T09:00:00+05:00",
  expiresAt: "2026-11-24T09:00:00+05:00",
  type: "grant",
  payload: { visitId: "v-1", personCode: "GH123", accessGroups: ["Visitors"], note: "€ \u0000" },
};

describe("command signatures", () => {
  it("uses Ed25519 as RFC 8032 defines it (published test vector)", () => {
    const pem = rfcPrivateKey().export({ format: "pem", type: "pkcs8" }).toString();
    const signer = signerFromPem(pem);
    expect(Buffer.from(signer.text.slice("ed25519:".length), "base64url").toString("hex")).toBe(
      RFC8032.public,
    );
    expect(sign(null, Buffer.from(RFC8032.message, "hex"), rfcPrivateKey()).toString("hex")).toBe(
      RFC8032.signature,
    );
    // The public key parsed back from its text form verifies the published signature.
    const key = parsePublicKey(signer.text);
    expect(key.keyId).toBe(signer.keyId);
  });

  it("signs the RFC 8785 canonical form: key order and spacing on the wire do not matter", () => {
    const signer = signerFromPem(generateSigningKeyPem());
    const signed = signer.sign(command);
    const reordered = JSON.parse(
      `{"payload":${JSON.stringify(signed.payload)},  "signature":"${signed.signature}","type":"grant","seq":7,
        "keyId":"${signed.keyId}","site":"north","id":"c-1","expiresAt":"${command.expiresAt}","issuedAt":"${command.issuedAt}"}`,
    );
    expect(verifyCommandSignature(reordered, [signer])).toEqual({ ok: true, keyId: signer.keyId });
    expect(signedBytes(signed).toString()).toBe(signedBytes(reordered).toString());
    expect(signedBytes(signed).toString()).toMatch(/^\{"expiresAt":/);
  });

  it("refuses any change to any field, a missing signature, and an unknown key", () => {
    const signer = signerFromPem(generateSigningKeyPem());
    const other = signerFromPem(generateSigningKeyPem());
    const signed = signer.sign(command);
    const changes: Record<string, unknown>[] = [
      { seq: 8 },
      { site: "south" },
      { expiresAt: "2036-11-24T09:00:00+05:00" },
      { payload: { ...command.payload, accessGroups: ["Everywhere"] } },
      { type: "revoke" },
    ];
    for (const change of changes) {
      expect(verifyCommandSignature({ ...signed, ...change }, [signer])).toMatchObject({
        ok: false,
        reason: "bad_signature",
      });
    }
    const { signature: _s, ...unsigned } = signed;
    expect(verifyCommandSignature(unsigned, [signer])).toMatchObject({ ok: false, reason: "unsigned" });
    expect(verifyCommandSignature("grant", [signer])).toMatchObject({ ok: false, reason: "unsigned" });
    expect(verifyCommandSignature(other.sign(command), [signer])).toMatchObject({
      ok: false,
      reason: "unknown_key",
    });
    // A forger who copies a trusted keyId still needs the private key.
    expect(verifyCommandSignature({ ...other.sign(command), keyId: signer.keyId }, [signer])).toMatchObject({
      ok: false,
      reason: "bad_signature",
    });
    expect(verifyCommandSignature({ ...signed, signature: "!!" }, [signer])).toMatchObject({ ok: false });
  });

  it("trusts two keys during a rotation", () => {
    const old = signerFromPem(generateSigningKeyPem());
    const next = signerFromPem(generateSigningKeyPem());
    const keys = parsePublicKeys(`${old.text}, ${next.text}`);
    expect(verifyCommandSignature(old.sign(command), keys).ok).toBe(true);
    expect(verifyCommandSignature(next.sign(command), keys).ok).toBe(true);
    expect(verifyCommandSignature(old.sign(command), parsePublicKeys(next.text)).ok).toBe(false);
  });

  it("says what is wrong with a public key", () => {
    expect(() => parsePublicKeys("")).toThrow(/no public key/);
    expect(() => parsePublicKeys("ed25519:short")).toThrow(/43 base64url/);
    const x25519 = generateKeyPairSync("x25519").privateKey.export({ format: "pem", type: "pkcs8" });
    expect(() => signerFromPem(x25519.toString())).toThrow(/not an Ed25519 key/);
  });
});
