// SPDX-License-Identifier: GPL-3.0-or-later
// /t/REF on a phone in a real Chromium against a real vuorod: the place in
// line, "your turn — counter N" in the ticket's language within 2 s of the
// call, the language switch, the end of the visit, and an unknown ref.

import { test, startVuorod, open, shot, audit, expect, waitFor } from "./lib.mjs";

const PHONE = { width: 390, height: 844 };
const stateText = (page) => page.locator("#state").innerText();

test("follow: place in line, then 'your turn — counter 1' in the ticket's language", async () => {
  const v = await startVuorod();
  try {
    const other = await v.api("POST", "/api/tickets", { service: "guide", lang: "fi" });
    const mine = await v.api("POST", "/api/tickets", { service: "guide", lang: "sv" });
    expect(other.status === 201 && mine.status === 201, "two tickets drawn");
    const tk = mine.body.ticket;

    const page = await open(v.url + tk.follow, PHONE);
    await waitFor(async () => (await stateText(page)) === "1 person före dig", "1 ahead, in Swedish");
    expect(await page.evaluate(() => document.documentElement.lang) === "sv", "the ticket's language");
    expect(await page.getByRole("button", { name: "Svenska" }).getAttribute("aria-pressed") === "true",
      "Svenska marked");
    expect(await page.locator("#number").innerText() === tk.code, "the number: " + tk.code);
    expect(await page.locator("#service").innerText() === "Allmän rådgivning", "the service in Swedish");
    // No counter open for the line yet: no estimate is promised.
    await waitFor(async () => (await page.locator("#facts").innerText()) ===
      "Ingen disk är öppen för den här tjänsten just nu.", "'no counter open' instead of an estimate");
    expect(await page.locator("#state").getAttribute("role") === "status", "the state is a live region");
    const { scroll, inner } = await page.evaluate(() =>
      ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
    expect(scroll <= inner, "no sideways scrolling on a phone");
    await shot(page, "follow-waiting");
    await audit(page, "follow, waiting");

    // Anna opens counter 1: now an estimate; she calls the other ticket first.
    expect((await v.api("POST", "/api/counters/1/open", {}, "anna")).status === 200, "counter 1 open");
    await waitFor(async () => (await page.locator("#facts").innerText()).includes("Beräknad väntetid cirka"),
      "the estimate once a counter is open");
    const first = await v.api("POST", "/api/counters/1/call", {}, "anna");
    expect(first.body.ticket.code === other.body.ticket.code, "the first ticket called first");
    await waitFor(async () => (await stateText(page)) === "Du är näst på tur", "next in line", 2000);

    // Then this one: on the phone within 2 s.
    expect((await v.api("POST", "/api/counters/1/end", {}, "anna")).status === 200, "first visit ended");
    const called = await v.api("POST", "/api/counters/1/call", {}, "anna");
    expect(called.body.ticket.code === tk.code, "this ticket called: " + JSON.stringify(called.body));
    const t0 = Date.now();
    await waitFor(async () => (await stateText(page)) === "Din tur — disk 1", "'Din tur — disk 1'", 2000);
    console.log(`# the call reached the phone in ${Date.now() - t0} ms`);
    expect(await page.title() === `${tk.code} · Din tur — disk 1`, "the tab title says it too");
    await shot(page, "follow-called");
    await audit(page, "follow, called");

    // The citizen switches to English; the choice stays for this ticket.
    await page.getByRole("button", { name: "English" }).click();
    await waitFor(async () => (await stateText(page)) === "Your turn — counter 1", "English");
    await page.reload();
    await waitFor(async () => (await stateText(page)) === "Your turn — counter 1", "English after a reload");

    // The visit ends.
    expect((await v.api("POST", "/api/counters/1/end", {}, "anna")).status === 200, "visit ended");
    await waitFor(async () => (await stateText(page)).startsWith("Your visit has ended"), "ended");
    await shot(page, "follow-ended");
    expect(page.jsErrors.length === 0, "no console errors: " + page.jsErrors.join(" | "));
  } finally {
    await v.cleanup();
  }
});

test("follow: an unknown ref gets a friendly message in three languages", async () => {
  const v = await startVuorod();
  try {
    const page = await open(v.url + "/t/NoSuchTicket0000", PHONE);
    await page.waitForSelector("#notfound", { state: "visible" });
    const words = await page.locator("#notfound").innerText();
    for (const w of ["Vuoronumeroa ei löytynyt", "Könumret hittades inte", "We could not find this queue number"])
      expect(words.includes(w), `says "${w}"`);
    expect(await page.locator("#ticket").isHidden(), "no ticket shown");
    expect(await page.locator("#langs").isHidden(), "no language switch without a ticket");
    await waitFor(async () => (await page.locator("#site").innerText()).includes("Kuohu"), "the site's name");
    expect(await page.locator("#offline").isHidden(), "no offline banner: nothing is followed");
    await shot(page, "follow-notfound");
    await audit(page, "follow, not found");
    // Chromium logs the 404 answer itself as a console error; nothing else.
    const errors = page.jsErrors.filter((e) => !/status of 404/.test(e));
    expect(errors.length === 0, "no console errors: " + errors.join(" | "));
  } finally {
    await v.cleanup();
  }
});

// Browser APIs stood in for in the page (an init script): vibration, the
// notification permission and notifications, and the chime's tones.
const fakeAlerts = () => {
  window.alerts = { vibrate: [], notes: [], asked: 0, tones: 0 };
  Object.defineProperty(Navigator.prototype, "vibrate", {
    configurable: true,
    value: (pattern) => {
      window.alerts.vibrate.push(pattern);
      return true;
    },
  });
  class FakeNotification {
    static permission = "default";
    static async requestPermission() {
      window.alerts.asked++;
      FakeNotification.permission = "granted";
      return "granted";
    }
    constructor(title, opts = {}) {
      window.alerts.notes.push({ title, body: opts.body, lang: opts.lang });
    }
  }
  window.Notification = FakeNotification;
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...a) {
    window.alerts.tones++;
    return start.apply(this, a);
  };
};

