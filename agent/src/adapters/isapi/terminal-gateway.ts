import { randomUUID } from "node:crypto";
import { formatInZone, GatehouseError, parseDeviceTime } from "@gatehouse/shared";
import { FormData } from "undici";
import { create } from "xmlbuilder2";
import type { IsapiClient } from "./client.js";

const ISAPI_NS = "http://www.isapi.org/ver20/XMLSchema";

/** What Gatehouse needs of a terminal, by its capability flag. */
export const TERMINAL_FEATURES: Array<[flag: string, what: string]> = [
  ["isSupportUserInfo", "persons"],
  ["isSupportFDLib", "faces"],
  ["isSupportUserInfoDetailDelete", "person deletion"],
  ["isSupportAcsEvent", "event search"],
  ["isSupportRemoteControlDoor", "remote door control"],
];

/** A visitor as the agent writes it to a terminal. */
export interface TerminalPerson {
  employeeNo: string;
  name: string;
  validFrom: Date;
  validUntil: Date;
  /** Doors the person may pass (turnstiles: 1 entrance, 2 exit); empty: none. */
  doors: number[];
}

/** A person as the terminal reports it. */
export interface HeldTerminalPerson {
  employeeNo: string;
  name: string;
  userType: string;
  validFrom: Date | undefined;
  validUntil: Date | undefined;
  doors: number[];
  faces: number;
}

export type DoorAction = "open" | "close" | "always_open" | "always_closed";
const DOOR_CMD: Record<DoorAction, string> = {
  open: "open",
  close: "close",
  always_open: "alwaysOpen",
  always_closed: "alwaysClose",
};

interface UserInfoOut {
  employeeNo: string;
  name?: string;
  userType?: string;
  Valid?: { enable?: boolean; beginTime?: string; endTime?: string };
  doorRight?: string;
  numOfFace?: number;
}

/**
 * What Gatehouse does on one terminal, in ISAPI's terms: persons (`UserInfo`) with their validity in the
 * terminal's local time, door rights and the default 24/7 plan, faces (`FDLib`), remote door control, and
 * the device's identity and clock.
 */
export class TerminalGateway {
  private caps: { setUp: boolean; maxResults: number } | undefined;

  constructor(
    readonly client: IsapiClient,
    private readonly timeZone: string,
  ) {}

  get id(): string {
    return this.client.id;
  }

  /** Wall time in the terminal's zone without an offset: `Valid` is `timeType: local`. */
  private local(at: Date): string {
    return formatInZone(at, this.timeZone).slice(0, 19);
  }

  /** What the person API supports (SetUp upserts on newer firmware; a search page's size). */
  async capabilities(): Promise<{ setUp: boolean; maxResults: number }> {
    if (this.caps) return this.caps;
    try {
      const r = await this.client.json<{
        UserInfo?: {
          supportFunction?: { "@opt"?: string };
          UserInfoSearchCond?: { maxResults?: { "@max"?: number } };
        };
      }>("GET", "/ISAPI/AccessControl/UserInfo/capabilities");
      const opt = r?.UserInfo?.supportFunction?.["@opt"] ?? "";
      this.caps = {
        setUp: opt.split(",").includes("setUp"),
        maxResults: Math.min(30, Number(r?.UserInfo?.UserInfoSearchCond?.maxResults?.["@max"] ?? 30) || 30),
      };
    } catch (e) {
      if (!(e instanceof GatehouseError) || e.code !== "ISAPI_NOT_SUPPORTED") throw e;
      this.caps = { setUp: false, maxResults: 30 };
    }
    return this.caps;
  }

  /** Creates or updates a visitor: SetUp where supported, else Record and, if it exists, Modify. */
  async upsertPerson(p: TerminalPerson): Promise<void> {
    const doors = [...new Set(p.doors)].sort((a, b) => a - b);
    const info = {
      employeeNo: p.employeeNo,
      name: p.name,
      userType: "visitor",
      Valid: {
        enable: true,
        beginTime: this.local(p.validFrom),
        endTime: this.local(p.validUntil),
        timeType: "local",
      },
      doorRight: doors.join(","),
      RightPlan: doors.map((doorNo) => ({ doorNo, planTemplateNo: "1" })),
    };
    if ((await this.capabilities()).setUp) {
      await this.client.json("PUT", "/ISAPI/AccessControl/UserInfo/SetUp", { UserInfo: info });
      return;
    }
    try {
      await this.client.json("POST", "/ISAPI/AccessControl/UserInfo/Record", { UserInfo: info });
    } catch (e) {
      // Not an error for an upsert: the person is there already.
      if (!(e instanceof GatehouseError) || e.code !== "ISAPI_PERSON_EXISTS") throw e;
      await this.client.json("PUT", "/ISAPI/AccessControl/UserInfo/Modify", { UserInfo: info });
    }
  }

