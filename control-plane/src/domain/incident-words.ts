import type { Incident } from "@gatehouse/shared";

export type MailLanguage = "en" | "ru";
type Params = Incident["params"];

const str = (p: Params, k: string) => String(p[k] ?? "");

/** Turnstile alarms by name (the agent's names for ISAPI's minors 133–141). */
const ALARMS: Record<MailLanguage, Record<string, string>> = {
  en: {
    tailgating: "Tailgating: someone followed a guest through",
    reverse_passage: "Someone went through the turnstile the wrong way",
    forced_passage: "The turnstile was forced",
    climbing_over: "Someone climbed over the turnstile",
    passing_timeout: "A passage through the turnstile took too long",
    intrusion: "Intrusion at the turnstile",
    free_passage_not_authenticated: "Someone passed without authenticating",
    barrier_blocked: "The turnstile's barrier is blocked",
    barrier_block_cleared: "The turnstile's barrier is free again",
  },
  ru: {
    tailgating: "Проход «паровозиком»: за гостем прошёл кто-то ещё",
    reverse_passage: "Проход через турникет в обратную сторону",
    forced_passage: "Турникет взломан",
    climbing_over: "Кто-то перелез через турникет",
    passing_timeout: "Проход через турникет занял слишком долго",
    intrusion: "Вторжение у турникета",
    free_passage_not_authenticated: "Проход без идентификации",
    barrier_blocked: "Створка турникета заблокирована",
    barrier_block_cleared: "Створка турникета снова свободна",
  },
};

const SENTENCES: Record<MailLanguage, Record<Incident["type"], (p: Params) => string>> = {
  en: {
    denied_with_active_visit: (p) =>
      `${str(p, "guest")} was turned away at ${str(p, "door")} although their visit is active${p.reason ? ` (${str(p, "reason")})` : ""}`,
    passage_after_revoke: (p) =>
      `${str(p, "guest")} came in through ${str(p, "door")} after their access was taken away`,
    exit_without_entry: (p) =>
      `${str(p, "guest")} went out through ${str(p, "door")} with no entry before it (tailgating or a second way in?)`,
    entry_outside_hours: (p) =>
      `${str(p, "guest")} came in through ${str(p, "door")} outside the site's hours (${str(p, "from")}–${str(p, "to")})`,
    overstay: (p) =>
      `${str(p, "guest")} has been inside for ${str(p, "hours")} h ${str(p, "minutes")} min (the site allows ${str(p, "allowedHours")} h)`,
    turnstile_alarm: (p) => `${ALARMS.en[str(p, "alarm")] ?? str(p, "alarm")} at ${str(p, "door")}`,
  },
  ru: {
    denied_with_active_visit: (p) =>
      `${str(p, "guest")}: отказ на проходе «${str(p, "door")}», хотя визит активен${p.reason ? ` (${str(p, "reason")})` : ""}`,
    passage_after_revoke: (p) => `${str(p, "guest")}: вход через «${str(p, "door")}» после отзыва доступа`,
    exit_without_entry: (p) =>
      `${str(p, "guest")}: выход через «${str(p, "door")}» без входа перед ним (проход за кем-то или другой вход?)`,
    entry_outside_hours: (p) =>
      `${str(p, "guest")}: вход через «${str(p, "door")}» вне часов работы объекта (${str(p, "from")}–${str(p, "to")})`,
    overstay: (p) =>
      `${str(p, "guest")} внутри уже ${str(p, "hours")} ч ${str(p, "minutes")} мин (объект разрешает ${str(p, "allowedHours")} ч)`,
    turnstile_alarm: (p) => `${ALARMS.ru[str(p, "alarm")] ?? str(p, "alarm")}: «${str(p, "door")}»`,
  },
};

const TITLES: Record<MailLanguage, Record<Incident["type"], string>> = {
  en: {
    denied_with_active_visit: "Guest with an active visit turned away",
    exit_without_entry: "Exit without an entry",
    overstay: "Guest inside longer than allowed",
    entry_outside_hours: "Entry outside the site's hours",
    passage_after_revoke: "Entry after access was taken away",
    turnstile_alarm: "Turnstile alarm",
  },
  ru: {
    denied_with_active_visit: "Отказ гостю с активным визитом",
    exit_without_entry: "Выход без входа",
    overstay: "Гость внутри дольше разрешённого",
    entry_outside_hours: "Вход вне часов работы",
    passage_after_revoke: "Вход после отзыва доступа",
    turnstile_alarm: "Тревога турникета",
  },
};

/** An incident in words, in a language; the same facts (`params`) the console words for its reader. Pure. */
export function incidentSentence(
  type: Incident["type"],
  params: Params,
  language: MailLanguage = "en",
): string {
  return SENTENCES[language][type](params);
}

export function incidentTitle(type: Incident["type"], language: MailLanguage = "en"): string {
  return TITLES[language][type];
}

export const mailLanguage = (l: string | null | undefined): MailLanguage => (l === "ru" ? "ru" : "en");
