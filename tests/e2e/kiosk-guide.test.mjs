// SPDX-License-Identifier: GPL-3.0-or-later
// The kiosk's screen follows the speech guidance (issue 20 item 1): a
// citizen with headphones and the tactile keys (sim GPIO lines, pressed
// through POST /api/gpio/sim as a finger would) — the screen says the
// guidance is in use and which service is being spoken, shows the ticket it
// drew as read aloud, keeps it (no return to the start) while the headset is
// in, and goes back to the start when the headset is pulled.

import { test, startVuorod, open, expect, waitFor, shot, audit } from "./lib.mjs";

const text = async (page, sel) => (await page.locator(sel).innerText()).trim();

async function press(v, name, extra = {}) {
  const r = await v.api("POST", "/api/gpio/sim", { name, ...extra }, "tech");
  expect(r.status === 202, `${name}: ${r.status} ${JSON.stringify(r.body)}`);
}

test("kiosk guide: the screen follows the headphones — the service spoken, the ticket drawn, held until the headset is pulled", async () => {
  const v = await startVuorod([["kiosk", "ticket-seconds", "3"]]);
  try {
    const page = await open(v.url + "/kiosk", { width: 1080, height: 1920 });
    await page.waitForSelector("button.service");
    await press(v, "headset-jack", { level: 1 });
    await page.waitForSelector("#guide-title");
    expect((await text(page, "#guide-title")) === "Puheopastus käytössä", "in the guidance's language (fi)");
    expect((await text(page, ".guide-how")).includes("kuulokkeilla"), "says headphones are in use");
    // Down: the next service is spoken, and shown.
    const first = await page.locator("#guide-service").innerText().catch(() => "");
    await press(v, "speech-down");
    await waitFor(async () => {
      const now = await page.locator("#guide-service").innerText().catch(() => "");
      return now && now !== first;
    }, "the service being spoken on the screen");
    const chosen = (await text(page, "#guide-service")).replace(/^Nyt:\s*/, "");
    await shot(page, "kiosk-guide-menu");
    await audit(page, "kiosk while the speech guidance leads");
    // Select: the ticket, marked as read aloud in the headphones.
    await press(v, "speech-select");
    await page.waitForSelector("#ticket-number", { timeout: 10000 });
    const number = await text(page, "#ticket-number");
    expect(/^[A-Z]\d+$/.test(number), "a ticket number: " + number);
    expect((await text(page, ".ticket .svc")).startsWith(chosen), `the spoken service (${chosen})`);
    expect((await text(page, "#guide-note")).includes("kuulokkeisiin"), "read aloud in the headphones");
    const q = await v.api("GET", "/api/queue", null, "anna");
    expect(q.body.tickets.some((tk) => tk.code === number), "the ticket is in the queue");
    await shot(page, "kiosk-guide-ticket");
    // Held: ticket-seconds (3 s) pass and the ticket stays.
    await page.waitForTimeout(4500);
    expect((await page.locator("#ticket-number").count()) === 1, "the ticket stays while the headset is in");
    // Pulled: back to the start.
    await press(v, "headset-jack", { level: 0 });
    await page.waitForSelector("button.service", { timeout: 10000 });
    expect((await page.locator("#guide-title").count()) === 0, "the guidance's screen is gone");
    expect(page.jsErrors.length === 0, "no console errors: " + page.jsErrors.join(" | "));
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});