async function openFollowing(url) {
  const page = await open("about:blank", PHONE);
  await page.context().addInitScript(fakeAlerts);
  await page.goto(url);
  return page;
}

const alerts = (page) => page.evaluate(() => window.alerts);

test("follow: the call alerts (vibration, chime, the notification asked for); a no-show is told in Swedish: back in line, then expired", async () => {
  const v = await startVuorod();
  try {
    const tk = (await v.api("POST", "/api/tickets", { service: "guide", lang: "sv" })).body.ticket;
    const page = await openFollowing(v.url + tk.follow);
    await waitFor(async () => (await stateText(page)) === "Du är näst på tur", "next in line, in Swedish");

    // Nothing is asked unprompted; the button asks.
    const btn = page.getByRole("button", { name: "Meddela mig när jag ropas upp" });
    expect(await btn.isVisible(), "the notify button is offered");
    expect((await alerts(page)).asked === 0, "no permission asked before the button");
    await btn.click();
    await waitFor(async () => (await page.locator("#notify-state").innerText()) ===
      "Du får ett meddelande när du ropas upp.", "the granted notification said");
    expect(await btn.isHidden(), "the button goes once granted");
    expect((await alerts(page)).asked === 1, "asked once");

    // Called: vibration, two tones, a notification in Swedish.
    expect((await v.api("POST", "/api/counters/1/open", {}, "anna")).status === 200, "counter 1 open");
    expect((await v.api("POST", "/api/counters/1/call", {}, "anna")).body.ticket.id === tk.id, "called");
    await waitFor(async () => (await stateText(page)) === "Din tur — disk 1", "'Din tur — disk 1'", 2000);
    await waitFor(async () => (await alerts(page)).notes.length === 1, "a notification");
    let a = await alerts(page);
    expect(a.vibrate.length === 1 && a.vibrate[0].length >= 3, "vibrated: " + JSON.stringify(a.vibrate));
    expect(a.tones >= 2, "chimed: " + a.tones + " tones");
    expect(a.notes[0].title === `Din tur: ${tk.code}` && a.notes[0].body === "Din tur — disk 1" &&
      a.notes[0].lang === "sv", "the notification: " + JSON.stringify(a.notes[0]));
    await shot(page, "follow-alert-called");

    // A no-show: back in line, and the phone says where it was called.
    expect((await v.api("POST", "/api/counters/1/noshow", {}, "anna")).body.ticket.state === "waiting", "requeued");
    await waitFor(async () => /^Du ropades upp till disk 1 kl\. \d\d:\d\d men kom inte\. Du står i kön igen\.$/
      .test(await stateText(page)), "the missed call told in Swedish");
    expect((await page.locator("#facts").innerText()).includes("Du är näst på tur"), "the place in line below it");
    expect(await page.locator("#state").getAttribute("class") === "state missed", "shown as a missed call");
    await shot(page, "follow-missed-sv");
    await audit(page, "follow, missed call (sv)");

    // Called again: a second alert.
    expect((await v.api("POST", "/api/counters/1/call", { ticket: tk.id }, "anna")).status === 200, "called again");
    await waitFor(async () => (await stateText(page)) === "Din tur — disk 1", "called again", 2000);
    await waitFor(async () => (await alerts(page)).vibrate.length === 2, "a second vibration");
    a = await alerts(page);
    expect(a.notes.length === 2, "a second notification");

    // The second no-show drops it: expired.
    expect((await v.api("POST", "/api/counters/1/noshow", {}, "anna")).body.ticket.state === "no_show", "dropped");
    await waitFor(async () => /^Du ropades upp till disk 1 kl\. \d\d:\d\d men kom inte\. Ditt könummer har gått ut\./
      .test(await stateText(page)), "expired, in Swedish");
    expect(await page.locator("#notify").isHidden(), "no notify offer on an ended ticket");
    await shot(page, "follow-expired-sv");
    expect(page.jsErrors.length === 0, "no console errors: " + page.jsErrors.join(" | "));
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});

test("follow: a missed call told in Arabic, right to left", async () => {
  const v = await startVuorod();
  try {
    const tk = (await v.api("POST", "/api/tickets", { service: "guide", lang: "ar" })).body.ticket;
    const page = await openFollowing(v.url + tk.follow);
    await waitFor(async () => (await page.evaluate(() => document.documentElement.dir)) === "rtl", "RTL");
    expect((await v.api("POST", "/api/counters/1/open", {}, "anna")).status === 200, "counter 1 open");
    expect((await v.api("POST", "/api/counters/1/call", {}, "anna")).status === 200, "called");
    await waitFor(async () => (await stateText(page)) === "حان دورك — الشباك 1", "called, in Arabic", 2000);
    expect((await v.api("POST", "/api/counters/1/noshow", {}, "anna")).status === 200, "no-show");
    await waitFor(async () => /^تم استدعاؤك إلى الشباك 1 في الساعة \d\d:\d\d ولكنك لم تحضر\. لقد عدت إلى الطابور\.$/
      .test(await stateText(page)), "the missed call told in Arabic");
    expect(await page.evaluate(() => document.documentElement.lang) === "ar", "lang ar");
    expect(await page.evaluate(() => getComputedStyle(document.getElementById("state")).direction) === "rtl",
      "the message runs right to left");
    const { scroll, inner } = await page.evaluate(() =>
      ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
    expect(scroll <= inner, "no sideways scrolling");
    await shot(page, "follow-missed-ar");
    await audit(page, "follow, missed call (ar)");
    expect(page.jsErrors.length === 0, "no console errors: " + page.jsErrors.join(" | "));
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});
