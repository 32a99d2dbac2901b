// Over 400 lines: one stack and one browser for every reading of the console (times, words, presence, layout).
/// <reference lib="dom" />
import { randomBytes } from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumBinary, launchChromium, screenshotPath } from "../browser.js";
import { simPassage as passageAt } from "../requests.js";
import { type SmtpSink, startSmtpSink } from "../smtp-sink.js";
import { type Stack, startStack } from "../stack.js";
import { eventually, tempDir, testLogger } from "../support.js";

const bin = chromiumBinary();
if (!bin) console.warn("SKIP console reading: no Chromium on this machine (apt-get install chromium)");

const SITE_ZONE = "Asia/Almaty";
const inHours = (h: number) => new Date(Date.now() + h * 3600_000).toISOString();
const almaty = (iso: string, opts: Intl.DateTimeFormatOptions, locale = "en-GB") =>
  new Date(iso).toLocaleString(locale, { timeZone: SITE_ZONE, hourCycle: "h23", ...opts });

/**
 * What a security operator reads: times on the site's clock, every code in words in both languages, presence
 * said beside status, toasts that go away, the console's own dialogs, and layouts that fit a phone and a wall.
 */
describe.skipIf(!bin)("the console as an operator reads it", { timeout: 90_000 }, () => {
  let stack: Stack;
  let smtp: SmtpSink;
  let browser: Browser;
  const errors: string[] = [];
  /** Texts that are data (names, doors, sites, addresses): the same in every language. */
  const data = new Set<string>(["Gatehouse", "English", "Русский", "HikCentral", SITE_ZONE, "bootstrap"]);
  let inside: { id: string; personCode: string };
  let checkedOut: { id: string; personCode: string };

  const simPassage = (body: object) => passageAt(stack.simulator.url, body);

  let hosts = 0;
  async function visit(guest: string, host: string, extra: object = {}) {
    data.add(guest);
    data.add(host);
    const r = await stack.api("POST", "/v1/visits", {
      site: stack.siteId,
      kind: "guest",
      guest: { name: guest },
      host: { name: host, email: `host${++hosts}@host.test` },
      validFrom: inHours(-1),
      validUntil: inHours(6),
      ...extra,
    });
    expect(r.status).toBe(201);
    data.add(r.body.personCode);
    data.add(r.body.host.email);
    return r.body as { id: string; personCode: string; host: { email: string; language: string } };
  }

  async function open(
    opts: { zone?: string; lang?: "en" | "ru"; width?: number; height?: number; mobile?: boolean } = {},
  ): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({
      viewport: { width: opts.width ?? 1366, height: opts.height ?? 900 },
      timezoneId: opts.zone ?? SITE_ZONE,
      locale: opts.lang === "ru" ? "ru-RU" : "en-GB",
      ...(opts.mobile ? { isMobile: true } : {}),
    });
    await context.addInitScript(
      ([token, lang]) => {
        sessionStorage.setItem("gatehouse.token", token);
        localStorage.setItem("gatehouse.lang", lang);
      },
      [stack.adminToken, opts.lang ?? "en"] as const,
    );
    const page = await context.newPage();
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("dialog", (d) => {
      errors.push(`a browser dialog opened: ${d.message()}`);
      void d.dismiss();
    });
    return { context, page };
  }

  const goto = async (page: Page, hash: string) => {
    await page.goto(`${stack.controlPlane.httpUrl}/${hash}`);
    await page.locator("header.top").waitFor();
  };

  beforeAll(async () => {
    smtp = await startSmtpSink();
    stack = await startStack({
      dataDir: tempDir("console-reading"),
      smtpUrl: smtp.url,
      adminToken: `gh_test_${randomBytes(18).toString("base64url")}`,
      log: testLogger("console-reading"),
      timeZone: SITE_ZONE,
    });
    data.add("Demo campus");
    data.add(stack.siteId);
    data.add(`agent-${stack.siteId}`);
    browser = await launchChromium(bin!);

    // A guest inside; a guest checked out at the desk who has not gone out through a turnstile; a guest
    // turned away with their visit active (an incident); a guest who went out without coming in (another).
    inside = await visit("Aigerim Sadykova", "Marat Host");
    checkedOut = await visit("Dana Checkout", "Olga Host");
    const exitOnly = await visit("Yerlan Exit", "Olga Host");
    for (const v of [inside, checkedOut, exitOnly])
      await stack.visitWhen(v.id, (x) => x.access === "granted", "granted");
    await simPassage({ personCode: inside.personCode, direction: "entry" });
    await simPassage({
      personCode: checkedOut.personCode,
      direction: "entry",
      picture: false,
      verifyMode: "card",
    });
    await simPassage({ personCode: exitOnly.personCode, direction: "exit" });
    await simPassage({ result: "denied", direction: "entry", verifyMode: "face", picture: false });
    await stack.visitWhen(checkedOut.id, (x) => x.inside, "inside");
    expect((await stack.api("POST", `/v1/visits/${checkedOut.id}/checkout`)).status).toBe(200);
    // Yesterday's passage: the console must say its date.
    await simPassage({
      personCode: inside.personCode,
      direction: "entry",
      at: new Date(Date.now() - 26 * 3600_000).toISOString(),
    });
    await eventually(
      async () => (await stack.api("GET", "/v1/passages?limit=10")).body.items.length >= 5,
      15_000,
      "five passages stored",
    );
    await eventually(
      async () => (await stack.api("GET", "/v1/incidents")).body.items.length >= 1,
      15_000,
      "the exit-without-entry incident",
    );
    for (const p of (await stack.api("GET", "/v1/passages?limit=50")).body.items) data.add(p.door.name);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await smtp?.close();
  });

  it("shows times on the site's clock, with the date when not today, and names the zone for a reader elsewhere", async () => {
    const passages = (await stack.api("GET", "/v1/passages?limit=10")).body.items as any[];
    const today = passages.find((p) => p.visit?.guestName === "Dana Checkout")!;
    const yesterday = passages.find(
      (p) =>
        p.visit?.guestName === "Aigerim Sadykova" && Date.now() - Date.parse(p.occurredAt) > 20 * 3600_000,
    )!;

    // A reader in Berlin with the clock fixed at now: today's passage shows the site's wall time alone.
    const { context, page } = await open({ zone: "Europe/Berlin" });
    await page.clock.setFixedTime(new Date());
    await goto(page, "#/");
    const row = page.locator(`tr[data-passage="${today.id}"]`);
    await row.waitFor();
    expect(await row.locator("td.time time").textContent()).toBe(
      almaty(today.occurredAt, { hour: "2-digit", minute: "2-digit", second: "2-digit" }),
    );
    expect(await row.locator("td.time .ago").textContent()).toMatch(/ · (now|\d+ min ago)/);
    // Yesterday's (on the site's clock) carries its date.
    expect(await page.locator(`tr[data-passage="${yesterday.id}"] td.time time`).textContent()).toBe(
      almaty(yesterday.occurredAt, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" }),
    );
    // Named once, for a reader whose clock differs.
    expect(await page.locator(".zone-note").count()).toBe(1);
    expect(await page.locator(".zone-note").textContent()).toContain("Asia/Almaty (UTC+05:00)");

    // The next day, even today's passage needs its date.
    await page.clock.setFixedTime(new Date(Date.now() + 24 * 3600_000));
    await page.reload();
    await row.waitFor();
    expect(await row.locator("td.time time").textContent()).toBe(
      almaty(today.occurredAt, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" }),
    );
    await context.close();

    // A reader in the site's zone is not told about zones.
    const local = await open({ zone: SITE_ZONE });
    await goto(local.page, "#/");
    await local.page.locator(`tr[data-passage="${today.id}"]`).waitFor();
    expect(await local.page.locator(".zone-note").count()).toBe(0);
    await local.context.close();
  });

  it("words denial reasons, verify modes and incidents in both languages, with the code kept for support", async () => {
    const passages = (await stack.api("GET", "/v1/passages?limit=10")).body.items as any[];
    const denied = passages.find((p) => p.result === "denied" && p.visit === null)!;
    for (const [lang, reason, incident] of [
      ["en", /not|unknown|no /i, /went out through .* with no entry before it/],
      ["ru", /[а-я]/, /выход через «.*» без входа перед ним/],
    ] as const) {
      const { context, page } = await open({ lang });
      await goto(page, "#/");
      const cell = page.locator(`tr[data-passage="${denied.id}"] td.result .reason`);
      await cell.waitFor();
      expect(await cell.getAttribute("data-code")).toBe(denied.reasonCode);
      expect(await cell.textContent()).toMatch(reason);
      expect(await cell.textContent()).not.toContain(denied.reasonCode);
      // No picture: a neutral tile that says how the person verified.
      const tile = page.locator(`tr[data-passage="${denied.id}"] .snapshot.none`);
      expect(await tile.getAttribute("aria-label")).toBe(
        lang === "en" ? "No picture · face" : "Нет снимка · лицо",
      );
      await page.locator("ul.incidents li", { hasText: "Yerlan Exit" }).waitFor();
      expect(await page.locator("ul.incidents li", { hasText: "Yerlan Exit" }).textContent()).toMatch(
        incident,
      );
      await context.close();
    }
  });

  it("says a checked-out guest with no exit passage is still inside, on the visit, in the muster list and in the API", async () => {
    const occupancy = (await stack.api("GET", "/v1/occupancy")).body.items[0];
    const person = occupancy.inside.find((g: any) => g.visitId === checkedOut.id);
    expect(person).toMatchObject({ visitStatus: "checked_out", endedAt: expect.any(String) });
    expect(occupancy.inside.find((g: any) => g.visitId === inside.id)).toMatchObject({
      visitStatus: "active",
      endedAt: null,
    });

    const { context, page } = await open();
    await goto(page, `#/visits/${checkedOut.id}`);
    const presence = page.locator('[data-presence="ended-inside"]');
    await presence.waitFor();
    expect(await presence.textContent()).toBe(
      `checked out at ${almaty(person.endedAt, { hour: "2-digit", minute: "2-digit" })} — no exit passage yet`,
    );
    // Not "inside now" beside "checked out" without a word.
    expect(await page.locator(".badges").textContent()).not.toContain("inside now");

    await goto(page, "#/");
    const flagged = page.locator(`.muster li[data-visit="${checkedOut.id}"]`);
    await flagged.waitFor();
    expect(await flagged.getAttribute("data-ended")).toBe("true");
    expect(await flagged.textContent()).toContain("no exit passage yet");
    expect(await page.locator(`.muster li[data-visit="${inside.id}"]`).getAttribute("data-ended")).toBeNull();

    // A held visit reads as held, not as access "pending".
    expect(
      (await stack.api("POST", "/v1/deny-list", { field: "name", value: "Held Person", reason: "test" }))
        .status,
    ).toBe(201);
    const held = await visit("Held Person", "Olga Host");
    await goto(page, `#/visits/${held.id}`);
    await page.locator('[data-access="pending"]').waitFor();
    expect(await page.locator('[data-access="pending"]').textContent()).toBe(
      "Access: held — awaiting approval",
    );
    expect(await page.locator("p.warn").first().textContent()).toBe(
      "Held: the guest's name is on the deny list",
    );
    await context.close();
  });

  it("asks in its own dialog, shows results in toasts that stack, close and time out, and reads denials aloud without a toast", async () => {
    const v = await visit("Toast Guest", "Olga Host");
    await stack.visitWhen(v.id, (x) => x.access === "granted", "granted");
    const { context, page } = await open();
    await goto(page, `#/visits/${v.id}`);
    await page.getByRole("button", { name: "Revoke access" }).click();
    const dialog = page.locator("dialog.confirm");
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain("Revoke access for Toast Guest?");
    // Focus starts on "Go back": Enter alone revokes nobody.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Go back");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    expect((await stack.api("GET", `/v1/visits/${v.id}`)).body.access).toBe("granted");

    await page.getByRole("button", { name: "Revoke access" }).click();
    await dialog.getByRole("button", { name: "Revoke access" }).click();
    const toast = page.locator(".toasts li", { hasText: "Revoke access: Done." });
    await toast.waitFor();
    // A second result stacks under it; the close button takes one away at once.
    await page.getByRole("button", { name: "Check out" }).click();
    await page.locator(".toasts li", { hasText: "Check out: Done." }).waitFor();
    expect(await page.locator(".toasts li").count()).toBe(2);
    await toast.getByRole("button", { name: "Close" }).click();
    expect(await page.locator(".toasts li").count()).toBe(1);
    // The other goes by itself, and the next page does not carry it.
    await page.locator(".toasts li").waitFor({ state: "detached", timeout: 9_000 });

    await goto(page, "#/");
    await page.locator(".live-badge.on").waitFor();
    await simPassage({ result: "denied", direction: "entry", verifyMode: "card", picture: false });
    const region = page.locator('[aria-live="assertive"]');
    await expect.poll(() => region.textContent(), { timeout: 5_000 }).toMatch(/^Denied: Unknown person at /);
    expect(await page.locator(".toasts li").count()).toBe(0);
    await context.close();
  });

  it("fits a phone, a desk and a wall: a usable search box, whole Result column, names beside their pictures", async () => {
    const phone = await open({ width: 390, height: 844, mobile: true });
    await goto(phone.page, "#/visits");
    await phone.page.locator("table.visits tbody tr").first().waitFor();
    const search = await phone.page.locator('input[type="search"]').boundingBox();
    expect(search!.width).toBeGreaterThan(300);
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await phone.context.close();

    for (const [width, height, hash, lang] of [
      [1366, 900, "#/", "en"],
      [1366, 900, "#/", "ru"],
      [1920, 1080, "#/wall", "en"],
      [1920, 1080, "#/wall", "ru"],
    ] as const) {
      const { context, page } = await open({ width, height, lang });
      await goto(page, hash);
      await page.locator("tbody tr.granted").first().waitFor();
      const wrap = page.locator(".passages .table-wrap");
      expect(await wrap.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
      const rows = page.locator("table.rows tbody tr[data-passage]");
      for (let i = 0; i < Math.min(await rows.count(), 5); i++) {
        const r = rows.nth(i);
        // The Result column whole: its text inside its cell, its cell inside the panel.
        const result = await r.locator("td.result").boundingBox();
        const panel = await page.locator(".passages").boundingBox();
        expect(result!.x + result!.width).toBeLessThanOrEqual(panel!.x + panel!.width);
        expect(await r.locator("td.result").evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
        // The door on one line; the name on the picture's line, not under it.
        const door = await r.locator("td.door").evaluate((el) => {
          const line = Number.parseFloat(getComputedStyle(el).lineHeight);
          const range = document.createRange();
          range.selectNodeContents(el);
          return { height: range.getBoundingClientRect().height, line };
        });
        expect(door.height).toBeLessThan(door.line * 1.5);
        const pic = await r.locator(".snapshot").first().boundingBox();
        const name = await r.locator(".person .name").boundingBox();
        expect(name!.x).toBeGreaterThanOrEqual(pic!.x + pic!.width);
        expect(name!.y).toBeLessThan(pic!.y + pic!.height);
      }
      await context.close();
    }
  });

  it("leaves no visible text untranslated on any page, and keeps screenshots of each in both languages", async () => {
    const pages: Array<[string, string, (p: Page) => Promise<void>]> = [
      ["dashboard", "#/", async (p) => void (await p.locator("tbody tr[data-passage]").first().waitFor())],
      ["visits", "#/visits", async (p) => void (await p.locator("table.visits tbody tr").first().waitFor())],
      [
        "visit",
        `#/visits/${inside.id}`,
        async (p) => void (await p.locator("ol.timeline li").first().waitFor()),
      ],
      [
        "visit-checked-out",
        `#/visits/${checkedOut.id}`,
        async (p) => void (await p.locator('[data-presence="ended-inside"]').waitFor()),
      ],
      [
        "new-visit-errors",
        "#/new",
        async (p) => {
          const form = p.locator("form.visit-form");
          await form.locator('select[name="site"] option').first().waitFor({ state: "attached" });
          await form.locator('input[name="guest.email"]').fill("not-an-email");
          await form.locator('input[name="guest.name"]').fill("A".repeat(65));
          await form.locator('input[name="validUntil"]').fill("2020-01-01T10:00");
          await form.locator('button[type="submit"]').click();
          await form.locator('[data-field="guest.email"] .field-error').waitFor();
        },
      ],
      ["register", "#/register", async (p) => void (await p.locator("form.visit-form").waitFor())],
      ["admin", "#/admin", async (p) => void (await p.locator("tr[data-site-row]").first().waitFor())],
      ["wall", "#/wall", async (p) => void (await p.locator("tbody tr[data-passage]").first().waitFor())],
    ];
    const texts: Record<string, Record<string, string[]>> = { en: {}, ru: {} };
    for (const lang of ["en", "ru"] as const) {
      const wall = await open({ lang, width: 1920, height: 1080 });
      const desk = await open({ lang });
      const visible = (page: Page) =>
        page.evaluate(() =>
          // biome-ignore lint/performance/useDomNodeTextContent: what is shown is the point, hidden text is not
          (document.body.innerText ?? "")
            .split("\n")
            .map((l) => l.trim())
            .filter(Boolean),
        );
      for (const [name, hash, ready] of pages) {
        const page = name === "wall" ? wall.page : desk.page;
        await goto(page, hash);
        await ready(page);
        await page.locator(".live-badge.on").waitFor();
        await page.screenshot({ path: screenshotPath(`read-${name}-${lang}`), fullPage: name !== "wall" });
        texts[lang]![name] = await visible(page);
      }
      // Signed out: the login page, with a refused token's message.
      const signedOut = await browser.newContext({ locale: lang === "ru" ? "ru-RU" : "en-GB" });
      const login = await signedOut.newPage();
      await login.goto(`${stack.controlPlane.httpUrl}/`);
      await login.locator("input").first().fill("gh_not_a_token");
      await login.locator("button[type=submit]").click();
      await login.locator("#token-error:not(:empty)").waitFor();
      texts[lang]!.login = await visible(login);
      await signedOut.close();
      // A phone's width, for a person to look at.
      const phone = await open({ lang, width: 390, height: 844, mobile: true });
      await goto(phone.page, "#/visits");
      await phone.page.locator("table.visits tbody tr").first().waitFor();
      await phone.page.screenshot({ path: screenshotPath(`read-visits-phone-${lang}`), fullPage: true });
      await phone.context.close();
      await wall.context.close();
      await desk.context.close();
    }
    // Data is the same in every language; strip it, and numbers, times and punctuation, and see what is left.
    const known = [...data].sort((a, b) => b.length - a.length);
    const words = (line: string) => {
      let rest = line;
      for (const d of known) rest = rest.split(d).join(" ");
      return rest.replace(/[\d\s:.,;·–—\-+()/«»"'#№%×←→…|]+/g, " ").trim();
    };
    const untranslated: string[] = [];
    for (const name of [...pages.map(([n]) => n), "login"]) {
      const en = new Set(texts.en![name]!);
      for (const line of texts.ru![name]!) {
        const left = words(line);
        if (!left) continue;
        // A line that reads the same in both languages, or English words or a code in a Russian line.
        if (en.has(line) || /\b[a-z]{3,}\b/.test(left) || /\b[A-Z]{2,}_[A-Z_]+\b/.test(left))
          untranslated.push(`${name}: ${line}`);
      }
    }
    expect(untranslated).toEqual([]);
    // The walk saw the pages it meant to (a blank page would pass the comparison above).
    expect(texts.ru!["new-visit-errors"]!.join(" ")).toContain("Это не адрес электронной почты.");
    expect(texts.ru!.visit!.join(" ")).toContain("Доступ выдан в HikCentral");
    expect(texts.en!.dashboard!.join(" ")).toContain("went out through");
  });

  it("writes a new host's email and the security contact's incident email in the site's language", async () => {
    expect(
      (
        await stack.api("PATCH", `/v1/sites/${stack.siteId}`, {
          language: "ru",
          securityEmail: "security@site.test",
        })
      ).status,
    ).toBe(200);
    const v = await visit("Азамат Гость", "Нурлан Хост");
    expect(v.host.language).toBe("ru");
    await stack.visitWhen(v.id, (x) => x.access === "granted", "granted");
    // An exit with no entry before it: an incident, mailed to security; then the entry mails the host.
    await simPassage({ personCode: v.personCode, direction: "exit" });
    await simPassage({ personCode: v.personCode, direction: "entry" });
    const incidentMail = await eventually(
      async () => smtp.mails.find((m) => m.to.includes("security@site.test")),
      15_000,
      "the incident email",
    );
    expect(incidentMail.subject).toContain("Выход без входа");
    expect(incidentMail.text).toContain("Азамат Гость: выход через «Turnstile Exit» без входа");
    const hostMail = await eventually(
      async () => smtp.mails.find((m) => m.to.includes(v.host.email) && m.subject.includes("прибыл")),
      15_000,
      "the host's arrival email, in Russian",
    );
    expect(hostMail.subject).toBe("Азамат Гость прибыл(а)");
    expect(hostMail.text).toContain("Здравствуйте, Нурлан Хост!");
    // A visit that names its language keeps it.
    const named = await visit("Second Guest", "Eve Host", {
      host: { name: "Eve Host", email: "eve@host.test", language: "en" },
    });
    expect(named.host.language).toBe("en");
  });

  it("lets an admin make a token, see it used, revoke it in the console's dialog, and rotate an agent's login", async () => {
    const { context, page } = await open();
    await goto(page, "#/admin");
    const form = page.locator("form.token-form");
    await form.locator('input[name="name"]').fill("wall-display");
    await form.locator('select[name="role"]').selectOption("viewer");
    await form.locator('button[type="submit"]').click();
    const secret = page.locator(".secret");
    await secret.waitFor();
    const token = (await secret.locator(".secret-value").first().textContent())!;
    expect(token).toMatch(/^gh_/);
    const row = page.locator("tr[data-token-row]", { hasText: "wall-display" });
    await row.waitFor();
    expect(await row.textContent()).toContain("not yet");
    // Used once, from elsewhere; the console shows it after a reload, and never the token.
    const res = await fetch(`${stack.controlPlane.httpUrl}/v1/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    await secret.getByRole("button").click();
    await expect
      .poll(async () => {
        await page.reload();
        await row.waitFor();
        return row.textContent();
      })
      .not.toContain("not yet");
    expect(await page.locator("main").textContent()).not.toContain(token);
    await row.getByRole("button", { name: "Revoke" }).click();
    await page.locator("dialog.confirm").getByRole("button", { name: "Revoke" }).click();
    await row.locator(".badge.bad").waitFor();
    const refused = await fetch(`${stack.controlPlane.httpUrl}/v1/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(refused.status).toBe(401);

    await page.locator(`button[data-rotate="${stack.siteId}"]`).click();
    await page.locator("dialog.confirm").getByRole("button", { name: "Rotate login" }).click();
    await secret.waitFor();
    expect(await secret.textContent()).toContain(`agent-${stack.siteId}.2`);
    await page.screenshot({ path: screenshotPath("read-admin-secret-en"), fullPage: true });
    expect(await page.locator(`tr[data-site-row="${stack.siteId}"] code`).textContent()).toBe(
      `agent-${stack.siteId}.2`,
    );
    await context.close();
  });

  it("raised no script errors and opened no browser dialogs", () => {
    expect(errors).toEqual([]);
  });
});
