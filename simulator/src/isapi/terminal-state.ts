import { randomBytes } from "node:crypto";
import { formatInZone } from "@gatehouse/shared";
import type { SimCertificate } from "../tls.js";
import { cjson, type IsapiErrorName } from "./wire.js";

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

/**
 * What one terminal holds and does, apart from how it is reached: its persons and faces, its event log (which
 * survives reboots), its open alert streams and HTTP host push slots, and the door commands it took.
 */
export class TerminalState {
  readonly users = new Map<string, TerminalUser>();
  /** Enrolled faces by employeeNo (the JPEG as uploaded). */
  readonly faces = new Map<string, Uint8Array>();
  /** Door commands received, in order (door number, cmd). */
  readonly doorCommands: { door: number; cmd: string }[] = [];
  /** The terminal's event log; `serialNo` counts up from 1 and survives reboots. */
  readonly events: SimTerminalEvent[] = [];
  /** Open alert streams, and those hung by `freezeStreams`. */
  readonly streams = new Set<StreamSink>();
  private readonly frozen = new Set<StreamSink>();
  /** The HTTP host push slots (`httpHosts`); a reboot forgets them, as a DS-K1T502 did. */
  readonly httpHosts = new Map<string, HttpHost>();
  /** Pushes made to HTTP hosts, and those that failed. */
  pushes = { sent: 0, failed: 0 };
  /** How the next UserInfoDetail/Delete ends, and the polls it stays `processing` for. */
  deleteProcess: "success" | "processing" | "failed" = "success";
  pollsLeft = 0;

  readonly serialNumber: string;

  constructor(readonly opts: TerminalOptions) {
    this.serialNumber = `DS-K1T671M20260101V031000ENG${randomBytes(4).toString("hex").toUpperCase()}`;
  }

  /** The next UserInfoDetail/Delete stays `processing` for this many polls, then ends with `status`. */
  setDeleteOutcome(status: "success" | "failed"): void {
    this.deleteProcess = status;
  }

  /** The terminal's local wall time, as its `Valid` window and clock are kept. */
  localTime(at = new Date()): string {
    return formatInZone(at, this.opts.timeZone).slice(0, 19);
  }

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

  eventJson(e: SimTerminalEvent, currentEvent: boolean) {
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

  streamPart(e: SimTerminalEvent, currentEvent: boolean): string {
    const body = cjson(this.eventJson(e, currentEvent));
    return `--MIME_boundary\r\nContent-Type: application/json; charset="UTF-8"\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}\r\n`;
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

/** An open alert stream, as the terminal writes to it. */
export interface StreamSink {
  send(text: string): void;
  close(): void;
  /** Stops sending anything (heartbeats too) while the connection stays open: a hung stream. */
  freeze(): void;
}
