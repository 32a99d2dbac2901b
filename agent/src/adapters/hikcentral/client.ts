// Over 400 lines: one HikCentral connection — the signed, rate-limited, retried transport and one small method per
// endpoint the agent calls; split by area, every part would need the same transport and limiter.
import { GatehouseError, isRetryable } from "@gatehouse/shared";
import PQueue from "p-queue";
import pRetry from "p-retry";
import { type Dispatcher, fetch, request } from "undici";
import { z } from "zod";
import { type DeviceDownload, parseDownloadDetail } from "./download-status.js";
import { envelopeError, unavailable } from "./errors.js";
import {
  AddedPersonId,
  Door,
  DoorEventRecord,
  Envelope,
  PersonRecord,
  PrivilegeGroup,
  pageOf,
  SubscriptionView,
  Version,
} from "./schemas.js";
import { signRequest } from "./signer.js";
import { type HikTlsOptions, hikcentralDispatcher } from "./tls.js";

export interface HikCentralClientOptions {
  baseUrl: string;
  appKey: string;
  appSecret: string;
  contentMd5: boolean;
  timeoutMs: number;
  /** Requests per second HikCentral is sent at most (bulk work queues instead of failing). */
  ratePerSecond: number;
  /** Retries of a retryable failure (network, timeout, 5xx, 429, busy), with exponential backoff and jitter. */
  retries: number;
  /** How HikCentral's certificate is trusted (CA file, pinned fingerprint). */
  tls?: HikTlsOptions;
  /** Calls `endpoint` with the outcome; bounded labels for metrics. */
  onCall?: (endpoint: string, outcome: string, seconds: number) => void;
}

async function notFoundAsUndefined<T>(
  field: string,
  lookup: () => Promise<T | undefined>,
): Promise<T | undefined> {
  try {
    return await lookup();
  } catch (e) {
    if (e instanceof GatehouseError && e.code === "HIKCENTRAL_PARAMETER" && e.details?.field === field)
      return undefined;
    throw e;
  }
}

export interface PersonWrite {
  personCode: string;
  personGivenName: string;
  personFamilyName: string;
  orgIndexCode: string;
  beginTime: string;
  endTime: string;
  email?: string;
  phoneNo?: string;
}

/** The HikCentral Professional OpenAPI, signed and typed. Every call is a POST of JSON under /artemis/api/. */
export class HikCentralClient {
  private readonly dispatcher: Dispatcher | undefined;
  /** HikCentral's `Date` header of the last answer and when it arrived, for measuring clock skew. */
  lastServerDate: { server: number; local: number } | undefined;
  private readonly queue: PQueue;
  private readonly backgroundQueue: PQueue;

  constructor(private readonly opts: HikCentralClientOptions) {
    this.dispatcher = opts.tls ? hikcentralDispatcher(opts.tls) : undefined;
    // A token bucket of one: a call starts every 1/rate seconds (calls may overlap), never a burst at a
    // window's edge (a fixed window of `rate` calls lets 2×rate through in the second straddling two).
    const spacing = 1000 / opts.ratePerSecond;
    this.queue = new PQueue({ intervalCap: 1, interval: spacing, strict: true });
    this.backgroundQueue = new PQueue({ intervalCap: 1, interval: spacing * 5, strict: true });
  }

  async close(): Promise<void> {
    this.queue.clear();
    this.backgroundQueue.clear();
    await this.dispatcher?.close();
  }

  /** Sends one signed call and returns `data` validated by `schema` (undefined data passes as undefined). */
  async call<T>(
    path: string,
    body: unknown,
    schema?: z.ZodType<T>,
    opts: { background?: boolean } = {},
  ): Promise<T> {
    return pRetry(() => this.limited(() => this.send(path, body, schema), opts.background ?? false), {
      retries: this.opts.retries,
      minTimeout: 200,
      maxTimeout: 5000,
      factor: 2,
      randomize: true,
      shouldRetry: ({ error }) => isRetryable(error),
    });
  }

  /**
   * Runs one call within the rate limit. Background work gets at most a fifth of it, and queues behind
   * commands for the rest: a grant does not wait behind a gap fill or a passage's picture.
   */
  private limited<T>(work: () => Promise<T>, background: boolean): Promise<T> {
    const run = () => this.queue.add(work, { priority: background ? -1 : 0 }) as Promise<T>;
    return background ? (this.backgroundQueue.add(run) as Promise<T>) : run();
  }

