// Over 400 lines: the simulated OpenAPI as one route table; each route is a few lines, and they share the person
// view, the field checks and the quirks (`personNotFound`, `addPersonData`) that must stay consistent across them.
import { formatInZone } from "@gatehouse/shared";
import { ArtemisError, invalidPersonData, notSupported, paramError } from "./errors.js";
import { eventName } from "./event-codes.js";
import { asBody, type Body, idList, int, page, paging, reqStr, str, time } from "./fields.js";
import { jpegSize } from "./jpeg.js";
import { type HikState, personName, type SimEvent, type SimPerson } from "./state.js";

export interface ApiContext {
  state: HikState;
  timeZone: string;
  version: string;
  /** How an unknown personCode/personId is answered; real HCP's answer is not publicly captured. */
  personNotFound: "empty-data" | "code-2";
  onSubscriptionChange: () => void;
  /** `person/single/add` answers the id as a string (V2.x, V3.1.1) or as `{personId}` (some versions). */
  addPersonData: "string" | "object";
  /** A client reports HCP answers code 2 to a door event search without eventType or personName. */
  doorEventsRequireFilter: boolean;
  /** Terminals that are offline, and how long a download takes: what download status reports. */
  offlineDevices: () => string[];
  downloadDelayMs: () => number;
  /** Fault mode: answer face uploads with code 0 and keep no photo, as some HCP photo paths do. */
  dropFaces: () => boolean;
}

/** The largest face the simulated terminals' algorithm takes; HCP answered 128 to an unscaled phone photo. */
const MAX_FACE_BYTES = 200 * 1024;
const MAX_FACE_SIDE = 1000;
let picCounter = 0;

function acceptFace(ctx: ApiContext, p: SimPerson, faceData: string) {
  const bytes = Buffer.from(faceData, "base64");
  const size = jpegSize(bytes);
  if (!size || bytes.length > MAX_FACE_BYTES || size.width > MAX_FACE_SIDE || size.height > MAX_FACE_SIDE) {
    throw invalidPersonData();
  }
  if (ctx.dropFaces()) return;
  p.picUri = `/pic?face=${p.personId}-${++picCounter}`;
  p.pendingDownload = true;
  p.downloads = undefined;
}

type Handler = (body: Body, ctx: ApiContext) => unknown;

const personView = (p: SimPerson) => ({
  personId: p.personId,
  personCode: p.personCode,
  personName: personName(p),
  personFamilyName: p.personFamilyName,
  personGivenName: p.personGivenName,
  gender: p.gender,
  orgIndexCode: p.orgIndexCode,
  personPhoto: { picUri: p.picUri, picBigUri: p.picUri },
  phoneNo: p.phoneNo ?? "",
  email: p.email ?? "",
  remark: p.remark ?? "",
  beginTime: p.beginTime ?? "",
  endTime: p.endTime ?? "",
});

function findPerson(ctx: ApiContext, p: SimPerson | undefined, field: string) {
  if (p) return personView(p);
  if (ctx.personNotFound === "code-2") throw paramError(field);
  return undefined; // envelope without data
}

function requirePerson(ctx: ApiContext, personId: string): SimPerson {
  const p = ctx.state.persons.get(personId);
  if (!p) throw paramError("personId");
  return p;
}

const PERSON_FIELDS = new Set([
  "personId",
  "personCode",
  "personFamilyName",
  "personGivenName",
  "personName",
  "gender",
  "orgIndexCode",
  "phoneNo",
  "email",
  "remark",
  "beginTime",
  "endTime",
  "cards",
  "faces",
  "fingerPrint",
  "customFieldList",
  "residentRoomNo",
  "residentFloorNo",
]);

/** HCP answers code 2 for fields it does not know. */
function rejectUnknownFields(b: Body, allowed: Set<string>) {
  for (const k of Object.keys(b)) if (!allowed.has(k)) throw paramError(k);
}

function applyPersonFields(p: SimPerson, b: Body) {
  const family = str(b, "personFamilyName", { max: 64 });
  const given = str(b, "personGivenName", { max: 64 });
  if (family !== undefined) p.personFamilyName = family;
  if (given !== undefined) p.personGivenName = given;
  const gender = int(b, "gender", { min: 0, max: 2 });
  if (gender !== undefined) p.gender = gender;
  for (const f of ["phoneNo", "email", "remark"] as const) {
    const v = str(b, f, { max: 256 });
    if (v !== undefined) p[f] = v;
  }
  const begin = time(b, "beginTime");
  const end = time(b, "endTime");
  if (begin !== undefined) p.beginTime = begin;
  if (end !== undefined) p.endTime = end;
  if (p.beginTime && p.endTime && Date.parse(p.endTime) <= Date.parse(p.beginTime))
    throw paramError("endTime");
  p.pendingDownload = true;
  p.downloads = undefined;
}

