import { create } from "xmlbuilder2";

export const ISAPI_NS = "http://www.isapi.org/ver20/XMLSchema";

/**
 * JSON as terminals print it (cJSON formatted): tab indents, a tab after each colon, arrays inline as
 * `[{`…`}, {`…`}]`, no newline at the end.
 */
export function cjson(value: unknown, depth = 0): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return `[${value.map((v) => cjson(v, depth)).join(", ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return `{\n${"\t".repeat(depth)}}`;
    const inner = "\t".repeat(depth + 1);
    const body = entries.map(([k, v]) => `${inner}${JSON.stringify(k)}:\t${cjson(v, depth + 1)}`).join(",\n");
    return `{\n${body}\n${"\t".repeat(depth)}}`;
  }
  return JSON.stringify(value);
}

/**
 * XML as terminals print it: the declaration, one element per line, no indentation, CRLF line ends (also
 * after the root), `version="2.0"` and the isapi.org namespace on the root.
 */
export function isapiXml(root: string, children: Record<string, unknown>): string {
  const doc = create({ version: "1.0", encoding: "UTF-8" }).ele(ISAPI_NS, root, { version: "2.0" });
  const add = (parent: ReturnType<typeof doc.ele>, obj: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(obj)) {
      if (v === undefined) continue;
      for (const item of Array.isArray(v) ? v : [v]) {
        if (item !== null && typeof item === "object") add(parent.ele(k), item as Record<string, unknown>);
        else parent.ele(k).txt(String(item ?? ""));
      }
    }
  };
  add(doc, children);
  return `${doc.end({ prettyPrint: true, indent: "", newline: "\r\n" })}\r\n`;
}

/** The terminal's answer to a request: ResponseStatus as JSON (cJSON) or XML. */
export interface StatusReply {
  statusCode: number;
  statusString: string;
  subStatusCode: string;
  errorCode?: number;
  errorMsg?: string;
}

export const OK: StatusReply = { statusCode: 1, statusString: "OK", subStatusCode: "ok" };

/**
 * The error catalogue terminals answer with (isapi.md §4), with the HTTP status beside. Captured errorCodes:
 * 0x40000001 notSupport, 0x60006020 employeeNoAlreadyExist; the others are in their statusCode's family
 * (0x2…, 0x3…, 0x4…, 0x5…, 0x6000…) but not captured, so clients must go by subStatusCode.
 */
export const ISAPI_ERRORS = {
  busy: {
    http: 503,
    statusCode: 2,
    statusString: "Device Busy",
    subStatusCode: "deviceBusy",
    errorCode: 0x20000004,
  },
  deviceError: {
    http: 500,
    statusCode: 3,
    statusString: "Device Error",
    subStatusCode: "deviceError",
    errorCode: 0x30000001,
  },
  notSupport: {
    http: 400,
    statusCode: 4,
    statusString: "Invalid Operation",
    subStatusCode: "notSupport",
    errorCode: 0x40000001,
  },
  methodNotAllowed: {
    http: 400,
    statusCode: 4,
    statusString: "Invalid Operation",
    subStatusCode: "methodNotAllowed",
    errorCode: 0x40000002,
  },
  badJsonFormat: {
    http: 400,
    statusCode: 5,
    statusString: "Invalid Format",
    subStatusCode: "badJsonFormat",
    errorCode: 0x50000001,
  },
  badXmlFormat: {
    http: 400,
    statusCode: 5,
    statusString: "Invalid XML Format",
    subStatusCode: "badXmlFormat",
    errorCode: 0x50000001,
  },
  badParameters: {
    http: 400,
    statusCode: 6,
    statusString: "Invalid Content",
    subStatusCode: "badParameters",
    errorCode: 0x60000001,
  },
  employeeNoAlreadyExist: {
    http: 400,
    statusCode: 6,
    statusString: "Invalid Content",
    subStatusCode: "employeeNoAlreadyExist",
    errorCode: 0x60006020,
    errorMsg: "checkUser",
  },
  employeeNoNotExist: {
    http: 400,
    statusCode: 6,
    statusString: "Invalid Content",
    subStatusCode: "employeeNoNotExist",
    errorCode: 0x60006021,
  },
  endtimeEarlierThanBegintime: {
    http: 400,
    statusCode: 6,
    statusString: "Invalid Content",
    subStatusCode: "endtimeEarlierThanBegintime",
    errorCode: 0x60006024,
  },
  faceDataPictureNotDetected: {
    http: 400,
    statusCode: 6,
    statusString: "Invalid Content",
    subStatusCode: "faceDataPictureNotDetected",
    errorCode: 0x6000701f,
  },
  pictureSizeExceedLimit: {
    http: 400,
    statusCode: 6,
    statusString: "Invalid Content",
    subStatusCode: "pictureSizeExceedLimit",
    errorCode: 0x60007014,
  },
  deployExceedMax: {
    http: 503,
    statusCode: 4,
    statusString: "Invalid Operation",
    subStatusCode: "deployExceedMax",
    errorCode: 0x40000010,
  },
  remoteDoorFunctionDisable: {
    http: 400,
    statusCode: 4,
    statusString: "Invalid Operation",
    subStatusCode: "remoteDoorFunctionDisable",
    errorCode: 0x4000800a,
  },
} as const;
export type IsapiErrorName = keyof typeof ISAPI_ERRORS;
