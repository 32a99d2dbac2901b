import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from "node:crypto";
import canonicalize from "canonicalize";

/**
 * Ed25519 signatures over command envelopes. The signed bytes are the RFC 8785 (JCS) canonical JSON of
 * the envelope without its `signature` field, so the agent verifies the JSON exactly as it parsed it,
 * whatever key order or spacing the wire had. `keyId` is inside the signed bytes: during a key rotation the
 * agent trusts two keys and picks the one named.
 */

export interface TrustedKey {
  keyId: string;
  /** `ed25519:<base64url of the 32-byte public key>`, the form configs and CLIs show. */
  text: string;
  key: KeyObject;
}

export interface CommandSigner extends TrustedKey {
  sign<T extends object>(envelope: T): T & { keyId: string; signature: string };
}

export type SignatureCheck =
  | { ok: true; keyId: string }
  | { ok: false; reason: "unsigned" | "unknown_key" | "bad_signature"; message: string };

const PREFIX = "ed25519:";

function trusted(publicKey: KeyObject): TrustedKey {
  const x = publicKey.export({ format: "jwk" }).x;
  if (!x) throw new Error("not an Ed25519 key");
  const raw = Buffer.from(x, "base64url");
  return {
    keyId: createHash("sha256").update(raw).digest("hex").slice(0, 16),
    text: `${PREFIX}${x}`,
    key: publicKey,
  };
}

/** The bytes a signature covers: the canonical envelope without `signature`. */
export function signedBytes(envelope: object): Buffer {
  const { signature: _omit, ...rest } = envelope as Record<string, unknown>;
  const text = canonicalize(rest);
  if (text === undefined) throw new Error("the envelope cannot be canonicalised");
  return Buffer.from(text, "utf8");
}

/** A new private key, as PKCS#8 PEM. */
export function generateSigningKeyPem(): string {
  return generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
}

export function signerFromPem(pem: string): CommandSigner {
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== "ed25519") throw new Error("the signing key is not an Ed25519 key");
  const pub = trusted(createPublicKey(privateKey));
  return {
    ...pub,
    sign(envelope) {
      const withKey = { ...envelope, keyId: pub.keyId };
      const signature = sign(null, signedBytes(withKey), privateKey).toString("base64url");
      return { ...withKey, signature };
    },
  };
}

/** One public key in its `ed25519:<base64url>` form; throws with what is wrong. */
export function parsePublicKey(text: string): TrustedKey {
  const t = text.trim();
  const x = t.startsWith(PREFIX) ? t.slice(PREFIX.length) : t;
  if (!/^[A-Za-z0-9_-]{43}$/.test(x)) {
    throw new Error(`'${t.slice(0, 60)}' is not ed25519:<43 base64url characters>`);
  }
  return trusted(createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" }));
}

/** Several keys separated by commas or whitespace: two are trusted while keys are rotated. */
export function parsePublicKeys(text: string): TrustedKey[] {
  const keys = text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(parsePublicKey);
  if (keys.length === 0) throw new Error("no public key given");
  return keys;
}

/** Checks a parsed command (any JSON) against the trusted keys, before anything else is believed. */
export function verifyCommandSignature(json: unknown, keys: readonly TrustedKey[]): SignatureCheck {
  const env = json as { keyId?: unknown; signature?: unknown } | null;
  if (typeof env !== "object" || env === null || Array.isArray(env))
    return { ok: false, reason: "unsigned", message: "the command is not a JSON object" };
  if (typeof env.signature !== "string" || typeof env.keyId !== "string")
    return { ok: false, reason: "unsigned", message: "the command has no keyId and signature" };
  const key = keys.find((k) => k.keyId === env.keyId);
  if (!key)
    return {
      ok: false,
      reason: "unknown_key",
      message: `signed by key ${env.keyId.slice(0, 32)}, which this agent does not trust`,
    };
  let good = false;
  try {
    good = verify(null, signedBytes(env), key.key, Buffer.from(env.signature, "base64url"));
  } catch {
    good = false;
  }
  return good
    ? { ok: true, keyId: key.keyId }
    : { ok: false, reason: "bad_signature", message: `the signature does not match key ${key.keyId}` };
}
