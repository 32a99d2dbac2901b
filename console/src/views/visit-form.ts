import { api } from "../api.js";
import type { View, ViewContext } from "../context.js";
import { clear, h } from "../dom.js";
import { FormFields, handleSubmit, input, readPhoto } from "../form-fields.js";
import { fromZoneInput, readerZone, sameClock, toZoneInput, zoneName } from "../format.js";
import { t } from "../i18n.js";
import { rememberSites } from "../sites.js";
import type { Page, Site, Visit } from "../types.js";
import { kindText } from "../words.js";

/** The guest's and host's fields, shared by a new visit and an event registration. */
export function personFields(f: FormFields, opts: { hostOptional: boolean }): HTMLElement[] {
  const language = h(
    "select",
    {},
    h("option", { value: "" }, "—"),
    h("option", { value: "en" }, "English"),
    h("option", { value: "ru" }, "Русский"),
  );
  return [
    h(
      "fieldset",
      {},
      h("legend", {}, t("form.guest")),
      f.field("guest.name", t("form.name"), input({ autocomplete: "off" })),
      f.field("guest.email", t("form.email"), input({ type: "email", autocomplete: "off" })),
      f.field("guest.phone", t("form.phone"), input({ type: "tel", autocomplete: "off" })),
      f.field("guest.documentNumber", t("form.document"), input({ autocomplete: "off" })),
      f.field("guest.photo", t("form.photo"), input({ type: "file", accept: "image/jpeg" })),
    ),
    h(
      "fieldset",
      {},
      h("legend", {}, t("form.host")),
      f.field("host.name", t("form.name"), input(), opts.hostOptional ? t("form.hostDefault") : undefined),
      f.field("host.email", t("form.email"), input({ type: "email" })),
      f.field("host.language", t("form.language"), language),
    ),
  ];
}

/** The guest and host of the request body; empty fields are left out, so the API's defaults apply. */
export async function personBody(f: FormFields) {
  const photoInput = f.control("guest.photo") as HTMLInputElement;
  const photo = await readPhoto(photoInput);
  const opt = (path: string) => f.value(path) || undefined;
  return {
    guest: {
      name: f.value("guest.name"),
      email: opt("guest.email"),
      phone: opt("guest.phone"),
      documentNumber: opt("guest.documentNumber"),
      photo,
    },
    host: { name: f.value("host.name"), email: opt("host.email"), language: opt("host.language") },
  };
}

/** A new visit: every field the API takes, and its answer's errors beside the fields. */
export function visitForm(ctx: ViewContext): View {
  const f = new FormFields(t("form.errors"));
  const site = h("select", {});
  const kind = h("select", {});
  let sites: Site[] = [];
  const zone = () => sites.find((x) => x.id === site.value)?.timeZone ?? readerZone();
  const now = new Date();
  const from = h("input", { type: "datetime-local" });
  const until = h("input", { type: "datetime-local" });
  // The times are typed on the chosen site's clock, and say so when that is not the reader's.
  const zoneHint = h("p", { class: "hint zone-hint", "aria-live": "polite" });
  const fillKinds = () => {
    clear(kind);
    const s = sites.find((x) => x.id === site.value);
    for (const k of Object.keys(s?.kinds ?? { guest: {} }))
      kind.append(h("option", { value: k }, kindText(k)));
    zoneHint.textContent = sameClock(zone(), readerZone())
      ? ""
      : t("zone.inputs", { zone: zoneName(zone()) });
  };
  site.addEventListener("change", fillKinds);
  const submit = h("button", { type: "submit" }, t("form.submit"));

  const form = h(
    "form",
    { novalidate: true, class: "visit-form" },
    f.summary,
    h(
      "fieldset",
      {},
      h("legend", {}, t("form.site")),
      f.field("site", t("form.site"), site),
      f.field("kind", t("form.kind"), kind),
      f.field("validFrom", t("form.validFrom"), from),
      f.field("validUntil", t("form.validUntil"), until),
      zoneHint,
      f.field("revokeOnExit", t("form.revokeOnExit"), h("input", { type: "checkbox" })),
    ),
    ...personFields(f, { hostOptional: false }),
    f.field("note", t("form.note"), h("textarea", { rows: 2 })),
    submit,
  );
  handleSubmit(form, submit, f, async (idempotencyKey) => {
    const people = await personBody(f);
    const body = {
      site: site.value,
      kind: kind.value,
      ...people,
      validFrom: fromZoneInput(from.value, zone()),
      validUntil: fromZoneInput(until.value, zone()),
      ...(f.value("revokeOnExit") ? { revokeOnExit: true } : {}),
      ...(f.value("note") ? { note: f.value("note") } : {}),
    };
    const visit = await api<Visit>("POST", "/v1/visits", body, { "idempotency-key": idempotencyKey });
    ctx.announce(t("form.created"), "good");
    ctx.go(`#/visits/${encodeURIComponent(visit.id)}`);
  });

  void api<Page<Site>>("GET", "/v1/sites").then((s) => {
    sites = s.items;
    rememberSites(sites);
    for (const x of sites) site.append(h("option", { value: x.id }, `${x.name} (${x.id})`));
    fillKinds();
    from.value = toZoneInput(now, zone());
    until.value = toZoneInput(new Date(now.getTime() + 8 * 3600_000), zone());
  });
  return {
    el: h(
      "section",
      { class: "panel", "aria-labelledby": "h-new" },
      h("h1", { id: "h-new" }, t("form.newTitle")),
      form,
    ),
    dispose() {},
  };
}
