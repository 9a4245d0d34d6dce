// SPDX-License-Identifier: GPL-3.0-or-later
// /manager's booth use and pilot figures (issue 17, items 2 and 3) in a real
// browser: a transfer between providers and ends with each outcome served
// through the API, then the report's booth table (booth 4 open all day) and
// pilot table with their definitions, the new kinds' CSV links, in English
// and Finnish, axe on both.

import { test, startVuorod, open, shot, expect, waitFor, audit, logIn } from "./lib.mjs";

async function ok(v, method, path, body, user) {
  const r = await v.api(method, path, body, user);
  expect(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

const issue = async (v, service) => (await ok(v, "POST", "/api/tickets", { service, lang: "fi", handout: "printer" })).ticket;

async function cells(page, table, name) {
  return page.locator(`#${table} tr:has(th:text-is("${name}")) td`).allTextContents();
}

test("manager: booth use and the pilot's figures with their definitions", async () => {
  const today = new Date().toISOString().slice(0, 10);
  const v = await startVuorod([
    ["service:kela-video", "hours", "mon-sun 00:00-24:00"],
    ["service:te-video", "start-date", today],
  ]);
  let page;
  try {
    // A chain: guidance (the city) transferred to Kela, referred there.
    const a = await issue(v, "guide");
    const b = await issue(v, "guide");
    await ok(v, "POST", "/api/counters/1/open", {}, "anna");
    await ok(v, "POST", "/api/counters/1/call", { ticket: a.id }, "anna");
    await ok(v, "POST", "/api/counters/1/transfer", { service: "kela" }, "anna");
    await ok(v, "POST", "/api/counters/1/call", { ticket: b.id }, "anna");
    await ok(v, "POST", "/api/counters/1/end", { outcome: "resolved" }, "anna");
    await ok(v, "POST", "/api/counters/2/open", {}, "bertil");
    await ok(v, "POST", "/api/counters/2/call", { ticket: a.id }, "bertil");
    await ok(v, "POST", "/api/counters/2/end", { outcome: "referred" }, "bertil");
    // A remote customer who gave up waiting.
    const gone = await issue(v, "kela-video");
    await ok(v, "POST", `/api/tickets/${gone.id}/cancel`, {}, "anna");

    page = await open(v.url + "/manager", { lang: "en" });
    await logIn(page, "maija");
    await page.locator("#report-table").waitFor();
    await page.getByRole("button", { name: "Show report" }).click();
    await page.locator("#booths-table").waitFor();

    // Booths: booth 4's row and all booths', open hours and the one who left.
    const b4 = await cells(page, "booths-table", "Booth 4");
    expect(b4.length === 12 && b4[3] === "0", "booth 4: no sessions: " + b4);
    const all = await cells(page, "booths-table", "All booths");
    expect(all[0] !== "—" && all[9] === "1", "all booths: open hours, one left before served: " + all);
    expect(await page.locator("#booths-defs dt").count() === 6, "a definition per booth figure");
    expect((await page.locator("#booths-defs").textContent()).includes("opening hours"), "the hours' definition");

    // Pilot: the whole site's events, the chain, the shares, a new service.
    const site = await cells(page, "pilot-table", "Whole site");
    expect(site[0] === "3", "three service events: " + site);
    expect(site[3] === "50\u00a0%" && site[4] === "50\u00a0%", "resolved and referred shares: " + site);
    expect(site[5] === "1", "one chain: " + site);
    expect(site[7] === "1", "one new service (te-video today): " + site);
    // A service's row by its name, with its start date marked new.
    const te = await cells(page, "pilot-table", "Employment Services · Employment expert by video");
    expect(te[7] === `${today} *`, "te-video started today: " + te);
    expect(await page.locator("#pilot-defs dt").count() === 8, "a definition per pilot figure");
    await shot(page, "manager-pilot");
    await audit(page, "manager booth use and pilot figures");

    for (const kind of ["booths", "pilot"]) {
      const u = await page.locator(`#report-csv-${kind}`).getAttribute("href");
      const got = await page.evaluate(async (x) => {
        const r = await fetch(x);
        return { status: r.status, text: await r.text() };
      }, u);
      expect(got.status === 200 && got.text.startsWith(kind === "booths" ? "period,booth," : "period,provider,service,"),
        `the ${kind} CSV: ` + got.text.slice(0, 80));
    }

    await page.locator("#lang").selectOption("fi");
    await waitFor(async () => (await page.locator("#booths-title").textContent()) === "Etäpalvelupisteiden käyttö",
      "the booths in Finnish");
    expect((await cells(page, "pilot-table", "Koko palvelupiste"))[0] === "3", "Finnish pilot table");
    await shot(page, "manager-pilot-fi");
    await audit(page, "manager pilot in Finnish");
    expect(page.jsErrors.length === 0, "no console errors: " + page.jsErrors.join(" | "));
  } finally {
    await page?.context().close();
    await v.cleanup();
  }
});
