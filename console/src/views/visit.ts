import { ApiError, api } from "../api.js";
import { may, type View, type ViewContext } from "../context.js";
import { append, clear, h } from "../dom.js";
import { FormFields, handleSubmit } from "../form-fields.js";
import { fromLocalInput, span, toLocalInput, when } from "../format.js";
import { isKey, type Key, label, t } from "../i18n.js";
import { passageRow } from "../passages.js";
import { visitTimeline } from "../timeline.js";
import type { Page, Visit } from "../types.js";

type Action = "revoke" | "cancel" | "checkout" | "retry" | "approve" | "refuse";

const CLOSED = ["checked_out", "cancelled", "expired", "refused"];

/** The actions this reader may take on this visit now (the API decides in the end; it answers 409 otherwise). */
export function visitActions(v: Visit, role: ViewContext["me"]["role"]): Action[] {
  const out: Action[] = [];
  const open = !CLOSED.includes(v.status);
  const operator = role === "operator" || role === "admin";
  if (!open) return out;
  if (v.status === "held") {
    if (role === "admin") out.push("approve", "refuse");
    if (operator) out.push("cancel");
    return out;
  }
  if (!operator) return out;
  if (v.access === "failed" && !v.endedAt) out.push("retry");
  if (v.access !== "revoked") out.push("revoke");
  if (v.status === "active") out.push("checkout");
  out.push("cancel");
  return out;
}

