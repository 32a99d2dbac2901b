import { ApiError, api } from "../api.js";
import { may, type View, type ViewContext } from "../context.js";
import { confirmAction } from "../dialog.js";
import { append, clear, h } from "../dom.js";
import { FormFields, handleSubmit } from "../form-fields.js";
import { fromZoneInput, readerZone, sameClock, span, toZoneInput, when, zoneName } from "../format.js";
import { type Key, label, t } from "../i18n.js";
import { passageRow } from "../passages.js";
import { loadSites, siteName, zoneOf } from "../sites.js";
import { timeTag, zoneNote } from "../time-tag.js";
import { type TimelineEntry, visitTimeline } from "../timeline.js";
import type { Page, Visit } from "../types.js";
import { accessErrorText, commandErrorText, heldText, kindText, problemText, reasonText } from "../words.js";

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
        loadSites().catch(() => []),
      ]);
      render(v, p.items.map(passageRow));
    } catch (e) {
      clear(el);
      el.append(
        h(
          "p",
          { class: "bad" },
          e instanceof ApiError && e.status === 404
            ? t("notFound")
            : e instanceof ApiError
              ? problemText(e.status, e.problem)
              : t("error.network"),
        ),
      );
    }
    el.removeAttribute("aria-busy");
  }

  async function act(v: Visit, action: Action, button: HTMLButtonElement): Promise<void> {
    const name = t(`act.${action}` as Key);
    if (
      (action === "revoke" || action === "cancel" || action === "refuse") &&
      !(await confirmAction(t(`confirm.${action}`, { guest: v.guest.name }), name))
    )
      return;
    button.disabled = true;
    try {
      await api<Visit>("POST", `/v1/visits/${encodeURIComponent(id)}/${action}`);
      ctx.announce(`${name}: ${t("act.done")}`, "good");
      await load();
    } catch (e) {
      ctx.announce(e instanceof ApiError ? problemText(e.status, e.problem) : t("error.network"), "bad");
      button.disabled = false;
    }
  }

  function timesForm(v: Visit, zone: string): HTMLElement {
    const f = new FormFields(t("form.timesErrors"));
    const from = h("input", { type: "datetime-local", value: toZoneInput(new Date(v.validFrom), zone) });
    const until = h("input", { type: "datetime-local", value: toZoneInput(new Date(v.validUntil), zone) });
    const hint = sameClock(zone, readerZone()) ? undefined : t("zone.inputs", { zone: zoneName(zone) });
    const submit = h("button", { type: "submit" }, t("act.save"));
    const form = h(
      "form",
      { class: "times", novalidate: true },
      f.summary,
      f.field("validFrom", t("form.validFrom"), from, hint),
      f.field("validUntil", t("form.validUntil"), until, hint),
      submit,
    );
    handleSubmit(form, submit, f, async () => {
      await api<Visit>("PATCH", `/v1/visits/${encodeURIComponent(id)}`, {
        validFrom: fromZoneInput(from.value, zone),
        validUntil: fromZoneInput(until.value, zone),
      });
      ctx.announce(`${t("act.times")}: ${t("act.done")}`, "good");
      await load();
    });
    return h("details", { class: "times-box" }, h("summary", {}, t("act.times")), form);
  }

  /** One timeline line in the reader's words; codes stay in the tooltip for support. */
  function timelineLine(e: TimelineEntry, zone: string): HTMLElement {
    const v = e.values;
    let text: string;
    let code: string | undefined;
    if (e.kind === "command") {
      const failed = ["failed", "rejected"].includes(v.status ?? "");
      const status = label("cmdStatus", v.status ?? "");
      const errorCode = v.error?.split(":")[0] ?? "";
      text = t("tl.commandLine", {
        type: label("cmd", v.type ?? "", "cmd.other"),
        seq: v.seq ?? "",
        status: failed && errorCode ? `${status} — ${commandErrorText(errorCode)}` : status,
      });
      code = v.error || undefined;
    } else if (e.kind === "email") {
      text = t("tl.emailLine", {
        kind: label("email", v.kind ?? "", "email.other"),
        recipient: v.recipient || "—",
        status: label("emailStatus", v.status ?? ""),
      });
      code = v.error || undefined;
    } else if (e.kind === "passage") {
      text = t(e.key as Key, {
        direction: label("dir", v.direction ?? ""),
        door: v.door ?? "",
        reason: v.reason ? `(${reasonText(v.reason)})` : "",
      }).trim();
      code = v.reason || undefined;
    } else {
      text = t(e.key as Key, { status: label("status", v.status ?? "") });
    }
    return h(
      "li",
      { class: e.tone, "data-kind": e.kind },
      e.at ? timeTag(e.at, zone) : h("time", {}, "…"),
      " ",
      h("span", { title: code ? `${t("visit.details.code")}: ${code}` : undefined, "data-code": code }, text),
    );
  }

  /** Where the guest is, said with the visit's state: inside after a checkout is said, not left to guess. */
  function presence(v: Visit, zone: string): HTMLElement | null {
    if (!v.inside) return null;
    if (v.endedAt)
      return h(
        "span",
        { class: "badge warn-badge", "data-inside": "true", "data-presence": "ended-inside" },
        t("presence.endedInside", {
          status: label("status", v.status),
          time: when(v.endedAt, zone, { seconds: false }),
        }),
      );
    return h("span", { class: "badge good", "data-inside": "true" }, t("visit.insideNow"));
  }

  function render(v: Visit, passages: ReturnType<typeof passageRow>[]): void {
    clear(el);
    const zone = zoneOf(v.site);
    const actions = visitActions(v, ctx.me.role);
    const open = !CLOSED.includes(v.status);
    const dl = (pairs: Array<[string, Node | string]>) =>
      h("dl", { class: "facts" }, ...pairs.flatMap(([k, val]) => [h("dt", {}, k), h("dd", {}, val)]));
    const accessText = v.status === "held" ? t("access.held") : label("access", v.access);
    const accessError = v.accessError ? accessErrorText(v.accessError) : null;
    append(
      el,
      h("p", {}, h("a", { href: "#/visits" }, `← ${t("visit.back")}`)),
      h("h1", {}, t("visit.title", { guest: v.guest.name })),
      zoneNote([zone]),
      h(
        "p",
        { class: "badges" },
        h("span", { class: "badge", "data-status": v.status }, label("status", v.status)),
        " ",
        h(
          "span",
          { class: `badge access-${v.status === "held" ? "held" : v.access}`, "data-access": v.access },
          `${t("col.access")}: ${accessText}`,
        ),
        " ",
        presence(v, zone),
      ),
      v.status === "held" ? h("p", { class: "warn" }, heldText(v.heldReason)) : null,
      accessError
        ? h(
            "p",
            { class: "bad", title: accessError.code },
            t("visit.accessError", { error: accessError.text }),
            h("span", { class: "code muted" }, ` (${accessError.code.split(":")[0]})`),
          )
        : null,
      dl([
        [t("col.guest"), [v.guest.name, v.guest.email, v.guest.phone].filter(Boolean).join(" · ")],
        [t("col.host"), [v.host.name, v.host.email].filter(Boolean).join(" · ")],
        [t("col.site"), siteName(v.site)],
        [t("visit.kind"), kindText(v.kind)],
        [t("visit.window"), span(v.validFrom, v.validUntil, zone)],
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
        b.addEventListener("click", () => void act(v, a, b));
        bar.append(b);
      }
      el.append(h("h2", {}, t("visit.actions")), bar);
      if (open && may(ctx.me, "operator")) el.append(timesForm(v, zone));
    }
    el.append(
      h("h2", {}, t("visit.timeline")),
      h("ol", { class: "timeline" }, ...visitTimeline(v, passages).map((e) => timelineLine(e, zone))),
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
