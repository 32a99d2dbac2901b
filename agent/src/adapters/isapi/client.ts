import { GatehouseError } from "@gatehouse/shared";
import DigestClient from "digest-fetch";
import { XMLParser } from "fast-xml-parser";
import PQueue from "p-queue";
import { type Dispatcher, type FormData, fetch } from "undici";
import { hikcentralDispatcher } from "../hikcentral/tls.js";
import { type ResponseStatus, responseStatusError, terminalUnavailable } from "./errors.js";

export interface TerminalCredentials {
  username: string;
  password: string;
}

/** Where the agent remembers that a terminal refused its credentials, so a restart does not try them again. */
export interface RefusedLogins {
  /** True when these credentials were refused by this terminal before. */
  refused(terminal: string, credentials: TerminalCredentials): Promise<boolean>;
  noteRefused(terminal: string, credentials: TerminalCredentials): Promise<void>;
}

export interface IsapiClientOptions {
  id: string;
  /** `http://host` or `https://host` (port 80/443; 8000 is the SDK port, not ISAPI). */
  baseUrl: string;
  credentials: TerminalCredentials;
  /** SHA-256 fingerprint of the terminal's self-signed certificate. */
  fingerprint256?: string;
  timeoutMs: number;
  refusedLogins: RefusedLogins;
  /** A nonce is used this many times at most (terminals reject the 3rd use). */
  nonceUses?: number;
  onCall?: (endpoint: string, outcome: string, seconds: number) => void;
}

export type Body =
  | { json: unknown }
  | { xml: string }
  | { form: FormData }
  | { raw: Buffer; contentType: string }
  | undefined;

/** What a terminal answered: JSON (parsed), XML (parsed, namespaces dropped) or bytes. */
export interface IsapiReply {
  status: number;
  json?: unknown;
  xml?: Record<string, unknown>;
  text: string;
}

const xmlParser = new XMLParser({ ignoreAttributes: true, removeNSPrefix: true, parseTagValue: true });

/** The path without query string or ids, as a bounded metric label. */
const endpointOf = (path: string) => path.split("?")[0]!.replace(/\/\d+(?=\/|$)/g, "/{n}");

/**
 * One terminal's ISAPI, over HTTP Digest (MD5, qop=auth; never Basic). Calls to a terminal go one at a time.
 * Lockout safety: a terminal locks the account for 30 minutes after a few bad logins and every attempt during
 * the lock extends it, so after one refused login this client makes no further attempt with the same
 * credentials, across restarts, and says why.
 */
export class IsapiClient {
  private readonly queue = new PQueue({ concurrency: 1 });
  private readonly dispatcher: Dispatcher | undefined;
  private readonly digest: DigestClient;
  /** Uses left of the current nonce (0: probe for a fresh challenge). */
  private nonceUsesLeft = 0;
  private refusal: GatehouseError | undefined;
  private checkedLedger = false;

  constructor(private readonly opts: IsapiClientOptions) {
    this.dispatcher = opts.fingerprint256
      ? hikcentralDispatcher({ fingerprint256: opts.fingerprint256 })
      : undefined;
    this.digest = new DigestClient(opts.credentials.username, opts.credentials.password, {
      algorithm: "MD5",
    });
  }

  get id(): string {
    return this.opts.id;
  }

  async close(): Promise<void> {
    this.queue.clear();
    await this.dispatcher?.close();
  }

