import type { Context } from "hono";
import { cjson, ISAPI_ERRORS, type IsapiErrorName, isapiXml, type StatusReply } from "./wire.js";

/** ResponseStatus as the terminal answers a request: cJSON for JSON resources, XML for the rest. */
export function statusReply(c: Context, status: StatusReply, http = 200, asJson = true): Response {
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

/** One of the catalogued errors, with its HTTP status. */
export function isapiError(c: Context, name: IsapiErrorName, asJson: boolean): Response {
  const { http, ...status } = ISAPI_ERRORS[name];
  return statusReply(c, status, http, asJson);
}

export const jsonResponse = (v: unknown): Response =>
  new Response(cjson(v), { status: 200, headers: { "content-type": "application/json" } });

export const xmlResponse = (body: string): Response =>
  new Response(body, { status: 200, headers: { "content-type": "application/xml" } });

/** The request's JSON body, or undefined when it is not JSON. */
export async function jsonBody(c: Context): Promise<unknown> {
  try {
    return JSON.parse(await c.req.text());
  } catch {
    return undefined;
  }
}
