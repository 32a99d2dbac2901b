import { randomBytes } from "node:crypto";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { formatInZone } from "@gatehouse/shared";
import { type ServerType, serve } from "@hono/node-server";
import { XMLParser } from "fast-xml-parser";
import { type Context, Hono } from "hono";
import { jpegSize } from "../hikcentral/jpeg.js";
import type { SimCertificate } from "../tls.js";
import { DigestGuard } from "./digest-guard.js";
import { cjson, ISAPI_ERRORS, type IsapiErrorName, isapiXml, OK, type StatusReply } from "./wire.js";

/** A person as the terminal keeps it (`UserInfo`). */
export interface TerminalUser {
  employeeNo: string;
  name: string;
  userType: "normal" | "visitor" | "blackList";
  Valid: { enable: boolean; beginTime: string; endTime: string; timeType: "local" | "UTC" };
  doorRight: string;
  RightPlan: { doorNo: number; planTemplateNo: string }[];
  gender: string;
  numOfFace: number;
}

export interface TerminalOptions {
  id: string;
  username?: string;
  password?: string;
  timeZone: string;
  model?: string;
  /** Bad logins before the lock (real terminals: a few), and how long it lasts (observed 1,800 s). */
  lockAfter?: number;
  lockSeconds?: number;
  /** A nonce is refused after this many uses. */
  nonceUses?: number;
  /** At most this many persons a search page (a K1T342 caps it at 30). */
  maxResults?: number;
  /** Older firmware has no `UserInfo/SetUp` (upsert): Record, then Modify. */
  supportsSetUp?: boolean;
  /** Alert stream slots ("deploy" slots); one more is refused with `deployExceedMax`. */
  streamSlots?: number;
  /** A videoloss heartbeat on the stream this often (0: none, as newer firmware). */
  heartbeatMs?: number;
  /** The boundary the stream's header names; the body always uses `MIME_boundary` (a real mismatch). */
  streamHeaderBoundary?: string;
  /** Serve HTTPS (443 on a real terminal) with this self-signed certificate, which clients pin. */
  tls?: SimCertificate;
  log?: (msg: string) => void;
}

const JSON_RESOURCES =
  /^\/ISAPI\/(AccessControl\/(UserInfo|UserInfoDetail|AcsEvent|AcsWorkStatus)|Intelligent\/FDLib)/;
const EMPLOYEE_NO = /^[\x21-\x7e]{1,32}$/;
const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

/**
 * One access-control terminal speaking ISAPI as the captured devices do: Digest only (realm `DS-` + 8 hex,
 * the XML `userCheck` body on 401, the brute-force lock), JSON resources only with `?format=json`, cJSON
 * printing, XML with CRLF in the isapi.org namespace, ResponseStatus errors.
 */
export class SimTerminal {
  readonly users = new Map<string, TerminalUser>();
  /** Enrolled faces by employeeNo (the JPEG as uploaded). */
  readonly faces = new Map<string, Uint8Array>();
  readonly guard: DigestGuard;
  readonly username: string;
  readonly password: string;
  readonly serialNumber: string;
  /** Door commands received, in order (door number, cmd). */
  readonly doorCommands: { door: number; cmd: string }[] = [];
  /** Calls per path (without the query), so tests can count them. */
  readonly calls = new Map<string, number>();
  /** Answered 401 because the credentials were wrong, missing or locked. */
  authFailures = 0;
  /** The terminal's event log; `serialNo` counts up from 1 and survives reboots. */
  readonly events: SimTerminalEvent[] = [];
  private readonly streams = new Set<StreamSink>();
  private readonly frozen = new Set<StreamSink>();
  /** The HTTP host push slots (`httpHosts`); a reboot forgets them, as a DS-K1T502 did. */
  readonly httpHosts = new Map<string, HttpHost>();
  /** Pushes made to HTTP hosts, and those that failed. */
  pushes = { sent: 0, failed: 0 };
  private offline = false;
  private faults: TerminalFault[] = [];
  private deleteProcess: "success" | "processing" | "failed" = "success";
  private server: ServerType | undefined;
  url = "";
  private readonly xml = new XMLParser({
    ignoreAttributes: true,
    removeNSPrefix: true,
    parseTagValue: false,
  });

