import { ApiError, api, session } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import type { Me } from "../types.js";
import { problemText } from "../words.js";

/** Takes a token, checks it with the API, and keeps it in this tab's session storage. */
export function login(onSignedIn: (me: Me) => void, message?: string): HTMLElement {
  const token = h("input", {
    type: "password",
    id: "token",
    name: "token",
    autocomplete: "current-password",
    required: true,
    "aria-describedby": "token-help token-error",
  });
  const error = h("p", { class: "field-error", id: "token-error", role: "alert" }, message ?? "");
  const submit = h("button", { type: "submit" }, t("login.submit"));
  const form = h(
    "form",
    { class: "login panel" },
    h("h1", {}, t("login.title")),
    h("label", { for: "token" }, t("login.token")),
    token,
    h("p", { class: "hint", id: "token-help" }, t("login.help")),
    error,
    submit,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const value = token.value.trim();
    if (!value) return;
    submit.disabled = true;
    try {
      const me = await api<Me>("GET", "/v1/me", undefined, {}, value);
      session.set(value);
      onSignedIn(me);
    } catch (err) {
      error.textContent =
        err instanceof ApiError && err.status === 401
          ? t("login.invalid")
          : err instanceof ApiError
            ? problemText(err.status, err.problem)
            : t("error.network");
      token.setAttribute("aria-invalid", "true");
      token.focus();
    } finally {
      submit.disabled = false;
    }
  });
  queueMicrotask(() => token.focus());
  return form;
}