  /** A JSON resource (`?format=json` is added); answers its parsed JSON, throws on a ResponseStatus error. */
  async json<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const withFormat = `${path}${path.includes("?") ? "&" : "?"}format=json`;
    const r = await this.call(method, withFormat, body === undefined ? undefined : { json: body });
    return r.json as T;
  }

  /** An XML resource; answers the parsed root's content. */
  async xml(method: string, path: string, body?: string): Promise<Record<string, unknown>> {
    const r = await this.call(method, path, body === undefined ? undefined : { xml: body });
    return r.xml ?? {};
  }

  /**
   * Opens a long-lived GET (the alert stream) outside the one-at-a-time queue, with its own Digest nonce;
   * answers the body as it arrives. Refusals follow the same lockout rule as every other call.
   */
  async openStream(path: string, signal: AbortSignal): Promise<AsyncIterable<Uint8Array>> {
    await this.ensureNotRefused();
    const url = new URL(path, this.opts.baseUrl).toString();
    const digest = new DigestClient(this.opts.credentials.username, this.opts.credentials.password, {
      algorithm: "MD5",
    });
    const get = (authorization?: string) =>
      fetch(url, {
        method: "GET",
        headers: authorization ? { authorization } : {},
        signal,
        ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
      }).catch((e: Error & { cause?: { code?: string } }) => {
        throw terminalUnavailable(this.opts.id, path, e.cause?.code ?? e.message, e);
      });
    let res = await get();
    if (res.status === 401) {
      const challenge = res.headers.get("www-authenticate");
      await res.text();
      if (!challenge || !/^Digest\s/i.test(challenge))
        throw new GatehouseError(
          "ISAPI_NO_DIGEST",
          `terminal ${this.opts.id} did not offer Digest authentication`,
        );
      digest.parseAuth(challenge);
      const signed = digest.addAuth(url, { method: "GET", headers: {} }) as {
        headers: { Authorization: string };
      };
      res = await get(signed.headers.Authorization);
      if (res.status === 401) return this.refuse(() => {}, lockSecondsOf(await res.text()));
    }
    if (res.status !== 200 || !res.body) {
      const reply = parseReply(res.status, await res.text());
      const status = responseStatusOf(reply);
      if (status) throw responseStatusError(this.opts.id, path, status);
      throw terminalUnavailable(this.opts.id, path, `HTTP ${res.status}`);
    }
    return res.body;
  }

  call(method: string, path: string, body?: Body): Promise<IsapiReply> {
    return this.queue.add(() => this.send(method, path, body)) as Promise<IsapiReply>;
  }

  /** Credentials this terminal refused before (this run or an earlier one) are not tried again. */
  private async ensureNotRefused(): Promise<void> {
    if (!this.checkedLedger) {
      this.checkedLedger = true;
      if (await this.opts.refusedLogins.refused(this.opts.id, this.opts.credentials))
        this.refusal = this.lockedOut(false);
    }
    if (this.refusal) throw this.refusal;
  }

  private async send(method: string, path: string, body: Body): Promise<IsapiReply> {
    await this.ensureNotRefused();
    const url = new URL(path, this.opts.baseUrl).toString();
    const started = performance.now();
    const done = (outcome: string) =>
      this.opts.onCall?.(endpointOf(path), outcome, (performance.now() - started) / 1000);

    let res = await this.fetchOnce(method, url, path, body, this.nonceUsesLeft > 0, done);
    if (res.status === 401) {
      const sentAuth = res.sentAuth;
      const reusedNonce = res.reusedNonce;
      const challenge = res.headers.get("www-authenticate");
      await res.text();
      if (!challenge || !/^Digest\s/i.test(challenge)) {
        done("auth");
        throw new GatehouseError(
          "ISAPI_NO_DIGEST",
          `terminal ${this.opts.id} did not offer Digest authentication on ${path}; the agent never falls back to Basic`,
          { details: { terminal: this.opts.id } },
        );
      }
      if (sentAuth && !reusedNonce) return this.refuse(done, res.lockSeconds);
      // A probe, or a nonce the terminal wore out: once more with the fresh challenge.
      // A new nonce counts from 1.
      this.digest.digest.nc = 0;
      this.digest.parseAuth(challenge);
      this.nonceUsesLeft = this.opts.nonceUses ?? 2;
      res = await this.fetchOnce(method, url, path, body, true, done);
      if (res.status === 401) {
        await res.text();
        return this.refuse(done, res.lockSeconds);
      }
    }
    const text = await res.text();
    const reply = parseReply(res.status, text);
    const status = responseStatusOf(reply);
    if (status && status.statusCode !== 1 && status.statusCode !== 0) {
      done(`status_${status.statusCode}`);
      throw responseStatusError(this.opts.id, path, status);
    }
    if (res.status >= 500) {
      done("5xx");
      throw terminalUnavailable(this.opts.id, path, `HTTP ${res.status}`);
    }
    if (res.status >= 400) {
      done("4xx");
      throw new GatehouseError(
        "ISAPI_HTTP_ERROR",
        `terminal ${this.opts.id} answered ${path} with HTTP ${res.status}`,
        {
          details: { terminal: this.opts.id, status: res.status },
        },
      );
    }
    done("ok");
    return reply;
  }

  private async fetchOnce(
    method: string,
    url: string,
    path: string,
    body: Body,
    withAuth: boolean,
    done: (outcome: string) => void,
  ) {
    const headers: Record<string, string> = {};
    let reusedNonce = false;
    if (withAuth) {
      reusedNonce = this.nonceUsesLeft < (this.opts.nonceUses ?? 2);
      if (reusedNonce) this.digest.digest.nc += 1;
      const signed = this.digest.addAuth(url, { method, headers: {} }) as {
        headers: { Authorization: string };
      };
      headers.authorization = signed.headers.Authorization;
      this.nonceUsesLeft -= 1;
    }
    let payload: Buffer | string | FormData | undefined;
    if (body && "json" in body) {
      headers["content-type"] = "application/json";
      payload = JSON.stringify(body.json);
    } else if (body && "xml" in body) {
      headers["content-type"] = "application/xml";
      payload = body.xml;
    } else if (body && "form" in body) {
      // undici writes multipart/form-data with its boundary.
      payload = body.form;
    } else if (body) {
      headers["content-type"] = body.contentType;
      payload = body.raw;
    }
    try {
      const res = await fetch(url, {
        method,
        headers,
        ...(payload === undefined ? {} : { body: payload }),
        signal: AbortSignal.timeout(this.opts.timeoutMs),
        ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
      });
      const lockSeconds =
        res.status === 401 && withAuth ? lockSecondsOf(await res.clone().text()) : undefined;
      return Object.assign(res, { sentAuth: withAuth, reusedNonce, lockSeconds });
    } catch (e) {
      done("network");
      const err = e as Error & { cause?: { code?: string } };
      const why =
        err.name === "TimeoutError"
          ? `no answer in ${this.opts.timeoutMs} ms`
          : (err.cause?.code ?? err.message);
      throw terminalUnavailable(this.opts.id, path, why, e);
    }
  }

  private async refuse(done: (o: string) => void, lockSeconds: number | undefined): Promise<never> {
    done("auth");
    this.refusal = this.lockedOut(true, lockSeconds);
    await this.opts.refusedLogins.noteRefused(this.opts.id, this.opts.credentials);
    throw this.refusal;
  }

  private lockedOut(now: boolean, lockSeconds?: number): GatehouseError {
    const lock = lockSeconds ? ` The terminal has locked the account for ${lockSeconds} s.` : "";
    return new GatehouseError(
      "ISAPI_LOGIN_REFUSED",
      `terminal ${this.opts.id} ${now ? "refused" : "refused earlier"} the agent's login (user '${this.opts.credentials.username}'); the agent makes no further attempt with these credentials, since terminals lock the account after a few bad logins and extend the lock at every attempt. Fix the terminal's password in the agent's config.${lock}`,
      { details: { terminal: this.opts.id, ...(lockSeconds ? { unlockSeconds: lockSeconds } : {}) } },
    );
  }
}