  constructor(readonly opts: TerminalOptions) {
    this.username = opts.username ?? "admin";
    this.password = opts.password ?? `Sim-${randomBytes(6).toString("hex")}`;
    this.serialNumber = `DS-K1T671M20260101V031000ENG${randomBytes(4).toString("hex").toUpperCase()}`;
    this.guard = new DigestGuard({
      realm: `DS-${randomBytes(4).toString("hex").toUpperCase()}`,
      users: new Map([[this.username, this.password]]),
      nonceUses: opts.nonceUses ?? 2,
      nonceTtlMs: 60_000,
      lockAfter: opts.lockAfter ?? 5,
      lockSeconds: opts.lockSeconds ?? 1800,
    });
  }

  async start(host = "127.0.0.1", port = 0): Promise<void> {
    const app = this.app();
    const tls = this.opts.tls;
    this.server = await new Promise<ServerType>((resolve, reject) => {
      const s = serve(
        {
          fetch: app.fetch,
          hostname: host,
          port,
          ...(tls
            ? { createServer: createHttpsServer, serverOptions: { key: tls.key, cert: tls.cert } }
            : {}),
        },
        () => resolve(s),
      );
      s.once("error", reject);
    });
    this.url = `${tls ? "https" : "http"}://${host}:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.reboot();
    const s = this.server as (ServerType & { closeAllConnections?: () => void }) | undefined;
    s?.closeAllConnections?.();
    await new Promise<void>((r) => (s ? s.close(() => r()) : r()));
  }

  /**
   * Fault injection: calls whose path starts with `path` answer with a terminal error (`busy`,
   * `deviceError`…), hang (`timeout`) or drop the connection (`reset`), at `rate`, at most `times` times.
   */
  setFaults(faults: TerminalFault[]): void {
    this.faults = faults.map((f) => ({ ...f }));
  }

  private takeFault(path: string): IsapiErrorName | "timeout" | "reset" | undefined {
    for (const f of this.faults) {
      if (!path.startsWith(f.path) || (f.times !== undefined && f.times <= 0)) continue;
      if (Math.random() >= (f.rate ?? 1)) continue;
      if (f.times !== undefined) f.times -= 1;
      return f.error;
    }
    return undefined;
  }

  /** Unplugged: connections are refused until `setOffline(false)`. */
  setOffline(off: boolean): void {
    this.offline = off;
    if (off) this.reboot();
  }

  /** The next UserInfoDetail/Delete stays `processing` for this many polls, then ends with `status`. */
  setDeleteOutcome(status: "success" | "failed"): void {
    this.deleteProcess = status;
  }

  /** The terminal's local wall time, as its `Valid` window and clock are kept. */
  localTime(at = new Date()): string {
    return formatInZone(at, this.opts.timeZone).slice(0, 19);
  }

  private reply(c: Context, status: StatusReply, http = 200, asJson = true): Response {
    const url = new URL(c.req.url);
    const requestURL = `${url.pathname}${url.search}`;
    if (asJson)
      return new Response(cjson({ requestURL, ...status }), {
        status: http,
        headers: { "content-type": "application/json" },
      });
    return new Response(isapiXml("ResponseStatus", { requestURL, ...status }), {
      status: http,
      headers: { "content-type": "application/xml" },
    });
  }

  private error(c: Context, name: IsapiErrorName, asJson: boolean): Response {
    const { http, ...status } = ISAPI_ERRORS[name];
    return this.reply(c, status, http, asJson);
  }

  private unauthorized(reason: string): Response {
    const locked = this.guard.lockRemaining();
    const body = isapiXml("userCheck", {
      statusValue: 401,
      statusString: "Unauthorized",
      isActivated: true,
      ...(reason === "missing" || reason === "stale"
        ? {}
        : {
            lockStatus: locked > 0 ? "lock" : "unlock",
            unlockTime: locked,
            retryLoginTime: locked > 0 ? 0 : Math.max(0, (this.opts.lockAfter ?? 5) - this.authFailures),
          }),
    });
    // The captured 401 says application/json over an XML body.
    return new Response(body, {
      status: 401,
      headers: { "content-type": "application/json", "www-authenticate": this.guard.challenge() },
    });
  }

  private app(): Hono {
    const app = new Hono();
    app.use("*", async (c, next) => {
      await next();
      c.res.headers.set("server", "webs");
    });
    app.use("*", async (c, next) => {
      if (this.offline) {
        (c.env as { incoming: { socket: { destroy(): void } } }).incoming.socket.destroy();
        return new Response(null, { status: 503 });
      }
      const url = new URL(c.req.url);
      this.calls.set(url.pathname, (this.calls.get(url.pathname) ?? 0) + 1);
      const verdict = this.guard.check(
        c.req.method,
        `${url.pathname}${url.search}`,
        c.req.header("authorization"),
      );
      if (!verdict.ok) {
        if (verdict.reason !== "missing" && verdict.reason !== "stale") {
          this.authFailures += 1;
          this.opts.log?.(`terminal ${this.opts.id}: refused a login (${verdict.reason})`);
        }
        return this.unauthorized(verdict.reason);
      }
      const fault = this.takeFault(url.pathname);
      if (fault === "reset") {
        (c.env as { incoming: { socket: { destroy(): void } } }).incoming.socket.destroy();
        return new Response(null, { status: 500 });
      }
      if (fault === "timeout") {
        await new Promise((r) => setTimeout(r, 120_000).unref());
        return new Response(null, { status: 503 });
      }
      if (fault) return this.error(c, fault, JSON_RESOURCES.test(url.pathname));
      if (JSON_RESOURCES.test(url.pathname) && url.searchParams.get("format") !== "json") {
        // Without ?format=json the terminal reads the body as XML.
        return this.error(c, "badXmlFormat", false);
      }
      await next();
    });

    app.get("/ISAPI/System/deviceInfo", () =>
      xmlResponse(
        isapiXml("DeviceInfo", {
          deviceName: `Turnstile ${this.opts.id}`,
          deviceID: this.opts.id,
          model: this.opts.model ?? "DS-K1T671M",
          serialNumber: this.serialNumber,
          macAddress: "44:47:cc:00:00:01",
          firmwareVersion: "V3.10.0",
          firmwareReleasedDate: "build 260101",
          encoderVersion: "V2.0",
          encoderReleasedDate: "build 260101",
          deviceType: "ACS",
          subDeviceType: "accessControlTerminal",
          telecontrolID: 1,
          localZoneNum: 2,
          alarmOutNum: 2,
          electroLockNum: 2,
          RS485Num: 1,
          manufacturer: "hikvision",
          OEMCode: 1,
          marketType: 1,
        }),
      ),
    );
    app.get("/ISAPI/System/time", () =>
      xmlResponse(
        isapiXml("Time", {
          timeMode: "NTP",
          localTime: formatInZone(new Date(), this.opts.timeZone),
          timeZone: posixZone(new Date(), this.opts.timeZone),
        }),
      ),
    );
    app.get("/ISAPI/AccessControl/capabilities", () =>
      xmlResponse(
        isapiXml("AccessControl", {
          isSupportUserInfo: true,
          EmployeeNoInfo: { employeeNo: "" },
          isSupportCardInfo: true,
          isSupportFDLib: true,
          isSupportUserInfoDetailDelete: true,
          isSupportRemoteControlDoor: true,
          isSupportAcsEvent: true,
          isSupportAcsWorkStatus: true,
        }),
      ),
    );
    app.get("/ISAPI/AccessControl/UserInfo/capabilities", () =>
      jsonResponse({
        UserInfo: {
          supportFunction: {
            "@opt": `post,delete,put,get${this.opts.supportsSetUp === false ? "" : ",setUp"}`,
          },
          UserInfoSearchCond: { maxResults: { "@min": 1, "@max": this.opts.maxResults ?? 30 } },
          EmployeeNoInfo: { employeeNo: { "@min": 1, "@max": 32 } },
        },
      }),
    );
    app.get("/ISAPI/AccessControl/UserInfo/Count", () =>
      jsonResponse({ UserInfoCount: { userNumber: this.users.size } }),
    );
    app.post("/ISAPI/AccessControl/UserInfo/Record", (c) => this.writeUser(c, "record"));
    app.put("/ISAPI/AccessControl/UserInfo/Modify", (c) => this.writeUser(c, "modify"));
    app.put("/ISAPI/AccessControl/UserInfo/SetUp", (c) =>
      this.opts.supportsSetUp === false ? this.error(c, "notSupport", true) : this.writeUser(c, "setUp"),
    );
    app.post("/ISAPI/AccessControl/UserInfo/Search", (c) => this.searchUsers(c));
    app.put("/ISAPI/AccessControl/UserInfoDetail/Delete", async (c) => {
      const body = await jsonBody(c);
      const d = (body as { UserInfoDetail?: { mode?: string; EmployeeNoList?: { employeeNo?: unknown }[] } })
        ?.UserInfoDetail;
      if (!d || (d.mode !== "byEmployeeNo" && d.mode !== "all")) return this.error(c, "badParameters", true);
      if (d.mode === "all") {
        this.users.clear();
        this.faces.clear();
      }
      for (const e of d.EmployeeNoList ?? []) {
        this.users.delete(String(e.employeeNo));
        this.faces.delete(String(e.employeeNo));
      }
      this.pollsLeft = 2;
      return this.reply(c, OK);
    });
    app.get("/ISAPI/AccessControl/UserInfoDetail/DeleteProcess", () => {
      const status = this.pollsLeft > 0 ? "processing" : this.deleteProcess;
      this.pollsLeft = Math.max(0, this.pollsLeft - 1);
      return jsonResponse({ UserInfoDetailDeleteProcess: { status } });
    });
    app.get("/ISAPI/Event/notification/alertStream", (c) => this.alertStream(c));
    app.get("/ISAPI/Event/notification/httpHosts", () =>
      xmlResponse(
        isapiXml("HttpHostNotificationList", {
          HttpHostNotification: ["1", "2"].map((id) => hostXml(id, this.httpHosts.get(id))),
        }),
      ),
    );
    app.get("/ISAPI/Event/notification/httpHosts/:id", (c) => {
      const id = c.req.param("id");
      if (id !== "1" && id !== "2") return this.error(c, "badParameters", false);
      return xmlResponse(isapiXml("HttpHostNotification", hostXml(id, this.httpHosts.get(id))));
    });
    app.put("/ISAPI/Event/notification/httpHosts/:id", async (c) => {
      const id = c.req.param("id");
      if (id !== "1" && id !== "2") return this.error(c, "badParameters", false);
      let h: Record<string, unknown> | undefined;
      try {
        h = (this.xml.parse(await c.req.text()) as { HttpHostNotification?: Record<string, unknown> })
          .HttpHostNotification;
      } catch {
        return this.error(c, "badXmlFormat", false);
      }
      const portNo = Number(h?.portNo);
      if (!h || String(h.id) !== id || typeof h.url !== "string" || !h.ipAddress || !Number.isInteger(portNo))
        return this.error(c, "badParameters", false);
      if (String(h.protocolType ?? "HTTP") !== "HTTP") return this.error(c, "notSupport", false);
      this.httpHosts.set(id, { url: h.url, ipAddress: String(h.ipAddress), portNo });
      return this.reply(c, OK, 200, false);
    });
    app.post("/ISAPI/AccessControl/AcsEvent", (c) => this.searchEvents(c));
    app.post("/ISAPI/Intelligent/FDLib/FaceDataRecord", (c) => this.uploadFace(c));
    app.put("/ISAPI/Intelligent/FDLib/FDSetUp", (c) => this.uploadFace(c));
    app.put("/ISAPI/AccessControl/RemoteControl/door/:door", async (c) => {
      const door = Number(c.req.param("door"));
      let cmd: string | undefined;
      try {
        const doc = this.xml.parse(await c.req.text()) as { RemoteControlDoor?: { cmd?: string } };
        cmd = doc.RemoteControlDoor?.cmd;
      } catch {
        return this.error(c, "badXmlFormat", false);
      }
      if (!Number.isInteger(door) || door < 1 || door > 2) return this.error(c, "badParameters", false);
      if (!cmd || !["open", "close", "alwaysOpen", "alwaysClose"].includes(cmd))
        return this.error(c, "badParameters", false);
      this.doorCommands.push({ door, cmd });
      return this.reply(c, OK, 200, false);
    });
    app.all("*", (c) => this.error(c, "notSupport", !c.req.path.startsWith("/ISAPI/System")));
    return app;
  }

  private pollsLeft = 0;

  /** Open alert streams now. */
  get openStreams(): number {
    return this.streams.size;
  }

  /**
   * Someone at door `doorNo` (1 entrance, 2 exit on a turnstile) shows their face: the terminal decides from
   * what it holds (person, door rights, validity) and logs the event. Returns it.
   */
  present(employeeNo: string | undefined, doorNo: number, at = new Date()): SimTerminalEvent {
    const u = employeeNo ? this.users.get(employeeNo) : undefined;
    const local = this.localTime(at);
    let minor = 75;
    if (!u) minor = 76;
    else if (!u.doorRight.split(",").includes(String(doorNo))) minor = 6;
    else if (u.Valid.enable && (local < u.Valid.beginTime || local > u.Valid.endTime)) minor = 8;
    return this.logEvent(
      { major: 5, minor, doorNo, ...(u ? { employeeNo: u.employeeNo, name: u.name } : {}) },
      at,
    );
  }

  /** Logs any event (an alarm, a door state) and sends it to every open stream as live. */
  logEvent(e: Omit<SimTerminalEvent, "serialNo" | "time">, at = new Date()): SimTerminalEvent {
    const event: SimTerminalEvent = { ...e, serialNo: this.events.length + 1, time: at };
    this.events.push(event);
    for (const s of this.streams) s.send(this.streamPart(event, true));
    for (const host of this.httpHosts.values()) void this.push(host, event);
    return event;
  }

  /** What the terminal POSTs to an HTTP host: multipart/form-data, the event as a JSON part. */
  private async push(host: HttpHost, e: SimTerminalEvent): Promise<void> {
    const form = new FormData();
    form.append("AccessControllerEvent", cjson(this.eventJson(e, true)));
    try {
      const res = await fetch(`http://${host.ipAddress}:${host.portNo}${host.url}`, {
        method: "POST",
        body: form,
        signal: AbortSignal.timeout(5000),
      });
      await res.arrayBuffer();
      if (res.ok) this.pushes.sent += 1;
      else this.pushes.failed += 1;
    } catch {
      this.pushes.failed += 1;
    }
  }

  /** Every open stream hangs: the connection stays, nothing more comes (no heartbeat either). */
  freezeStreams(): void {
    for (const s of [...this.streams]) {
      s.freeze();
      this.frozen.add(s);
    }
  }

  /** A reboot: streams drop, the HTTP host configuration is forgotten; the log stays. */
  reboot(): void {
    this.httpHosts.clear();
    // A reboot drops every connection, hung ones too.
    for (const s of this.frozen) s.close();
    this.frozen.clear();
    for (const s of this.streams) s.close();
    this.streams.clear();
  }

  private eventJson(e: SimTerminalEvent, currentEvent: boolean) {
    return {
      ipAddress: "127.0.0.1",
      portNo: 80,
      protocol: "HTTP",
      macAddress: "44:47:cc:00:00:01",
      channelID: 1,
      dateTime: formatInZone(e.time, this.opts.timeZone),
      activePostCount: 1,
      eventType: "AccessControllerEvent",
      eventState: "active",
      eventDescription: "Access Controller Event",
      AccessControllerEvent: {
        deviceName: `Turnstile ${this.opts.id}`,
        majorEventType: e.major,
        subEventType: e.minor,
        ...(e.name ? { name: e.name } : {}),
        cardReaderKind: 1,
        cardReaderNo: e.doorNo ?? 1,
        doorNo: e.doorNo ?? 1,
        verifyNo: 162,
        ...(e.employeeNo ? { employeeNoString: e.employeeNo } : {}),
        serialNo: e.serialNo,
        userType: "visitor",
        currentVerifyMode: e.major === 5 && e.employeeNo ? "cardOrFace" : "invalid",
        currentEvent,
        frontSerialNo: e.serialNo - 1,
        attendanceStatus: "undefined",
        label: "",
        statusValue: 0,
        mask: "no",
      },
    };
  }

  private streamPart(e: SimTerminalEvent, currentEvent: boolean): string {
    const body = cjson(this.eventJson(e, currentEvent));
    return `--MIME_boundary\r\nContent-Type: application/json; charset="UTF-8"\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}\r\n`;
  }

  /**
   * The long-lived alert stream: every stored event again (`currentEvent:false`), then live ones, heartbeats
   * when configured. A stream takes a slot; with none free the terminal answers `deployExceedMax`.
   */
  private alertStream(c: Context): Response {
    if (this.streams.size >= (this.opts.streamSlots ?? 1)) return this.error(c, "deployExceedMax", false);
    // The agent's own login shows in the log, as on real terminals.
    this.logEvent({ major: 3, minor: 112 });
    let sink!: StreamSink;
    let heartbeat: NodeJS.Timeout | undefined;
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        sink = {
          send: (text) => {
            try {
              controller.enqueue(encoder.encode(text));
            } catch {
              this.streams.delete(sink);
            }
          },
          close: () => {
            clearInterval(heartbeat);
            try {
              controller.close();
            } catch {
              // closed already
            }
          },
          freeze: () => {
            clearInterval(heartbeat);
            this.streams.delete(sink);
          },
        };
        for (const e of this.events) sink.send(this.streamPart(e, false));
        this.streams.add(sink);
        if (this.opts.heartbeatMs)
          heartbeat = setInterval(() => {
            const xml = isapiXml("EventNotificationAlert", {
              ipAddress: "127.0.0.1",
              dateTime: formatInZone(new Date(), this.opts.timeZone),
              activePostCount: 0,
              eventType: "videoloss",
              eventState: "inactive",
              eventDescription: "videoloss alarm",
            });
            sink.send(
              `--MIME_boundary\r\nContent-Type: application/xml; charset="UTF-8"\r\nContent-Length: ${Buffer.byteLength(xml)}\r\n\r\n${xml}\r\n`,
            );
          }, this.opts.heartbeatMs);
      },
      cancel: () => {
        clearInterval(heartbeat);
        this.streams.delete(sink);
      },
    });
    return new Response(stream, {
      status: 200,
      headers: {
        "content-type": `multipart/mixed; boundary=${this.opts.streamHeaderBoundary ?? "MIME_boundary"}`,
      },
    });
  }

  /** `AcsEvent` search: at most 30 a page, by time and/or serial range (a begin needs an end), oldest first. */
  private async searchEvents(c: Context): Promise<Response> {
    const body = await jsonBody(c);
    const cond = (body as { AcsEventCond?: Record<string, unknown> } | undefined)?.AcsEventCond;
    if (!cond || typeof cond.searchID !== "string") return this.error(c, "badParameters", true);
    const position = Number(cond.searchResultPosition ?? 0);
    const max = Number(cond.maxResults);
    if (!Number.isInteger(max) || max < 1 || max > 30 || !Number.isInteger(position) || position < 0)
      return this.error(c, "badParameters", true);
    const begin = cond.beginSerialNo === undefined ? undefined : Number(cond.beginSerialNo);
    const end = cond.endSerialNo === undefined ? undefined : Number(cond.endSerialNo);
    if ((begin === undefined) !== (end === undefined)) return this.error(c, "badParameters", true);
    const major = Number(cond.major ?? 0);
    const minor = Number(cond.minor ?? 0);
    const from = typeof cond.startTime === "string" ? Date.parse(cond.startTime) : undefined;
    const to = typeof cond.endTime === "string" ? Date.parse(cond.endTime) : undefined;
    const all = this.events.filter(
      (e) =>
        (major === 0 || e.major === major) &&
        (minor === 0 || e.minor === minor) &&
        (begin === undefined || (e.serialNo >= begin && e.serialNo <= end!)) &&
        (from === undefined || e.time.getTime() >= from) &&
        (to === undefined || e.time.getTime() <= to),
    );
    const page = all.slice(position, position + max);
    const more = position + page.length < all.length;
    return jsonResponse({
      AcsEvent: {
        searchID: cond.searchID,
        totalMatches: all.length,
        responseStatusStrg: page.length === 0 ? "NO MATCH" : more ? "MORE" : "OK",
        numOfMatches: page.length,
        ...(page.length > 0
          ? {
              InfoList: page.map((e) => ({
                major: e.major,
                minor: e.minor,
                time: formatInZone(e.time, this.opts.timeZone),
                ...(e.name ? { name: e.name } : {}),
                cardReaderNo: e.doorNo ?? 1,
                doorNo: e.doorNo ?? 1,
                ...(e.employeeNo ? { employeeNoString: e.employeeNo } : {}),
                serialNo: e.serialNo,
                userType: "visitor",
                currentVerifyMode: e.major === 5 && e.employeeNo ? "cardOrFace" : "invalid",
                mask: "no",
              })),
            }
          : {}),
      },
    });
  }

  private async writeUser(c: Context, op: "record" | "modify" | "setUp"): Promise<Response> {
    const body = await jsonBody(c);
    if (body === undefined) return this.error(c, "badJsonFormat", true);
    const u = (body as { UserInfo?: Record<string, unknown> }).UserInfo;
    if (!u || typeof u !== "object" || Array.isArray(u)) return this.error(c, "badParameters", true);
    const employeeNo = u.employeeNo;
    if (typeof employeeNo !== "string" || !EMPLOYEE_NO.test(employeeNo))
      return this.error(c, "badParameters", true);
    const existing = this.users.get(employeeNo);
    if (op === "record" && existing) return this.error(c, "employeeNoAlreadyExist", true);
    if (op === "modify" && !existing) return this.error(c, "employeeNoNotExist", true);
    const valid = u.Valid as TerminalUser["Valid"] | undefined;
    if (valid !== undefined) {
      if (
        typeof valid !== "object" ||
        !LOCAL_TIME.test(String(valid.beginTime)) ||
        !LOCAL_TIME.test(String(valid.endTime))
      )
        return this.error(c, "badParameters", true);
      if (valid.endTime < valid.beginTime) return this.error(c, "endtimeEarlierThanBegintime", true);
      // The terminals' clocks are 32-bit: clients cap validity at the end of 2037.
      if (valid.endTime > "2037-12-31T23:59:59") return this.error(c, "badParameters", true);
    }
    if (u.userType !== undefined && !["normal", "visitor", "blackList"].includes(String(u.userType)))
      return this.error(c, "badParameters", true);
    const base: TerminalUser = existing ?? {
      employeeNo,
      name: "",
      userType: "normal",
      Valid: {
        enable: false,
        beginTime: "2000-01-01T00:00:00",
        endTime: "2037-12-31T23:59:59",
        timeType: "local",
      },
      doorRight: "",
      RightPlan: [],
      gender: "unknown",
      numOfFace: 0,
    };
    if (op !== "modify" && !existing && typeof u.name !== "string")
      return this.error(c, "badParameters", true);
    this.users.set(employeeNo, {
      ...base,
      ...(typeof u.name === "string" ? { name: u.name } : {}),
      ...(u.userType ? { userType: u.userType as TerminalUser["userType"] } : {}),
      ...(valid
        ? {
            Valid: {
              enable: Boolean(valid.enable),
              beginTime: valid.beginTime,
              endTime: valid.endTime,
              timeType: valid.timeType ?? "local",
            },
          }
        : {}),
      ...(typeof u.doorRight === "string" ? { doorRight: u.doorRight } : {}),
      ...(Array.isArray(u.RightPlan) ? { RightPlan: u.RightPlan as TerminalUser["RightPlan"] } : {}),
      ...(typeof u.gender === "string" ? { gender: u.gender } : {}),
    });
    return this.reply(c, OK);
  }

  /**
   * A face as multipart/form-data: a JSON part `FaceDataRecord` naming the person (`FPID` = employeeNo), and
   * the JPEG in a part of any name. The person must exist; the picture must be a JPEG the algorithm takes.
   */
  private async uploadFace(c: Context): Promise<Response> {
    let form: Record<string, string | File>;
    try {
      form = (await c.req.parseBody()) as Record<string, string | File>;
    } catch {
      return this.error(c, "badParameters", true);
    }
    const record = form.FaceDataRecord;
    let meta: { faceLibType?: string; FDID?: string; FPID?: string } | undefined;
    try {
      meta =
        typeof record === "string"
          ? JSON.parse(record)
          : record
            ? JSON.parse(await record.text())
            : undefined;
    } catch {
      return this.error(c, "badJsonFormat", true);
    }
    if (meta?.faceLibType !== "blackFD" || meta.FDID !== "1" || typeof meta.FPID !== "string")
      return this.error(c, "badParameters", true);
    const user = this.users.get(meta.FPID);
    if (!user) return this.error(c, "employeeNoNotExist", true);
    const image = Object.entries(form).find(
      ([k, v]) => k !== "FaceDataRecord" && typeof v !== "string",
    )?.[1] as File | undefined;
    if (!image) return this.error(c, "faceDataPictureNotDetected", true);
    const bytes = new Uint8Array(await image.arrayBuffer());
    if (bytes.length > 200 * 1024) return this.error(c, "pictureSizeExceedLimit", true);
    const size = jpegSize(bytes);
    if (!size || Math.min(size.width, size.height) < 80 || Math.max(size.width, size.height) > 1000)
      return this.error(c, "faceDataPictureNotDetected", true);
    this.faces.set(meta.FPID, bytes);
    user.numOfFace = 1;
    return new Response(
      cjson({ requestURL: new URL(c.req.url).pathname + new URL(c.req.url).search, ...OK, FPID: meta.FPID }),
      {
        status: 200,
        headers: { "content-type": "application/json" },
      },
    );
  }

  private async searchUsers(c: Context): Promise<Response> {
    const body = await jsonBody(c);
    const cond = (body as { UserInfoSearchCond?: Record<string, unknown> } | undefined)?.UserInfoSearchCond;
    if (!cond) return this.error(c, "badParameters", true);
    const max = this.opts.maxResults ?? 30;
    const position = Number(cond.searchResultPosition);
    const wanted = Number(cond.maxResults);
    if (
      typeof cond.searchID !== "string" ||
      !Number.isInteger(position) ||
      position < 0 ||
      !Number.isInteger(wanted) ||
      wanted < 1
    )
      return this.error(c, "badParameters", true);
    const filter = Array.isArray(cond.EmployeeNoList)
      ? new Set((cond.EmployeeNoList as { employeeNo?: unknown }[]).map((e) => String(e.employeeNo)))
      : undefined;
    const all = [...this.users.values()]
      .filter((u) => !filter || filter.has(u.employeeNo))
      .sort((a, b) => (a.employeeNo < b.employeeNo ? -1 : 1));
    const page = all.slice(position, position + Math.min(wanted, max));
    const more = position + page.length < all.length;
    return jsonResponse({
      UserInfoSearch: {
        searchID: cond.searchID,
        responseStatusStrg: page.length === 0 ? "NO MATCH" : more ? "MORE" : "OK",
        numOfMatches: page.length,
        totalMatches: all.length,
        ...(page.length > 0 ? { UserInfo: page } : {}),
      },
    });
  }
}

