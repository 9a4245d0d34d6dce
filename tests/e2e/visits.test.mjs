// SPDX-License-Identifier: GPL-3.0-or-later
// Visits without a ticket and transfer notes (issue 17, item 6) in a real
// Chromium against a real vuorod: an advisor records a phone call on
// /advisor (a refusal in vuorod's words first), and the visit is in the
// billing report as a phone visit; an advisor transfers a ticket to another
// counter with a note, and the next advisor, calling it, reads the note
// before greeting the customer; an expert, calling a ticket transferred to a
// remote service, reads it in the session.  axe checks the dialog, both
// consoles and the expert page.

import { test, startVuorod, open, shot, audit, expect, waitFor, USERS } from "./lib.mjs";

const CONSOLE = { width: 1280, height: 800, lang: "en" };
const NOTE = "Needs a housing allowance form; documents already checked.";

async function atCounter(v, user, id) {
  const page = await open(v.url + "/advisor", CONSOLE);
  await page.waitForSelector("#login-view:not([hidden])");
  await page.fill("#user", user);
  await page.fill("#password", USERS[user][1]);
  await page.press("#password", "Enter");
  await page.waitForSelector("#counter-view:not([hidden])");
  await page.check(`#counter-list input[value="${id}"]`);
  await page.click("#open-btn");
  await page.waitForSelector("#console-view:not([hidden])");
  await waitFor(async () => (await page.textContent("#hdr-counter")).includes(`Counter ${id}`), "the console");
  return page;
}

function noErrors(page, allow = /$^/) {
  const errs = page.jsErrors.filter((e) => !allow.test(e));
  expect(errs.length === 0, "no JS errors: " + errs.join("; "));
}

test("visits: an advisor records a phone call without a ticket; it is billed as a phone visit", async () => {
  const v = await startVuorod();
  try {
    const page = await atCounter(v, "anna", 1);
    await page.getByRole("button", { name: "Visit without ticket" }).click();
    await page.waitForSelector("#walkin-dialog[open]");
    await page.selectOption("#walkin-service", "guide");
    await page.selectOption("#walkin-channel", "phone");
    await page.check('input[name="walkin-outcome"][value="referred"]');
    // Too long a service time: vuorod says so, the dialog stays.
    await page.fill("#walkin-min", "999");
    await page.getByRole("button", { name: "Record the visit" }).click();
    await waitFor(async () => (await page.textContent("#walkin-error")).includes("service_min"),
      "the refusal in vuorod's words");
    expect(await page.isVisible("#walkin-dialog"), "the dialog stays open");
    await audit(page, "walk-in dialog");
    await shot(page, "visits-walkin-dialog");
    await page.fill("#walkin-min", "7");
    await page.getByRole("button", { name: "Record the visit" }).click();
    await waitFor(async () => (await page.textContent("#note")).includes("Visit recorded"), "the note");
    expect(!(await page.isVisible("#walkin-dialog")), "the dialog closed");
    // The service day: it starts at the site's daily reset (03:00 Helsinki
    // time), whatever zone this machine keeps.
    const day = (ms) => new Date(ms).toLocaleDateString("sv-SE", { timeZone: "Europe/Helsinki" });
    const today = day(Date.now() - 3 * 3600e3);
    const tomorrow = day(Date.parse(today + "T12:00:00Z") + 24 * 3600e3);
    const r = await v.api("GET", `/api/report?from=${today}&to=${tomorrow}&period=day&kind=billing`, null, "maija");
    const site = r.body.billing.find((b) => b.period === "total" && b.provider === "*");
    expect(site.channels.phone === 1 && site.events === 1, "one phone visit billed: " + JSON.stringify(site));
    noErrors(page, /status of 400/);
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});

test("visits: a transfer carries a note; the next advisor sees it when calling the ticket", async () => {
  const v = await startVuorod();
  try {
    const r = await v.api("POST", "/api/tickets", { service: "guide", lang: "fi", handout: "screen" });
    expect(r.status === 201, "a ticket");
    const first = await atCounter(v, "anna", 1);
    const second = await atCounter(v, "bertil", 2);
    await first.click("#b-next");
    await waitFor(async () => (await first.textContent("#cur-code")) === r.body.ticket.code, "called at 1");
    expect(!(await first.isVisible("#cur-transfer-note")), "no note on a fresh ticket");
    await first.selectOption("#t-counter", "2");
    await first.fill("#t-note", `  ${NOTE}  `);
    await audit(first, "advisor console with a transfer note");
    await first.click("#b-transfer");
    await waitFor(async () => (await first.textContent("#cur-code")) === "—", "transferred away");
    expect((await first.inputValue("#t-note")) === "", "the note field is emptied");

    await waitFor(async () => (await second.locator("#my-queue li").count()) === 1 &&
      (await second.textContent("#my-queue")).includes(r.body.ticket.code), "waiting for counter 2");
    await second.click("#b-next");
    await waitFor(async () => (await second.textContent("#cur-code")) === r.body.ticket.code, "called at 2");
    await waitFor(() => second.isVisible("#cur-transfer-note"), "the note shows");
    expect((await second.textContent("#cur-transfer-text")) === NOTE, "the note, trimmed");
    expect((await second.textContent("#tn-h")) === "Note with the transfer", "its heading");
    await shot(second, "visits-transfer-note");
    await audit(second, "advisor console showing a transfer note");
    await second.click("#b-end");
    await waitFor(async () => (await second.textContent("#cur-code")) === "—", "ended");
    expect(!(await second.isVisible("#cur-transfer-note")), "the note leaves with the ticket");
    noErrors(first);
    noErrors(second);
    await first.context().close();
    await second.context().close();
  } finally {
    await v.cleanup();
  }
});

test("visits: an advisor transfers to a remote service with a note; the expert reads it in the session", async () => {
  const v = await startVuorod([["webrtc", "local-addresses", "127.0.0.1"]]);
  try {
    const r = await v.api("POST", "/api/tickets", { service: "kela", lang: "fi", handout: "screen" });
    expect(r.status === 201, "a ticket");
    const advisor = await atCounter(v, "anna", 1);
    await advisor.click("#b-next");
    await waitFor(async () => (await advisor.textContent("#cur-code")) === r.body.ticket.code, "called");
    await advisor.selectOption("#t-service", "kela-video");
    await advisor.fill("#t-note", "Asks about a refused benefit; decision letter shown.");
    await advisor.click("#b-transfer");
    await waitFor(async () => (await advisor.textContent("#cur-code")) === "—", "transferred");
    await advisor.context().close();

    const page = await open(v.url + "/expert", { lang: "en" });
    await page.fill("#user", "eero");
    await page.fill("#password", USERS.eero[1]);
    await page.click("#login-button");
    await page.waitForSelector("#app:not([hidden])");
    await waitFor(() => page.locator("#tickets .code").first().textContent()
      .then((s) => s === r.body.ticket.code).catch(() => false), "the ticket in the expert's queue");
    expect(!(await page.isVisible("#transfer-note")), "no note before the call");
    await page.click("#call"); // the booth rings: the session is the ticket's
    await waitFor(() => page.isVisible("#transfer-note"), "the note in the session");
    expect((await page.textContent("#transfer-text")) === "Asks about a refused benefit; decision letter shown.",
      "the advisor's words");
    await shot(page, "visits-expert-note");
    await audit(page, "/expert with a transfer note");
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});
