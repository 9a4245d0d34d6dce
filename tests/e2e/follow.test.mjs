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
    expect((await page.locator("#facts").innerText()).includes("Beräknad väntetid cirka 6 min"), "the estimate");
    expect(await page.locator("#state").getAttribute("role") === "status", "the state is a live region");
    const { scroll, inner } = await page.evaluate(() =>
      ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
    expect(scroll <= inner, "no sideways scrolling on a phone");
    await shot(page, "follow-waiting");
    await audit(page, "follow, waiting");

    // Anna opens counter 1 and calls: the other ticket first.
    expect((await v.api("POST", "/api/counters/1/open", {}, "anna")).status === 200, "counter 1 open");
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
