// SPDX-License-Identifier: GPL-3.0-or-later
// /kiosk in a real Chromium against a real vuorod on the sim board: drawing
// a ticket in Swedish, the printer failing, closed services explained,
// appointment check-in, and vuorod restarting under the page.

import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { test, startVuorod, open, shot, audit, expect, waitFor, SHOTS } from "./lib.mjs";

const PORTRAIT = { width: 1080, height: 1920 };

const text = (page, sel) => page.locator(sel).innerText();
const serviceButton = (page, code) => page.locator(`button.service[data-service="${code}"]`);

// Helsinki wall clock now: {date: "YYYY-MM-DD", hhmm: "HH:MM", minute, wday}.
function helsinkiNow(offsetMin = 0) {
  const d = new Date(Date.now() + offsetMin * 60000);
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/Helsinki", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", weekday: "short", hourCycle: "h23",
  }).formatToParts(d).map((p) => [p.type, p.value]));
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    hhmm: `${parts.hour}:${parts.minute}`,
    minute: Number(parts.hour) * 60 + Number(parts.minute),
    wday: parts.weekday.toLowerCase(),
  };
}

// The page's console errors, less those a vuorod outage must cause.
const realErrors = (page) => page.jsErrors.filter((e) =>
  !/ERR_CONNECTION_REFUSED|WebSocket connection to .* failed|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE/.test(e));
// Chromium logs every HTTP error answer as a console error: a refusal the
// test provokes on purpose is not a fault of the page.
const errorsBut = (page, ...statuses) => page.jsErrors.filter((e) =>
  !statuses.some((st) => e === `Failed to load resource: the server responded with a status of ${st} ` +
    `(${{ 404: "Not Found", 409: "Conflict" }[st]})`));

