import { formatInZone } from "@gatehouse/shared";
import { XMLParser } from "fast-xml-parser";
import type { Context, Hono } from "hono";
import { isapiError, jsonBody, jsonResponse, statusReply, xmlResponse } from "../responses.js";
import type { HttpHost, StreamSink, TerminalState } from "../terminal-state.js";
import { isapiXml, OK } from "../wire.js";

const xml = new XMLParser({ ignoreAttributes: true, removeNSPrefix: true, parseTagValue: false });

/** The terminal's events: the alert stream, the event log search, and the HTTP host push slots. */
export function eventRoutes(app: Hono, t: TerminalState): void {
  app.get("/ISAPI/Event/notification/alertStream", (c) => alertStream(t, c));
  app.get("/ISAPI/Event/notification/httpHosts", () =>
    xmlResponse(
      isapiXml("HttpHostNotificationList", {
        HttpHostNotification: ["1", "2"].map((id) => hostXml(id, t.httpHosts.get(id))),
      }),
    ),
  );
  app.get("/ISAPI/Event/notification/httpHosts/:id", (c) => {
    const id = c.req.param("id");
    if (id !== "1" && id !== "2") return isapiError(c, "badParameters", false);
    return xmlResponse(isapiXml("HttpHostNotification", hostXml(id, t.httpHosts.get(id))));
  });
  app.put("/ISAPI/Event/notification/httpHosts/:id", async (c) => {
    const id = c.req.param("id");
    if (id !== "1" && id !== "2") return isapiError(c, "badParameters", false);
    let h: Record<string, unknown> | undefined;
    try {
      h = (xml.parse(await c.req.text()) as { HttpHostNotification?: Record<string, unknown> })
        .HttpHostNotification;
    } catch {
      return isapiError(c, "badXmlFormat", false);
    }
    const portNo = Number(h?.portNo);
    if (!h || String(h.id) !== id || typeof h.url !== "string" || !h.ipAddress || !Number.isInteger(portNo))
      return isapiError(c, "badParameters", false);
    if (String(h.protocolType ?? "HTTP") !== "HTTP") return isapiError(c, "notSupport", false);
    t.httpHosts.set(id, { url: h.url, ipAddress: String(h.ipAddress), portNo });
    return statusReply(c, OK, 200, false);
  });
  app.post("/ISAPI/AccessControl/AcsEvent", (c) => searchEvents(t, c));
}

/**
 * The long-lived alert stream: every stored event again (`currentEvent:false`), then live ones, heartbeats
 * when configured. A stream takes a slot; with none free the terminal answers `deployExceedMax`.
 */
function alertStream(t: TerminalState, c: Context): Response {
  if (t.streams.size >= (t.opts.streamSlots ?? 1)) return isapiError(c, "deployExceedMax", false);
  // The agent's own login shows in the log, as on real terminals.
  t.logEvent({ major: 3, minor: 112 });
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
            t.streams.delete(sink);
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
          t.streams.delete(sink);
        },
      };
      for (const e of t.events) sink.send(t.streamPart(e, false));
      t.streams.add(sink);
      if (t.opts.heartbeatMs)
        heartbeat = setInterval(() => {
          const xml = isapiXml("EventNotificationAlert", {
            ipAddress: "127.0.0.1",
            dateTime: formatInZone(new Date(), t.opts.timeZone),
            activePostCount: 0,
            eventType: "videoloss",
            eventState: "inactive",
            eventDescription: "videoloss alarm",
          });
          sink.send(
            `--MIME_boundary\r\nContent-Type: application/xml; charset="UTF-8"\r\nContent-Length: ${Buffer.byteLength(xml)}\r\n\r\n${xml}\r\n`,
          );
        }, t.opts.heartbeatMs);
    },
    cancel: () => {
      clearInterval(heartbeat);
      t.streams.delete(sink);
    },
  });
  return new Response(stream, {
    status: 200,
    headers: {
      "content-type": `multipart/mixed; boundary=${t.opts.streamHeaderBoundary ?? "MIME_boundary"}`,
    },
  });
}

/** `AcsEvent` search: at most 30 a page, by time and/or serial range (a begin needs an end), oldest first. */
async function searchEvents(t: TerminalState, c: Context): Promise<Response> {
  const body = await jsonBody(c);
  const cond = (body as { AcsEventCond?: Record<string, unknown> } | undefined)?.AcsEventCond;
  if (!cond || typeof cond.searchID !== "string") return isapiError(c, "badParameters", true);
  const position = Number(cond.searchResultPosition ?? 0);
  const max = Number(cond.maxResults);
  if (!Number.isInteger(max) || max < 1 || max > 30 || !Number.isInteger(position) || position < 0)
    return isapiError(c, "badParameters", true);
  const begin = cond.beginSerialNo === undefined ? undefined : Number(cond.beginSerialNo);
  const end = cond.endSerialNo === undefined ? undefined : Number(cond.endSerialNo);
  if ((begin === undefined) !== (end === undefined)) return isapiError(c, "badParameters", true);
  const major = Number(cond.major ?? 0);
  const minor = Number(cond.minor ?? 0);
  const from = typeof cond.startTime === "string" ? Date.parse(cond.startTime) : undefined;
  const to = typeof cond.endTime === "string" ? Date.parse(cond.endTime) : undefined;
  const all = t.events.filter(
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
              time: formatInZone(e.time, t.opts.timeZone),
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
