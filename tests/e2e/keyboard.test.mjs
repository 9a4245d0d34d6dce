// SPDX-License-Identifier: GPL-3.0-or-later
// Keyboard-only journeys (WCAG 2.1.1, issue 20 item 6): a person who cannot
// use a mouse does a page's main task with Tab, typing, Enter and Space
// alone — no click, no fill, no focus() from the test.  The advisor's
// journey is in advisor.test.mjs and the statement's in
// accessibility.test.mjs; these are the reception's, the technician's, the
// manager's and the kiosk's (the kiosk also has a keyboard when a site plugs
// one in).

import { test, startVuorod, open, expect, waitFor, USERS, tabTo, keyboardLogIn } from "./lib.mjs";

// A date-time field typed part by part as Chromium's en-US shows them
// (month, day, year — which takes up to six digits, so → moves on — hour,
// minute, AM/PM): @min minutes from now in the site's zone.
async function typeDateTime(page, selector, min) {
  const p = Object.fromEntries(new Intl.DateTimeFormat("en-US", {
    timeZone: "Europe/Helsinki", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hour12: true,
  }).formatToParts(new Date(Date.now() + min * 60000)).map((x) => [x.type, x.value]));
  await tabTo(page, selector);
  await page.keyboard.type(`${p.month}${p.day}${p.year}`);
  await page.keyboard.press("ArrowRight");
  await page.keyboard.type(`${p.hour}${p.minute}${p.dayPeriod[0]}`);
  const value = await page.locator(selector).inputValue();
  expect(/^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(value), `${selector} typed: ${value}`);
}

test("keyboard: the reception signs a visitor in and out with the keyboard alone", async () => {
  const v = await startVuorod([["visitors", "enabled", "yes"]]);
  try {
    const page = await open(v.url + "/reception", { lang: "en" });
    await keyboardLogIn(page, "rita", USERS.rita[1]);
    await page.waitForSelector("#inside-none");
    const field = async (label) => page.getByLabel(label).evaluate((e) => "#" + e.id);
    await tabTo(page, await field("Visitor's name"));
    await page.keyboard.type("Ville Vieras");
    await tabTo(page, await field("Visiting"));
    await page.keyboard.type("anna");
    await page.keyboard.press("Enter"); // the form's submit
    await waitFor(async () => (await page.locator("#visitor-result").innerText()) === "Ville Vieras signed in: badge 1.",
      "signed in by keyboard");
    await tabTo(page, 'button[aria-label="Sign out Ville Vieras (badge 1)"]');
    await page.keyboard.press("Space");
    await waitFor(async () => (await page.locator("#inside-table tbody tr").count()) === 0, "signed out by keyboard");
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});

test("keyboard: the technician prints a test ticket and checks the printer with the keyboard alone", async () => {
  const v = await startVuorod();
  try {
    const page = await open(v.url + "/tech", { lang: "en" });
    await keyboardLogIn(page, "tech", USERS.tech[1]);
    await page.waitForSelector("#app:not([hidden])");
    await tabTo(page, "#printer-test");
    await page.keyboard.press("Enter");
    await page.getByText("Test ticket printed.").waitFor();
    await tabTo(page, "#printer-check");
    await page.keyboard.press("Space");
    await page.locator("#printer-state").getByText("80 mm paper", { exact: false }).waitFor();
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});

test("keyboard: a ticket from the kiosk with a plugged-in keyboard (Tab to a service, Enter)", async () => {
  const v = await startVuorod();
  try {
    const page = await open(v.url + "/kiosk", { width: 1080, height: 1920 });
    await page.waitForSelector("button.service");
    await tabTo(page, "button.service");
    const chosen = await page.evaluate(() => document.activeElement.textContent);
    await page.keyboard.press("Enter");
    await page.waitForSelector("#ticket-number");
    const number = await page.locator("#ticket-number").innerText();
    expect(/^[A-Z]\d+$/.test(number), `a ticket for "${chosen.trim().slice(0, 40)}": ${number}`);
    const q = await v.api("GET", "/api/queue", null, "anna");
    expect(q.body.tickets.some((t) => t.code === number), "the ticket is in the queue");
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});

test("keyboard: the manager publishes a notice and withdraws it with the keyboard alone", async () => {
  const v = await startVuorod();
  try {
    const page = await open(v.url + "/manager", { lang: "en" });
    await keyboardLogIn(page, "maija", USERS.maija[1]);
    await page.waitForSelector("#notices-none");
    await tabTo(page, "#notice-text-fi");
    await page.keyboard.type("Palvelupiste suljettu perjantaina.");
    await typeDateTime(page, "#notice-start", -2);
    await typeDateTime(page, "#notice-end", 90);
    await tabTo(page, "#notice-save");
    expect((await page.locator("#notice-save").innerText()) === "Publish", "on Publish");
    await page.keyboard.press("Enter");
    await waitFor(async () => (await page.locator("#notice-result").innerText()) === "Notice 1 published.",
      "published by keyboard").catch(async (e) => {
      throw new Error(e.message + ": " + (await page.locator("#notice-result").innerText()));
    });
    await tabTo(page, 'button[aria-label="Withdraw notice 1"]');
    await page.keyboard.press("Enter");
    await waitFor(async () => (await page.locator("#notice-result").innerText()) === "Notice 1 withdrawn.",
      "withdrawn by keyboard");
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});
