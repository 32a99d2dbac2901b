import { formatInZone, type Incident } from "@gatehouse/shared";
import { incidentSentence, incidentTitle, mailLanguage } from "../../domain/incident-words.js";

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

const FACT_NAMES = {
  en: {
    site: "Site",
    when: "When",
    guest: "Guest",
    door: "Door",
    visit: "Visit",
    incident: "Incident",
    unknown: "unknown",
    critical: "CRITICAL",
    warning: "Security",
    at: "at",
  },
  ru: {
    site: "Объект",
    when: "Когда",
    guest: "Гость",
    door: "Проход",
    visit: "Визит",
    incident: "Инцидент",
    unknown: "неизвестен",
    critical: "КРИТИЧНО",
    warning: "Безопасность",
    at: "—",
  },
} as const;

/** The email to a site's security contact about one incident, in the site's language. */
export function incidentMail(
  i: Incident,
  siteName: string,
  timeZone: string,
  language = "en",
): { subject: string; text: string; html: string } {
  const lang = mailLanguage(language);
  const w = FACT_NAMES[lang];
  const title = incidentTitle(i.type, lang);
  // Stored before incidents carried their facts: the English sentence is all there is.
  const sentence = Object.keys(i.params).length > 0 ? incidentSentence(i.type, i.params, lang) : i.message;
  const time = localTime(i.occurredAt, timeZone);
  const subject = `[${i.severity === "critical" ? w.critical : w.warning}] ${title} ${w.at} ${siteName}`;
  const facts: Array<[string, string]> = [
    [w.site, siteName],
    [w.when, time],
    [w.guest, i.guestName ?? w.unknown],
    [w.door, i.doorName ?? "-"],
    [w.visit, i.visitId ?? "-"],
    [w.incident, i.id],
  ];
  const text = `${sentence}.\n\n${facts.map(([k, v]) => `${k}: ${v}`).join("\n")}\n\n--\nGatehouse\n`;
  const html =
    `<!doctype html><html><body style="font-family:sans-serif"><p><strong>${escapeHtml(title)}</strong></p>` +
    `<p>${escapeHtml(sentence)}.</p><table>${facts
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
