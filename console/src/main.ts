import { api, session, whenUnauthorized } from "./api.js";
import type { View, ViewContext } from "./context.js";
import { may } from "./context.js";
import { clear, h } from "./dom.js";
import { type Lang, label, language, languages, preferredLanguage, setLanguage, t } from "./i18n.js";
import { LiveStream } from "./live.js";
import { forgetSites, loadSites } from "./sites.js";
import { refreshRelativeTimes } from "./time-tag.js";
import { Toasts } from "./toasts.js";
import type { Me } from "./types.js";
import { adminPage } from "./views/admin.js";
import { dashboard } from "./views/dashboard.js";
import { login } from "./views/login.js";
import { registerForm } from "./views/register-form.js";
import { visitPage } from "./views/visit.js";
import { visitForm } from "./views/visit-form.js";
import { visitsList } from "./views/visits.js";

const LANG_KEY = "gatehouse.lang";
const root = document.getElementById("app")!;
const live = new LiveStream();
let me: Me | undefined;
let view: View | undefined;

setLanguage(preferredLanguage(localStorage.getItem(LANG_KEY), navigator.languages));
document.documentElement.lang = language();

const toasts = new Toasts();
// Denied passages are read out here, not shown over the page: the passages table already marks them.
const deniedLive = h("div", { class: "sr-only", "aria-live": "assertive", "aria-atomic": "true" });
const liveBadge = h("span", { class: "live-badge off", "aria-live": "polite" }, t("live.off"));
live.onState((connected) => {
  liveBadge.className = `live-badge ${connected ? "on" : "off"}`;
  liveBadge.textContent = t(connected ? "live.on" : "live.off");
});

function announce(text: string, tone?: "good" | "bad"): void {
  toasts.show(text, tone);
}

function announceDenied(text: string): void {
  deniedLive.textContent = text;
}

setInterval(() => refreshRelativeTimes(), 30_000);

const ctx = (): ViewContext => ({ me: me!, live, go, announce, announceDenied });

function go(hash: string): void {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function route(): void {
  if (!me) return;
  const [path = "", search = ""] = location.hash.replace(/^#/, "").split("?");
  const params = new URLSearchParams(search);
  const parts = path.split("/").filter(Boolean);
  view?.dispose();
  const wall = parts[0] === "wall";
  document.documentElement.classList.toggle("wall", wall);
  const c = ctx();
  if (parts.length === 0 || parts[0] === "dashboard" || wall) view = dashboard(c, { wall });
  else if (parts[0] === "visits" && parts[1]) view = visitPage(c, decodeURIComponent(parts[1]));
  else if (parts[0] === "visits") view = visitsList(c, params);
  else if (parts[0] === "new" && may(me, "operator")) view = visitForm(c);
  else if (parts[0] === "register" && may(me, "operator")) view = registerForm(c);
  else if (parts[0] === "admin" && may(me, "admin")) view = adminPage(c);
  else view = { el: h("section", { class: "panel" }, h("p", {}, t("notFound"))), dispose() {} };
  const main = document.getElementById("main")!;
  clear(main);
  main.append(view.el);
  for (const a of document.querySelectorAll<HTMLAnchorElement>("nav.primary a")) {
    const here =
      a.getAttribute("href") === `#/${parts[0] ?? ""}` ||
      (parts.length === 0 && a.getAttribute("href") === "#/");
    if (here) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
}

function shell(): void {
  clear(root);
  const lang = h(
    "select",
    { id: "lang", "aria-label": t("nav.language") },
    ...languages.map((l) =>
      h("option", { value: l, selected: l === language() }, l === "en" ? "English" : "Русский"),
    ),
  );
  lang.addEventListener("change", () => {
    localStorage.setItem(LANG_KEY, lang.value);
    setLanguage(lang.value as Lang);
    document.documentElement.lang = lang.value;
    shell();
  });
  const logout = h("button", { type: "button", class: "secondary" }, t("nav.logout"));
  logout.addEventListener("click", () => signOut());
  const links: Array<[string, string]> = [
    ["#/", t("nav.dashboard")],
    ["#/visits", t("nav.visits")],
    ...(may(me!, "operator")
      ? ([
          ["#/new", t("nav.new")],
          ["#/register", t("nav.register")],
        ] as Array<[string, string]>)
      : []),
    ["#/wall", t("nav.wall")],
    ...(may(me!, "admin") ? ([["#/admin", t("nav.admin")]] as Array<[string, string]>) : []),
  ];
  root.append(
    h("a", { class: "skip", href: "#main" }, t("skip")),
    h(
      "header",
      { class: "top" },
      h("strong", { class: "brand" }, t("app.title")),
      h(
        "nav",
        { class: "primary", "aria-label": "Gatehouse" },
        ...links.map(([href, text]) => h("a", { href }, text)),
      ),
      h(
        "div",
        { class: "who" },
        liveBadge,
        h(
          "span",
          { class: "me", "data-role": me!.role },
          t("role", { name: me!.name, role: label("role", me!.role) }),
        ),
        lang,
        logout,
      ),
    ),
    h("main", { id: "main", tabindex: -1 }),
    deniedLive,
    toasts.el,
  );
  // The skip link moves focus without changing the route.
  root.querySelector("a.skip")!.addEventListener("click", (e) => {
    e.preventDefault();
    document.getElementById("main")!.focus();
  });
  route();
}

function signIn(who: Me): void {
  me = who;
  live.start();
  // Every page shows times on its site's clock: know the sites' zones before the first page draws.
  void loadSites()
    .catch(() => [])
    .then(() => shell());
}

function signOut(message?: string): void {
  session.clear();
  live.stop();
  view?.dispose();
  view = undefined;
  me = undefined;
  forgetSites();
  toasts.clear();
  document.documentElement.classList.remove("wall");
  clear(root);
  root.append(h("main", { id: "main" }, login(signIn, message)));
}

whenUnauthorized(() => signOut(t("login.ended")));
window.addEventListener("hashchange", route);

// Keys for people at a desk all day: d dashboard, v visits, n new visit, / search. Not while typing.
document.addEventListener("keydown", (e) => {
  if (!me || e.ctrlKey || e.metaKey || e.altKey) return;
  const target = e.target as HTMLElement;
  if (target.closest("input, select, textarea, [contenteditable]")) return;
  if (e.key === "d" || (e.key === "Escape" && document.documentElement.classList.contains("wall"))) go("#/");
  else if (e.key === "v") go("#/visits");
  else if (e.key === "n" && may(me, "operator")) go("#/new");
  else if (e.key === "/") {
    e.preventDefault();
    if (!location.hash.startsWith("#/visits")) go("#/visits");
    setTimeout(() => document.querySelector<HTMLInputElement>("input[type=search]")?.focus(), 50);
  } else return;
});

if (session.token()) {
  api<Me>("GET", "/v1/me")
    .then(signIn)
    .catch(() => signOut());
} else {
  signOut();
}
