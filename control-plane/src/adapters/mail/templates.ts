import { formatInZone, type Incident } from "@gatehouse/shared";

export interface PassageMailFacts {
  kind: "first_entry" | "first_exit";
  language: string;
  guestName: string;
  hostName: string;
  siteName: string;
  doorName: string;
  occurredAt: string;
  timeZone: string;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** Local wall time at the site, e.g. "2025-10-03 09:00 (UTC+05:00)". */
export function localTime(iso: string, timeZone: string): string {
  const s = formatInZone(new Date(iso), timeZone);
  return `${s.slice(0, 10)} ${s.slice(11, 16)} (UTC${s.slice(19)})`;
}

const TEXT = {
  en: {
    first_entry: { subject: (g: string) => `${g} has arrived`, verb: "entered", greeting: "Hello" },
    first_exit: { subject: (g: string) => `${g} has left`, verb: "left", greeting: "Hello" },
    line: (g: string, verb: string, site: string, door: string, time: string) =>
      `Your guest ${g} ${verb} ${site} through ${door} at ${time}.`,
    footer: "This message was sent by Gatehouse once for this visit.",
  },
  ru: {
    first_entry: {
      subject: (g: string) => `${g} прибыл(а)`,
      verb: "прошёл(ла) на территорию",
      greeting: "Здравствуйте",
    },
    first_exit: {
      subject: (g: string) => `${g} ушёл(ла)`,
      verb: "покинул(а) территорию",
      greeting: "Здравствуйте",
    },
    line: (g: string, verb: string, site: string, door: string, time: string) =>
      `Ваш гость ${g} ${verb} «${site}» через «${door}» в ${time}.`,
    footer: "Это сообщение Gatehouse отправляет один раз за визит.",
  },
} as const;

export function passageMail(f: PassageMailFacts): { subject: string; text: string; html: string } {
  const t = f.language === "ru" ? TEXT.ru : TEXT.en;
  const k = t[f.kind];
  const time = localTime(f.occurredAt, f.timeZone);
  const line = t.line(f.guestName, k.verb, f.siteName, f.doorName, time);
  const text = `${k.greeting}, ${f.hostName}!\n\n${line}\n\n--\n${t.footer}\n`;
  const html =
    `<!doctype html><html><body style="font-family:sans-serif">` +
    `<p>${escapeHtml(k.greeting)}, ${escapeHtml(f.hostName)}!</p><p>${escapeHtml(line)}</p>` +
    `<p style="color:#666;font-size:small">${escapeHtml(t.footer)}</p></body></html>`;
  return { subject: k.subject(f.guestName), text, html };
}

const TYPE_TITLES: Record<Incident["type"], string> = {
  denied_with_active_visit: "Guest with an active visit turned away",
  exit_without_entry: "Exit without an entry",
  overstay: "Guest inside longer than allowed",
  entry_outside_hours: "Entry outside the site's hours",
  passage_after_revoke: "Entry after access was taken away",
  turnstile_alarm: "Turnstile alarm",
};

/** The email to a site's security contact about one incident. */
export function incidentMail(
  i: Incident,
  siteName: string,
  timeZone: string,
): { subject: string; text: string; html: string } {
  const title = TYPE_TITLES[i.type];
  const time = localTime(i.occurredAt, timeZone);
  const subject = `[${i.severity === "critical" ? "CRITICAL" : "Security"}] ${title} at ${siteName}`;
  const facts: Array<[string, string]> = [
    ["Site", siteName],
    ["When", time],
    ["Guest", i.guestName ?? "unknown"],
    ["Door", i.doorName ?? "-"],
    ["Visit", i.visitId ?? "-"],
    ["Incident", i.id],
  ];
  const text = `${i.message}.\n\n${facts.map(([k, v]) => `${k}: ${v}`).join("\n")}\n\n--\nGatehouse\n`;
  const html =
    `<!doctype html><html><body style="font-family:sans-serif"><p><strong>${escapeHtml(title)}</strong></p>` +
    `<p>${escapeHtml(i.message)}.</p><table>${facts
      .map(([k, v]) => `<tr><td style="color:#666">${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`)
      .join("")}</table></body></html>`;
  return { subject, text, html };
}

/** The email to a group event's organiser when registration closes by itself. */
export function eventClosedMail(f: {
  eventName: string;
  organizerName: string;
  language: string;
  reason: "capacity" | "deadline";
  registered: number;
  capacity: number;
}): { subject: string; text: string; html: string } {
  const ru = f.language === "ru";
  const why = ru
    ? f.reason === "capacity"
      ? `все ${f.capacity} мест заняты`
      : "срок регистрации истёк"
    : f.reason === "capacity"
      ? `all ${f.capacity} places are taken`
      : "its registration deadline has passed";
  const subject = ru
    ? `Регистрация на «${f.eventName}» закрыта`
    : `Registration for ${f.eventName} has closed`;
  const line = ru
    ? `Регистрация на «${f.eventName}» закрыта: ${why}. Зарегистрировано: ${f.registered}.`
    : `Registration for ${f.eventName} has closed: ${why}. Registered: ${f.registered}.`;
  const greeting = ru ? "Здравствуйте" : "Hello";
  const text = `${greeting}, ${f.organizerName}!\n\n${line}\n\n--\nGatehouse\n`;
  const html = `<!doctype html><html><body style="font-family:sans-serif"><p>${escapeHtml(greeting)}, ${escapeHtml(f.organizerName)}!</p><p>${escapeHtml(line)}</p></body></html>`;
  return { subject, text, html };
}
