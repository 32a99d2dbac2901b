import type { Context, Hono } from "hono";
import { isapiError, jsonBody, jsonResponse, statusReply } from "../responses.js";
import type { TerminalState, TerminalUser } from "../terminal-state.js";
import { OK } from "../wire.js";

const EMPLOYEE_NO = /^[\x21-\x7e]{1,32}$/;
const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

/** The terminal's persons (`UserInfo`): write, search, count, delete. */
export function userRoutes(app: Hono, t: TerminalState): void {
  app.get("/ISAPI/AccessControl/UserInfo/Count", () =>
    jsonResponse({ UserInfoCount: { userNumber: t.users.size } }),
  );
  app.post("/ISAPI/AccessControl/UserInfo/Record", (c) => writeUser(t, c, "record"));
  app.put("/ISAPI/AccessControl/UserInfo/Modify", (c) => writeUser(t, c, "modify"));
  app.put("/ISAPI/AccessControl/UserInfo/SetUp", (c) =>
    t.opts.supportsSetUp === false ? isapiError(c, "notSupport", true) : writeUser(t, c, "setUp"),
  );
  app.post("/ISAPI/AccessControl/UserInfo/Search", (c) => searchUsers(t, c));
  app.put("/ISAPI/AccessControl/UserInfoDetail/Delete", async (c) => {
    const body = await jsonBody(c);
    const d = (body as { UserInfoDetail?: { mode?: string; EmployeeNoList?: { employeeNo?: unknown }[] } })
      ?.UserInfoDetail;
    if (!d || (d.mode !== "byEmployeeNo" && d.mode !== "all")) return isapiError(c, "badParameters", true);
    if (d.mode === "all") {
      t.users.clear();
      t.faces.clear();
    }
    for (const e of d.EmployeeNoList ?? []) {
      t.users.delete(String(e.employeeNo));
      t.faces.delete(String(e.employeeNo));
    }
    t.pollsLeft = 2;
    return statusReply(c, OK);
  });
  app.get("/ISAPI/AccessControl/UserInfoDetail/DeleteProcess", () => {
    const status = t.pollsLeft > 0 ? "processing" : t.deleteProcess;
    t.pollsLeft = Math.max(0, t.pollsLeft - 1);
    return jsonResponse({ UserInfoDetailDeleteProcess: { status } });
  });
}

async function writeUser(t: TerminalState, c: Context, op: "record" | "modify" | "setUp"): Promise<Response> {
  const body = await jsonBody(c);
  if (body === undefined) return isapiError(c, "badJsonFormat", true);
  const u = (body as { UserInfo?: Record<string, unknown> }).UserInfo;
  if (!u || typeof u !== "object" || Array.isArray(u)) return isapiError(c, "badParameters", true);
  const employeeNo = u.employeeNo;
  if (typeof employeeNo !== "string" || !EMPLOYEE_NO.test(employeeNo))
    return isapiError(c, "badParameters", true);
  const existing = t.users.get(employeeNo);
  if (op === "record" && existing) return isapiError(c, "employeeNoAlreadyExist", true);
  if (op === "modify" && !existing) return isapiError(c, "employeeNoNotExist", true);
  const valid = u.Valid as TerminalUser["Valid"] | undefined;
  if (valid !== undefined) {
    if (
      typeof valid !== "object" ||
      !LOCAL_TIME.test(String(valid.beginTime)) ||
      !LOCAL_TIME.test(String(valid.endTime))
    )
      return isapiError(c, "badParameters", true);
    if (valid.endTime < valid.beginTime) return isapiError(c, "endtimeEarlierThanBegintime", true);
    // The terminals' clocks are 32-bit: clients cap validity at the end of 2037.
    if (valid.endTime > "2037-12-31T23:59:59") return isapiError(c, "badParameters", true);
  }
  if (u.userType !== undefined && !["normal", "visitor", "blackList"].includes(String(u.userType)))
    return isapiError(c, "badParameters", true);
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
  if (op !== "modify" && !existing && typeof u.name !== "string") return isapiError(c, "badParameters", true);
  t.users.set(employeeNo, {
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
  return statusReply(c, OK);
}

async function searchUsers(t: TerminalState, c: Context): Promise<Response> {
  const body = await jsonBody(c);
  const cond = (body as { UserInfoSearchCond?: Record<string, unknown> } | undefined)?.UserInfoSearchCond;
  if (!cond) return isapiError(c, "badParameters", true);
  const max = t.opts.maxResults ?? 30;
  const position = Number(cond.searchResultPosition);
  const wanted = Number(cond.maxResults);
  if (
    typeof cond.searchID !== "string" ||
    !Number.isInteger(position) ||
    position < 0 ||
    !Number.isInteger(wanted) ||
    wanted < 1
  )
    return isapiError(c, "badParameters", true);
  const filter = Array.isArray(cond.EmployeeNoList)
    ? new Set((cond.EmployeeNoList as { employeeNo?: unknown }[]).map((e) => String(e.employeeNo)))
    : undefined;
  const all = [...t.users.values()]
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