  /** Takes a person's doors away and ends its validity now; the person stays for passages until retention. */
  async revokePerson(employeeNo: string, now = new Date()): Promise<void> {
    const held = (await this.findPersons([employeeNo]))[0];
    if (!held) return;
    const begin = held.validFrom && held.validFrom < now ? held.validFrom : new Date(now.getTime() - 1000);
    await this.client.json("PUT", "/ISAPI/AccessControl/UserInfo/Modify", {
      UserInfo: {
        employeeNo,
        Valid: { enable: true, beginTime: this.local(begin), endTime: this.local(now), timeType: "local" },
        doorRight: "",
        RightPlan: [],
      },
    });
  }

  /** Persons (all, or these employeeNos), a page of at most 30 at a time until `OK` or `NO MATCH`. */
  async findPersons(employeeNos?: string[]): Promise<HeldTerminalPerson[]> {
    const { maxResults } = await this.capabilities();
    const searchID = randomUUID();
    const out: HeldTerminalPerson[] = [];
    for (let position = 0; ; ) {
      const r = await this.client.json<{
        UserInfoSearch?: { responseStatusStrg?: string; numOfMatches?: number; UserInfo?: UserInfoOut[] };
      }>("POST", "/ISAPI/AccessControl/UserInfo/Search", {
        UserInfoSearchCond: {
          searchID,
          searchResultPosition: position,
          maxResults,
          ...(employeeNos ? { EmployeeNoList: employeeNos.map((employeeNo) => ({ employeeNo })) } : {}),
        },
      });
      const s = r?.UserInfoSearch;
      const page = s?.UserInfo ?? [];
      for (const u of page) out.push(this.held(u));
      if (s?.responseStatusStrg !== "MORE" || page.length === 0) break;
      position += s.numOfMatches ?? page.length;
    }
    return out;
  }

  private held(u: UserInfoOut): HeldTerminalPerson {
    const at = (t: string | undefined) => (t ? parseDeviceTime(t, this.timeZone) : undefined);
    return {
      employeeNo: String(u.employeeNo),
      name: u.name ?? "",
      userType: u.userType ?? "normal",
      validFrom: at(u.Valid?.beginTime),
      validUntil: at(u.Valid?.endTime),
      doors: (u.doorRight ?? "").split(",").filter(Boolean).map(Number),
      faces: u.numOfFace ?? 0,
    };
  }

