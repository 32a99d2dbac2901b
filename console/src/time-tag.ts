import { h } from "./dom.js";
import { ago, fullWhen, readerZone, sameClock, when, zoneName } from "./format.js";
import { t } from "./i18n.js";

/**
 * A <time> on a site's clock, its full date and zone in the tooltip; with `relative`, "· 2 min ago" after it,
 * which `refreshRelativeTimes` keeps true while the page stays open.
 */
export function timeTag(
  iso: string | null | undefined,
  zone: string,
  opts: { relative?: boolean; seconds?: boolean } = {},
): HTMLElement {
  if (!iso) return h("span", {}, "—");
  const tag = h(
    "time",
    { datetime: iso, title: fullWhen(iso, zone) },
    when(iso, zone, { seconds: opts.seconds ?? true }),
  );
  if (!opts.relative) return tag;
  return h("span", { class: "when" }, tag, h("span", { class: "ago muted", "data-ago": iso }, relative(iso)));
}

const relative = (iso: string) => {
  const words = ago(iso);
  return words ? ` · ${words}` : "";
};

/** Rewords every relative time on the page (called every half minute). */
export function refreshRelativeTimes(root: ParentNode = document): void {
  for (const el of root.querySelectorAll<HTMLElement>("[data-ago]"))
    el.textContent = relative(el.dataset.ago!);
}

/**
 * Says once per page whose clock its times are on, when that is not the reader's own: "Times are the site's
 * local time: Asia/Almaty (UTC+05:00)." Nothing when every zone shows the reader's clock.
 */
export function zoneNote(zones: Iterable<string>): HTMLElement | null {
  const mine = readerZone();
  const distinct = [...new Set(zones)];
  if (distinct.every((z) => sameClock(z, mine))) return null;
  const names = distinct.map((z) => zoneName(z)).join(", ");
  return h(
    "p",
    { class: "zone-note" },
    t(distinct.length > 1 ? "zone.noteMany" : "zone.note", { zones: names }),
  );
}
