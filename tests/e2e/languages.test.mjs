// SPDX-License-Identifier: GPL-3.0-or-later
// The citizen's pages in the sim site's new languages, in a real Chromium
// against a real vuorod: the words come from the catalogs (ui/i18n/LANG.json
// through GET /api/catalog).  The kiosk lists every language in its own
// name; in Arabic it lays out right to left (<html dir=rtl>, the service
// names at the right edge, the ticket number still "A001" left to right);
// in Northern Sámi it speaks Sámi.  The follow page opens in the ticket's
// language, Arabic and Sámi alike.  The waiting-room display turns through
// all six languages; the booth screen turns right to left in Arabic.  axe checks each, and each is photographed.

import fs from "node:fs";
import { test, startVuorod, open, shot, audit, expect, waitFor, ROOT } from "./lib.mjs";

const PORTRAIT = { width: 1080, height: 1920 };
const PHONE = { width: 390, height: 844 };
const FULL_HD = { width: 1920, height: 1080 };
const catalog = (lang) => JSON.parse(fs.readFileSync(`${ROOT}/ui/i18n/${lang}.json`, "utf8"));
const AR = catalog("ar");
const SE = catalog("se");
const UK = catalog("uk");
const text = (page, sel) => page.locator(sel).innerText();
const serviceButton = (page, code) => page.locator(`button.service[data-service="${code}"]`);