test("kiosk: a citizen draws a ticket in Swedish; idle returns to the start", async () => {
  const v = await startVuorod();
  try {
    // Somebody is already waiting for general guidance.
    const first = await v.api("POST", "/api/tickets", { service: "guide", lang: "fi" });
    expect(first.status === 201, "a ticket drawn through the API: " + JSON.stringify(first.body));

    // ?idle=8: 8 s without a touch, the warning from 4.4 s (idle.js).
    const page = await open(v.url + "/kiosk?idle=8", PORTRAIT);
    await page.waitForSelector("button.service");
    expect(await text(page, "h1") === "Valitse asiointi", "the start screen in Finnish");
    await waitFor(async () => (await serviceButton(page, "guide").innerText()).includes("1 odottaa · noin 6 min"),
      "the guide line: 1 waiting, about 6 min (service-min)");
    // Six services fit the portrait screen without scrolling.
    const { scroll, inner } = await page.evaluate(() =>
      ({ scroll: document.documentElement.scrollHeight, inner: window.innerHeight }));
    expect(scroll <= inner, `no scrolling on the start screen (${scroll} > ${inner})`);
    for (const b of await page.locator("button.service").all()) {
      const box = await b.boundingBox();
      expect(box.height >= 88, "service buttons at least 88 px high, got " + box.height);
    }
    expect((await serviceButton(page, "kela-video").innerText()).includes("videoyhteydellä"),
      "a remote service says it is served by video");
    await shot(page, "kiosk-start-fi");
    await audit(page, "kiosk start (fi)");

    // The language switch.
    await page.getByRole("button", { name: "Svenska" }).click();
    await waitFor(async () => await text(page, "h1") === "Välj ärende", "the start screen in Swedish");
    // exact: the tick drawn before the chosen language is not in its name.
    expect(await page.getByRole("button", { name: "Svenska", exact: true }).getAttribute("aria-pressed") === "true",
      "Svenska marked pressed");
    expect(await page.getByRole("button", { name: "Suomi" }).getAttribute("aria-pressed") === "false",
      "Suomi no longer pressed");
    expect(await page.evaluate(() => document.documentElement.lang) === "sv", "<html lang=sv>");
    const guide = await serviceButton(page, "guide").innerText();
    expect(guide.includes("Allmän rådgivning") && guide.includes("1 väntar · cirka 6 min"),
      "the service in Swedish: " + guide);
    await shot(page, "kiosk-start-sv");

    // Draw: the confirmation shows the number vuorod gave.
    await serviceButton(page, "guide").click();
    await page.waitForSelector("#ticket-number");
    const number = await text(page, "#ticket-number");
    const queue = await v.api("GET", "/api/queue", null, "anna");
    const mine = queue.body.tickets.find((tk) => tk.code === number);
    expect(mine, `ticket ${number} is in GET /api/queue`);
    expect(mine.lang === "sv" && mine.service === "guide" && mine.state === "waiting",
      "drawn in Swedish for guidance and in line: " + JSON.stringify(mine));
    expect(number === "A002", "the second guidance ticket of the day, got " + number);
    const body = await text(page, "main");
    expect(body.includes("1 person före dig"), "people ahead: " + body);
    expect(body.includes("Beräknad väntetid cirka 6 min"), "the estimate: " + body);
    expect(body.includes("Ta din kölapp ur skrivaren"), "take the ticket from the printer: " + body);
    expect(fs.existsSync(path.join(v.dir, "tickets", "ticket-1.bin")), "the sim printer printed it");
    await shot(page, "kiosk-ticket");
    await audit(page, "kiosk confirmation");

    // Idle: the warning, in Swedish, with a button that extends.
    await page.waitForSelector("#idle[open]", { timeout: 8000 });
    expect(await text(page, "#idle-title") === "Är du kvar?", "the warning in Swedish");
    await shot(page, "kiosk-idle-warning");
    await audit(page, "kiosk idle warning");
    await page.getByRole("button", { name: "Fortsätt" }).click();
    await page.waitForSelector("#idle", { state: "hidden" });
    expect(await page.locator("#ticket-number").count() === 1, "still on the confirmation after Continue");
    // Left alone: back to the start, in Finnish.
    await page.waitForSelector("#idle[open]", { timeout: 8000 });
    await waitFor(async () => await page.locator("#start-title").count() === 1, "back on the start screen", 8000);
    expect(await text(page, "h1") === "Valitse asiointi", "back in Finnish");
    expect(await page.getByRole("button", { name: "Suomi" }).getAttribute("aria-pressed") === "true",
      "Suomi pressed again");
    expect(!(await page.locator("#idle").evaluate((d) => d.open)), "the warning closed");
    await waitFor(async () => (await serviceButton(page, "guide").innerText()).includes("2 odottaa"),
      "the start screen counts the new ticket");
    expect(page.jsErrors.length === 0, "no console errors: " + page.jsErrors.join(" | "));
  } finally {
    await v.cleanup();
  }
});

