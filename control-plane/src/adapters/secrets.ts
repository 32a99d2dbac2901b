import { createHash, randomBytes, scryptSync, timingSafeEqual } from "node:crypto";

/** API tokens are long random strings: a SHA-256 of one is as good as a slow hash, and lookups stay indexed. */
export const newToken = (prefix: string) => `${prefix}_${randomBytes(24).toString("base64url")}`;
export const tokenHash = (token: string) => createHash("sha256").update(token).digest("hex");

/** Agent MQTT passwords: scrypt with a salt, compared in constant time. */
export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, 32);
  return `scrypt$${salt.toString("base64")}$${hash.toString("base64")}`;
}

export function verifyPassword(password: string, stored: string): boolean {
  const [scheme, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64");
  const actual = scryptSync(password, Buffer.from(salt, "base64"), expected.length);
  return timingSafeEqual(actual, expected);
}

/**
 * What failed-login counting keys on: a digest of the credential, so that the throttle holds no secret and
 * logs can name a credential without showing it.
 */
export const credentialIdentity = (credential: string) =>
  createHash("sha256").update(credential).digest("hex").slice(0, 16);
