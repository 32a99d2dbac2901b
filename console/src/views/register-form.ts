import { api, query } from "../api.js";
import type { View, ViewContext } from "../context.js";
import { h } from "../dom.js";
import { FormFields, handleSubmit } from "../form-fields.js";
import { when } from "../format.js";
import { t } from "../i18n.js";
import { zoneOf } from "../sites.js";
import type { GroupEvent, Page, Visit } from "../types.js";
import { personBody, personFields } from "./visit-form.js";

/** Registers guests to a group event, one after another: the form stays for the next guest. */
export function registerForm(ctx: ViewContext): View {
  const f = new FormFields(t("form.registerErrors"));
  const event = h("select", {});
  const submit = h("button", { type: "submit" }, t("form.registerSubmit"));
  const done = h("ul", { class: "registered", "aria-live": "polite" });
  let events: GroupEvent[] = [];

  const fillEvents = () => {
    const chosen = event.value;
    event.replaceChildren(
      ...events.map((e) =>
        h(
          "option",
          { value: e.id, selected: e.id === chosen },
          t("form.eventPlaces", {
            name: e.name,
            registered: e.registered,
            capacity: e.capacity,
            deadline: when(e.registrationDeadline, zoneOf(e.site), { seconds: false }),
          }),
        ),
      ),
    );
  };
  const loadEvents = () =>
    api<Page<GroupEvent>>("GET", `/v1/events${query({ state: "open", limit: "200" })}`).then((p) => {
      events = p.items;
      fillEvents();
      submit.disabled = events.length === 0;
      if (events.length === 0) event.append(h("option", { value: "" }, t("form.noEvents")));
    });

  const form = h(
    "form",
    { novalidate: true, class: "visit-form" },
    f.summary,
    f.field("event", t("form.event"), event),
    ...personFields(f, { hostOptional: true }),
    f.field("note", t("form.note"), h("textarea", { rows: 2 })),
    submit,
  );
  handleSubmit(
    form,
    submit,
    f,
    async (idempotencyKey) => {
      const people = await personBody(f);
      const hostGiven = Object.values(people.host).some(Boolean);
      const visit = await api<Visit>(
        "POST",
        `/v1/events/${encodeURIComponent(event.value)}/registrations`,
        {
          guest: people.guest,
          ...(hostGiven ? { host: people.host } : {}),
          ...(f.value("note") ? { note: f.value("note") } : {}),
        },
        { "idempotency-key": idempotencyKey },
      );
      f.clearErrors();
      ctx.announce(`${t("form.registered")} ${visit.guest.name}`, "good");
      done.prepend(
        h("li", {}, h("a", { href: `#/visits/${encodeURIComponent(visit.id)}` }, visit.guest.name)),
      );
      // Ready for the next guest of the same event.
      for (const path of [
        "guest.name",
        "guest.email",
        "guest.phone",
        "guest.documentNumber",
        "guest.photo",
        "note",
      ]) {
        const c = f.control(path);
        if (c) c.value = "";
      }
      f.control("guest.name")?.focus();
      await loadEvents();
    },
    () => events.length > 0,
  );

  void loadEvents();
  return {
    el: h(
      "section",
      { class: "panel", "aria-labelledby": "h-register" },
      h("h1", { id: "h-register" }, t("form.registerTitle")),
      form,
      done,
    ),
    dispose() {},
  };
}
