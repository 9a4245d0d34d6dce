// SPDX-License-Identifier: GPL-3.0-or-later
// /tech in a real browser: a technician logs in and runs every part's test;
// an advisor is turned away.

import fs from "node:fs";
import path from "node:path";
import { test, startVuorod, open, shot, expect, waitFor, audit, logIn } from "./lib.mjs";

// The result line next to a button (its sibling .out).
const resultOf = (page, buttonSel) => page.locator(`${buttonSel} + .out`);

async function gpioLine(v, name) {
  const r = await v.api("GET", "/api/gpio", null, "tech");
  return r.body.lines.find((l) => l.name === name);
}

test("tech: a technician tests every part of the front desk", async () => {
  const v = await startVuorod();
  let page;
  try {
    page = await open(v.url + "/tech", { lang: "en" });
    await page.getByLabel("User name").waitFor();
    await shot(page, "tech-login");
    await audit(page, "tech login");

    await logIn(page, "tech");
    for (const name of ["Health", "Ticket printer", "Number displays", "Buttons and lamps (GPIO)",
      "Audio and announcements", "Disk and database"]) {
      await page.getByRole("heading", { name, exact: true }).waitFor();
    }
    await page.getByText("All parts OK").waitFor();
    await page.locator("#displays-table tbody tr").first().waitFor();
    await page.locator("#gpio-table tbody tr").first().waitFor();
    expect(await page.getByLabel("Watch inputs (every 0.5 s)").isChecked(), "inputs are watched");
    expect(await page.locator("#who").textContent() === "Logged in as tech (technician)", "the user named");
    await shot(page, "tech-overview");
    await audit(page, "tech overview");

    // What the tickets are laid out for ([printer] paper, columns, codepage).
    await page.locator("#printer-state").getByText("80 mm paper, 48 characters a line, code page cp858").waitFor();

    // A test ticket: success next to the button, a new file from the sim printer.
    const ticketsDir = path.join(v.dir, "tickets");
    const before = fs.existsSync(ticketsDir) ? fs.readdirSync(ticketsDir).length : 0;
    await page.locator("#printer-test").click();
    await resultOf(page, "#printer-test").getByText("Test ticket printed.").waitFor();
    await waitFor(() => fs.existsSync(ticketsDir) && fs.readdirSync(ticketsDir).length > before,
      "a new file in the sim printer's folder");

    // The paper runs out: the check says so, and so does health.
    const sim = await v.api("POST", "/api/printer/sim", { paper_end: true }, "tech");
    expect(sim.status === 200, "the sim printer takes paper_end: " + JSON.stringify(sim.body));
    await page.locator("#printer-check").click();
    await resultOf(page, "#printer-check").getByRole("alert").filter({ hasText: "paper end" }).waitFor();
    await page.locator("#printer-state dd.bad").getByText("paper end", { exact: true }).waitFor();
    await page.locator("#faults li", { hasText: "printer: paper end — load a new roll" }).waitFor();
    await page.getByText("Degraded — a part needs attention").waitFor();
    await shot(page, "tech-printer-fault");
    await audit(page, "tech printer fault");

    // A test pattern on the waiting-room display.
    await page.getByRole("button", { name: "Test pattern on main" }).click();
    await page.locator('tr:has(th:text-is("main")) .out').getByText("All segments lit").waitFor();

    // Scan rs485-1 for units 1..4.
    await page.getByLabel("Bus", { exact: true }).selectOption("rs485-1");
    await page.getByLabel("From unit").fill("1");
    await page.getByLabel("To unit").fill("4");
    await page.getByRole("button", { name: "Scan", exact: true }).click();
    await page.locator("#scan-out").getByText("Units that answered on rs485-1: 1, 2, 3, 4.").waitFor();

    // A lamp switched on shows in the API and on the page.
    expect((await gpioLine(v, "booth-busy")).value === 0, "booth-busy starts off");
    await page.getByRole("button", { name: "Switch on booth-busy" }).click();
    await waitFor(async () => (await gpioLine(v, "booth-busy")).value === 1, "booth-busy on in GET /api/gpio");
    await page.getByRole("button", { name: "Switch off booth-busy" }).waitFor();
    await page.locator('#gpio-table tr:has(th:text-is("booth-busy")) td.active').getByText("on", { exact: true }).waitFor();

    // A sim press counts, in the API and in the watched table.
    const presses = (await gpioLine(v, "smiley-good")).presses;
    await page.getByRole("button", { name: "Press smiley-good" }).click();
    await waitFor(async () => (await gpioLine(v, "smiley-good")).presses === presses + 1,
      "smiley-good's presses up by one");
    await page.locator('#gpio-table tr:has(th:text-is("smiley-good")) td[data-col="presses"]')
      .getByText(String(presses + 1), { exact: true }).waitFor();

    // A test tone is followed in the list until it has played or failed.
    await page.locator("#test-tone").click();
    await resultOf(page, "#test-tone").getByText(/Queued as #\d+/).waitFor();
    const id = (await resultOf(page, "#test-tone").textContent()).match(/#(\d+)/)[1];
    const li = page.locator(`#announcements li[data-id="${id}"]`);
    await li.waitFor();
    await waitFor(async () => ["played", "failed"].includes(await li.getAttribute("data-state")),
      "the test tone played or failed", 15000);
    if ((await li.getAttribute("data-state")) === "failed") {
      expect((await li.locator(".error").textContent()).length > 0, "a failed tone says why");
    } else {
      await li.getByText("played").waitFor();
    }

    // The database's integrity.
    await page.locator("#db-check").click();
    await resultOf(page, "#db-check").getByText("Database OK (integrity check: ok).").waitFor();
    // The backup link works with the cookie session: an SQLite file.
    const href = await page.getByRole("link", { name: "Download backup" }).getAttribute("href");
    const backup = await page.evaluate(async (u) => {
      const r = await fetch(u);
      const head = new Uint8Array(await r.arrayBuffer()).slice(0, 15);
      return { status: r.status, type: r.headers.get("content-type"), head: String.fromCharCode(...head) };
    }, href);
    expect(backup.status === 200 && backup.head === "SQLite format 3", "a backup: " + JSON.stringify(backup));

    expect(page.jsErrors.length === 0, "no console errors: " + page.jsErrors.join(" | "));

    // vuorod restarts: the offline banner while it is away, then health
    // read again (the sim printer starts with paper).
    await v.stop();
    await page.locator("#offline").waitFor();
    expect((await page.locator("#offline").textContent()).includes("Connection to vuorod lost"), "the banner says why");
    await v.start();
    await page.locator("#offline").waitFor({ state: "hidden", timeout: 10000 });
    await page.getByText("All parts OK").waitFor();
  } finally {
    await page?.context().close();
    await v.cleanup();
  }
});

test("tech: an advisor is told the page is for technicians", async () => {
  const v = await startVuorod();
  let page;
  try {
    page = await open(v.url + "/tech", { lang: "en" });
    await logIn(page, "anna");
    const msg = page.getByRole("alert").filter({ hasText: "This page is for technicians" });
    await msg.waitFor();
    expect((await msg.textContent()).includes("anna (advisor)"), "the refusal names who is logged in");
    expect(!(await page.getByRole("heading", { name: "Ticket printer" }).isVisible()), "no cards for an advisor");
    expect(await page.getByRole("button", { name: "Log out" }).isVisible(), "a way to log out");
    await shot(page, "tech-refused");
    await audit(page, "tech refused");
    expect(page.jsErrors.length === 0, "no console errors: " + page.jsErrors.join(" | "));
  } finally {
    await page?.context().close();
    await v.cleanup();
  }
});

test("tech: the remote booth card — a simulated camera unplug, health, and Check again", async () => {
  const v = await startVuorod();
  let page;
  try {
    page = await open(v.url + "/tech", { lang: "en" });
    await logIn(page, "tech");
    await page.getByRole("heading", { name: "Remote booths", exact: true }).waitFor();
    const card = page.locator("#booths");
    await card.locator('.pill[data-state="idle"]').getByText("ready").waitFor();
    expect((await card.textContent()).includes("te-video, kela-video"), "the booth's services");

    await page.locator("#booth-unplug-4").click();
    await resultOf(page, "#booth-unplug-4").getByText(/Camera unplugged \(simulated\)/).waitFor();
    await card.locator('.pill[data-state="fault"]').getByText("out of order").waitFor();
    const fault = await card.locator("#booth-4-fault").textContent();
    expect(fault.includes("Fault in the camera:") && fault.includes("unplugged") &&
      fault.includes("Check the camera's cable"), "the part and what to do: " + fault);
    await page.locator("#faults li", { hasText: "booth 4: camera" }).waitFor();
    await shot(page, "tech-booths-unplugged");
    await audit(page, "tech booth unplugged");

    // The test source is back: Check again makes the booth ready at once.
    await page.locator("#booth-check-4").click();
    await resultOf(page, "#booth-check-4").getByText("Booth ready").waitFor();
    await card.locator('.pill[data-state="idle"]').waitFor();
    await page.getByText("All parts OK").waitFor();
    expect(page.jsErrors.length === 0, "no console errors: " + page.jsErrors.join(" | "));
  } finally {
    await page?.context().close();
    await v.cleanup();
  }
});

test("tech: in Finnish every kind and state is in Finnish — announcements, displays, output (1366×768)", async () => {
  const v = await startVuorod([["announcer", "chime", "true"]]); // calls announced (a chime, no speech)
  let page;
  try {
    // A call and a recall: the announcer's list shows both kinds.
    const drawn = await v.api("POST", "/api/tickets", { service: "guide", lang: "fi" });
    expect(drawn.status === 201, "a ticket: " + JSON.stringify(drawn.body));
    expect((await v.api("POST", "/api/counters/1/open", {}, "anna")).status === 200, "counter 1 open");
    expect((await v.api("POST", "/api/counters/1/call", {}, "anna")).status === 200, "called");
    expect((await v.api("POST", "/api/counters/1/recall", {}, "anna")).status === 200, "recalled");
    await waitFor(async () => {
      const a = (await v.api("GET", "/api/announcer", null, "tech")).body;
      return ["call", "recall"].every((k) => (a.recent || []).some((x) => x.kind === k));
    }, "a call and a recall in GET /api/announcer", 10000);

    page = await open(v.url + "/tech", { lang: "fi", width: 1366, height: 768 });
    await logIn(page, "tech", { lang: "fi" });
    const list = page.locator("#announcements");
    await list.locator("li").filter({ hasText: "uusintakutsu" }).first().waitFor();
    await list.locator("li").filter({ hasText: /#\d+ kutsu · / }).first().waitFor();
    const text = await list.innerText();
    // The API's English words are nowhere on the list (the ticket code and
    // the counter's name are data, not words).
    for (const raw of [/\bcall\b/, /\brecall\b/, /\bqueued\b/, /\bplaying\b/, /\bplayed\b/, /\bfailed\b/]) {
      expect(!raw.test(text), `no untranslated "${raw.source}" in the list: ${text}`);
    }
    await page.locator("#audio").getByText("WAV-tiedostot (testitallennus, ei kuulu)").waitFor();
    // The displays' state pills: in Finnish, whatever the state.
    const pills = page.locator("#displays-table .pill[data-state]");
    await pills.first().waitFor();
    for (const p of await pills.all()) {
      const st = await p.getAttribute("data-state");
      const word = (await p.innerText()).trim();
      expect(word !== st, `display state "${st}" translated: "${word}"`);
    }
    const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    expect(fits, "no sideways scrolling at 1366 px");
    await shot(page, "tech-fi-1366");
    await audit(page, "tech in Finnish");
    expect(page.jsErrors.length === 0, "no console errors: " + page.jsErrors.join(" | "));
  } finally {
    await page?.context().close();
    await v.cleanup();
  }
});

test("tech: an announcement no longer current is listed as dropped, with why", async () => {
  const v = await startVuorod([["announcer", "speak", "true"], ["announcer", "chime", "true"]]);
  let page;
  try {
    for (const [n, user] of [[1, "anna"], [2, "bertil"]]) {
      expect((await v.api("POST", `/api/counters/${n}/open`, {}, user)).status === 200, "counter open");
      expect((await v.api("POST", "/api/tickets", { service: "guide", lang: "fi" })).status === 201, "a ticket");
    }
    const recent = async () => (await v.api("GET", "/api/announcer", null, "tech")).body.recent;
    await v.api("POST", "/api/counters/1/call", {}, "anna");
    await waitFor(async () => (await recent()).some((a) => a.state === "playing"), "the first call playing");
    await v.api("POST", "/api/counters/2/call", {}, "bertil");
    expect((await v.api("POST", "/api/counters/2/start", {}, "bertil")).status === 200, "serving started");
    const dropped = (await recent()).find((a) => a.state === "dropped");
    expect(dropped && dropped.reason === "started", "dropped because started: " + JSON.stringify(dropped));
    // The list is drawn anew whenever an announcement changes state: let the first call finish
    // so that the page stands still while it is read (CI once scrolled a replaced item).
    await waitFor(async () => (await recent()).every((a) => a.state !== "queued" && a.state !== "playing"),
      "the announcer idle", 20000);

    page = await open(v.url + "/tech", { lang: "en" });
    await logIn(page, "tech");
    const li = page.locator(`#announcements li[data-id="${dropped.id}"]`);
    await li.waitFor();
    expect((await li.getAttribute("data-state")) === "dropped", "the list's state");
    await li.getByText("dropped", { exact: true }).waitFor();
    await li.getByText("no longer current: visit started").waitFor();
    await li.scrollIntoViewIfNeeded();
    await shot(page, "tech-announcer-dropped");
    expect(page.jsErrors.length === 0, "no console errors: " + page.jsErrors.join(" | "));
  } finally {
    await page?.context().close();
    await v.cleanup();
  }
});
