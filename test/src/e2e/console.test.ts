// Over 400 lines: one browser and one stack for every console walk; starting Chromium and the stack is the cost.
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
if (!bin) console.warn("SKIP console: no Chromium on this machine (apt-get install chromium)");

const inHours = (h: number) => new Date(Date.now() + h * 3600_000).toISOString();
/** A datetime-local value on the site's clock (the stack's site is in Asia/Almaty). */
const siteLocal = (d: Date) =>
  new Intl.DateTimeFormat("sv-SE", {
    timeZone: "Asia/Almaty",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  })
    .format(d)
    .replace(" ", "T");

describe.skipIf(!bin)("the web console in Chromium", { timeout: 60_000 }, () => {
  let stack: Stack;
  let smtp: SmtpSink;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let visitId: string;
  let personCode: string;
  const browserErrors: string[] = [];

  beforeAll(async () => {
    smtp = await startSmtpSink();
    stack = await startStack({
      dataDir: tempDir("console"),
      smtpUrl: smtp.url,
      adminToken: `gh_test_${randomBytes(18).toString("base64url")}`,
      log: testLogger("console"),
      siteKinds: {
        guest: { accessGroups: ["Visitors"] },
        vip: { accessGroups: ["Nonexistent level"] },
      },
    });
    browser = await launchChromium(bin!);
    context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "en-GB" });
    page = await context.newPage();
    page.on("pageerror", (e) => browserErrors.push(e.message));
    // Chromium logs every 4xx answer as an error; those are the point of some steps, so only scripts count.
    page.on("console", (m) => {
      if (m.type() === "error" && !m.text().startsWith("Failed to load resource"))
        browserErrors.push(m.text());
    });
    // The console asks in its own dialog; a browser dialog would be a regression.
    page.on("dialog", (d) => {
      browserErrors.push(`a browser dialog opened: ${d.message()}`);
      void d.dismiss();
    });
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await smtp?.close();
  });

  const simPassage = (body: object) => passageAt(stack.simulator.url, body);
  const simMembers = async () =>
    (await (await fetch(`${stack.simulator.url}/_sim/access-groups`)).json()) as Array<{
      privilegeGroupName: string;
      members: string[];
    }>;
  const simPerson = async (code: string) =>
    ((await (await fetch(`${stack.simulator.url}/_sim/persons`)).json()) as any[]).find(
      (p) => p.personCode === code,
    );

  it("refuses a wrong token, then signs in with a good one kept in this tab's session storage", async () => {
    await page.goto(stack.controlPlane.httpUrl);
    await page.getByLabel("API token").fill("gh_wrong_token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.locator("#token-error").textContent()).toBe("This token is not valid.");

    await page.getByLabel("API token").fill(stack.adminToken);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator(".live-badge.on").waitFor();
    expect(await page.locator(".me").textContent()).toBe("bootstrap (admin)");
    expect(await page.evaluate(() => sessionStorage.getItem("gatehouse.token"))).toBe(stack.adminToken);
    expect(await page.evaluate(() => localStorage.getItem("gatehouse.token"))).toBeNull();
    // The site's card says its agent is online.
    await page.locator(`.card[data-site="${stack.siteId}"] [data-agent-state="online"]`).waitFor();
  });

  it("shows the API's field errors beside the fields, then creates the visit and shows its grant arrive", async () => {
    await page.goto(`${stack.controlPlane.httpUrl}/#/new`);
    const form = page.locator("form.visit-form");
    await form.locator('select[name="site"] option').first().waitFor({ state: "attached" });
    await form.locator('input[name="host.name"]').fill("Charles Babbage");
    await form.locator('input[name="guest.email"]').fill("not-an-email");
    await form.locator('input[name="validUntil"]').fill("2020-01-01T10:00");
    await page.getByRole("button", { name: "Create visit" }).click();

    const nameField = form.locator('[data-field="guest.name"]');
    await nameField.locator(".field-error").waitFor();
    expect(await nameField.locator(".field-error").textContent()).toBe("Fill this in.");
    expect(await form.locator('input[name="guest.name"]').getAttribute("aria-invalid")).toBe("true");
    expect(await form.locator('[data-field="guest.email"] .field-error').textContent()).toMatch(/email/i);
    expect(await form.locator('[data-field="validUntil"] .field-error').textContent()).toBe(
      "Must be after the start time.",
    );
    // The first field at fault has the focus; the summary links to each.
    expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("validUntil");
    expect(await form.locator(".form-errors li").count()).toBeGreaterThanOrEqual(3);
    await page.screenshot({ path: screenshotPath("visit-form-errors"), fullPage: true });

    await form.locator('input[name="guest.name"]').fill("Ada Lovelace");
    await form.locator('input[name="guest.email"]').fill("ada@guest.test");
    await form.locator('input[name="host.email"]').fill("charles@host.test");
    const now = new Date();
    await form.locator('input[name="validFrom"]').fill(siteLocal(new Date(now.getTime() - 3600_000)));
    await form.locator('input[name="validUntil"]').fill(siteLocal(new Date(now.getTime() + 8 * 3600_000)));
    await page.getByRole("button", { name: "Create visit" }).click();

    await page.waitForURL(/#\/visits\/[0-9a-f-]+$/);
    visitId = decodeURIComponent(page.url().split("/").pop()!);
    await page.locator('[data-access="granted"]').first().waitFor({ timeout: 15_000 });
    const v = (await stack.api("GET", `/v1/visits/${visitId}`)).body;
    expect(v).toMatchObject({
      access: "granted",
      guest: { name: "Ada Lovelace" },
      host: { name: "Charles Babbage" },
    });
    personCode = v.personCode;
    // The timeline shows the grant applied.
    expect(await page.locator('ol.timeline li[data-kind="command"].good').textContent()).toContain("grant");
  });

  it("shows a passage live within a second, a denied one standing out, and the guest inside", async () => {
    await page.goto(`${stack.controlPlane.httpUrl}/#/`);
    await page.locator(".live-badge.on").waitFor();
    await page.locator("table.rows tbody").waitFor();

    const t0 = Date.now();
    const { eventId } = await simPassage({ personCode, direction: "entry" });
    const row = page.locator("tbody tr.granted", { hasText: "Ada Lovelace" }).first();
    await row.waitFor({ timeout: 5_000 });
    const shownAfterMs = Date.now() - t0;
    console.log(`console: passage ${eventId} shown ${shownAfterMs} ms after the simulator's event`);
    expect(await row.textContent()).toContain("Charles Babbage");
    // The camera's picture follows: fetched by the agent from HikCentral, stored, and shown in the row.
    await row.locator("img.snapshot").waitFor({ timeout: 10_000 });
    const passageId = (await row.getAttribute("data-passage"))!;
    const pic = await fetch(
      `${stack.controlPlane.httpUrl}/v1/passages/${encodeURIComponent(passageId)}/picture`,
      { headers: { authorization: `Bearer ${stack.adminToken}` } },
    );
    expect(pic.status).toBe(200);
    expect(pic.headers.get("content-type")).toBe("image/jpeg");
    expect([...new Uint8Array(await pic.arrayBuffer()).subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect(
      (await fetch(`${stack.controlPlane.httpUrl}/v1/passages/${encodeURIComponent(passageId)}/picture`))
        .status,
    ).toBe(401);

    await simPassage({ result: "denied", direction: "entry" });
    const denied = page.locator("tbody tr.denied").first();
    await denied.waitFor({ timeout: 5_000 });
    expect(await denied.textContent()).toContain("Unknown person");
    expect(await denied.evaluate((el) => getComputedStyle(el.querySelector("td")!).backgroundColor)).not.toBe(
      await row.evaluate((el) => getComputedStyle(el.querySelector("td")!).backgroundColor),
    );

    // The muster list has the guest, the site card counts one inside.
    await page.locator(`.muster-site[data-site="${stack.siteId}"] li[data-visit="${visitId}"]`).waitFor();
    expect(await page.locator(`.card[data-site="${stack.siteId}"] .count`).textContent()).toBe("1 inside");
    await page.screenshot({ path: screenshotPath("dashboard"), fullPage: true });

    // The visit page shows the guest inside, with the passage and the host's email on its timeline.
    await page.locator(`.muster-site a[href="#/visits/${visitId}"]`).click();
    await page.locator('[data-inside="true"]').waitFor();
    await page.locator('ol.timeline li[data-kind="passage"]').waitFor();
    await eventually(async () => smtp.mails.length >= 1, 10_000, "the host's email");
    await page.reload();
    await page.locator('ol.timeline li[data-kind="email"].good').waitFor({ timeout: 10_000 });
    await page.screenshot({ path: screenshotPath("visit-page"), fullPage: true });
  });

  it("revokes from the visit page, and the simulator's access group loses the person", async () => {
    const person = await simPerson(personCode);
    expect((await simMembers()).find((g) => g.privilegeGroupName === "Visitors")?.members).toContain(
      person.personId,
    );
    await page.getByRole("button", { name: "Revoke access" }).click();
    // The console's own dialog asks first.
    await page.locator("dialog.confirm").getByRole("button", { name: "Revoke access" }).click();
    await page.locator('[data-access="revoked"]').first().waitFor({ timeout: 15_000 });
    const visitors = (await simMembers()).find((g) => g.privilegeGroupName === "Visitors");
    expect(visitors?.members).not.toContain(person.personId);
    // Revoked already: the button is gone; the visit is still open, so checkout remains.
    expect(await page.getByRole("button", { name: "Revoke access" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Check out" }).count()).toBe(1);
  });

  it("retries a failed grant once an admin has fixed the visit kind's access level", async () => {
    const created = await stack.api("POST", "/v1/visits", {
      site: stack.siteId,
      kind: "vip",
      guest: { name: "Grace Hopper" },
      host: { name: "Ada Host" },
      validFrom: inHours(-1),
      validUntil: inHours(4),
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    await page.goto(`${stack.controlPlane.httpUrl}/#/visits/${id}`);
    await page.locator('[data-access="failed"]').first().waitFor({ timeout: 15_000 });
    expect(await page.locator("p.bad").first().textContent()).toContain("Grant failed");

    const site = (await stack.api("GET", `/v1/sites/${stack.siteId}`)).body;
    const patched = await stack.api("PATCH", `/v1/sites/${stack.siteId}`, {
      kinds: { ...site.kinds, vip: { accessGroups: ["Visitors"], revokeOnExit: false } },
    });
    expect(patched.status).toBe(200);
    await page.getByRole("button", { name: "Retry grant" }).click();
    await page.locator('[data-access="granted"]').first().waitFor({ timeout: 15_000 });
    const v = (await stack.api("GET", `/v1/visits/${id}`)).body;
    expect(v.commands.map((c: any) => [c.type, c.status])).toEqual([
      ["grant", "failed"],
      ["grant", "applied"],
    ]);
    expect((await simPerson(v.personCode)).groups).toEqual(["7"]);

    // New times: a bad pair is refused beside the form, a good one goes to HikCentral as a validity command.
    await page.locator("details.times-box summary").click();
    const times = page.locator("form.times");
    const until = times.locator('input[name="validUntil"]');
    const from = await times.locator('input[name="validFrom"]').inputValue();
    await until.fill(from);
    await times.getByRole("button", { name: "Save times" }).click();
    await times.locator(".form-errors p").first().waitFor();
    expect(await times.locator(".form-errors").textContent()).toContain("Must be after the start time.");
    // A datetime-local input holds whole minutes, on the site's clock.
    const later = new Date(Math.floor((Date.parse(v.validUntil) + 3600_000) / 60_000) * 60_000);
    await until.fill(siteLocal(later));
    await times.getByRole("button", { name: "Save times" }).click();
    await page.locator('ol.timeline li[data-kind="command"]', { hasText: "Valid times changed" }).waitFor();
    const changed = await eventually(
      async () => {
        const p = await simPerson(v.personCode);
        return p.endTime && Date.parse(p.endTime) === later.getTime() ? p : undefined;
      },
      15_000,
      "the new validUntil in HikCentral",
    );
    expect(changed.groups).toEqual(["7"]);
  });

  it("selects visits and revokes them together", async () => {
    const ids: string[] = [];
    for (const name of ["Bulk One", "Bulk Two"]) {
      const r = await stack.api("POST", "/v1/visits", {
        site: stack.siteId,
        kind: "guest",
        guest: { name },
        host: { name: "Bulk Host" },
        validFrom: inHours(-1),
        validUntil: inHours(4),
      });
      ids.push(r.body.id);
    }
    await page.goto(`${stack.controlPlane.httpUrl}/#/visits?q=Bulk`);
    for (const name of ["Bulk One", "Bulk Two"]) await page.getByLabel(`Select ${name}`).check();
    expect(await page.locator(".bulk").textContent()).toContain("2 selected");
    await page.getByRole("button", { name: "Revoke selected" }).click();
    await page.locator("dialog.confirm").getByRole("button", { name: "Revoke selected" }).click();
    await page.locator(".bulk-result", { hasText: "Revoked 2 of 2." }).waitFor();
    for (const id of ids) {
      const v = await eventually(
        async () => {
          const b = (await stack.api("GET", `/v1/visits/${id}`)).body;
          return b.access === "revoked" ? b : undefined;
        },
        15_000,
        "bulk revoke applied",
      );
      expect(v.commands.map((c: any) => c.type)).toEqual(["grant", "revoke"]);
    }
  });

  it("registers a guest to a group event with field errors from the API, until the event is full", async () => {
    const ev = await stack.api("POST", "/v1/events", {
      site: stack.siteId,
      name: "Open day",
      organizer: { name: "Olga Organiser", email: "olga@host.test" },
      startsAt: inHours(-1),
      endsAt: inHours(6),
      capacity: 1,
      registrationDeadline: inHours(5),
    });
    expect(ev.status).toBe(201);
    await page.goto(`${stack.controlPlane.httpUrl}/#/register`);
    const form = page.locator("form.visit-form");
    await form.locator(`select[name="event"] option[value="${ev.body.id}"]`).waitFor({ state: "attached" });
    await form.locator('select[name="event"]').selectOption(ev.body.id);

    // No name, and a host email that is not one: both said beside their fields.
    await form.locator('input[name="host.email"]').fill("olga-at-host");
    await page.getByRole("button", { name: "Register" }).click();
    await form.locator('[data-field="guest.name"] .field-error').waitFor();
    expect(await form.locator('[data-field="host.email"] .field-error').textContent()).toMatch(/email/i);
    expect(await form.locator('[data-field="host.name"] .field-error').textContent()).toBeTruthy();

    await form.locator('input[name="host.email"]').fill("");
    await form.locator('input[name="guest.name"]').fill("Первый Гость");
    await page.getByRole("button", { name: "Register" }).click();
    await page.locator("ul.registered li", { hasText: "Первый Гость" }).waitFor();
    expect(await form.locator(".field-error:visible").count()).toBe(0);
    const regs = (await stack.api("GET", `/v1/visits?event=${ev.body.id}`)).body.items;
    expect(regs.map((v: any) => [v.guest.name, v.host.name])).toEqual([["Первый Гость", "Olga Organiser"]]);
    // Its one place gone, the event closed and left the list of events open for registration.
    await eventually(
      async () => (await form.locator(`select[name="event"] option[value="${ev.body.id}"]`).count()) === 0,
      5_000,
      "the full event to leave the list",
    );
  });

  it("shows a viewer no write buttons, and the API refuses what the page does not show", async () => {
    const viewerToken = await stack.controlPlane.tokens.create("viewer", "desk-viewer");
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const viewer = await ctx.newPage();
    await viewer.goto(stack.controlPlane.httpUrl);
    await viewer.getByLabel("API token").fill(viewerToken);
    await viewer.getByRole("button", { name: "Sign in" }).click();
    await viewer.locator(".me[data-role=viewer]").waitFor();
    expect(await viewer.locator("nav.primary").textContent()).not.toContain("New visit");

    await viewer.goto(`${stack.controlPlane.httpUrl}/#/visits/${visitId}`);
    await viewer.locator("ol.timeline").waitFor();
    expect(await viewer.locator("button[data-action]").count()).toBe(0);
    expect(await viewer.locator("details.times-box").count()).toBe(0);

    await viewer.goto(`${stack.controlPlane.httpUrl}/#/visits`);
    await viewer.locator("table.visits tbody tr").first().waitFor();
    expect(await viewer.locator('table.visits input[type="checkbox"]').count()).toBe(0);
    expect(await viewer.getByRole("button", { name: "Revoke selected" }).count()).toBe(0);

    await viewer.goto(`${stack.controlPlane.httpUrl}/#/new`);
    await viewer.getByText("Nothing here.").waitFor();
    const refused = await viewer.evaluate(async (id) => {
      const res = await fetch(`/v1/visits/${id}/cancel`, {
        method: "POST",
        headers: { authorization: `Bearer ${sessionStorage.getItem("gatehouse.token")}` },
      });
      return res.status;
    }, visitId);
    expect(refused).toBe(403);
    await ctx.close();
  });

  it("reads in Russian, fits a phone's width, fills a wall display, and works from the keyboard", async () => {
    await page.goto(`${stack.controlPlane.httpUrl}/#/`);
    await page.locator("#lang").selectOption("ru");
    await page.locator("nav.primary", { hasText: "Визиты" }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("ru");
    expect(await page.locator("#h-passages").textContent()).toBe("Проходы");
    // Remembered for the next visit to the console.
    await page.reload();
    await page.locator("#h-passages", { hasText: "Проходы" }).waitFor();
    await page.locator("#lang").selectOption("en");
    await page.locator("#h-passages", { hasText: "Passages" }).waitFor();

    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const p = await phone.newPage();
    await p.goto(stack.controlPlane.httpUrl);
    await p.evaluate((token) => sessionStorage.setItem("gatehouse.token", token), stack.adminToken);
    await p.reload();
    await p.locator("tbody tr.granted").first().waitFor();
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await p.screenshot({ path: screenshotPath("dashboard-phone"), fullPage: true });
    await phone.close();

    const wall = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const w = await wall.newPage();
    await w.goto(`${stack.controlPlane.httpUrl}/#/wall`);
    await w.evaluate((token) => sessionStorage.setItem("gatehouse.token", token), stack.adminToken);
    await w.reload();
    await w.locator("tbody tr.granted").first().waitFor();
    expect(await w.locator("nav.primary").isVisible()).toBe(false);
    expect(await w.evaluate(() => getComputedStyle(document.body).fontSize)).toBe("24px");
    await w.screenshot({ path: screenshotPath("dashboard-wall") });
    await wall.close();

    // Keys: v for visits, / to search; Tab reaches the first visit's link; Enter opens it.
    await page.goto(`${stack.controlPlane.httpUrl}/#/`);
    await page.locator(".live-badge.on").waitFor();
    await page.keyboard.press("v");
    await page.waitForURL(/#\/visits$/);
    await page.locator("table.visits tbody tr").first().waitFor();
    await page.keyboard.press("/");
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("type"))).toBe("search");
    await page.keyboard.type("Ada Lovelace");
    await page.keyboard.press("Enter");
    await page.waitForURL(/q=Ada/);
    await page.locator("table.visits tbody tr", { hasText: "Ada Lovelace" }).waitFor();
    const link = page.locator("table.visits tbody a", { hasText: "Ada Lovelace" });
    await link.focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(new RegExp(`#/visits/${visitId}$`));
  });

  it("raised no script errors in the browser", () => {
    expect(browserErrors).toEqual([]);
  });
});
