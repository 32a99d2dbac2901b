import type { Context, Hono } from "hono";
import { jpegSize } from "../../hikcentral/jpeg.js";
import { isapiError } from "../responses.js";
import type { TerminalState } from "../terminal-state.js";
import { cjson, OK } from "../wire.js";

/** The face library (`FDLib`): a face per person, uploaded as multipart/form-data. */
export function faceRoutes(app: Hono, t: TerminalState): void {
  app.post("/ISAPI/Intelligent/FDLib/FaceDataRecord", (c) => uploadFace(t, c));
  app.put("/ISAPI/Intelligent/FDLib/FDSetUp", (c) => uploadFace(t, c));
}

/**
 * A face as multipart/form-data: a JSON part `FaceDataRecord` naming the person (`FPID` = employeeNo), and
 * the JPEG in a part of any name. The person must exist; the picture must be a JPEG the algorithm takes.
 */
async function uploadFace(t: TerminalState, c: Context): Promise<Response> {
  let form: Record<string, string | File>;
  try {
    form = (await c.req.parseBody()) as Record<string, string | File>;
  } catch {
    return isapiError(c, "badParameters", true);
  }
  const record = form.FaceDataRecord;
  let meta: { faceLibType?: string; FDID?: string; FPID?: string } | undefined;
  try {
    meta =
      typeof record === "string" ? JSON.parse(record) : record ? JSON.parse(await record.text()) : undefined;
  } catch {
    return isapiError(c, "badJsonFormat", true);
  }
  if (meta?.faceLibType !== "blackFD" || meta.FDID !== "1" || typeof meta.FPID !== "string")
    return isapiError(c, "badParameters", true);
  const user = t.users.get(meta.FPID);
  if (!user) return isapiError(c, "employeeNoNotExist", true);
  const image = Object.entries(form).find(([k, v]) => k !== "FaceDataRecord" && typeof v !== "string")?.[1] as
    | File
    | undefined;
  if (!image) return isapiError(c, "faceDataPictureNotDetected", true);
  const bytes = new Uint8Array(await image.arrayBuffer());
  if (bytes.length > 200 * 1024) return isapiError(c, "pictureSizeExceedLimit", true);
  const size = jpegSize(bytes);
  if (!size || Math.min(size.width, size.height) < 80 || Math.max(size.width, size.height) > 1000)
    return isapiError(c, "faceDataPictureNotDetected", true);
  t.faces.set(meta.FPID, bytes);
  user.numOfFace = 1;
  return new Response(
    cjson({ requestURL: new URL(c.req.url).pathname + new URL(c.req.url).search, ...OK, FPID: meta.FPID }),
    {
      status: 200,
      headers: { "content-type": "application/json" },
    },
  );
}