/** A 401's `userCheck` body says whether the account is now locked, and for how long. */
function lockSecondsOf(text: string): number | undefined {
  const check = safeXml(text)?.userCheck as { lockStatus?: string; unlockTime?: number } | undefined;
  return check?.lockStatus === "lock" ? Number(check.unlockTime ?? 1800) : undefined;
}

function safeXml(text: string): Record<string, unknown> | undefined {
  try {
    return xmlParser.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Terminals sometimes label XML as JSON (the 401 body, some capabilities): the first byte decides. */
function parseReply(status: number, text: string): IsapiReply {
  const first = text.trimStart()[0];
  if (first === "{" || first === "[") {
    try {
      return { status, text, json: JSON.parse(text) };
    } catch {
      return { status, text };
    }
  }
  if (first === "<") {
    const doc = safeXml(text);
    if (doc) {
      const root = Object.keys(doc).find((k) => k !== "?xml");
      const content = root ? doc[root] : undefined;
      return {
        status,
        text,
        xml: {
          root,
          ...(content && typeof content === "object" ? (content as Record<string, unknown>) : {}),
        },
      };
    }
  }
  return { status, text };
}

/** The ResponseStatus in a reply, JSON (top level) or XML (`<ResponseStatus>`), if it is one. */
function responseStatusOf(r: IsapiReply): ResponseStatus | undefined {
  const j = r.json as Partial<ResponseStatus> | undefined;
  if (j && typeof j === "object" && typeof j.statusCode === "number") return j as ResponseStatus;
  if (r.xml?.root === "ResponseStatus" && r.xml.statusCode !== undefined)
    return {
      statusCode: Number(r.xml.statusCode),
      statusString: String(r.xml.statusString ?? ""),
      subStatusCode: String(r.xml.subStatusCode ?? ""),
      ...(r.xml.errorCode !== undefined ? { errorCode: Number(r.xml.errorCode) } : {}),
    };
  return undefined;
}
