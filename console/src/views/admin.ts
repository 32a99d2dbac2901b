import { ApiError, api } from "../api.js";
import type { View, ViewContext } from "../context.js";
import { confirmAction } from "../dialog.js";
import { clear, h } from "../dom.js";
import { FormFields, handleSubmit, input } from "../form-fields.js";
import { fromZoneInput, readerZone } from "../format.js";
import { label, t } from "../i18n.js";
import { loadSites } from "../sites.js";
import { timeTag } from "../time-tag.js";
import type { Page, Site } from "../types.js";
import { problemText } from "../words.js";

interface Token {
  id: string;
  name: string;
  role: "admin" | "operator" | "viewer";
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  mqttUsername: string;
}

interface SiteLogin extends Site {
  agent: Site["agent"] & { username: string };
}

/** A secret shown once, with what to do with it; it is not kept anywhere in the page after it is closed. */
function secretBox(title: string, rows: Array<[string, string]>, onClose: () => void): HTMLElement {
  const close = h("button", { type: "button", class: "secondary" }, t("admin.secretDone"));
  const box = h(
    "div",
    { class: "secret", role: "alert" },
    h("p", {}, h("strong", {}, title)),
    h("p", { class: "warn" }, t("admin.secretOnce")),
    h(
      "dl",
      { class: "facts" },
      ...rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, h("code", { class: "secret-value" }, v))]),
    ),
    close,
  );
  close.addEventListener("click", () => {
    box.remove();
    onClose();
  });
  return box;
}

/** Admins: API tokens (make, see last use, revoke) and each site's agent login (rotate). */
export function adminPage(ctx: ViewContext): View {
  const failed = (e: unknown) =>
    ctx.announce(e instanceof ApiError ? problemText(e.status, e.problem) : t("error.network"), "bad");
  const tokensBody = h("tbody");
  const secretSlot = h("div");
  const sitesBody = h("tbody");
  const zone = readerZone();

  async function loadTokens(): Promise<void> {
    const page = await api<Page<Token>>("GET", "/v1/tokens");
    clear(tokensBody);
    for (const tok of page.items) {
      const revoke = tok.revokedAt
        ? null
        : h("button", { type: "button", class: "danger", "data-token": tok.id }, t("admin.revoke"));
      revoke?.addEventListener("click", async () => {
        if (!(await confirmAction(t("admin.revokeConfirm", { name: tok.name }), t("admin.revoke")))) return;
        try {
          await api("DELETE", `/v1/tokens/${encodeURIComponent(tok.id)}`);
          ctx.announce(`${t("admin.revoke")}: ${t("act.done")}`, "good");
          await loadTokens();
        } catch (e) {
          failed(e);
        }
      });
      tokensBody.append(
        h(
          "tr",
          { "data-token-row": tok.id, class: tok.revokedAt ? "revoked" : undefined },
          h("td", { "data-label": t("admin.name") }, tok.name),
          h("td", { "data-label": t("admin.role") }, label("role", tok.role)),
          h("td", { "data-label": t("admin.created") }, timeTag(tok.createdAt, zone, { seconds: false })),
          h(
            "td",
            { "data-label": t("admin.expires") },
            tok.expiresAt ? timeTag(tok.expiresAt, zone, { seconds: false }) : t("admin.never"),
          ),
          h(
            "td",
            { "data-label": t("admin.lastUsed") },
            tok.lastUsedAt
              ? timeTag(tok.lastUsedAt, zone, { relative: true, seconds: false })
              : t("admin.unused"),
          ),
          h(
            "td",
            { "data-label": t("admin.state") },
            tok.revokedAt
              ? h("span", { class: "badge bad" }, t("admin.revoked"))
              : h("span", { class: "badge good" }, t("admin.active")),
            " ",
            revoke,
          ),
        ),
      );
    }
  }

  const f = new FormFields(t("admin.tokenErrors"));
  const role = h(
    "select",
    {},
    ...(["viewer", "operator", "admin"] as const).map((r) => h("option", { value: r }, label("role", r))),
  );
  const expires = h("input", { type: "date" });
  const submit = h("button", { type: "submit" }, t("admin.create"));
  const form = h(
    "form",
    { class: "token-form", novalidate: true },
    f.summary,
    f.field("name", t("admin.name"), input({ autocomplete: "off" })),
    f.field("role", t("admin.role"), role),
    f.field("expiresAt", t("admin.expiresOn"), expires, t("admin.expiresHint")),
    submit,
  );
  handleSubmit(form, submit, f, async () => {
    const body = {
      name: f.value("name"),
      role: role.value,
      ...(expires.value ? { expiresAt: fromZoneInput(`${expires.value}T00:00`, zone) } : {}),
    };
    const made = await api<Token & { token: string }>("POST", "/v1/tokens", body);
    clear(secretSlot);
    secretSlot.append(
      secretBox(
        t("admin.tokenMade", { name: made.name }),
        [
          [t("admin.token"), made.token],
          [t("admin.mqttUsername"), made.mqttUsername],
        ],
        () => clear(secretSlot),
      ),
    );
    form.reset();
    await loadTokens();
  });

  async function loadLogins(): Promise<void> {
    const sites = (await loadSites(true)) as SiteLogin[];
    clear(sitesBody);
    for (const s of sites) {
      const rotate = h(
        "button",
        { type: "button", class: "secondary", "data-rotate": s.id },
        t("admin.rotate"),
      );
      rotate.addEventListener("click", async () => {
        if (!(await confirmAction(t("admin.rotateConfirm", { site: s.name }), t("admin.rotate"), false)))
          return;
        try {
          const r = await api<{ username: string; password: string; previousValidUntil: string }>(
            "POST",
            `/v1/sites/${encodeURIComponent(s.id)}/agent-credentials/rotate`,
            { graceHours: 24 },
          );
          clear(secretSlot);
          secretSlot.append(
            secretBox(
              t("admin.rotated", { site: s.name }),
              [
                ["AGENT_MQTT_USERNAME", r.username],
                ["AGENT_MQTT_PASSWORD", r.password],
              ],
              () => clear(secretSlot),
            ),
          );
          await loadLogins();
        } catch (e) {
          failed(e);
        }
      });
      sitesBody.append(
        h(
          "tr",
          { "data-site-row": s.id },
          h("td", { "data-label": t("col.site") }, s.name),
          h("td", { "data-label": t("admin.login") }, h("code", {}, s.agent.username)),
          h("td", {}, rotate),
        ),
      );
    }
  }

  const el = h(
    "section",
    { class: "panel admin", "aria-labelledby": "h-admin" },
    h("h1", { id: "h-admin" }, t("admin.title")),
    secretSlot,
    h("h2", {}, t("admin.tokens")),
    h("p", { class: "hint" }, t("admin.tokensHelp")),
    form,
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "rows tokens" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ...[
              "admin.name",
              "admin.role",
              "admin.created",
              "admin.expires",
              "admin.lastUsed",
              "admin.state",
            ].map((k) => h("th", { scope: "col" }, t(k as Parameters<typeof t>[0]))),
          ),
        ),
        tokensBody,
      ),
    ),
    h("h2", {}, t("admin.logins")),
    h("p", { class: "hint" }, t("admin.loginsHelp")),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "rows logins" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, t("col.site")),
            h("th", { scope: "col" }, t("admin.login")),
            h("th", { scope: "col" }, h("span", { class: "sr-only" }, t("admin.rotate"))),
          ),
        ),
        sitesBody,
      ),
    ),
  );

  void Promise.all([loadTokens(), loadLogins()]).catch(failed);
  return { el, dispose() {} };
}