/** One event in a terminal's log. */
export interface SimTerminalEvent {
  serialNo: number;
  major: number;
  minor: number;
  time: Date;
  doorNo?: number;
  employeeNo?: string;
  name?: string;
}

/** An injected fault (see `setFaults`). */
export interface TerminalFault {
  path: string;
  error: IsapiErrorName | "timeout" | "reset";
  rate?: number;
  times?: number;
}

/** One HTTP host push slot as configured. */
export interface HttpHost {
  url: string;
  ipAddress: string;
  portNo: number;
}

/** A slot as the terminal prints it: empty elements when unset. */
function hostXml(id: string, h: HttpHost | undefined) {
  return {
    id,
    url: h?.url ?? "",
    protocolType: h ? "HTTP" : "",
    parameterFormatType: h ? "JSON" : "",
    addressingFormatType: h ? "ipaddress" : "",
    ipAddress: h?.ipAddress ?? "",
    portNo: h?.portNo ?? 0,
    httpAuthenticationMethod: "none",
  };
}

interface StreamSink {
  send(text: string): void;
  close(): void;
  /** Stops sending anything (heartbeats too) while the connection stays open: a hung stream. */
  freeze(): void;
}

const jsonResponse = (v: unknown) =>
  new Response(cjson(v), { status: 200, headers: { "content-type": "application/json" } });
const xmlResponse = (body: string) =>
  new Response(body, { status: 200, headers: { "content-type": "application/xml" } });

async function jsonBody(c: Context): Promise<unknown> {
  try {
    return JSON.parse(await c.req.text());
  } catch {
    return undefined;
  }
}

/** POSIX TZ as terminals print it: the sign is inverted (`CST-5:00:00` is UTC+5). */
function posixZone(at: Date, timeZone: string): string {
  const offset = formatInZone(at, timeZone).slice(19);
  const sign = offset.startsWith("-") ? "+" : "-";
  const [h, m] = offset.slice(1).split(":");
  return `CST${sign}${Number(h)}:${m}:00`;
}
