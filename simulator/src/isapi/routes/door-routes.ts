import { XMLParser } from "fast-xml-parser";
import type { Hono } from "hono";
import { isapiError, statusReply } from "../responses.js";
import type { TerminalState } from "../terminal-state.js";
import { OK } from "../wire.js";

const xml = new XMLParser({ ignoreAttributes: true, removeNSPrefix: true, parseTagValue: false });

/** Remote door control: open, close, or hold a door open or closed. */
export function doorRoutes(app: Hono, t: TerminalState): void {
  app.put("/ISAPI/AccessControl/RemoteControl/door/:door", async (c) => {
    const door = Number(c.req.param("door"));
    let cmd: string | undefined;
    try {
      const doc = xml.parse(await c.req.text()) as { RemoteControlDoor?: { cmd?: string } };
      cmd = doc.RemoteControlDoor?.cmd;
    } catch {
      return isapiError(c, "badXmlFormat", false);
    }
    if (!Number.isInteger(door) || door < 1 || door > 2) return isapiError(c, "badParameters", false);
    if (!cmd || !["open", "close", "alwaysOpen", "alwaysClose"].includes(cmd))
      return isapiError(c, "badParameters", false);
    t.doorCommands.push({ door, cmd });
    return statusReply(c, OK, 200, false);
  });
}
