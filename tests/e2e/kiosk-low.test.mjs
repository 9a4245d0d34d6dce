// SPDX-License-Identifier: GPL-3.0-or-later
// The kiosk's low layout (issue 20 item 3; EN 301 549 5.1.3.x, reach), in a
// real Chromium against a real vuorod.  The ♿ switch sits in the lower part
// of the start screen in the standing layout (a seated citizen must reach it
// to turn it on), and adds no height there; turned on, it moves to the
// bottom of every screen, and every control of every screen a citizen goes
// through — start (services, languages, appointment, rating), check-in and
// its keys, the ticket, the rating and its words, the idle warning — lies
// below REACH of the screen's height, portrait and landscape.  It is said
// to a screen reader (aria-pressed) and shown by more than colour (a tick);
// it lasts until the kiosk goes back to the start for the next citizen (the
// idle timer runs while it is on).  axe checks the low views; each is
// photographed.

import { test, startVuorod, withCardReader, open, shot, audit, expect, waitFor } from "./lib.mjs";

const PORTRAIT = { width: 1080, height: 1920 };
const LANDSCAPE = { width: 1920, height: 1080 };
// The lower part: below 45 % of the height.  On a 43" portrait screen whose
// lower edge is 700 mm above the floor, that is under ~1,220 mm, the upper
// limit of a seated citizen's forward reach.
const REACH = 0.45;

// The visible controls whose top edge is above the line: "name @ top".
async function outOfReach(page) {
  return page.evaluate((reach) => {
    const line = window.innerHeight * reach;
    return [...document.querySelectorAll("button, input, textarea, select, a[href], [tabindex='0']")]
      .filter((e) => e.offsetParent !== null || e.closest("dialog[open]"))
      .map((e) => ({ e, r: e.getBoundingClientRect() }))
      .filter(({ r }) => r.width > 0 && r.height > 0 && r.top < line)
      .map(({ e, r }) => `${(e.textContent || e.id || e.tagName).trim().slice(0, 30)} @ ${Math.round(r.top)}`);
  }, REACH);
}

async function allInReach(page, what) {
  const out = await outOfReach(page);
  expect(out.length === 0, `${what}: controls above ${REACH * 100} % of the height: ${out.join("; ")}`);
}

test("kiosk low layout: every control within a seated citizen's reach, portrait", async () => {
  const v = await startVuorod([["kiosk", "ticket-seconds", "30"]]);
  try {
    // A ticket already served at counter 1: there is a visit to rate.
    await v.api("POST", "/api/tickets", { service: "guide", lang: "fi" });
    for (const [p, body] of [["open", {}], ["call", {}], ["start", {}], ["end", { outcome: "resolved" }]])
      expect((await v.api("POST", `/api/counters/1/${p}`, body, "anna")).status === 200, "counter 1 " + p);

    const page = await open(v.url + "/kiosk?idle=30", PORTRAIT);
    await page.waitForSelector("button.service");
    const on = page.locator("#low-start");
    const low = page.locator("#low");
    expect(await on.getAttribute("aria-pressed") === "false" && await low.isHidden(), "standing layout first");
    const box = await on.boundingBox();
    expect(box.y >= PORTRAIT.height * REACH && box.height >= 88, "the switch itself low and big: " + JSON.stringify(box));
    expect((await on.innerText()).includes("Matala näkymä"), "the switch named in Finnish: " + (await on.innerText()));
    // (The standing layout has controls up high: what the low one is for.)
    expect((await outOfReach(page)).length > 0, "the standing layout has languages at the top");

    await on.click();
    await waitFor(async () => (await low.isVisible()) && (await low.getAttribute("aria-pressed")) === "true", "the switch on");
    expect(await page.evaluate(() => document.activeElement?.id) === "low", "the focus on the switch");
    expect(await page.evaluate(() => document.body.classList.contains("low")), "the low layout");
    await allInReach(page, "start");
    await shot(page, "kiosk-low-start");
    await audit(page, "kiosk start, low layout");

    // A language chosen low keeps the low layout.
    await page.getByRole("button", { name: "Svenska" }).click();
    await waitFor(async () => (await page.locator("h1").innerText()) === "Välj ärende", "Swedish");
    expect(await low.getAttribute("aria-pressed") === "true", "still low in Swedish");
    expect((await low.innerText()).includes("Låg vy"), "the switch in Swedish");
    await allInReach(page, "start in Swedish");

    // Check-in: the code field, the keys, the actions.
    await page.locator("button.appointment").click();
    await page.waitForSelector("#booking-code");
    await allInReach(page, "check-in");
    await shot(page, "kiosk-low-checkin");
    await audit(page, "kiosk check-in, low layout");
    await page.getByRole("button", { name: "Tillbaka" }).click();
    await page.waitForSelector("button.service");

    // Rating the visit, and the words after it.
    await page.click("#rate-visit");
    await page.waitForSelector("button.rate");
    await allInReach(page, "rating");
    await shot(page, "kiosk-low-feedback");
    await page.locator("button.rate").first().click();
    await page.waitForSelector(".feedback-view.words, .feedback-view.thanks");
    await allInReach(page, "after the rating");
    await shot(page, "kiosk-low-feedback-words");

    // The rating ends the citizen's visit: the start for the next one, in the
    // standing layout.  A seated citizen turns it on again and draws a ticket.
    const skip = page.getByRole("button", { name: /Hoppa över|Ohita|Skip/ });
    if (await skip.count()) await skip.first().click();
    await waitFor(async () => await low.isHidden() && await on.isVisible(),
      "the standing layout again after the rating", 15000);
    await page.waitForSelector("button.service");
    await on.click();
    await waitFor(async () => await low.isVisible(), "the switch on again");
    await page.locator('button.service[data-service="guide"]').click();
    await page.waitForSelector("#ticket-number");
    await allInReach(page, "ticket");
    await shot(page, "kiosk-low-ticket");
    await audit(page, "kiosk ticket, low layout");
    // Off again from the bottom of the screen: the standing layout.
    await low.click();
    await waitFor(async () => !(await page.evaluate(() => document.body.classList.contains("low"))), "standing again");
  } finally {
    await v.cleanup();
  }
});