/** One visit: its details, the actions the reader's role allows, and its timeline, kept live. */
export function visitPage(ctx: ViewContext, id: string): View {
  const el = h("section", { class: "panel visit", "aria-busy": "true" }, h("p", {}, t("loading")));

  async function load(): Promise<void> {
    try {
      const [v, p] = await Promise.all([
        api<Visit>("GET", `/v1/visits/${encodeURIComponent(id)}`),
        api<Page<Parameters<typeof passageRow>[0]>>("GET", `/v1/visits/${encodeURIComponent(id)}/passages`),
      ]);
      render(v, p.items.map(passageRow));
    } catch (e) {
      clear(el);
      el.append(
        h(
          "p",
          { class: "bad" },
          e instanceof ApiError && e.status === 404 ? t("notFound") : String((e as Error).message),
        ),
      );
    }
    el.removeAttribute("aria-busy");
  }

  async function act(action: Action, button: HTMLButtonElement): Promise<void> {
    const name = t(`act.${action}` as Key);
    if (["revoke", "cancel", "refuse"].includes(action) && !confirm(t("act.confirm", { action: name })))
      return;
    button.disabled = true;
    try {
      await api<Visit>("POST", `/v1/visits/${encodeURIComponent(id)}/${action}`);
      ctx.announce(`${name}: ${t("act.done")}`, "good");
      await load();
    } catch (e) {
      ctx.announce(e instanceof ApiError ? e.problem.detail : String(e), "bad");
      button.disabled = false;
    }
  }

  function timesForm(v: Visit): HTMLElement {
    const f = new FormFields(t("form.timesErrors"));
    const from = h("input", { type: "datetime-local", value: toLocalInput(new Date(v.validFrom)) });
    const until = h("input", { type: "datetime-local", value: toLocalInput(new Date(v.validUntil)) });
    const submit = h("button", { type: "submit" }, t("act.save"));
    const form = h(
      "form",
      { class: "times", novalidate: true },
      f.summary,
      f.field("validFrom", t("form.validFrom"), from),
      f.field("validUntil", t("form.validUntil"), until),
      submit,
    );
    handleSubmit(form, submit, f, async () => {
      await api<Visit>("PATCH", `/v1/visits/${encodeURIComponent(id)}`, {
        validFrom: fromLocalInput(from.value),
        validUntil: fromLocalInput(until.value),
      });
      ctx.announce(`${t("act.times")}: ${t("act.done")}`, "good");
      await load();
    });
    return h("details", { class: "times-box" }, h("summary", {}, t("act.times")), form);
  }

  function render(v: Visit, passages: ReturnType<typeof passageRow>[]): void {
    clear(el);
    const actions = visitActions(v, ctx.me.role);
    const open = !CLOSED.includes(v.status);
    const dl = (pairs: Array<[string, Node | string]>) =>
      h("dl", { class: "facts" }, ...pairs.flatMap(([k, val]) => [h("dt", {}, k), h("dd", {}, val)]));
    append(
      el,
      h("p", {}, h("a", { href: "#/visits" }, `← ${t("visit.back")}`)),
      h("h1", {}, t("visit.title", { guest: v.guest.name })),
      h(
        "p",
        { class: "badges" },
        h("span", { class: "badge", "data-status": v.status }, label("status", v.status)),
        " ",
        h(
          "span",
          { class: `badge access-${v.access}`, "data-access": v.access },
          `${t("col.access")}: ${label("access", v.access)}`,
        ),
        v.inside
          ? h("span", { class: "badge good", "data-inside": "true" }, ` ${t("visit.insideNow")}`)
          : null,
      ),
      v.heldReason ? h("p", { class: "warn" }, t("visit.held", { reason: v.heldReason })) : null,
      v.accessError ? h("p", { class: "bad" }, t("visit.accessError", { error: v.accessError })) : null,
      dl([
        [t("col.guest"), [v.guest.name, v.guest.email, v.guest.phone].filter(Boolean).join(" · ")],
        [t("col.host"), [v.host.name, v.host.email].filter(Boolean).join(" · ")],
        [t("col.site"), v.site],
        [t("visit.kind"), v.kind],
        [t("visit.window"), span(v.validFrom, v.validUntil)],
        [t("visit.counts", { entries: v.entryCount, exits: v.exitCount }), ""],
        [t("visit.personCode"), v.personCode],
        ...(v.note ? ([[t("visit.note"), v.note]] as Array<[string, string]>) : []),
      ]),
    );
    if (actions.length > 0 || (open && may(ctx.me, "operator"))) {
      const bar = h("div", { class: "actions", role: "group", "aria-label": t("visit.actions") });
      for (const a of actions) {
        const b = h(
          "button",
          {
            type: "button",
            class: ["revoke", "cancel", "refuse"].includes(a) ? "danger" : undefined,
            "data-action": a,
          },
          t(`act.${a}` as Key),
        );
        b.addEventListener("click", () => void act(a, b));
        bar.append(b);
      }
      el.append(h("h2", {}, t("visit.actions")), bar);
      if (open && may(ctx.me, "operator")) el.append(timesForm(v));
    }
    el.append(
      h("h2", {}, t("visit.timeline")),
      h(
        "ol",
        { class: "timeline" },
        ...visitTimeline(v, passages).map((e) => {
          const values = Object.fromEntries(
            Object.entries(e.values).map(([k, val]) => {
              if (k === "status" && isKey(`status.${val}`)) return [k, label("status", val)];
              if (k === "direction") return [k, label("dir", val)];
              return [k, val];
            }),
          );
          return h(
            "li",
            { class: e.tone, "data-kind": e.kind },
            h("time", { datetime: e.at || undefined }, e.at ? when(e.at) : "…"),
            " ",
            t(e.key as Key, values).trim(),
          );
        }),
      ),
    );
  }

  // Reload on anything about this visit: its state, its commands' answers, its passages.
  let pending: ReturnType<typeof setTimeout> | undefined;
  const off = ctx.live.on((e) => {
    if (e.event !== "visit" && e.event !== "passage") return;
    const d = JSON.parse(e.data);
    const about = d.visit?.id ?? d.visitId ?? d.after?.id ?? d.before?.id;
    if (about !== id) return;
    clearTimeout(pending);
    pending = setTimeout(() => void load(), 150);
  });
  const offState = ctx.live.onState((connected, reconnected) => {
    if (connected && reconnected) void load();
  });

  void load();
  return {
    el,
    dispose() {
      clearTimeout(pending);
      off();
      offState();
    },
  };
}