  /** Deletes persons (with their credentials) and waits for the terminal's asynchronous delete to finish. */
  async deletePersons(
    employeeNos: string[],
    opts: { pollMs?: number; timeoutMs?: number } = {},
  ): Promise<void> {
    if (employeeNos.length === 0) return;
    await this.client.json("PUT", "/ISAPI/AccessControl/UserInfoDetail/Delete", {
      UserInfoDetail: {
        mode: "byEmployeeNo",
        EmployeeNoList: employeeNos.map((employeeNo) => ({ employeeNo })),
      },
    });
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    for (;;) {
      const r = await this.client.json<{ UserInfoDetailDeleteProcess?: { status?: string } }>(
        "GET",
        "/ISAPI/AccessControl/UserInfoDetail/DeleteProcess",
      );
      const status = r?.UserInfoDetailDeleteProcess?.status;
      if (status === "success") return;
      if (status === "failed")
        throw new GatehouseError(
          "ISAPI_DELETE_FAILED",
          `terminal ${this.id} could not delete ${employeeNos.length} persons`,
          {
            retryable: true,
            details: { terminal: this.id },
          },
        );
      if (Date.now() > deadline)
        throw new GatehouseError(
          "ISAPI_DELETE_PENDING",
          `terminal ${this.id} is still deleting after ${Math.round((opts.timeoutMs ?? 60_000) / 1000)} s`,
          {
            retryable: true,
            details: { terminal: this.id },
          },
        );
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 500));
    }
  }

  /** Enrols a face (multipart: the `FaceDataRecord` JSON, then the JPEG); FDSetUp replaces an existing one. */
  async uploadFace(employeeNo: string, jpeg: Buffer, replace = false): Promise<void> {
    const form = new FormData();
    form.append("FaceDataRecord", JSON.stringify({ faceLibType: "blackFD", FDID: "1", FPID: employeeNo }));
    form.append("img", new Blob([new Uint8Array(jpeg)], { type: "image/jpeg" }), "face.jpg");
    await this.client.call(
      replace ? "PUT" : "POST",
      `/ISAPI/Intelligent/FDLib/${replace ? "FDSetUp" : "FaceDataRecord"}?format=json`,
      { form },
    );
  }

  async door(doorNo: number, action: DoorAction): Promise<void> {
    const xml = create({ version: "1.0", encoding: "UTF-8" })
      .ele(ISAPI_NS, "RemoteControlDoor", { version: "2.0" })
      .ele("cmd")
      .txt(DOOR_CMD[action])
      .end();
    await this.client.xml("PUT", `/ISAPI/AccessControl/RemoteControl/door/${doorNo}`, xml);
  }

  /** An HTTP host push slot as the terminal holds it. */
  async httpHost(slot: number): Promise<{ url: string; ipAddress: string; portNo: number }> {
    const r = await this.client.xml("GET", `/ISAPI/Event/notification/httpHosts/${slot}`);
    return { url: String(r.url ?? ""), ipAddress: String(r.ipAddress ?? ""), portNo: Number(r.portNo ?? 0) };
  }

  /** Points an HTTP host push slot at `target` (JSON events, no authentication, all events). */
  async setHttpHost(slot: number, target: { url: string; ipAddress: string; portNo: number }): Promise<void> {
    const xml = create({ version: "1.0", encoding: "UTF-8" })
      .ele(ISAPI_NS, "HttpHostNotification", { version: "2.0" })
      .ele("id")
      .txt(String(slot))
      .up()
      .ele("url")
      .txt(target.url)
      .up()
      .ele("protocolType")
      .txt("HTTP")
      .up()
      .ele("parameterFormatType")
      .txt("JSON")
      .up()
      .ele("addressingFormatType")
      .txt("ipaddress")
      .up()
      .ele("ipAddress")
      .txt(target.ipAddress)
      .up()
      .ele("portNo")
      .txt(String(target.portNo))
      .up()
      .ele("httpAuthenticationMethod")
      .txt("none")
      .up()
      .ele("SubscribeEvent")
      .ele("heartbeat")
      .txt("30")
      .up()
      .ele("eventMode")
      .txt("all")
      .up()
      .ele("EventList")
      .ele("Event")
      .ele("type")
      .txt("AccessControllerEvent")
      .up()
      .ele("pictureURLType")
      .txt("binary")
      .end();
    await this.client.xml("PUT", `/ISAPI/Event/notification/httpHosts/${slot}`, xml);
  }

  /** The features Gatehouse uses that this terminal's capabilities do not list. */
  async unsupportedFeatures(): Promise<string[]> {
    const caps = await this.client.xml("GET", "/ISAPI/AccessControl/capabilities");
    return TERMINAL_FEATURES.filter(([flag]) => String(caps[flag]) !== "true").map(([, what]) => what);
  }

  async deviceInfo(): Promise<{
    model: string;
    serialNumber: string;
    firmwareVersion: string;
    deviceName: string;
  }> {
    const r = await this.client.xml("GET", "/ISAPI/System/deviceInfo");
    return {
      model: String(r.model ?? ""),
      serialNumber: String(r.serialNumber ?? ""),
      firmwareVersion: String(r.firmwareVersion ?? ""),
      deviceName: String(r.deviceName ?? ""),
    };
  }

  /** The terminal's clock against this box's: positive when the terminal is ahead. */
  async clockSkewMs(): Promise<{ terminalTime: string; skewMs: number }> {
    const before = Date.now();
    const r = await this.client.xml("GET", "/ISAPI/System/time");
    const after = Date.now();
    const terminalTime = String(r.localTime ?? "");
    const at = parseDeviceTime(terminalTime, this.timeZone).getTime();
    return { terminalTime, skewMs: at - (before + after) / 2 };
  }
}
