/**
 * Time helpers. HikCentral wants ISO 8601 with the site's numeric offset (never `Z`), and answers with
 * or without milliseconds, sometimes with no offset at all, sometimes as `yyyy-MM-dd HH:mm:ss`.
 */

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

function offsetFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = offsetFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      timeZoneName: "longOffset",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    offsetFormatters.set(timeZone, f);
  }
  return f;
}

/** Throws a RangeError naming the zone when it is not an IANA time zone. */
export function assertTimeZone(timeZone: string): void {
  offsetFormatter(timeZone);
}

/**
 * Offsets by zone and quarter hour: every offset is a multiple of 15 minutes and every change of one falls on
 * a quarter hour, so an offset holds for its whole quarter. (`formatToParts` was a tenth of the agent's time
 * at a thousand passages a second.)
 */
const offsets = new Map<string, number>();
const QUARTER_HOUR_MS = 900_000;

/** Offset of `timeZone` from UTC at `instant`, in minutes (Asia/Almaty → 300). */
export function zoneOffsetMinutes(instant: Date, timeZone: string): number {
  const key = `${timeZone}|${Math.floor(instant.getTime() / QUARTER_HOUR_MS)}`;
  const known = offsets.get(key);
  if (known !== undefined) return known;
  const minutes = readOffsetMinutes(instant, timeZone);
  if (offsets.size >= 1000) offsets.delete(offsets.keys().next().value!);
  offsets.set(key, minutes);
  return minutes;
}

function readOffsetMinutes(instant: Date, timeZone: string): number {
  const name = offsetFormatter(timeZone)
    .formatToParts(instant)
    .find((p) => p.type === "timeZoneName")?.value;
  if (!name || name === "GMT") return 0;
  const m = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name);
  if (!m) throw new RangeError(`cannot read the UTC offset of time zone ${timeZone} (${name})`);
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === "-" ? -minutes : minutes;
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/**
 * `2025-10-03T09:00:00+05:00`: the instant as wall time in `timeZone` with a numeric offset; seconds
 * precision (what HikCentral is sent) unless `ms` asks for milliseconds (what passages keep).
 */
export function formatInZone(instant: Date, timeZone: string, opts: { ms?: boolean } = {}): string {
  const offset = zoneOffsetMinutes(instant, timeZone);
  const local = new Date(instant.getTime() + offset * 60_000);
  return (
    `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
    (opts.ms ? `.${pad(local.getUTCMilliseconds(), 3)}` : "") +
    formatOffset(offset)
  );
}

const HIK_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses a time as HikCentral or a terminal writes it. A time without an offset is wall time in
 * `timeZone` (the site's zone), not UTC and not the agent's own zone.
 */
export function parseDeviceTime(text: string, timeZone: string): Date {
  const m = HIK_TIME.exec(text.trim());
  if (!m) throw new RangeError(`not a date-time: ${JSON.stringify(text)}`);
  const [, y, mo, d, h, mi, s, frac, off] = m;
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, "0")) : 0;
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (off) {
    if (off === "Z") return new Date(wall);
    const sign = off.startsWith("-") ? -1 : 1;
    const digits = off.slice(1).replace(":", "");
    const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4));
    return new Date(wall - sign * minutes * 60_000);
  }
  // Wall time in a zone: guess with the offset at the wall instant, then correct once for DST edges.
  let guess = wall - zoneOffsetMinutes(new Date(wall), timeZone) * 60_000;
  guess = wall - zoneOffsetMinutes(new Date(guess), timeZone) * 60_000;
  return new Date(guess);
}

/** ISO 8601 in UTC with milliseconds: what Gatehouse itself stores and publishes. */
export function isoNow(now: Date = new Date()): string {
  return now.toISOString();
}