test("kiosk: the printer fails — the number on screen, a follow link, ticket in line", async () => {
  const v = await startVuorod();
  try {
    const paper = await v.api("POST", "/api/printer/sim", { paper_end: true }, "tech");
    expect(paper.status === 200, "paper taken: " + JSON.stringify(paper.body));
    const page = await open(v.url + "/kiosk", PORTRAIT);
    await page.waitForSelector("button.service");
    await page.getByRole("button", { name: "English" }).click();
    // By keyboard this time: focus the button, press Enter.
    await serviceButton(page, "tax").focus();
    await page.keyboard.press("Enter");
    await page.waitForSelector(".printer-failed");
    const number = await text(page, "#ticket-number");
    expect(number === "V001", "the number shown large: " + number);
    const failed = await text(page, ".printer-failed");
    expect(failed.includes("The printer did not work") && failed.includes("Remember the number V001"),
      "says plainly that printing failed: " + failed);
    // The follow address as text, and as a QR image vuorod drew.
    const t = await v.api("GET", "/api/tickets/1", null, "anna");
    expect(t.body.state === "waiting", "handed out on screen: in line, got " + t.body.state);
    const url = await text(page, "#follow-url");
    expect(url === v.url + t.body.follow, `the follow URL ${url} is ${v.url + t.body.follow}`);
    await waitFor(() => page.locator("img.qr").evaluate((img) => img.complete && img.naturalWidth > 0),
      "the QR code loaded");
    expect(await page.locator("img.qr").getAttribute("src") ===
      "/api/qr?text=" + encodeURIComponent(url), "the QR code encodes the follow URL");
    expect(!(await page.locator(".take").count()), "no 'take your ticket from the printer'");
    await shot(page, "kiosk-printer-failed");
    // An independent reader (zbarimg) finds the follow URL in the QR on screen.
    const scan = spawnSync("zbarimg", ["-q", "--raw", path.join(SHOTS, "kiosk-printer-failed.png")],
      { encoding: "utf8" });
    expect(scan.stdout.trim() === url, `zbarimg read ${JSON.stringify(scan.stdout)} from the screen, not ${url}`);
    await audit(page, "kiosk printer failed");
    expect(page.jsErrors.length === 0, "no console errors: " + page.jsErrors.join(" | "));
  } finally {
    await v.cleanup();
  }
});

test("kiosk: closed services are disabled with the reason in words", async () => {
  const now = helsinkiNow();
  const days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
  const other = days[(days.indexOf(now.wday) + 3) % 7];
  const hhmm = (m) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
  const v = await startVuorod([
    ["site", "demo-hours", "false"],
    // Permits: a queue of one.  Tax: open only on another weekday.  Kela:
    // open now, but past its last-ticket cutoff.
    ["service:permits", "max-queue", "1"],
    ["service:permits", "hours", "mon-sun 00:00-23:59"],
    ["service:tax", "hours", `${other} 08:00-18:00`],
    ["service:kela", "hours", `mon-sun ${hhmm(Math.max(0, now.minute - 60))}-${hhmm(Math.min(1439, now.minute + 60))}`],
    ["service:kela", "last-ticket-min", "120"],
  ]);
  try {
    const first = await v.api("POST", "/api/tickets", { service: "permits", lang: "en" });
    expect(first.status === 201, "one permits ticket: " + JSON.stringify(first.body));
    const status = (await v.api("GET", "/api/status")).body;
    const by = Object.fromEntries(status.services.map((s) => [s.code, s]));
    expect(by.permits.refusal === "full" && by.tax.refusal === "closed_today",
      "vuorod refuses permits (full) and tax (closed today): " + JSON.stringify([by.permits, by.tax]));
    expect(["last_ticket", "closed_for_day"].includes(by.kela.refusal), "kela past its cutoff: " + by.kela.refusal);

    const page = await open(v.url + "/kiosk", PORTRAIT);
    await page.waitForSelector("button.service");
    await page.getByRole("button", { name: "English" }).click();
    await waitFor(async () => await text(page, "h1") === "Choose your service", "English");
    const cutoff = hhmm(by.kela.closes_min - by.kela.last_ticket_min);
    const words = {
      permits: "The queue is full",
      tax: "Closed today",
      kela: by.kela.refusal === "last_ticket"
        ? `No more tickets today: the last ticket is given 120 min before closing, at ${cutoff}`
        : "Closed for the day",
    };
    for (const [code, w] of Object.entries(words)) {
      const b = serviceButton(page, code);
      expect(await b.getAttribute("aria-disabled") === "true", code + " is disabled");
      const label = await b.innerText();
      expect(label.includes(w), `${code} says "${w}": ${label}`);
    }
    expect(await serviceButton(page, "guide").getAttribute("aria-disabled") === null ||
      by.guide.open === false, "an open service stays enabled");
    await shot(page, "kiosk-closed");
    await audit(page, "kiosk with closed services");

    // Touching a closed service explains, and draws nothing.
    // (force: Playwright holds aria-disabled buttons unclickable; a finger does not.)
    await serviceButton(page, "permits").click({ force: true });
    await page.waitForSelector(".message[role=alert]");
    expect((await text(page, ".message")).includes("The queue is full"), "the reason, again");
    const after = await v.api("GET", "/api/queue", null, "anna");
    expect(after.body.tickets.length === 1, "no second ticket drawn");

    // Swedish words for the same.
    await page.getByRole("button", { name: "Svenska" }).click();
    await waitFor(async () => (await serviceButton(page, "tax").innerText()).includes("Stängt i dag"),
      "closed today in Swedish");
    expect(page.jsErrors.length === 0, "no console errors: " + page.jsErrors.join(" | "));
  } finally {
    await v.cleanup();
  }
});

