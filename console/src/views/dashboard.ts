// Over 400 lines: the security desk's one page — sites, passages, who is inside, incidents — fed by one live
// stream whose events change several panels at once; split, each panel would need the others' state.
import { ApiError, api, imageUrl, query } from "../api.js";
import type { View, ViewContext } from "../context.js";
import { clear, h } from "../dom.js";
import { when } from "../format.js";
import { label, t } from "../i18n.js";
import { passageRow } from "../passages.js";
import { rememberSites, siteName, zoneOf } from "../sites.js";
import { timeTag, zoneNote } from "../time-tag.js";
import type { AgentStatus, Incident, Occupancy, Page, PassageRow, Site } from "../types.js";
import { incidentText, problemText, reasonText, sourceText, verifyText } from "../words.js";

const MAX_ROWS = 100;

/** The security desk's view: every site's agent, passages as they happen, who is inside, incidents. */
export function dashboard(ctx: ViewContext, opts: { wall: boolean }): View {
  const sitesEl = h("div", { class: "cards" });
  const passagesBody = h("tbody");
  const insideEl = h("div", { class: "muster" });
  const incidentsEl = h("ul", { class: "incidents" });
  const totalEl = h("p", { class: "total" });
  const zoneEl = h("div", { class: "zone-slot" });

  let sites: Site[] = [];
  let passages: PassageRow[] = [];
  let occupancy = new Map<string, Occupancy>();
  let incidents: Incident[] = [];

  const el = h(
    "div",
    { class: `dashboard${opts.wall ? " wall-grid" : ""}` },
    zoneEl,
    h(
      "section",
      { class: "panel sites", "aria-labelledby": "h-sites" },
      h("h2", { id: "h-sites" }, t("dash.sites")),
      sitesEl,
    ),
    h(
      "section",
      { class: "panel passages", "aria-labelledby": "h-passages" },
      h("h2", { id: "h-passages" }, t("dash.passages")),
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          { class: "rows", "aria-describedby": "h-passages" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              h("th", { scope: "col" }, t("col.time")),
              h("th", { scope: "col" }, t("col.guest")),
              h("th", { scope: "col" }, t("col.host")),
              h("th", { scope: "col" }, t("col.door")),
              h("th", { scope: "col" }, t("col.direction")),
              h("th", { scope: "col" }, t("col.result")),
            ),
          ),
          passagesBody,
        ),
      ),
    ),
    h(
      "section",
      { class: "panel inside", "aria-labelledby": "h-inside" },
      h("h2", { id: "h-inside" }, t("dash.inside")),
      totalEl,
      insideEl,
    ),
    h(
      "section",
      { class: "panel incidents-panel", "aria-labelledby": "h-incidents" },
      h("h2", { id: "h-incidents" }, t("dash.incidents")),
      incidentsEl,
    ),
  );

  // Camera pictures are fetched with the token and shown from object URLs, freed when their row goes.
  const pictureUrls = new Map<string, string>();
  const picturesFirst = new Set<string>();
  async function showPicture(passageId: string): Promise<void> {
    const cell = passagesBody.querySelector(`tr[data-passage="${CSS.escape(passageId)}"] td.guest`);
    if (!cell || cell.querySelector("img")) return;
    const placeholder = cell.querySelector(".snapshot.none");
    const url =
      pictureUrls.get(passageId) ?? (await imageUrl(`/v1/passages/${encodeURIComponent(passageId)}/picture`));
    if (!url) return;
    pictureUrls.set(passageId, url);
    const row = passages.find((p) => p.id === passageId);
    const img = h("img", {
      class: "snapshot",
      src: url,
      alt: `${row?.guestName ?? t("unknownPerson")} · ${row?.door ?? ""}`,
    });
    if (placeholder) placeholder.replaceWith(img);
    else cell.prepend(img);
  }
  function forgetPictures(keep: Set<string>): void {
    for (const [id, url] of pictureUrls) {
      if (keep.has(id)) continue;
      URL.revokeObjectURL(url);
      pictureUrls.delete(id);
    }
  }

  const visitLink = (visitId: string | null, text: string) =>
    visitId ? h("a", { href: `#/visits/${encodeURIComponent(visitId)}` }, text) : text;

  /** Until (or unless) the camera's picture comes: a neutral tile that says how the person verified. */
  const noPicture = (p: PassageRow) => {
    const mode = verifyText(p.verifyMode);
    return h(
      "span",
      {
        class: "snapshot none",
        role: "img",
        "aria-label": t("pic.none", { mode }),
        title: t("pic.none", { mode }),
      },
      h("span", { class: "mode", "data-verify": p.verifyMode ?? "unknown" }, mode),
    );
  };

  function passageTr(p: PassageRow, fresh: boolean): HTMLTableRowElement {
    const denied = p.result === "denied";
    const manySites = sites.length > 1;
    return h(
      "tr",
      {
        class: `${denied ? "denied" : "granted"}${fresh ? " fresh" : ""}`,
        "data-passage": p.id,
        "data-visit": p.visitId ?? undefined,
      },
      h(
        "td",
        { "data-label": t("col.time"), class: "time" },
        timeTag(p.occurredAt, zoneOf(p.site), { relative: true }),
      ),
      h(
        "td",
        { "data-label": t("col.guest"), class: "guest" },
        h(
          "span",
          { class: "person" },
          noPicture(p),
          h(
            "span",
            { class: "name" },
            p.guestName
              ? visitLink(p.visitId, p.guestName)
              : `${t("unknownPerson")}${p.personCode ? ` ${p.personCode}` : ""}`,
          ),
        ),
      ),
      h("td", { "data-label": t("col.host") }, p.hostName ?? "—"),
      h(
        "td",
        { "data-label": t("col.door"), class: "door" },
        p.door,
        manySites ? h("span", { class: "muted site-of" }, ` · ${siteName(p.site)}`) : null,
      ),
      h("td", { "data-label": t("col.direction") }, label("dir", p.direction)),
      h(
        "td",
        { "data-label": t("col.result"), class: "result" },
        h("span", { class: `badge ${denied ? "bad" : "good"}` }, label("result", p.result)),
        p.reasonCode
          ? h(
              "span",
              { class: "reason", title: p.reasonCode, "data-code": p.reasonCode },
              ` ${reasonText(p.reasonCode)}`,
            )
          : null,
      ),
    );
  }

  function renderPassages(): void {
    clear(passagesBody);
    if (passages.length === 0) {
      passagesBody.append(h("tr", {}, h("td", { colspan: 6, class: "empty" }, t("dash.noPassages"))));
      return;
    }
    for (const p of passages) passagesBody.append(passageTr(p, false));
    forgetPictures(new Set(passages.map((p) => p.id)));
    for (const p of passages) if (p.hasPicture) void showPicture(p.id);
  }

  function sourceLine(s: AgentStatus | null) {
    const sources = (s?.sources ?? []).filter(
      (x) => x.name.startsWith("hikcentral") || x.name.startsWith("terminal"),
    );
    if (sources.length === 0) return [h("li", {}, `${t("site.hikcentral")}: ${label("health", "unknown")}`)];
    return sources.map((x) =>
      h(
        "li",
        { class: x.state === "down" ? "bad" : undefined, "data-source": x.name },
        `${sourceText(x.name)}: `,
        // The agent's own error text (a socket's, HikCentral's) is for support: in the tooltip, not the card.
        h(
          "span",
          {
            class: `badge ${x.state === "up" ? "good" : x.state === "down" ? "bad" : ""}`,
            title: x.error ? `${x.name}: ${x.error}` : x.name,
          },
          label("health", x.state),
        ),
      ),
    );
  }

  function renderSites(): void {
    clear(sitesEl);
    for (const s of sites) {
      const status = s.agent.status;
      const state = s.agent.state === "online" || s.agent.state === "offline" ? s.agent.state : "never";
      const count = occupancy.get(s.id)?.count ?? 0;
      sitesEl.append(
        h(
          "article",
          { class: `card agent-${state}`, "data-site": s.id },
          h("h3", {}, s.name, h("span", { class: "site-id" }, ` ${s.id}`)),
          h(
            "p",
            {},
            `${t("site.agent")}: `,
            h(
              "span",
              { class: `badge ${state === "online" ? "good" : "bad"}`, "data-agent-state": state },
              t(state === "online" ? "site.online" : state === "offline" ? "site.offline" : "site.never"),
            ),
            s.agent.seenAt
              ? h(
                  "span",
                  { class: "muted" },
                  ` ${t("site.seen")} `,
                  timeTag(s.agent.seenAt, s.timeZone, { relative: true }),
                )
              : null,
          ),
          h(
            "p",
            { class: s.commands.pending > 0 ? "warn" : undefined },
            status?.queues
              ? t("site.queue", {
                  pending: s.commands.pending,
                  inbox: status.queues.inbox,
                  outbox: status.queues.outbox,
                })
              : t("site.queueShort", { pending: s.commands.pending }),
          ),
          h("ul", { class: "sources" }, ...sourceLine(status)),
          h("p", { class: "count" }, t("dash.insideCount", { count })),
        ),
      );
    }
  }

  function renderInside(): void {
    clear(insideEl);
    let total = 0;
    for (const o of occupancy.values()) {
      total += o.count;
      const site = sites.find((s) => s.id === o.site);
      insideEl.append(
        h(
          "div",
          { class: "muster-site", "data-site": o.site },
          h("h3", {}, `${site?.name ?? o.site}: ${o.count}`),
          o.inside.length === 0
            ? h("p", { class: "empty" }, t("dash.nobodyInside"))
            : h(
                "ul",
                {},
                ...o.inside.map((g) => {
                  const zone = zoneOf(o.site);
                  // Checked out at the desk (or ended otherwise) but no exit passage: still inside, and flagged.
                  const ended = g.endedAt !== null;
                  return h(
                    "li",
                    {
                      "data-visit": g.visitId,
                      class: ended ? "warn ended" : undefined,
                      "data-ended": ended ? "true" : undefined,
                    },
                    visitLink(g.visitId, g.guestName),
                    h(
                      "span",
                      { class: "muted" },
                      ` · ${g.hostName} · ${t("col.since")} `,
                      timeTag(g.since, zone, { relative: true }),
                    ),
                    ended
                      ? h(
                          "span",
                          { class: "presence" },
                          t("presence.endedInside", {
                            status: label("status", g.visitStatus),
                            time: when(g.endedAt, zone, { seconds: false }),
                          }),
                        )
                      : null,
                  );
                }),
              ),
        ),
      );
    }
    totalEl.textContent = t("dash.total", { count: total });
  }

  function renderIncidents(): void {
    clear(incidentsEl);
    if (incidents.length === 0) incidentsEl.append(h("li", { class: "empty" }, t("dash.noIncidents")));
    for (const i of incidents) {
      incidentsEl.append(
        h(
          "li",
          { class: i.severity === "critical" ? "bad" : "warn" },
          timeTag(i.occurredAt, zoneOf(i.site), { relative: true }),
          " ",
          visitLink(i.visitId, incidentText(i)),
        ),
      );
    }
  }

  async function load(): Promise<void> {
    const [s, o, p, i] = await Promise.all([
      api<Page<Site>>("GET", "/v1/sites"),
      api<{ items: Occupancy[] }>("GET", "/v1/occupancy"),
      api<Page<Parameters<typeof passageRow>[0]>>("GET", `/v1/passages${query({ limit: String(MAX_ROWS) })}`),
      api<Page<Incident>>("GET", `/v1/incidents${query({ limit: "20" })}`),
    ]);
    sites = s.items;
    rememberSites(sites);
    zoneEl.replaceChildren(zoneNote(sites.map((x) => x.timeZone)) ?? "");
    occupancy = new Map(o.items.map((x) => [x.site, x]));
    passages = p.items.map(passageRow);
    incidents = i.items;
    renderSites();
    renderPassages();
    renderInside();
    renderIncidents();
  }

  let sitesReload: ReturnType<typeof setTimeout> | undefined;
  const offEvent = ctx.live.on((e) => {
    const data = JSON.parse(e.data);
    if (e.event === "passage") {
      const row = passageRow(data);
      if (passages.some((p) => p.id === row.id)) return;
      if (picturesFirst.delete(row.id)) row.hasPicture = true;
      passages = [row, ...passages].slice(0, MAX_ROWS);
      passagesBody.querySelector("td.empty")?.parentElement?.remove();
      passagesBody.prepend(passageTr(row, true));
      if (row.hasPicture) void showPicture(row.id);
      while (passagesBody.rows.length > MAX_ROWS) passagesBody.lastElementChild?.remove();
      forgetPictures(new Set(passages.map((p) => p.id)));
      if (row.result === "denied")
        ctx.announceDenied(
          t("live.denied", {
            guest: row.guestName ?? t("unknownPerson"),
            door: row.door,
            reason: reasonText(row.reasonCode),
          }),
        );
    } else if (e.event === "occupancy") {
      occupancy.set(data.site, data as Occupancy);
      renderInside();
      renderSites();
    } else if (e.event === "agent_status") {
      const status = data as AgentStatus;
      const site = sites.find((s) => s.id === status.site);
      if (site) {
        site.agent = { state: status.state, seenAt: new Date().toISOString(), status };
        renderSites();
      }
    } else if (e.event === "picture") {
      const row = passages.find((p) => p.id === data.passageId);
      if (row) {
        row.hasPicture = true;
        void showPicture(row.id);
      } else if (picturesFirst.size < MAX_ROWS) {
        picturesFirst.add(String(data.passageId)); // the picture overtook its passage
      }
    } else if (e.event === "incident") {
      incidents = [data as Incident, ...incidents].slice(0, 20);
      renderIncidents();
    } else if (e.event === "visit") {
      // A command answered or queued changes a site's queue: reload the cards, at most once a second.
      if (sitesReload) return;
      sitesReload = setTimeout(() => {
        sitesReload = undefined;
        void api<Page<Site>>("GET", "/v1/sites")
          .then((s) => {
            sites = s.items;
            rememberSites(sites);
            renderSites();
          })
          .catch(() => {});
      }, 1000);
    }
  });
  const offState = ctx.live.onState((connected, reconnected) => {
    if (connected && reconnected) void load().catch(() => {});
  });

  void load().catch((e: unknown) =>
    ctx.announce(e instanceof ApiError ? problemText(e.status, e.problem) : t("error.network"), "bad"),
  );
  return {
    el,
    dispose() {
      clearTimeout(sitesReload);
      forgetPictures(new Set());
      offEvent();
      offState();
    },
  };
}
