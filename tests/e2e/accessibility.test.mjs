// SPDX-License-Identifier: GPL-3.0-or-later
// /accessibility, the site's accessibility statement (issue 20 item 6), in a
// real Chromium against a real vuorod: the words from the catalogs in every
// language the site offers (fi/sv/en, and se/uk/ar, Arabic right to left);
// the site's contact and authority from board-config, the desk when there is
// no contact; the lists of what conforms and what does not, each gap with
// what to do instead.  Used with the keyboard only (Tab to a language, Enter
// and Space, a visible focus ring); reflowed at 320 CSS px (a 1280 px window
// at 400 %) with no sideways scroll, also with WCAG 1.4.12's text spacing;
// every target at least 24 × 24 px (2.5.8).  The follow page links to it.
// axe checks each view, and each is photographed.

import fs from "node:fs";
import { test, startVuorod, open, shot, audit, expect, waitFor, ROOT } from "./lib.mjs";

const catalog = (lang) => JSON.parse(fs.readFileSync(`${ROOT}/ui/i18n/${lang}.json`, "utf8"));
const FI = catalog("fi");
const SV = catalog("sv");
const EN = catalog("en");
const AR = catalog("ar");
const PHONE = { width: 390, height: 844 };
const NARROW = { width: 320, height: 640 };
const CONTACT = "saavutettavuus@kuohu.example, 09 123 4567";
const AUTHORITY = "Valvova viranomainen, https://valvonta.example";

const heading = (page) => page.locator("h1").innerText();

// Tab (and only Tab) until the element matching @sel has the focus.
async function tabTo(page, sel, most = 20) {
  for (let i = 0; i < most; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, sel)) return;
  }
  throw new Error(`${sel} not reached with ${most} presses of Tab`);
}

// Nothing wider than the viewport, and no text cut inside its own box.
async function reflows(page) {
  return page.evaluate(() => {
    const doc = document.documentElement;
    const cut = [...document.querySelectorAll("h1, h2, p, li, button, a")]
      .filter((e) => e.offsetParent && e.scrollWidth > e.clientWidth + 1)
      .map((e) => `${e.tagName}#${e.id}: ${e.scrollWidth} > ${e.clientWidth}`);
    return { width: doc.scrollWidth, view: window.innerWidth, cut };
  });
}