function eventView(e: SimEvent, ctx: ApiContext) {
  const door = ctx.state.doors.get(e.doorIndexCode);
  const person = e.personId ? ctx.state.persons.get(e.personId) : undefined;
  return {
    eventId: e.eventId,
    eventName: eventName(e.eventType),
    eventTime: formatInZone(e.happenTime, ctx.timeZone),
    personId: e.personId ?? "",
    cardNo: e.cardNo ?? "",
    personName: e.personName ?? "",
    orgIndexCode: person?.orgIndexCode ?? "",
    doorName: door?.doorName ?? "",
    doorIndexCode: e.doorIndexCode,
    doorRegionIndexCode: "1",
    picUri: e.picUri ?? "",
    svrIndexCode: "1",
    eventType: e.eventType,
    inAndOutType: e.inAndOutType,
    readerDevIndexCode: door?.acsDevIndexCode ?? "",
    readerDevName: door ? `${door.doorName} Reader` : "",
    devIndexCode: door?.acsDevIndexCode ?? "",
    devName: door?.doorName ?? "",
    receiveTime: formatInZone(e.receiveTime, ctx.timeZone),
  };
}

/** The last door-event search per simulated HikCentral, for the next page of it. */
const doorEventSearches = new WeakMap<HikState, { key: string; rows: SimEvent[]; scanned: number }>();

