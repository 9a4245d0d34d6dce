// SPDX-License-Identifier: GPL-3.0-or-later
// The whole front desk in a real Chromium: a citizen draws a ticket, an
// advisor logs in on /advisor, opens counter 1 and calls the ticket (by
// shortcut, then by click), the waiting-room /display shows the number within
// a second, and the visit ends with an outcome that vuorod keeps.

import { test, startVuorod, open, shot, audit, expect, waitFor, USERS } from "./lib.mjs";


const FULL_HD = { width: 1920, height: 1080 };
const CONSOLE = { width: 1280, height: 800, lang: "en" };

async function draw(v, service = "guide") {
  const r = await v.api("POST", "/api/tickets", { service, lang: "fi", handout: "screen" });
  expect(r.status === 201, "the kiosk drew a ticket: " + JSON.stringify(r.body));
  return r.body.ticket;
}

// Logs in by typing, as a person would.
async function typeLogin(page, user) {
  await page.waitForSelector("#login-view:not([hidden])");
  await page.click("#user");
  await page.keyboard.type(user);
  await page.keyboard.press("Tab");
  await page.keyboard.type(USERS[user][1]);
  await page.keyboard.press("Enter");
  await page.waitForSelector("#counter-view:not([hidden])");
}

async function openCounter(page, id) {
  await page.check(`#counter-list input[value="${id}"]`);
  await page.click("#open-btn");
  await page.waitForSelector("#console-view:not([hidden])");
  await waitFor(async () => (await page.textContent("#hdr-counter")).includes(`Counter ${id}`), "the console of counter " + id);
}

// Resolves when the display shows @code as the current call; how long it took.
async function displayShows(display, code, since) {
  await display.waitForFunction((c) => document.querySelector("#now-code")?.textContent === c &&
    document.querySelector("#calls li .code")?.textContent === c, code, { timeout: 1000, polling: 10 });
  return Date.now() - since;
}

function noErrors(page, what) {
  expect(page.jsErrors.length === 0, `no JS errors on ${what}: ` + page.jsErrors.join("; "));
}

test("flow: citizen draws, advisor calls by shortcut N, display shows it within 1 s, visit ends referred", async () => {
  const v = await startVuorod();
  try {
    const display = await open(v.url + "/display?mute=1", FULL_HD);
    await display.waitForSelector("#services li");
    await waitFor(async () => (await display.textContent("#site")).includes("Kuohu"), "the site name");
    await shot(display, "display-idle");
    await audit(display, "display idle");

    const tk = await draw(v, "guide");
    await waitFor(async () => (await display.textContent("#services li:first-child .count")).startsWith("1"),
      "the display to count the new ticket");

    const page = await open(v.url + "/advisor", CONSOLE);
    await page.waitForSelector("#login-view:not([hidden])");
    await shot(page, "advisor-login");
    await audit(page, "advisor login");
    await typeLogin(page, "anna");
    await shot(page, "advisor-counter");
    await audit(page, "advisor choosing a counter");
    await openCounter(page, 1);
    await page.waitForSelector("#b-next:not([disabled])");
    expect((await page.textContent("#my-queue")).includes(tk.code), "the ticket waits for counter 1");
    await shot(page, "advisor-open");
    await audit(page, "advisor console, counter open");

    expect(await page.evaluate(() => document.activeElement.id) === "b-next", "focus is on Call next");
    const t0 = Date.now();
    await page.keyboard.press("n");
    const ms = await displayShows(display, tk.code, t0);
    expect(ms <= 1000, "shown within 1 s: " + ms + " ms");
    expect((await display.textContent("#now-counter")) === "1", "at counter 1");
    await waitFor(async () => (await page.textContent("#cur-code")) === tk.code, "the console shows the ticket");
    await page.waitForSelector("#b-start:not([disabled])");
    await shot(page, "advisor-called");
    await audit(page, "advisor console, ticket called");
    await shot(display, "display-called");
    await audit(display, "display with a call");

    await page.keyboard.press("s");
    await waitFor(async () => (await page.textContent("#cur-facts")).includes("being served"), "serving");
    await page.check('input[name="outcome"][value="referred"]');
    await page.keyboard.press("e");
    await waitFor(async () => (await page.textContent("#cur-code")) === "—", "the counter is free");
    const after = await v.api("GET", `/api/tickets/${tk.id}`, null, "anna");
    expect(after.body.state === "done", "done: " + after.body.state);
    expect(after.body.outcome === "referred", "referred: " + after.body.outcome);
    expect(after.body.channel === "in_person", "in person: " + after.body.channel);
    const q = await v.api("GET", "/api/queue", null, "anna");
    expect(!q.body.tickets.some((x) => x.id === tk.id), "no longer in the queue");
    noErrors(page, "/advisor");
    noErrors(display, "/display");
    await page.context().close();
    await display.context().close();
  } finally {
    await v.cleanup();
  }
});

test("flow: advisor calls by clicking, display shows it within 1 s, visit ends resolved by e-service", async () => {
  const v = await startVuorod();
  try {
    const display = await open(v.url + "/display?mute=1", FULL_HD);
    await display.waitForSelector("#services li");
    const tk = await draw(v, "permits");
    // In Finnish this time: the longer words must fit too.
    const page = await open(v.url + "/advisor", { ...CONSOLE, lang: "fi" });
    await typeLogin(page, "bertil");
    await page.check('#counter-list input[value="1"]');
    await page.click("#open-btn");
    await page.waitForSelector("#console-view:not([hidden])");
    await waitFor(async () => (await page.textContent("#hdr-counter")).includes("Palvelupiste 1"), "the console");
    await page.waitForSelector("#b-next:not([disabled])");

    const t0 = Date.now();
    await page.click("#b-next");
    const ms = await displayShows(display, tk.code, t0);
    expect(ms <= 1000, "shown within 1 s: " + ms + " ms");
    await waitFor(async () => (await page.textContent("#cur-code")) === tk.code, "the console shows the ticket");
    expect((await page.textContent("#cur-facts")).includes("Rakennusluvat"), "the service is named");
    await shot(page, "advisor-called-fi");
    await audit(page, "advisor console in Finnish");

    await page.selectOption("#channel", "e_service");
    await page.click("#b-end");
    await waitFor(async () => (await page.textContent("#cur-code")) === "—", "the counter is free");
    const after = await v.api("GET", `/api/tickets/${tk.id}`, null, "bertil");
    expect(after.body.state === "done" && after.body.outcome === "resolved" && after.body.channel === "e_service",
      "done, resolved, e-service: " + JSON.stringify(after.body));
    expect(await page.$eval("#channel", (s) => s.value) === "in_person", "the channel is back to in person");
    noErrors(page, "/advisor");
    noErrors(display, "/display");
    await page.context().close();
    await display.context().close();
  } finally {
    await v.cleanup();
  }
});
