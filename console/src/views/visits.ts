import { ApiError, api, query } from "../api.js";
import { may, type View, type ViewContext } from "../context.js";
import { confirmAction } from "../dialog.js";
import { clear, h, uid } from "../dom.js";
import { span } from "../format.js";
import { label, t } from "../i18n.js";
import { loadSites, siteName, zoneOf } from "../sites.js";
import { zoneNote } from "../time-tag.js";
import type { Page, Site, Visit } from "../types.js";
import { problemText } from "../words.js";

const STATUSES = ["held", "scheduled", "active", "checked_out", "cancelled", "expired", "refused"];

/** Visits, searched and filtered (the filter lives in the address, so a link or Back keeps it); bulk revoke. */
export function visitsList(ctx: ViewContext, params: URLSearchParams): View {
  const canRevoke = may(ctx.me, "operator");
  const selected = new Set<string>();
  const shown: Visit[] = [];
  let cursor: string | null = null;

  const q = h("input", {
    type: "search",
    name: "q",
    id: "f-q",
    value: params.get("q") ?? "",
    "aria-label": t("visits.search"),
    placeholder: t("visits.search"),
  });
  const site = h("select", { name: "site", id: "f-site" }, h("option", { value: "" }, t("visits.any")));
  const status = h(
    "select",
    { name: "status", id: "f-status" },
    h("option", { value: "" }, t("visits.any")),
    ...STATUSES.map((s) =>
      h("option", { value: s, selected: params.get("status") === s }, label("status", s)),
    ),
  );
  const inside = h("input", {
    type: "checkbox",
    name: "inside",
    id: "f-inside",
    checked: params.get("inside") === "true",
  });
  const form = h(
    "form",
    { class: "filters", role: "search" },
    q,
    h("label", { for: "f-site" }, t("visits.site"), site),
    h("label", { for: "f-status" }, t("visits.status"), status),
    h("label", { class: "check", for: "f-inside" }, inside, t("visits.inside")),
    h("button", { type: "submit" }, t("visits.apply")),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    ctx.go(
      `#/visits${query({
        q: q.value.trim() || undefined,
        site: site.value || undefined,
        status: status.value || undefined,
        inside: inside.checked ? "true" : undefined,
      })}`,
    );
  });

  const body = h("tbody");
  const more = h("button", { type: "button", class: "secondary", hidden: true }, t("visits.more"));
  const selectedCount = h("span", { "aria-live": "polite" });
  const bulkButton = h(
    "button",
    { type: "button", class: "danger", disabled: true },
    t("visits.revokeSelected"),
  );
  const selectAll = h("input", { type: "checkbox", id: uid("all"), "aria-label": t("visits.selectAll") });
  const bulkResult = h("div", { class: "bulk-result", role: "status" });
  const zoneSlot = h("div", { class: "zone-slot" });

  const updateSelection = () => {
    selectedCount.textContent = t("visits.selected", { count: selected.size });
    bulkButton.disabled = selected.size === 0;
  };

  const revocable = (v: Visit) => !v.endedAt && v.status !== "held" && v.access !== "revoked";

  function row(v: Visit): HTMLTableRowElement {
    const box = canRevoke
      ? h("input", {
          type: "checkbox",
          "aria-label": `${t("col.select")} ${v.guest.name}`,
          disabled: !revocable(v),
          checked: selected.has(v.id),
        })
      : null;
    box?.addEventListener("change", () => {
      if (box.checked) selected.add(v.id);
      else selected.delete(v.id);
      updateSelection();
    });
    return h(
      "tr",
      { "data-visit": v.id },
      canRevoke ? h("td", { class: "select" }, box) : null,
      h(
        "td",
        { "data-label": t("col.guest") },
        h("a", { href: `#/visits/${encodeURIComponent(v.id)}` }, v.guest.name),
      ),
      h("td", { "data-label": t("col.host") }, v.host.name),
      h("td", { "data-label": t("col.site") }, siteName(v.site)),
      h(
        "td",
        { "data-label": t("col.status") },
        label("status", v.status),
        v.inside && v.endedAt
          ? h(
              "span",
              { class: "badge warn-badge", "data-presence": "ended-inside" },
              ` ${t("presence.flag")}`,
            )
          : v.inside
            ? h("span", { class: "badge good" }, ` ${t("visit.insideNow")}`)
            : null,
      ),
      h(
        "td",
        { "data-label": t("col.access") },
        h(
          "span",
          { class: `badge access-${v.status === "held" ? "held" : v.access}`, "data-access": v.access },
          v.status === "held" ? t("access.held") : label("access", v.access),
        ),
      ),
      h(
        "td",
        { "data-label": t("col.window"), class: "window" },
        span(v.validFrom, v.validUntil, zoneOf(v.site)),
      ),
    );
  }

  async function loadPage(): Promise<void> {
    const page = await api<Page<Visit>>(
      "GET",
      `/v1/visits${query({
        q: params.get("q") ?? undefined,
        site: params.get("site") ?? undefined,
        status: params.get("status") ?? undefined,
        inside: params.get("inside") ?? undefined,
        limit: "50",
        cursor: cursor ?? undefined,
      })}`,
    );
    await loadSites().catch(() => []);
    if (shown.length === 0 && page.items.length === 0)
      body.append(h("tr", {}, h("td", { colspan: 7, class: "empty" }, t("visits.none"))));
    for (const v of page.items) {
      shown.push(v);
      body.append(row(v));
    }
    zoneSlot.replaceChildren(zoneNote(shown.map((v) => zoneOf(v.site))) ?? "");
    cursor = page.nextCursor;
    more.hidden = !cursor;
  }

  const failed = (e: unknown) =>
    ctx.announce(e instanceof ApiError ? problemText(e.status, e.problem) : t("error.network"), "bad");
  more.addEventListener("click", () => void loadPage().catch(failed));
  selectAll.addEventListener("change", () => {
    for (const v of shown) if (revocable(v)) selectAll.checked ? selected.add(v.id) : selected.delete(v.id);
    for (const box of body.querySelectorAll<HTMLInputElement>("td.select input:not(:disabled)"))
      box.checked = selectAll.checked;
    updateSelection();
  });
  bulkButton.addEventListener("click", async () => {
    const ids = [...selected];
    if (!(await confirmAction(t("visits.bulkConfirm", { count: ids.length }), t("visits.revokeSelected"))))
      return;
    bulkButton.disabled = true;
    clear(bulkResult);
    const failures: string[] = [];
    let ok = 0;
    // One at a time: each revoke is its own command in the site's order, and the API answers each.
    for (const id of ids) {
      const v = shown.find((x) => x.id === id);
      try {
        const after = await api<Visit>("POST", `/v1/visits/${encodeURIComponent(id)}/revoke`);
        ok++;
        selected.delete(id);
        const tr = body.querySelector(`tr[data-visit="${CSS.escape(id)}"]`);
        if (tr) {
          const i = shown.findIndex((x) => x.id === id);
          shown[i] = after;
          tr.replaceWith(row(after));
        }
      } catch (e) {
        failures.push(
          t("visits.bulkFailed", {
            guest: v?.guest.name ?? id,
            reason: e instanceof ApiError ? problemText(e.status, e.problem) : t("error.network"),
          }),
        );
      }
    }
    bulkResult.append(
      h("p", {}, t("visits.bulkDone", { ok, count: ids.length })),
      ...failures.map((f) => h("p", { class: "bad" }, f)),
    );
    ctx.announce(t("visits.bulkDone", { ok, count: ids.length }), failures.length ? "bad" : "good");
    updateSelection();
  });

  const el = h(
    "section",
    { class: "panel", "aria-labelledby": "h-visits" },
    h("h1", { id: "h-visits" }, t("visits.title")),
    zoneSlot,
    form,
    canRevoke
      ? h(
          "div",
          { class: "bulk" },
          h("label", { for: selectAll.id, class: "check" }, selectAll, t("visits.selectAll")),
          selectedCount,
          bulkButton,
        )
      : null,
    bulkResult,
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "rows visits" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            canRevoke ? h("th", { scope: "col" }, h("span", { class: "sr-only" }, t("col.select"))) : null,
            h("th", { scope: "col" }, t("col.guest")),
            h("th", { scope: "col" }, t("col.host")),
            h("th", { scope: "col" }, t("col.site")),
            h("th", { scope: "col" }, t("col.status")),
            h("th", { scope: "col" }, t("col.access")),
            h("th", { scope: "col" }, t("col.window")),
          ),
        ),
        body,
      ),
    ),
    more,
  );

  void api<Page<Site>>("GET", "/v1/sites").then((s) => {
    for (const x of s.items)
      site.append(h("option", { value: x.id, selected: params.get("site") === x.id }, x.name));
  });
  updateSelection();
  void loadPage().catch(failed);
  return { el, dispose() {} };
}