test("kiosk: appointment check-in with the on-screen keys; a wrong code explained", async () => {
  const v = await startVuorod();
  try {
    const now = helsinkiNow(5);
    const appt = await v.api("POST", "/api/appointments",
      { service: "tax", at: `${now.date} ${now.hhmm}`, name: "Testi Asiakas" }, "admin1");
    expect(appt.status === 201 && appt.body.code, "an appointment: " + JSON.stringify(appt.body));
    const code = appt.body.code;

    const page = await open(v.url + "/kiosk", PORTRAIT);
    await page.waitForSelector("button.service");
    await page.getByRole("button", { name: "English" }).click();
    await page.getByRole("button", { name: "I have an appointment" }).click();
    await page.waitForSelector("#booking-code");
    expect(await text(page, "h1") === "Check in for your appointment", "the check-in screen");

    // A wrong code, typed on a keyboard: the API's refusal in plain words.
    await page.locator("#booking-code").fill("zzz999");
    expect(await page.locator("#booking-code").inputValue() === "ZZZ999", "upper case");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#checkin-error");
    const err = await text(page, "#checkin-error");
    expect(err.includes("Booking code ZZZ999 was not found") && err.includes("take an ordinary ticket"),
      "the wrong code explained: " + err);
    expect(await page.locator("#booking-code").getAttribute("aria-invalid") === "true", "aria-invalid");
    await shot(page, "kiosk-checkin-error");
    await audit(page, "kiosk check-in with an error");
    // The message follows a language switch; the code typed stays.
    await page.getByRole("button", { name: "Svenska" }).click();
    await waitFor(async () => (await text(page, "#checkin-error")).includes("Bokningskoden ZZZ999 hittades inte"),
      "the error in Swedish");
    expect(await page.locator("#booking-code").inputValue() === "ZZZ999", "the code kept");
    await page.getByRole("button", { name: "English" }).click();

    // The right code on the on-screen keys.
    await page.getByRole("button", { name: "Clear" }).click();
    for (const ch of code) await page.locator(`.keypad button[data-focus-key="key:${ch}"]`).click();
    await page.getByRole("button", { name: "Delete a character" }).click();
    await page.locator(`.keypad button[data-focus-key="key:${code.at(-1)}"]`).click();
    expect(await page.locator("#booking-code").inputValue() === code, "the code typed on the keys");
    for (const b of await page.locator(".keypad button").all()) {
      const box = await b.boundingBox();
      expect(box.height >= 88 && box.width >= 88, `keys at least 88 px: ${box.width}×${box.height}`);
    }
    await page.getByRole("button", { name: "Check in", exact: true }).click();
    await page.waitForSelector("#ticket-number");
    const number = await text(page, "#ticket-number");
    expect(number === "V001", "the appointment's ticket: " + number);
    const body = await text(page, "main");
    expect(body.includes(`Your appointment (code ${code}) is checked in`), "the appointment shown: " + body);
    expect(body.includes("Taxation") && body.includes("Take your ticket from the printer"), body);
    const q = await v.api("GET", "/api/queue", null, "anna");
    const tk = q.body.tickets.find((x) => x.code === number);
    expect(tk && tk.appointment === appt.body.id && tk.state === "waiting",
      "the ticket is the appointment's and in line: " + JSON.stringify(tk));
    expect(fs.existsSync(path.join(v.dir, "tickets", "ticket-1.bin")), "printed");
    await shot(page, "kiosk-checkin-ticket");
    await audit(page, "kiosk check-in confirmation");

    // The same code again: already checked in.
    await page.getByRole("button", { name: "Done" }).click();
    await page.getByRole("button", { name: "I have an appointment" }).click();
    await page.locator("#booking-code").fill(code);
    await page.getByRole("button", { name: "Check in", exact: true }).click();
    await waitFor(async () => (await page.locator("#checkin-error").count()) &&
      (await text(page, "#checkin-error")).includes("already checked in"), "already checked in");
    const errors = errorsBut(page, 404, 409); // the wrong code, the second check-in
    expect(errors.length === 0, "no console errors: " + errors.join(" | "));
  } finally {
    await v.cleanup();
  }
});

