import { language } from "./i18n.js";

const locale = () => (language() === "ru" ? "ru-RU" : "en-GB");

/** A moment in the reader's clock and language: time alone when it is today, else date and time. */
export function when(iso: string | null | undefined, now = new Date(), seconds = true): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const today = d.toDateString() === now.toDateString();
  return d.toLocaleString(locale(), {
    ...(today ? {} : { day: "numeric", month: "short" }),
    hour: "2-digit",
    minute: "2-digit",
    second: today && seconds ? "2-digit" : undefined,
  });
}

export function span(from: string, until: string): string {
  const now = new Date();
  return `${when(from, now, false)} – ${when(until, now, false)}`;
}

/** The value of a datetime-local input for a moment, on the reader's clock. */
export function toLocalInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A datetime-local input's value as an ISO instant with the reader's offset, or "" when empty. */
export function fromLocalInput(value: string): string {
  if (!value) return "";
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : d.toISOString();
}