test("languages: the kiosk in Arabic (right to left) and Northern Sámi, each language in its own name", async () => {
  // The ticket view's longest window ([kiosk] ticket-seconds): a screenshot and axe come before "Done".
  const v = await startVuorod([["kiosk", "ticket-seconds", "30"]]);
  try {
    await v.api("POST", "/api/tickets", { service: "guide", lang: "fi" });
    const page = await open(v.url + "/kiosk", PORTRAIT);
    await page.waitForSelector("button.service");
    const names = await page.locator("#langs button").allInnerTexts();
    expect(names.join(",") === "Suomi,Svenska,English,Davvisámegiella,Українська,العربية",
      "the six languages, each in its own name: " + names.join(","));
    expect(await page.locator('#langs button[lang="ar"]').getAttribute("dir") === "rtl", "العربية marked rtl");

    // Arabic: the whole page turns right to left.
    await page.getByRole("button", { name: "العربية" }).click();
    await waitFor(async () => (await text(page, "h1")) === AR["kiosk.choose"], "the start screen in Arabic");
    const html = await page.evaluate(() => ({ lang: document.documentElement.lang, dir: document.documentElement.dir }));
    expect(html.lang === "ar" && html.dir === "rtl", "<html lang=ar dir=rtl>: " + JSON.stringify(html));
    const guide = serviceButton(page, "guide");
    await waitFor(async () => (await guide.innerText()).includes("إرشاد عام"), "the service's Arabic name (name-ar)");
    expect((await guide.innerText()).includes("1"), "the waiting count still in digits: " + (await guide.innerText()));
    // Mirrored: a service's name starts at the button's right edge.
    const edge = await guide.evaluate((b) => {
      const name = b.querySelector(".name").getBoundingClientRect();
      const box = b.getBoundingClientRect();
      return { left: name.left - box.left, right: box.right - name.right, dir: getComputedStyle(b).direction };
    });
    expect(edge.dir === "rtl" && edge.right < edge.left, "the name hugs the right edge: " + JSON.stringify(edge));
    await shot(page, "kiosk-start-ar");
    await audit(page, "kiosk start (ar)");

    // A ticket in Arabic: the number reads A002, left to right.
    await guide.click();
    await page.waitForSelector("#ticket-number");
    const code = await text(page, "#ticket-number");
    expect(/^A\d{3}$/.test(code), "the number as printed: " + code);
    expect(await page.locator("#ticket-number").getAttribute("dir") === "ltr", "the number kept left to right");
    await shot(page, "kiosk-ticket-ar");
    await audit(page, "kiosk ticket (ar)");
    const mine = (await v.api("GET", "/api/queue", null, "anna")).body.tickets.find((t) => t.code === code);
    expect(mine?.lang === "ar", "the ticket keeps its language: " + JSON.stringify(mine));

    // Northern Sámi.
    await page.getByRole("button", { name: AR["kiosk.done"] }).click();
    await page.waitForSelector("button.service");
    await page.getByRole("button", { name: "Davvisámegiella" }).click();
    await waitFor(async () => (await text(page, "h1")) === SE["kiosk.choose"], "the start screen in Sámi");
    const se = await page.evaluate(() => ({ lang: document.documentElement.lang, dir: document.documentElement.dir }));
    expect(se.lang === "se" && se.dir === "ltr", "<html lang=se dir=ltr>: " + JSON.stringify(se));
    await waitFor(async () => (await serviceButton(page, "tax").innerText()).includes("Vearuheapmi"), "Sámi service name");
    await shot(page, "kiosk-start-se");
    await audit(page, "kiosk start (se)");
    expect(page.jsErrors.length === 0, "no JS errors: " + page.jsErrors.join("; "));
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});

test("languages: the follow page opens in the ticket's language — Arabic right to left, Sámi, Ukrainian", async () => {
  const v = await startVuorod();
  try {
    await v.api("POST", "/api/tickets", { service: "tax", lang: "fi" });
    for (const [lang, cat, svcName] of [["ar", AR, "الضرائب"], ["se", SE, "Vearuheapmi"], ["uk", UK, "Оподаткування"]]) {
      const r = await v.api("POST", "/api/tickets", { service: "tax", lang });
      expect(r.status === 201, `a ticket in ${lang}: ` + JSON.stringify(r.body));
      const tk = r.body.ticket;
      const page = await open(v.url + tk.follow, PHONE);
      await waitFor(async () => (await page.locator("#service").innerText()) === svcName, `the service in ${lang}`);
      const html = await page.evaluate(() => ({ lang: document.documentElement.lang, dir: document.documentElement.dir }));
      expect(html.lang === lang && html.dir === (lang === "ar" ? "rtl" : "ltr"), `<html> of ${lang}: ` + JSON.stringify(html));
      expect((await page.locator("#number").innerText()) === tk.code, "the number: " + tk.code);
      expect((await page.locator("#number-label").innerText()) === cat["follow.number"], "the label from the catalog");
      const { scroll, inner } = await page.evaluate(() =>
        ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
      expect(scroll <= inner, `no sideways scrolling (${lang})`);
      await shot(page, `follow-waiting-${lang}`);
      await audit(page, `follow (${lang})`);
      expect(page.jsErrors.length === 0, "no JS errors: " + page.jsErrors.join("; "));
      await page.context().close();
    }
  } finally {
    await v.cleanup();
  }
});

test("languages: the display shows every label in the main language and turns through the others", async () => {
  const v = await startVuorod();
  try {
    const page = await open(v.url + "/display?mute=1", FULL_HD);
    await page.waitForSelector("#services li");
    const heading = () => page.locator("#waiting-h").evaluate((e) =>
      [...e.querySelectorAll("span[lang]")].map((s) => s.lang));
    expect((await heading()).join(",") === "fi,sv,en", "first fi, sv, en: " + (await heading()));
    await waitFor(async () => (await heading()).join(",") === "fi,se,uk", "then fi, se, uk", 12000);
    expect((await page.locator("#services li .names p[lang=uk]").first().innerText()).length > 0,
      "the services named in Ukrainian too");
    await shot(page, "display-fi-se-uk");
    await audit(page, "display (fi, se, uk)");
    await waitFor(async () => (await heading()).join(",") === "fi,ar", "then fi, ar", 12000);
    expect(await page.locator("#waiting-h span[lang=ar]").getAttribute("dir") === "rtl", "Arabic marked rtl");
    await shot(page, "display-fi-ar");
    await audit(page, "display (fi, ar)");
    expect(page.jsErrors.length === 0, "no JS errors: " + page.jsErrors.join("; "));
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});

test("languages: the booth screen in Arabic lays out right to left and still fits 1920×1080", async () => {
  const v = await startVuorod();
  try {
    const page = await open(v.url + "/booth?booth=4", FULL_HD);
    await page.waitForSelector('#screen[data-view="idle"]');
    await page.getByRole("button", { name: "العربية" }).click();
    await waitFor(async () => (await text(page, "h1")) === AR["booth.title"], "the booth's title in Arabic");
    const html = await page.evaluate(() => ({ lang: document.documentElement.lang, dir: document.documentElement.dir }));
    expect(html.lang === "ar" && html.dir === "rtl", "<html lang=ar dir=rtl>: " + JSON.stringify(html));
    expect(await page.locator('.other[lang="fi"]').count() === 1, "Finnish among the others");
    const fits = await page.evaluate(() =>
      document.documentElement.scrollWidth <= innerWidth && document.documentElement.scrollHeight <= innerHeight);
    expect(fits, "fits 1920×1080");
    await shot(page, "booth-idle-ar");
    await audit(page, "booth idle (ar)");
    expect(page.jsErrors.length === 0, "no JS errors: " + page.jsErrors.join("; "));
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});