test("kiosk: vuorod restarts under the page — offline banner, then fresh counts", async () => {
  const v = await startVuorod();
  try {
    // Landscape (1920×1080) too: all six services, no scrolling.
    const wide = await open(v.url + "/kiosk", { width: 1920, height: 1080 });
    await wide.waitForSelector("button.service");
    const w = await wide.evaluate(() => ({ scroll: document.documentElement.scrollHeight,
      inner: window.innerHeight, n: document.querySelectorAll("button.service").length }));
    expect(w.n === 6 && w.scroll <= w.inner, `landscape: 6 services without scrolling (${JSON.stringify(w)})`);
    await shot(wide, "kiosk-start-landscape");
    await wide.context().close();
    const page = await open(v.url + "/kiosk", PORTRAIT);
    await page.waitForSelector("button.service");
    expect(await page.locator("#offline").isHidden(), "no banner while vuorod is up");
    expect((await serviceButton(page, "kela").innerText()).includes("Ei jonoa"), "nobody waiting yet");

    await v.stop();
    await page.waitForSelector("#offline:not([hidden])");
    expect((await text(page, "#offline")).includes("Yhteys katkennut"), "the banner says what is wrong");
    expect(await serviceButton(page, "kela").getAttribute("aria-disabled") === "true",
      "no drawing while offline");
    await shot(page, "kiosk-offline");
    await audit(page, "kiosk offline");

    await v.start();
    // Drawn right away: the page may still be reconnecting and miss the
    // event; the reload on reconnect must show it all the same.
    const r = await v.api("POST", "/api/tickets", { service: "kela", lang: "fi" });
    expect(r.status === 201, "a ticket after the restart");
    await page.waitForSelector("#offline", { state: "hidden", timeout: 10000 });
    await waitFor(async () => (await serviceButton(page, "kela").innerText()).includes("1 odottaa"),
      "the count refreshed after the reconnect", 5000);
    expect(await serviceButton(page, "kela").getAttribute("aria-disabled") === null, "enabled again");
    // Live: another ticket shows up through the event stream, in the same
    // button (updated in place: a rebuild under a finger would lose the tap).
    await serviceButton(page, "kela").evaluate((b) => { b.vuoroMark = true; });
    await v.api("POST", "/api/tickets", { service: "kela", lang: "fi" });
    await waitFor(async () => (await serviceButton(page, "kela").innerText()).includes("2 odottaa"),
      "the count follows the events");
    expect(await serviceButton(page, "kela").evaluate((b) => b.vuoroMark === true),
      "the button was updated in place, not rebuilt");
    expect(realErrors(page).length === 0, "no console errors but the outage's: " + realErrors(page).join(" | "));
  } finally {
    await v.cleanup();
  }
});