  /** The JSON body and the signed headers for one call; the exact bytes signed are the bytes sent. */
  private signed(fullPath: string, body: unknown, accept: string) {
    const bytes = Buffer.from(JSON.stringify(body ?? {}), "utf8");
    const headers = signRequest({
      method: "POST",
      path: fullPath,
      body: bytes,
      appKey: this.opts.appKey,
      appSecret: this.opts.appSecret,
      accept,
      contentType: "application/json;charset=UTF-8",
      contentMd5: this.opts.contentMd5,
    });
    return { bytes, headers };
  }

  private async send<T>(path: string, body: unknown, schema?: z.ZodType<T>): Promise<T> {
    const fullPath = `/artemis/api/${path}`;
    const { bytes, headers } = this.signed(fullPath, body, "application/json");
    const started = performance.now();
    const done = (outcome: string) => this.opts.onCall?.(path, outcome, (performance.now() - started) / 1000);
    let res: Awaited<ReturnType<typeof fetch>>;
    let text: string;
    try {
      res = await fetch(new URL(fullPath, this.opts.baseUrl), {
        method: "POST",
        headers,
        body: bytes,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
        ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
      });
      text = await res.text();
      const date = res.headers.get("date");
      if (date) this.lastServerDate = { server: Date.parse(date), local: Date.now() };
    } catch (e) {
      done("network");
      const err = e as Error;
      const cause = err.cause as (Error & { code?: string }) | undefined;
      const why =
        err.name === "TimeoutError" ? `no answer in ${this.opts.timeoutMs} ms` : (cause?.code ?? err.message);
      if (
        cause?.code?.startsWith("ERR_TLS") ||
        /CERT|SELF_SIGNED|certificate/i.test(`${cause?.code} ${cause?.message}`)
      ) {
        throw new GatehouseError(
          "HIKCENTRAL_TLS",
          `HikCentral's certificate is not trusted (${cause?.message ?? cause?.code}); set AGENT_HIKCENTRAL_CA_FILE or AGENT_HIKCENTRAL_FINGERPRINT (gatehouse-agent doctor shows the fingerprint)`,
          { cause: e },
        );
      }
      throw unavailable(path, why, e);
    }
    if (res.status === 429) {
      done("429");
      throw new GatehouseError(
        "HIKCENTRAL_RATE_LIMITED",
        `HikCentral asked to slow down on ${path} (HTTP 429)`,
        {
          retryable: true,
          details: { endpoint: path },
        },
      );
    }
    if (res.status >= 500) {
      done("5xx");
      throw unavailable(path, `HTTP ${res.status}`);
    }
    const gatewayMessage = res.headers.get("x-ca-error-message");
    if (res.status === 401 || res.status === 403 || gatewayMessage) {
      done("signature");
      throw new GatehouseError(
        "HIKCENTRAL_SIGNATURE",
        `HikCentral's gateway refused the request signature (HTTP ${res.status}${gatewayMessage ? `: ${gatewayMessage}` : ""}); check AGENT_HIKCENTRAL_APP_KEY and AGENT_HIKCENTRAL_APP_SECRET`,
        { details: { endpoint: path, status: res.status } },
      );
    }
    let envelope: z.infer<typeof Envelope>;
    try {
      envelope = Envelope.parse(JSON.parse(text));
    } catch (e) {
      done("bad_response");
      throw new GatehouseError(
        "HIKCENTRAL_BAD_RESPONSE",
        `HikCentral answered ${path} with HTTP ${res.status} and no valid envelope`,
        {
          retryable: res.status !== 200,
          cause: e,
          details: { endpoint: path, status: res.status },
        },
      );
    }
    if (envelope.code !== "0") {
      done(`code_${envelope.code}`);
      throw envelopeError(path, envelope.code, envelope.msg);
    }
    done("ok");
    if (!schema || envelope.data === undefined || envelope.data === null || envelope.data === "") {
      return undefined as T;
    }
    const parsed = schema.safeParse(envelope.data);
    if (!parsed.success) {
      throw new GatehouseError(
        "HIKCENTRAL_BAD_RESPONSE",
        `HikCentral's answer to ${path} has an unexpected shape`,
        {
          details: {
            endpoint: path,
            issues: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".")}: ${i.message}`),
          },
        },
      );
    }
    return parsed.data;
  }

  version() {
    return this.call("common/v1/version", {}, Version);
  }

  /**
   * Undefined when HikCentral has no person with this code. How HCP says so is not publicly captured: code 0
   * with no data (seen), or code 2 naming the field (plausible). Codes are validated before they are sent,
   * so a code 2 about this field can only mean "no such person".
   */
  async personByCode(personCode: string): Promise<PersonRecord | undefined> {
    return notFoundAsUndefined("personCode", () =>
      this.call("resource/v1/person/personCode/personInfo", { personCode }, PersonRecord),
    );
  }

  async personById(personId: string): Promise<PersonRecord | undefined> {
    return notFoundAsUndefined("personId", () =>
      this.call("resource/v1/person/personId/personInfo", { personId }, PersonRecord),
    );
  }

  async addPerson(p: PersonWrite): Promise<string> {
    const id = await this.call("resource/v1/person/single/add", p, AddedPersonId);
    if (!id)
      throw new GatehouseError(
        "HIKCENTRAL_BAD_RESPONSE",
        "HikCentral added a person but returned no personId",
      );
    return id;
  }

  async updatePerson(personId: string, p: Partial<PersonWrite>): Promise<void> {
    await this.call("resource/v1/person/single/update", { personId, ...p });
  }

  /** Exactly `{personId, faceData}`: HCP rejects the call when anything else is sent with it. */
  async updateFace(personId: string, jpeg: Buffer): Promise<void> {
    await this.call("resource/v1/person/face/update", { personId, faceData: jpeg.toString("base64") });
  }

  async deletePerson(personId: string): Promise<void> {
    await this.call("resource/v1/person/single/delete", { personId });
  }

  async privilegeGroups(type: 1 | 2 = 1): Promise<PrivilegeGroup[]> {
    const all: PrivilegeGroup[] = [];
    for (let pageNo = 1; ; pageNo++) {
      const page = await this.call(
        "acs/v1/privilege/group",
        { pageNo, pageSize: 500, type },
        pageOf(PrivilegeGroup),
      );
      all.push(...(page?.list ?? []));
      if (!page || all.length >= page.total || (page.list ?? []).length === 0) return all;
    }
  }

  async addToGroup(privilegeGroupId: string, personIds: string[]): Promise<void> {
    await this.call("acs/v1/privilege/group/single/addPersons", {
      privilegeGroupId,
      type: 1,
      list: personIds.map((id) => ({ id })),
    });
  }

  async removeFromGroup(privilegeGroupId: string, personIds: string[]): Promise<void> {
    await this.call("acs/v1/privilege/group/single/deletePersons", {
      privilegeGroupId,
      type: 1,
      list: personIds.map((id) => ({ id })),
    });
  }

  /** Nothing reaches the turnstiles until authorization is re-applied. */
  async reapply(personIds: string[]): Promise<void> {
    await this.call("visitor/v1/auth/reapplication", {
      personIds: personIds.join(","),
      ImmediateDownload: 1,
    });
  }

  async persons(pageNo: number, pageSize = 500) {
    const page = await this.call(
      "resource/v1/person/personList",
      { pageNo, pageSize },
      pageOf(PersonRecord),
      {
        background: true,
      },
    );
    return { total: page?.total ?? 0, list: page?.list ?? [] };
  }

  /** Members of an access level (the id field is `id` or `personId` depending on the version). */
  async groupMembers(privilegeGroupId: string, pageNo: number, pageSize = 500) {
    const Member = z
      .object({
        id: z.union([z.string(), z.number()]).optional(),
        personId: z.union([z.string(), z.number()]).optional(),
      })
      .loose()
      .transform((m) => String(m.personId ?? m.id ?? ""));
    const page = await this.call(
      "acs/v1/privilege/group/single/personList",
      { privilegeGroupId, type: 1, pageNo, pageSize },
      pageOf(Member),
      { background: true },
    );
    return { total: page?.total ?? 0, list: (page?.list ?? []).filter(Boolean) };
  }

  /**
   * The picture of an access event, within the background share of the rate limit (a passage's photo
   * never holds up a grant).
   */
  eventPicture(picUri: string): Promise<{ contentType: string; bytes: Buffer }> {
    return this.limited(() => this.fetchEventPicture(picUri), true);
  }

  /**
   * HCP answers with a redirect to the picture (the SDK treats 3xx as success). Through undici's `request`,
   * not `fetch`: one picture a passage, and fetch's WHATWG machinery made about 40 KB of garbage each.
   */
  private async fetchEventPicture(picUri: string): Promise<{ contentType: string; bytes: Buffer }> {
    const fullPath = "/artemis/api/acs/v1/event/pictures";
    const { bytes, headers } = this.signed(fullPath, { picUri }, "*/*");
    const common = {
      signal: AbortSignal.timeout(this.opts.timeoutMs),
      ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
    };
    const res = await request(new URL(fullPath, this.opts.baseUrl), {
      method: "POST",
      headers,
      body: bytes,
      ...common,
    });
    const location = header(res.headers, "location");
    if (res.statusCode >= 300 && res.statusCode < 400 && location) {
      await res.body.dump();
      const pic = await request(new URL(location, this.opts.baseUrl), common);
      if (pic.statusCode < 200 || pic.statusCode >= 300) {
        await pic.body.dump();
        throw new GatehouseError(
          "HIKCENTRAL_PICTURE",
          `HikCentral's picture link answered HTTP ${pic.statusCode}`,
          { retryable: pic.statusCode >= 500 },
        );
      }
      return {
        contentType: header(pic.headers, "content-type") ?? "image/jpeg",
        bytes: Buffer.from(await pic.body.arrayBuffer()),
      };
    }
    const raw = Buffer.from(await res.body.arrayBuffer());
    const contentType = header(res.headers, "content-type") ?? "";
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    if (ok && !contentType.includes("json")) return { contentType, bytes: raw };
    let body: unknown = {};
    try {
      body = JSON.parse(raw.toString("utf8") || "{}");
    } catch {
      /* reported below */
    }
    const env = Envelope.safeParse(body);
    if (env.success && env.data.code !== "0")
      throw envelopeError("acs/v1/event/pictures", env.data.code, env.data.msg);
    throw new GatehouseError(
      "HIKCENTRAL_BAD_RESPONSE",
      `HikCentral answered the picture request with HTTP ${res.statusCode} and no picture`,
    );
  }

  /** Per terminal, whether HikCentral has downloaded the person's latest data to it. */
  async downloadStatus(personId: string): Promise<DeviceDownload[]> {
    return parseDownloadDetail(
      await this.call("visitor/v1/person/ID/elementDownloadDetail", { id: personId }, z.unknown()),
    );
  }

  async orgs() {
    const page = await this.call(
      "resource/v1/org/orgList",
      { pageNo: 1, pageSize: 500 },
      pageOf(
        z
          .object({ orgIndexCode: z.union([z.string(), z.number()]).transform(String), orgName: z.string() })
          .loose(),
      ),
    );
    return page?.list ?? [];
  }

  async doors() {
    const page = await this.call(
      "resource/v1/acsDoor/acsDoorList",
      { pageNo: 1, pageSize: 500 },
      pageOf(Door),
    );
    return page?.list ?? [];
  }

  /** One page of access records, oldest first. `eventType` narrows to one code (some HCP versions require it). */
  async doorEvents(q: {
    startTime: string;
    endTime: string;
    pageNo: number;
    pageSize: number;
    eventType?: number;
  }) {
    const page = await this.call(
      "acs/v1/door/events",
      { ...q, sortField: "SwipeTime", orderType: 0 },
      pageOf(DoorEventRecord),
      { background: true },
    );
    return { total: page?.total ?? 0, list: page?.list ?? [] };
  }

  async subscriptions() {
    return (
      (await this.call("eventService/v1/eventSubscriptionView", {}, SubscriptionView, { background: true }))
        ?.detail ?? []
    );
  }

  async unsubscribeEvents(eventTypes: number[]): Promise<void> {
    await this.call("eventService/v1/eventUnSubscriptionByEventTypes", { eventTypes });
  }

  async subscribeEvents(eventTypes: number[], eventDest: string, token: string): Promise<void> {
    await this.call("eventService/v1/eventSubscriptionByEventTypes", { eventTypes, eventDest, token });
  }
}

/** One header of an undici `request` answer (a repeated one: its first value). */
function header(h: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}
