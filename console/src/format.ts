import { language } from "./i18n.js";

/**
 * Times as a site's people read them: on the site's clock (the site has a time zone), with the date whenever it
 * is not today there, and relative ("2 min ago") where recency is what matters. No DOM: tested in Node.
 */

const locale = () => (language() === "ru" ? "ru-RU" : "en-GB");

/** The reader's own zone, from the browser. */
export const readerZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const partsFormats = new Map<string, Intl.DateTimeFormat>();

/** The wall clock of a zone at an instant. */
function wallClock(at: number, zone: string): WallClock {
  let f = partsFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    partsFormats.set(zone, f);
  }
  const out: Record<string, number> = {};
  for (const p of f.formatToParts(at)) if (p.type !== "literal") out[p.type] = Number(p.value);
  return out as unknown as WallClock;
}

const sameDay = (a: WallClock, b: WallClock) => a.year === b.year && a.month === b.month && a.day === b.day;

/**
 * A moment on a zone's clock in the reader's language: the time alone when it is today there, else the date
 * too (and the year when it is not this year).
 */
export function when(
  iso: string | null | undefined,
  zone: string = readerZone(),
  opts: { now?: Date; seconds?: boolean } = {},
): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const now = opts.now ?? new Date();
  const here = wallClock(d.getTime(), zone);
  const today = wallClock(now.getTime(), zone);
  const isToday = sameDay(here, today);
  return d.toLocaleString(locale(), {
    timeZone: zone,
    hourCycle: "h23",
    ...(isToday ? {} : { day: "numeric", month: "short" }),
    ...(here.year !== today.year ? { year: "numeric" } : {}),
    hour: "2-digit",
    minute: "2-digit",
    ...(isToday && opts.seconds !== false ? { second: "2-digit" } : {}),
  });
}

/** A visit's window on its site's clock: "09:00 – 17:00", or with dates when not today. */
export function span(from: string, until: string, zone: string = readerZone(), now = new Date()): string {
  return `${when(from, zone, { now, seconds: false })} – ${when(until, zone, { now, seconds: false })}`;
}

/** How long ago, in words ("2 min ago", "just now"), for the last six hours; undefined for older or future. */
export function ago(iso: string | null | undefined, now = new Date()): string | undefined {
  if (!iso) return undefined;
  const seconds = (now.getTime() - Date.parse(iso)) / 1000;
  if (!(seconds >= -5) || seconds > 6 * 3600) return undefined;
  const rtf = new Intl.RelativeTimeFormat(locale(), { numeric: "auto", style: "short" });
  if (seconds < 45) return rtf.format(0, "second");
  if (seconds < 3600) return rtf.format(-Math.max(1, Math.round(seconds / 60)), "minute");
  return rtf.format(-Math.floor(seconds / 3600), "hour");
}

/** The zone with its offset now, e.g. "Asia/Almaty (UTC+05:00)". */
export function zoneName(zone: string, at = new Date()): string {
  const offset =
    new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" })
      .formatToParts(at)
      .find((p) => p.type === "timeZoneName")?.value ?? "";
  return `${zone} (${offset === "GMT" ? "UTC+00:00" : offset.replace("GMT", "UTC")})`;
}

/** The whole moment, for a tooltip: "Thursday, 3 December 2026 at 14:02:11 · Asia/Almaty (UTC+05:00)". */
export function fullWhen(iso: string, zone: string): string {
  const d = new Date(iso);
  const text = d.toLocaleString(locale(), { timeZone: zone, dateStyle: "full", timeStyle: "medium" });
  return `${text} · ${zoneName(zone, d)}`;
}

/** Do two zones show the same clock now (Asia/Almaty and Asia/Qostanay, say)? */
export function sameClock(a: string, b: string, at = new Date()): boolean {
  if (a === b) return true;
  const x = wallClock(at.getTime(), a);
  const y = wallClock(at.getTime(), b);
  return sameDay(x, y) && x.hour === y.hour && x.minute === y.minute;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** A datetime-local input's value for an instant, on a zone's clock. */
export function toZoneInput(d: Date, zone: string = readerZone()): string {
  const w = wallClock(d.getTime(), zone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
}

/**
 * A datetime-local input's value, read on a zone's clock, as an ISO instant; "" when empty. Around a change of
 * offset the second pass settles on the offset in force at the result.
 */
export function fromZoneInput(value: string, zone: string = readerZone()): string {
  if (!value) return "";
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!m) return value;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as number[];
  const wall = Date.UTC(y!, mo! - 1, d!, h!, mi!, s ?? 0);
  const offsetAt = (t: number) => {
    const w = wallClock(t, zone);
    return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(t / 1000) * 1000;
  };
  let t = wall - offsetAt(wall);
  t = wall - offsetAt(t);
  return new Date(t).toISOString();
}
