// SPDX-License-Identifier: GPL-3.0-or-later
// A booked visitor's host is told (issue 17, item 1), in a real Chromium
// against a real vuorod: the host (anna) has /host open with the chime on;
// the visitor checks in at the kiosk, which says the host was told; the
// host's page shows the arrival live and chimes, another advisor's /host
// does not hear the visitor's name; "On my way" makes the kiosk say the host
// is coming and the display show it by ticket number.  axe on each view;
// each is photographed.

import { test, startVuorod, open, shot, audit, expect, waitFor, logIn } from "./lib.mjs";

const PORTRAIT = { width: 1080, height: 1920 };
const FULL_HD = { width: 1920, height: 1080 };
const VISITOR = "Matti Meikäläinen";

function helsinkiNow(offsetMin = 0) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/Helsinki", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).formatToParts(new Date(Date.now() + offsetMin * 60000)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

async function hostLogin(v, user) {
  const page = await open(v.url + "/host", { lang: "en" });
  await logIn(page, user);
  await page.waitForSelector("#arrivals-title");
  return page;
}

test("host: told live with a chime on /host, acknowledges; the kiosk and the display say the host is coming", async () => {
  const v = await startVuorod([["kiosk", "ticket-seconds", "30"]]);
  try {
    const appt = await v.api("POST", "/api/appointments",
      { service: "guide", at: helsinkiNow(5), staff: "anna", name: VISITOR }, "admin1");
    expect(appt.status === 201, "booked: " + JSON.stringify(appt.body));
    const id = appt.body.id;

    const host = await hostLogin(v, "anna");
    await host.waitForSelector(`#visitor-${id}`);
    expect((await host.locator(`#visitor-${id}`).innerText()).includes("Booked for"), "listed as booked");
    // Count the chime's tones: Web Audio oscillators started in the page.
    await host.evaluate(() => {
      window.__tones = 0;
      const orig = AudioContext.prototype.createOscillator;
      AudioContext.prototype.createOscillator = function () {
        window.__tones++;
        return orig.call(this);
      };
    });
    await host.locator("#sound").click();
    await waitFor(async () => (await host.locator("#sound").getAttribute("aria-pressed")) === "true", "the chime on");
    await audit(host, "/host before the arrival");
    const other = await hostLogin(v, "bertil");
    await other.waitForSelector("#none");

    const display = await open(v.url + "/display?mute=1", FULL_HD);
    await display.waitForSelector("#services li");

    // The visitor checks in at the kiosk.
    const kiosk = await open(v.url + "/kiosk", PORTRAIT);
    await kiosk.waitForSelector("button.service");
    await kiosk.getByRole("button", { name: "English" }).click();
    await kiosk.getByRole("button", { name: "I have an appointment" }).click();
    await kiosk.locator("#booking-code").fill(appt.body.code);
    await kiosk.keyboard.press("Enter");
    await kiosk.waitForSelector("#ticket-number");
    const ticket = (await kiosk.locator("#ticket-number").innerText()).trim();
    await waitFor(async () => (await kiosk.locator("#host-news").innerText()).includes("Your host has been told"),
      "the kiosk says the host was told");

    // The host's page: live, with the name, and the chime.
    await waitFor(async () => (await host.locator("#news").innerText()) === `${VISITOR} has arrived (ticket ${ticket})`,
      "the arrival said on /host");
    expect(await host.locator(`#visitor-${id}.arrived`).count() === 1, "shown as arrived");
    await waitFor(async () => (await host.evaluate(() => window.__tones)) === 3, "three tones chimed");
    await shot(host, "host-arrival");
    await audit(host, "/host with an arrival");
    // Another advisor's page hears nothing of it.
    await other.waitForTimeout(300);
    expect(!(await other.locator("body").innerText()).includes("Meikäläinen"), "no name on another host's page");
    expect(await other.locator("#none").count() === 1, "another host: no visitors");

    // On my way.
    await host.getByRole("button", { name: "On my way" }).click();
    await waitFor(async () => (await host.locator(`#visitor-${id}`).innerText()).includes("You said you are on your way"),
      "acknowledged on /host");
    await waitFor(async () => (await kiosk.locator("#host-news").innerText()) === "Your host is on the way to meet you.",
      "the kiosk says the host is coming");
    await shot(kiosk, "host-kiosk-coming");
    await audit(kiosk, "kiosk ticket view, host coming");
    await waitFor(async () => (await display.locator(`li.host-coming[data-host="${ticket}"] p.main`).count()) === 1,
      "the display shows it");
    expect((await display.locator(`li.host-coming[data-host="${ticket}"] p.main`).innerText())
      === `${ticket}: isäntäsi on tulossa`, "in the main language");
    expect(!(await display.locator("body").innerText()).includes("Meikäläinen"), "no name on the display");
    await shot(display, "host-display-coming");
    await audit(display, "display with a host coming");
    for (const p of [host, other, kiosk, display]) {
      expect(p.jsErrors.length === 0, "no console errors: " + p.jsErrors.join(" | "));
    }
  } finally {
    await v.cleanup();
  }
});

test("host: a mail server that does not answer is a fault on /tech, naming it and what to check", async () => {
  // A port nobody listens on: bound, then closed.
  const net = await import("node:net");
  const port = await new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
  const url = `smtp://127.0.0.1:${port}`;
  const v = await startVuorod([["notify", "smtp-url", url], ["notify", "from", "vuoro@kuohu.example.fi"],
    ["notify", "retry-max-seconds", "1"]]);
  try {
    const appt = await v.api("POST", "/api/appointments", { service: "guide", at: helsinkiNow(5), staff: "anna",
      name: VISITOR, host_email: "anna.virtanen@kunta.example.fi" }, "admin1");
    expect(appt.status === 201, "booked: " + JSON.stringify(appt.body));
    const c = await v.api("POST", "/api/checkin", { code: appt.body.code, lang: "fi" });
    expect(c.status === 201, "checked in");
    const page = await open(v.url + "/tech", { lang: "en" });
    await logIn(page, "tech");
    const fault = page.locator("#faults li", { hasText: "e-mail to hosts is not delivered" });
    await fault.waitFor({ timeout: 15000 });
    const text = await fault.innerText();
    expect(text.startsWith("mail: ") && text.includes(url) && text.includes("[notify] smtp-url"),
      "the server and what to check: " + text);
    expect(!text.includes("anna.virtanen") && !text.includes("Meikäläinen"), "no address, no name");
    await shot(page, "host-tech-mail-fault");
    await audit(page, "/tech with the mail fault");
    expect(page.jsErrors.length === 0, "no console errors: " + page.jsErrors.join(" | "));
  } finally {
    await v.cleanup();
  }
});