export const handlers: Record<string, Handler> = {
  "common/v1/version": (_b, ctx) => ({ produceName: "HikCentral Professional", softVersion: ctx.version }),

  "resource/v1/org/orgList": (b, ctx) => page(ctx.state.orgs, paging(b)),

  "resource/v1/person/single/add": (b, ctx) => {
    rejectUnknownFields(b, PERSON_FIELDS);
    const personCode = str(b, "personCode", { max: 32 });
    reqStr(b, "personFamilyName", 64);
    reqStr(b, "personGivenName", 64);
    const orgIndexCode = reqStr(b, "orgIndexCode");
    if (!ctx.state.orgs.some((o) => o.orgIndexCode === orgIndexCode)) throw paramError("orgIndexCode");
    if (personCode && ctx.state.personByCode(personCode)) throw paramError("personCode");
    const faces = b.faces;
    if (
      faces !== undefined &&
      (!Array.isArray(faces) || faces.some((f) => typeof (f as Body)?.faceData !== "string"))
    ) {
      throw paramError("faces");
    }
    const p: SimPerson = {
      personId: ctx.state.allocatePersonId(),
      personCode: personCode ?? "",
      personFamilyName: "",
      personGivenName: "",
      gender: 0,
      orgIndexCode,
      picUri: "",
      pendingDownload: true,
    };
    applyPersonFields(p, b);
    if (!p.personCode) p.personCode = p.personId;
    const first = (faces as Body[] | undefined)?.[0];
    if (first) acceptFace(ctx, p, first.faceData as string);
    ctx.state.persons.set(p.personId, p);
    return ctx.addPersonData === "object" ? { personId: p.personId } : p.personId;
  },

  "resource/v1/person/single/update": (b, ctx) => {
    rejectUnknownFields(b, PERSON_FIELDS);
    const p = requirePerson(ctx, reqStr(b, "personId"));
    const code = str(b, "personCode", { max: 32 });
    if (code !== undefined && code !== p.personCode) {
      if (ctx.state.personByCode(code)) throw paramError("personCode");
      p.personCode = code;
    }
    const org = str(b, "orgIndexCode");
    if (org !== undefined) {
      if (!ctx.state.orgs.some((o) => o.orgIndexCode === org)) throw paramError("orgIndexCode");
      p.orgIndexCode = org;
    }
    // A photo sent here is accepted and silently dropped, as on V3.1.1.
    applyPersonFields(p, b);
    return undefined;
  },

  "resource/v1/person/face/update": (b, ctx) => {
    if (b.personCode !== undefined && b.personId !== undefined) {
      throw new ArtemisError("2", "Incorrect request parameter. [personId and personCode can only have one]");
    }
    rejectUnknownFields(b, new Set(["personId", "faceData"]));
    const p = requirePerson(ctx, reqStr(b, "personId"));
    acceptFace(ctx, p, reqStr(b, "faceData"));
    return undefined;
  },

  "resource/v1/person/single/delete": (b, ctx) => {
    const p = requirePerson(ctx, reqStr(b, "personId"));
    ctx.state.persons.delete(p.personId);
    for (const g of ctx.state.groups.values()) g.members.delete(p.personId);
    return undefined;
  },

  "resource/v1/person/personCode/personInfo": (b, ctx) =>
    findPerson(ctx, ctx.state.personByCode(reqStr(b, "personCode")), "personCode"),

  "resource/v1/person/personId/personInfo": (b, ctx) =>
    findPerson(ctx, ctx.state.persons.get(reqStr(b, "personId")), "personId"),

  "resource/v1/person/personList": (b, ctx) =>
    page([...ctx.state.persons.values()].map(personView), paging(b)),

  "resource/v1/person/advance/personList": (b, ctx) => {
    const name = str(b, "personName");
    const code = str(b, "personCode");
    const org = str(b, "orgIndexCode");
    const rows = [...ctx.state.persons.values()].filter(
      (p) =>
        (name === undefined || personName(p).includes(name)) &&
        (code === undefined || p.personCode.startsWith(code)) &&
        (org === undefined || p.orgIndexCode === org),
    );
    return page(rows.map(personView), paging(b));
  },

  "acs/v1/privilege/group": (b, ctx) => {
    const type = int(b, "type", { min: 1, max: 2 });
    const rows = [...ctx.state.groups.values()]
      .filter((g) => type === undefined || g.type === type)
      .map((g) => ({
        privilegeGroupId: g.privilegeGroupId,
        privilegeGroupName: g.privilegeGroupName,
        description: g.description,
        timeSchedule: { name: "09:00-22:00", indexCode: "2" },
      }));
    return page(rows, paging(b));
  },

  "acs/v1/privilege/group/single/addPersons": (b, ctx) => changeMembers(b, ctx, "add"),
  "acs/v1/privilege/group/single/deletePersons": (b, ctx) => changeMembers(b, ctx, "delete"),

  "acs/v1/privilege/group/single/personList": (b, ctx) => {
    const g = ctx.state.groups.get(reqStr(b, "privilegeGroupId"));
    if (!g) throw paramError("privilegeGroupId");
    return page(
      [...g.members].map((id) => ({ id, personId: id })),
      paging(b),
    );
  },

  "visitor/v1/auth/reapplication": (b, ctx) => {
    const ids = idList(b, "personIds");
    const readyAt = Date.now() + ctx.downloadDelayMs();
    const offline = new Set(ctx.offlineDevices());
    for (const p of ctx.state.persons.values()) {
      if (ids !== undefined && !ids.includes(p.personId)) continue;
      // A terminal the download fails on keeps the old data, so the person stays pending for it.
      const devices = new Set(
        ctx.state
          .groupsOf(p.personId)
          .flatMap((g) => g.doors.map((d) => ctx.state.doors.get(d)!.acsDevIndexCode)),
      );
      p.downloads = new Map(
        [...devices].map((dev) => [
          dev,
          offline.has(dev)
            ? { status: "2" as const, errorCode: "0x80000002", readyAt }
            : { status: "0" as const, errorCode: "", readyAt },
        ]),
      );
      p.pendingDownload = [...p.downloads.values()].some((d) => d.status !== "0");
    }
    return undefined;
  },

  "visitor/v1/person/ID/elementDownloadDetail": (b, ctx) => {
    const p = requirePerson(ctx, reqStr(b, "id"));
    const now = Date.now();
    return {
      ElementDetailList: {
        ElementDetail: [...(p.downloads ?? new Map())].map(([dev, d]) => {
          const door = [...ctx.state.doors.values()].find((x) => x.acsDevIndexCode === dev);
          const status = now < d.readyAt ? "1" : d.status;
          return {
            BaseInfo: {
              Name: door ? `${door.doorName} Terminal` : dev,
              ElementType: "acsDevice",
              ID: dev,
              Network: "online",
            },
            ElementStatus: [
              {
                Status: status,
                ErrorModule: status === "2" ? "device" : "",
                ErrorCode: status === "2" ? d.errorCode : "",
              },
            ],
          };
        }),
      },
    };
  },

  "resource/v1/acsDoor/acsDoorList": (b, ctx) =>
    page(
      [...ctx.state.doors.values()].map((d) => ({
        doorIndexCode: d.doorIndexCode,
        doorName: d.doorName,
        acsDevIndexCode: d.acsDevIndexCode,
        regionIndexCode: "1",
      })),
      paging(b),
    ),

  "acs/v1/door/events": (b, ctx) => {
    const start = time(b, "startTime", true)!;
    const end = time(b, "endTime", true)!;
    const from = Date.parse(start);
    const to = Date.parse(end);
    if (to < from) throw paramError("endTime");
    if (to - from > 31 * 86_400_000) throw paramError("endTime");
    const eventType = int(b, "eventType");
    const doors = idList(b, "doorIndexCodes");
    if (doors && doors.length > 10) throw paramError("doorIndexCodes");
    const name = str(b, "personName");
    if (ctx.doorEventsRequireFilter && eventType === undefined && name === undefined)
      throw paramError("eventType");
    const order = int(b, "orderType", { min: 0, max: 1 }) ?? 0;
    // A client pages through one search: the matching rows are kept (events only get appended; those added
    // since are checked alone), and only the page asked for is rendered. HCP answers from an indexed database;
    // a scan, a sort and a rendering of every event per page made the simulator, not the agent, the limit of
    // a busy benchmark.
    const events = ctx.state.events;
    const matches = (e: SimEvent) => {
      const t = e.happenTime.getTime();
      return (
        t >= from &&
        t <= to &&
        (eventType === undefined || e.eventType === eventType) &&
        (doors === undefined || doors.includes(e.doorIndexCode)) &&
        (name === undefined || (e.personName ?? "").includes(name))
      );
    };
    const key = JSON.stringify([from, to, eventType, doors, name, order]);
    let search = doorEventSearches.get(ctx.state);
    if (search?.key !== key || search.scanned > events.length) {
      search = { key, rows: [], scanned: 0 };
      doorEventSearches.set(ctx.state, search);
    }
    if (search.scanned < events.length) {
      const added = events.slice(search.scanned).filter(matches);
      search.scanned = events.length;
      if (added.length > 0) {
        search.rows.push(...added);
        search.rows.sort((a, b2) => a.happenTime.getTime() - b2.happenTime.getTime() || a.seq - b2.seq);
        if (order === 1) search.rows.reverse();
      }
    }
    const rows = search.rows;
    const found = page(rows, paging(b));
    return found.list ? { ...found, list: found.list.map((e) => eventView(e, ctx)) } : found;
  },

  // Answered by the server itself: HCP replies with a redirect to the image, not with an envelope.
  "acs/v1/event/pictures": () => {
    throw new ArtemisError("8", "This product version is not supported");
  },

  "eventService/v1/eventSubscriptionByEventTypes": (b, ctx) => {
    const types = b.eventTypes;
    if (!Array.isArray(types) || types.length === 0 || !types.every((t) => Number.isInteger(t)))
      throw paramError("eventTypes");
    const dest = reqStr(b, "eventDest");
    if (!/^https?:\/\/[^\s]+$/.test(dest)) throw paramError("eventDest");
    const token = str(b, "token");
    for (const t of types as number[]) {
      ctx.state.subscriptions.set(t, {
        eventTypes: new Set([t]),
        eventDest: dest,
        ...(token ? { token } : {}),
      });
    }
    ctx.onSubscriptionChange();
    return "";
  },

  "eventService/v1/eventUnSubscriptionByEventTypes": (b, ctx) => {
    const types = b.eventTypes;
    if (!Array.isArray(types)) throw paramError("eventTypes");
    for (const t of types) ctx.state.subscriptions.delete(Number(t));
    ctx.onSubscriptionChange();
    return "";
  },

  "eventService/v1/eventSubscriptionView": (_b, ctx) => {
    const byDest = new Map<string, number[]>();
    for (const [t, s] of ctx.state.subscriptions)
      byDest.set(s.eventDest, [...(byDest.get(s.eventDest) ?? []), t]);
    return { detail: [...byDest].map(([eventDest, eventTypes]) => ({ eventTypes, eventDest })) };
  },
};

function changeMembers(b: Body, ctx: ApiContext, op: "add" | "delete") {
  const g = ctx.state.groups.get(reqStr(b, "privilegeGroupId"));
  if (!g) throw paramError("privilegeGroupId");
  const type = int(b, "type", { required: true, min: 1, max: 2 });
  if (type !== g.type) throw paramError("type");
  const list = b.list;
  if (!Array.isArray(list) || list.length === 0) throw paramError("list");
  const ids = list.map((item) => {
    const id = item && typeof item === "object" ? (item as Body).id : undefined;
    if (typeof id !== "string" && typeof id !== "number") throw paramError("list");
    return String(id);
  });
  for (const id of ids) requirePerson(ctx, id);
  for (const id of ids) {
    if (op === "add") g.members.add(id);
    else g.members.delete(id);
    ctx.state.persons.get(id)!.pendingDownload = true;
    ctx.state.persons.get(id)!.downloads = undefined;
  }
  return undefined;
}

export function dispatch(apiPath: string, raw: unknown, ctx: ApiContext): unknown {
  const handler = handlers[apiPath];
  if (!handler) throw notSupported();
  return handler(asBody(raw ?? {}), ctx);
}

export { ArtemisError };
