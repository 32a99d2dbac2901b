import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import type { RefusedLogins, TerminalCredentials } from "../isapi/client.js";
import type { MetaStore } from "./meta-store.js";

const scryptAsync = promisify(scrypt) as (pw: string, salt: Buffer, len: number) => Promise<Buffer>;
const key = (terminal: string) => `isapi_refused_login:${terminal}`;

/**
 * Remembers, in the agent's database, which credentials a terminal refused: a restarted agent (or doctor)
 * makes no second attempt with them, since every attempt extends a terminal's lock. Kept as a salted scrypt
 * hash, not the password.
 */
export class StoredRefusedLogins implements RefusedLogins {
  constructor(private readonly meta: MetaStore) {}

  async refused(terminal: string, c: TerminalCredentials): Promise<boolean> {
    const stored = await this.meta.get(key(terminal));
    if (!stored) return false;
    const [salt, hash] = stored.split(":");
    if (!salt || !hash) return false;
    const mine = await scryptAsync(`${c.username}\0${c.password}`, Buffer.from(salt, "base64"), 32);
    const theirs = Buffer.from(hash, "base64");
    return theirs.length === mine.length && timingSafeEqual(mine, theirs);
  }

  async noteRefused(terminal: string, c: TerminalCredentials): Promise<void> {
    const salt = randomBytes(16);
    const hash = await scryptAsync(`${c.username}\0${c.password}`, salt, 32);
    await this.meta.set(key(terminal), `${salt.toString("base64")}:${hash.toString("base64")}`);
  }
}
