import { createHash, randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";

// scrypt takes ~50-100 ms of CPU by design: in libuv's thread pool, not on the event loop, where every
// login (and every guessed password) would stall each socket and timer of the process for that long.
const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

/** API tokens are long random strings: a SHA-256 of one is as good as a slow hash, and lookups stay indexed. */
export const newToken = (prefix: string) => `${prefix}_${randomBytes(24).toString("base64url")}`;
export const tokenHash = (token: string) => createHash("sha256").update(token).digest("hex");

/** Agent MQTT passwords: scrypt with a salt, compared in constant time. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, 32);
  return `scrypt$${salt.toString("base64")}$${hash.toString("base64")}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64");
  const actual = await scryptAsync(password, Buffer.from(salt, "base64"), expected.length);
  return timingSafeEqual(actual, expected);
}

/**
 * What failed-login counting keys on: a digest of the credential, so that the throttle holds no secret and
 * logs can name a credential without showing it.
 */
export const credentialIdentity = (credential: string) =>
  createHash("sha256").update(credential).digest("hex").slice(0, 16);
