import { createHash, randomBytes } from "node:crypto";

const md5 = (s: string) => createHash("md5").update(s, "utf8").digest("hex");

/** RFC 2617 §3.2.2 request-digest for qop=auth (and RFC 2069 without qop), written from the RFC. */
export function expectedResponse(p: {
  username: string;
  realm: string;
  password: string;
  method: string;
  uri: string;
  nonce: string;
  nc?: string;
  cnonce?: string;
  qop?: string;
}): string {
  const ha1 = md5(`${p.username}:${p.realm}:${p.password}`);
  const ha2 = md5(`${p.method}:${p.uri}`);
  return p.qop
    ? md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`)
    : md5(`${ha1}:${p.nonce}:${ha2}`);
}

/** Splits `Digest a="x, y", b=z` into its parameters (quoted values may hold commas). */
export function parseDigestHeader(header: string): Record<string, string> | undefined {
  const m = /^Digest\s+(.*)$/is.exec(header.trim());
  if (!m) return undefined;
  const out: Record<string, string> = {};
  const re = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  for (const p of m[1]!.matchAll(re)) out[p[1]!.toLowerCase()] = p[2] ?? p[3] ?? "";
  return out;
}

export type DigestVerdict =
  | { ok: true; username: string }
  | {
      ok: false;
      reason: "missing" | "stale" | "wrong" | "locked" | "basic";
      unlockSeconds: number;
      retriesLeft: number;
    };

interface NonceState {
  issuedAt: number;
  uses: number;
  lastNc: number;
}

export interface DigestGuardOptions {
  realm: string;
  users: Map<string, string>;
  /** A nonce is refused after this many uses (a K1T342 rejects the 3rd). */
  nonceUses: number;
  /** And after this long. */
  nonceTtlMs: number;
  /** Bad logins before the account locks. */
  lockAfter: number;
  lockSeconds: number;
  now?: () => number;
}

/**
 * A terminal's Digest checker: MD5, qop=auth, nonces that wear out, nonce counts that must grow, and the
 * brute-force lock (every attempt during the lock starts it again). Basic is never accepted.
 */
export class DigestGuard {
  private readonly nonces = new Map<string, NonceState>();
  private failures = 0;
  private lockedUntil = 0;
  private readonly now: () => number;

  constructor(private readonly opts: DigestGuardOptions) {
    this.now = opts.now ?? Date.now;
  }

  get realm(): string {
    return this.opts.realm;
  }

  /** The `WWW-Authenticate` value of a fresh challenge, as terminals print it. */
  challenge(): string {
    const nonce = Buffer.from(randomBytes(16).toString("hex")).toString("base64");
    this.nonces.set(nonce, { issuedAt: this.now(), uses: 0, lastNc: 0 });
    if (this.nonces.size > 1000) this.nonces.delete(this.nonces.keys().next().value!);
    return `Digest qop="auth", realm="${this.opts.realm}", nonce="${nonce}", stale="false", opaque="", domain="::"`;
  }

  lockRemaining(): number {
    return Math.max(0, Math.ceil((this.lockedUntil - this.now()) / 1000));
  }

  /** Forgets bad logins and the lock (an admin reset on the device). */
  unlock(): void {
    this.failures = 0;
    this.lockedUntil = 0;
  }

  check(method: string, uri: string, header: string | undefined): DigestVerdict {
    const retriesLeft = () => Math.max(0, this.opts.lockAfter - this.failures);
    const refuse = (reason: "missing" | "stale" | "wrong" | "locked" | "basic"): DigestVerdict => ({
      ok: false,
      reason,
      unlockSeconds: this.lockRemaining(),
      retriesLeft: retriesLeft(),
    });
    if (!header) return refuse("missing");
    if (/^Basic\s/i.test(header)) return this.fail(refuse, "basic");
    if (this.lockRemaining() > 0) {
      // Every attempt during the lock starts it again.
      this.lockedUntil = this.now() + this.opts.lockSeconds * 1000;
      return refuse("locked");
    }
    const p = parseDigestHeader(header);
    if (!p?.username || !p.nonce || !p.response || p.uri !== uri) return this.fail(refuse, "wrong");
    const nonce = this.nonces.get(p.nonce);
    const nc = Number.parseInt(p.nc ?? "", 16);
    if (
      !nonce ||
      nonce.uses >= this.opts.nonceUses ||
      this.now() - nonce.issuedAt > this.opts.nonceTtlMs ||
      (p.qop === "auth" && !(nc > nonce.lastNc))
    )
      return refuse("stale");
    const password = this.opts.users.get(p.username);
    const expected =
      password === undefined
        ? undefined
        : expectedResponse({
            username: p.username,
            realm: this.opts.realm,
            password,
            method,
            uri,
            nonce: p.nonce,
            ...(p.qop ? { qop: p.qop, nc: p.nc ?? "", cnonce: p.cnonce ?? "" } : {}),
          });
    if (p.realm !== this.opts.realm || expected === undefined || expected !== p.response.toLowerCase())
      return this.fail(refuse, "wrong");
    nonce.uses += 1;
    if (p.qop === "auth") nonce.lastNc = nc;
    this.failures = 0;
    return { ok: true, username: p.username };
  }

  private fail(refuse: (r: "wrong" | "basic") => DigestVerdict, reason: "wrong" | "basic"): DigestVerdict {
    this.failures += 1;
    if (this.failures >= this.opts.lockAfter) this.lockedUntil = this.now() + this.opts.lockSeconds * 1000;
    return refuse(reason);
  }
}