test("kiosk low layout: landscape, the idle warning low, and off again for the next citizen", async () => {
  const v = await startVuorod();
  try {
    // ?idle=8: the warning from 4.4 s, back to the start at 8 s (idle.js).
    const page = await open(v.url + "/kiosk?idle=8", LANDSCAPE);
    await page.waitForSelector("button.service");
    const on = page.locator("#low-start");
    const low = page.locator("#low");
    const box = await on.boundingBox();
    expect(box.y >= LANDSCAPE.height * REACH, "the switch low in landscape: " + JSON.stringify(box));
    // With the keyboard too: the switch is a button like any.
    await on.focus();
    await page.keyboard.press("Enter");
    await waitFor(async () => await low.isVisible(), "the switch on");
    await allInReach(page, "landscape start");
    await shot(page, "kiosk-low-landscape");
    await audit(page, "kiosk start, low layout, landscape");

    // Left alone with the low layout on: the warning, low; then the start
    // for the next citizen in the standing layout.
    await page.waitForSelector("#idle[open]", { timeout: 8000 });
    await allInReach(page, "idle warning");
    await shot(page, "kiosk-low-idle");
    await waitFor(async () => await low.isHidden() && await on.isVisible(), "the low layout off for the next citizen",
      10000);
    expect(!(await page.evaluate(() => document.body.classList.contains("low"))), "standing layout again");
  } finally {
    await v.cleanup();
  }
});

test("kiosk low layout: the ID card's PIN pad within reach, portrait and landscape", async () => {
  const { v, done } = await withCardReader([["kiosk", "ticket-seconds", "30"]]);
  try {
    for (const [size, name] of [[PORTRAIT, "portrait"], [LANDSCAPE, "landscape"]]) {
      const page = await open(v.url + "/kiosk", size);
      await page.waitForSelector("button.service");
      await page.locator("#low-start").click();
      await waitFor(async () => await page.locator("#low").isVisible(), "the low layout");
      await page.locator('button.service[data-service="guide"]').click();
      await page.waitForSelector("#identify");
      await allInReach(page, `ticket with the identity offer (${name})`);
      await page.click("#identify");
      await page.waitForSelector("#pin-title");
      await allInReach(page, `PIN pad (${name})`);
      await shot(page, "kiosk-low-pin-" + name);
      await audit(page, `kiosk PIN pad, low layout (${name})`);
      await page.context().close();
    }
  } finally {
    await v.cleanup();
    done();
  }
});
