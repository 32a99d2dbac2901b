import { formatInZone } from "@gatehouse/shared";

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
