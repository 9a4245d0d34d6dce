// SPDX-License-Identifier: GPL-3.0-or-later
// Notices (issue 17, item 5) in a real Chromium against a real vuorod: a
// manager publishes one on /manager in Finnish and Arabic; the waiting-room
// display and the kiosk, open before it, show it without a reload (the
// "notices" event) — the display in Finnish and, when its languages turn,
// Arabic beside it right to left; the kiosk in Finnish, and in Arabic (RTL)
// when the citizen picks it.  Withdrawn, it leaves both at once.  axe
// checks each view, and each is photographed.

import fs from "node:fs";
import { test, startVuorod, open, shot, audit, expect, waitFor, ROOT, logIn } from "./lib.mjs";

const PORTRAIT = { width: 1080, height: 1920 };
const FULL_HD = { width: 1920, height: 1080 };
const AR = JSON.parse(fs.readFileSync(`${ROOT}/ui/i18n/ar.json`, "utf8"));
const FI_TEXT = "Verotoimiston etäpalvelu on suljettu perjantaina.";
const AR_TEXT = "خدمة مكتب الضرائب عن بُعد مغلقة يوم الجمعة.";

// The site's local time (sim.conf: Europe/Helsinki) @min minutes from now,
// as <input type=datetime-local> takes it.
function local(min) {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: "Europe/Helsinki", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).formatToParts(new Date(Date.now() + min * 60000));
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

const noReload = (page) => page.evaluate(() => {
  window.__notReloaded = true;
});
// The kiosk's start screen never scrolls, with a notice too.
async function unscrolled(page, what) {
  const m = await page.evaluate(() => ({ scroll: document.documentElement.scrollHeight, inner: innerHeight }));
  expect(m.scroll <= m.inner, `${what}: no scrolling (${m.scroll} > ${m.inner})`);
}
const stillSamePage = async (page) => expect(await page.evaluate(() => window.__notReloaded === true), "no reload");

test("notices: published on /manager, shown live on /display and /kiosk in Finnish and Arabic", async () => {
  const v = await startVuorod();
  const pages = [];
  try {
    const display = await open(v.url + "/display?mute=1", FULL_HD);
    pages.push(display);
    await display.waitForSelector("#services li");
    const kiosk = await open(v.url + "/kiosk", PORTRAIT);
    pages.push(kiosk);
    await kiosk.waitForSelector("button.service");
    expect(await display.locator("#notices").isHidden(), "no notice on the display yet");
    expect(await kiosk.locator("#notices").isHidden(), "no notice on the kiosk yet");
    await noReload(display);
    await noReload(kiosk);

    // The manager publishes it.
    const manager = await open(v.url + "/manager", { lang: "en" });
    pages.push(manager);
    await logIn(manager, "maija");
    await manager.waitForSelector("#notices-none");
    // Without the main language's text: vuorod's words, shown as they come.
    await manager.locator("#notice-text-ar").fill(AR_TEXT);
    await manager.locator("#notice-start").fill(local(-2));
    await manager.locator("#notice-end").fill(local(90));
    await manager.getByRole("button", { name: "Publish" }).click();
    await waitFor(async () => (await manager.locator("#notice-result").innerText()).includes("main language"),
      "a notice without Finnish is refused, saying why");
    expect(await manager.locator("#notice-result").getAttribute("role") === "alert", "the refusal is an alert");
    await manager.locator("#notice-text-fi").fill(FI_TEXT);
    await manager.getByRole("button", { name: "Publish" }).click();
    await waitFor(async () => (await manager.locator("#notice-result").innerText()) === "Notice 1 published.",
      "published").catch(async (e) => {
      throw new Error(e.message + ": " + (await manager.locator("#notice-result").innerText()));
    });
    await waitFor(async () => (await manager.locator("#notice-table tbody tr").count()) === 1, "listed");
    expect((await manager.locator("#notice-table tbody tr th").innerText()) === FI_TEXT, "listed by its Finnish text");
    expect((await manager.locator("#notice-table tbody tr td").nth(2).innerText()) === "Shown now", "shown now");
    expect(await manager.locator("#notice-text-ar").getAttribute("dir") === "rtl", "the Arabic text is written right to left");
    await shot(manager, "notices-manager");
    await audit(manager, "manager: notices");

    // The display: at once in Finnish, then with Arabic beside it when its languages turn.
    await waitFor(async () => (await display.locator("#notices li p.main").innerText().catch(() => "")) === FI_TEXT,
      "the display shows the notice in Finnish");
    await stillSamePage(display);
    const langsShown = () => display.locator("#notices li p").evaluateAll((ps) => ps.map((p) => p.lang).join(","));
    expect((await langsShown()) === "fi", "fi, sv, en page: only Finnish (the others were not written): " + (await langsShown()));
    await waitFor(async () => (await langsShown()) === "fi,ar", "then Finnish and Arabic", 26000);
    const arP = display.locator("#notices li p[lang=ar]");
    expect(await arP.getAttribute("dir") === "rtl", "the Arabic notice is right to left");
    expect((await arP.innerText()) === AR_TEXT, "the Arabic text");
    await shot(display, "notices-display-fi-ar");
    await audit(display, "display with a notice (fi, ar)");

    // The kiosk: in Finnish, then in Arabic when the citizen picks it.
    const notice = kiosk.locator("#notice-list li");
    await waitFor(async () => (await notice.innerText().catch(() => "")) === FI_TEXT, "the kiosk shows it in Finnish");
    await stillSamePage(kiosk);
    expect(await notice.getAttribute("lang") === "fi", "marked Finnish");
    await unscrolled(kiosk, "the kiosk in Finnish with a notice");
    await shot(kiosk, "notices-kiosk-fi");
    await audit(kiosk, "kiosk with a notice (fi)");
    await kiosk.getByRole("button", { name: "العربية" }).click();
    await waitFor(async () => (await kiosk.locator("h1").innerText()) === AR["kiosk.choose"], "the kiosk in Arabic");
    await waitFor(async () => (await notice.innerText()) === AR_TEXT, "the notice in Arabic");
    expect(await notice.getAttribute("lang") === "ar" && await notice.getAttribute("dir") === "rtl", "marked ar, rtl");
    expect(await kiosk.evaluate(() => document.documentElement.dir) === "rtl", "the kiosk right to left");
    await unscrolled(kiosk, "the kiosk in Arabic with a notice");
    await shot(kiosk, "notices-kiosk-ar");
    await audit(kiosk, "kiosk with a notice (ar)");

    // Withdrawn on /manager: gone from both without a reload.
    await manager.getByRole("button", { name: "Withdraw notice 1" }).click();
    await waitFor(async () => (await manager.locator("#notice-result").innerText()) === "Notice 1 withdrawn.", "withdrawn");
    await waitFor(async () => await display.locator("#notices").isHidden(), "gone from the display");
    await waitFor(async () => await kiosk.locator("#notices").isHidden(), "gone from the kiosk");
    await stillSamePage(display);
    await stillSamePage(kiosk);
    // The manager's one refused POST (no Finnish text) is the browser's only complaint.
    const managerErrors = manager.jsErrors.filter((e) => !/status of 400/.test(e));
    expect(manager.jsErrors.length - managerErrors.length === 1 && !managerErrors.length,
      "manager: only the refused POST: " + manager.jsErrors.join("; "));
    for (const p of [display, kiosk]) expect(p.jsErrors.length === 0, "no JS errors: " + p.jsErrors.join("; "));
  } finally {
    for (const p of pages) await p.context().close().catch(() => {});
    await v.cleanup();
  }
});