test("accessibility: the statement in every language, its contact, with the keyboard only", async () => {
  const v = await startVuorod([["site", "accessibility-contact", CONTACT],
    ["site", "accessibility-authority", AUTHORITY]]);
  try {
    const page = await open(v.url + "/accessibility", PHONE);
    await waitFor(async () => (await heading(page)) === FI["accessibility.title"], "the statement in Finnish");
    expect((await page.locator("#site").innerText()) === "Yhteispalvelupiste Kuohu", "the site's Finnish name");
    const intro = await page.locator("#intro").innerText();
    expect(intro.startsWith("Yhteispalvelupiste Kuohu haluaa"), "the intro names the site: " + intro);
    // What conforms, what does not, and for each gap what to do instead.
    expect(await page.locator("#works li").count() === 8, "eight things that work");
    const gaps = await page.locator("#gaps li").allInnerTexts();
    expect(gaps.length === 1, "one gap: " + gaps.length);
    expect(gaps.every((g) => g.includes(FI["accessibility.instead"])), "each gap says what to do instead");
    expect(gaps[0].includes(FI["accessibility.gap_speech_sami"]), "speech guidance without Sámi is a gap");
    expect((await page.locator("#contact").innerText()).includes(CONTACT), "the site's contact");
    expect((await page.locator("#authority").innerText()).includes(AUTHORITY), "the authority, when the site names one");
    expect((await page.locator("#about").innerText()).includes("2026"), "the date of the assessment");
    await shot(page, "accessibility-fi");
    await audit(page, "accessibility statement (fi)");

    // The keyboard only: Tab to Svenska, Enter; a visible focus ring on it.
    await tabTo(page, 'button.lang[lang="sv"]');
    const ring = await page.evaluate(() => {
      const s = getComputedStyle(document.activeElement);
      return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
    });
    expect(ring.style !== "none" && ring.width >= 2, "the focused button shows its focus: " + JSON.stringify(ring));
    await page.keyboard.press("Enter");
    await waitFor(async () => (await heading(page)) === SV["accessibility.title"], "the statement in Swedish");
    expect(await page.evaluate(() => document.documentElement.lang) === "sv", "<html lang=sv>");
    expect((await page.locator("#site").innerText()) === "Samservicepunkt Kuohu", "the site's Swedish name");
    expect(await page.locator('button.lang[lang="sv"]').getAttribute("aria-pressed") === "true",
      "the chosen language marked for a screen reader too, not by colour alone");
    await tabTo(page, 'button.lang[lang="en"]');
    await page.keyboard.press("Space");
    await waitFor(async () => (await heading(page)) === EN["accessibility.title"], "the statement in English");
    expect((await page.locator("#contact").innerText()) === EN["accessibility.contact"].replace("{contact}", CONTACT),
      "the contact sentence in English");

    // Targets of 24 × 24 px at least.
    const small = await page.evaluate(() => [...document.querySelectorAll("button, a")]
      .filter((e) => e.offsetParent)
      .map((e) => ({ t: e.textContent, r: e.getBoundingClientRect() }))
      .filter(({ r }) => r.width < 24 || r.height < 24).map(({ t, r }) => `${t}: ${r.width}x${r.height}`));
    expect(small.length === 0, "targets under 24 px: " + small.join(", "));

    // Arabic: right to left, axe-clean.
    await tabTo(page, 'button.lang[lang="ar"]');
    await page.keyboard.press("Enter");
    await waitFor(async () => (await heading(page)) === AR["accessibility.title"], "the statement in Arabic");
    expect(await page.evaluate(() => document.documentElement.dir) === "rtl", "<html dir=rtl>");
    await shot(page, "accessibility-ar");
    await audit(page, "accessibility statement (ar)");
    await page.context().close();

    // 320 CSS px (a 1280 px window at 400 %): no sideways scroll, nothing
    // cut; and again with WCAG 1.4.12's text spacing.
    const narrow = await open(v.url + "/accessibility", NARROW);
    await waitFor(async () => (await heading(narrow)) === FI["accessibility.title"], "the statement at 320 px");
    let r = await reflows(narrow);
    expect(r.width <= r.view && r.cut.length === 0, "reflow at 320 px: " + JSON.stringify(r));
    // (Set through the CSSOM, as a reader's extension would: the page's CSP
    // refuses an inline <style>.)
    await narrow.evaluate(() => {
      for (const e of document.querySelectorAll("body *")) {
        e.style.setProperty("line-height", "1.5", "important");
        e.style.setProperty("letter-spacing", "0.12em", "important");
        e.style.setProperty("word-spacing", "0.16em", "important");
        if (e.tagName === "P") e.style.setProperty("margin-bottom", "2em", "important");
      }
    });
    r = await reflows(narrow);
    expect(r.width <= r.view && r.cut.length === 0, "reflow with text spacing: " + JSON.stringify(r));
    await shot(narrow, "accessibility-320-spacing");
    await narrow.context().close();
  } finally {
    await v.cleanup();
  }
});

test("accessibility: without a contact the desk is named; the follow page links to the statement", async () => {
  const v = await startVuorod();
  try {
    const t = await v.api("POST", "/api/tickets", { service: "guide", lang: "en" });
    expect(t.status === 201, "a ticket: " + JSON.stringify(t.body));
    const follow = await open(v.url + "/t/" + t.body.ticket.ref, PHONE);
    const link = follow.locator("a#a11y");
    await waitFor(async () => (await link.isVisible()) && (await link.innerText()) === EN["accessibility.title"],
      "the link to the statement, in the ticket's language");
    await tabTo(follow, "a#a11y", 40);
    await follow.keyboard.press("Enter");
    await follow.waitForURL(/\/accessibility\?lang=en$/);
    await waitFor(async () => (await heading(follow)) === EN["accessibility.title"],
      "the statement in the language the citizen had");
    expect((await follow.locator("#contact").innerText()) === EN["accessibility.contact_desk"],
      "no contact configured: the staff at the desk");
    expect(await follow.locator("#authority").isHidden(), "no authority configured: none shown");
    await shot(follow, "accessibility-en-desk");
    await audit(follow, "accessibility statement (en, no contact)");
    await follow.context().close();
  } finally {
    await v.cleanup();
  }
});
