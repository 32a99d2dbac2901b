import { formatInZone } from "@gatehouse/shared";
import type { Hono } from "hono";
import { jsonResponse, xmlResponse } from "../responses.js";
import type { TerminalState } from "../terminal-state.js";
import { isapiXml } from "../wire.js";

/** Who the terminal is, its clock, and what it can do. */
export function systemRoutes(app: Hono, t: TerminalState): void {
  app.get("/ISAPI/System/deviceInfo", () =>
    xmlResponse(
      isapiXml("DeviceInfo", {
        deviceName: `Turnstile ${t.opts.id}`,
        deviceID: t.opts.id,
        model: t.opts.model ?? "DS-K1T671M",
        serialNumber: t.serialNumber,
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
        localTime: formatInZone(new Date(), t.opts.timeZone),
        timeZone: posixZone(new Date(), t.opts.timeZone),
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
          "@opt": `post,delete,put,get${t.opts.supportsSetUp === false ? "" : ",setUp"}`,
        },
        UserInfoSearchCond: { maxResults: { "@min": 1, "@max": t.opts.maxResults ?? 30 } },
        EmployeeNoInfo: { employeeNo: { "@min": 1, "@max": 32 } },
      },
    }),
  );
}

/** POSIX TZ as terminals print it: the sign is inverted (`CST-5:00:00` is UTC+5). */
function posixZone(at: Date, timeZone: string): string {
  const offset = formatInZone(at, timeZone).slice(19);
  const sign = offset.startsWith("-") ? "+" : "-";
  const [h, m] = offset.slice(1).split(":");
  return `CST${sign}${Number(h)}:${m}:00`;
}
