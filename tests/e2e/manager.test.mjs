// SPDX-License-Identifier: GPL-3.0-or-later
// /manager in a real browser: today's numbers after tickets were drawn and
// served through the API, kept live; the monthly report and its CSV.

import { test, startVuorod, open, shot, expect, waitFor, USERS, audit } from "./lib.mjs";


async function ok(v, method, path, body, user) {
  const r = await v.api(method, path, body, user);
  expect(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

const issue = (v, service) => ok(v, "POST", "/api/tickets", { service, lang: "fi", handout: "printer" });

// A visit from call to end at counter 1.
async function serve(v) {
  await ok(v, "POST", "/api/counters/1/call", {}, "anna");
  await ok(v, "POST", "/api/counters/1/start", {}, "anna");
  await ok(v, "POST", "/api/counters/1/end", { outcome: "resolved" }, "anna");
}

// The figures in a row of a table, by the row's header text.
async function rowOf(page, table, name) {
  const cells = page.locator(`#${table} tbody tr:has(th:text-is("${name}")) td`);
  return cells.allTextContents();
}

test("manager: today's numbers live, the monthly report and its CSV", async () => {
  const v = await startVuorod();
  let page;
  try {
    for (const s of ["guide", "guide", "guide", "tax", "kela"]) await issue(v, s);
    await ok(v, "POST", "/api/counters/1/open", {}, "anna");
    await serve(v); // A001
    await serve(v); // A002

    page = await open(v.url + "/manager", { lang: "en" });
    // No request may fail (today's tickets come from /api/queue?day=today).
    const failed = [];
    page.on("response", (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${new URL(r.url()).pathname}`);
    });
    await page.getByLabel("User name").pressSequentially("maija");
    await page.getByLabel("Password").pressSequentially(USERS.maija[1]);
    await page.getByRole("button", { name: "Log in" }).click();

    const tile = (id) => page.locator(`#${id}`);
    await waitFor(async () => (await tile("t-issued").textContent().catch(() => "")) === "5", "5 tickets issued today");
    expect(await tile("t-waiting").textContent() === "3", "3 waiting");
    expect(await tile("t-served").textContent() === "2", "2 served");
    expect(await tile("t-no-shows").textContent() === "0", "no no-shows");
    expect(await tile("t-counters").textContent() === "1 of 4", "one counter open");
    expect(/\d+ s|min/.test(await tile("t-avg-wait").textContent()), "an average wait");
    // Per service: issued, waiting, at a counter, served (after the provider).
    const guide = await rowOf(page, "today-services", "General guidance");
    expect(guide[0] === "City of Kuohu" && guide.slice(1, 5).join() === "3,1,0,2", "guidance: " + guide);
    const kela = await rowOf(page, "today-providers", "Kela (Social Insurance Institution)");
    expect(kela.slice(0, 4).join() === "1,1,0,0", "Kela: " + kela);

    // Live: a new ticket and a call show without a reload.
    await issue(v, "permits");
    await waitFor(async () => (await tile("t-issued").textContent()) === "6", "the new ticket counted live");
    await ok(v, "POST", "/api/counters/1/call", {}, "anna");
    await waitFor(async () => (await tile("t-at-counter").textContent()) === "1", "the call counted live");
    await waitFor(async () => (await tile("t-waiting").textContent()) === "3", "one fewer waiting");
    await shot(page, "manager-today");
    await audit(page, "manager today");

    // The report of this month: the two visits of the city.
    await page.locator("#report-table").waitFor();
    const month = await page.getByLabel("From month").inputValue();
    expect(/^\d{4}-\d\d$/.test(month) && (await page.getByLabel("To month").inputValue()) === month,
      "the current month chosen: " + month);
    await page.getByRole("button", { name: "Show report" }).click();
    await page.locator("#report-table").waitFor();
    const city = await page.locator('#report-table tbody tr:has(th:text-is("City of Kuohu")) td').allTextContents();
    expect(city[0] === month && city[1] === "2" && city[2] === "2", "the city's visits: " + city);
    await shot(page, "manager-report");
    await audit(page, "manager report");

    // The CSV link downloads text/csv with its header line.
    const href = await page.getByRole("link", { name: "Download CSV" }).getAttribute("href");
    expect(href.includes("format=csv") && href.includes(`from=${month}-01`), "the CSV link: " + href);
    const csv = await page.evaluate(async (u) => {
      const r = await fetch(u);
      return { status: r.status, type: r.headers.get("content-type"), text: await r.text() };
    }, href);
    expect(csv.status === 200 && csv.type.startsWith("text/csv"), "CSV answered: " + JSON.stringify(csv).slice(0, 200));
    const lines = csv.text.split("\r\n");
    expect(lines[0].startsWith("provider,month,visits,in_person,remote_video"), "the CSV header: " + lines[0]);
    expect(lines.some((l) => l.startsWith(`kunta,${month},2,`)), "the city's row in the CSV");

    expect(failed.length === 0, "no failed requests: " + failed.join(", "));
    expect(page.jsErrors.length === 0, "no console errors: " + page.jsErrors.join(" | "));
  } finally {
    await page?.context().close();
    await v.cleanup();
  }
});
