// SPDX-License-Identifier: GPL-3.0-or-later
// /manager in a real browser: today's numbers after tickets were drawn and
// served through the API, kept live; the monthly report and its CSV; the
// reports' SVG charts and their tables, the grouping, every kind's CSV and
// the JSON, in three languages.

import { spawnSync } from "node:child_process";
import path from "node:path";
import { test, startVuorod, open, shot, expect, waitFor, audit, SHOTS, logIn } from "./lib.mjs";


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

// Rows written into the running daemon's database (WAL: a second writer
// waits its turn): feedback has no API of its own yet.
function sql(v, statement) {
  const r = spawnSync("/usr/bin/python3", ["-c",
    "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], timeout=10); c.execute(sys.argv[2]); c.commit()",
    path.join(v.dir, "vuoro.db"), statement]);
  expect(r.status === 0, "sql: " + r.stderr);
}

// The text of each cell of a table's row by its header text.
async function cells(page, table, name) {
  return page.locator(`#${table} tr:has(th:text-is("${name}")) td`).allTextContents();
}

test("manager: today's numbers live, the monthly report and its CSV", async () => {
  const v = await startVuorod();
  let page;
  try {
    for (const s of ["guide", "guide", "guide", "tax", "kela"]) await issue(v, s);
    await ok(v, "POST", "/api/counters/1/open", {}, "anna");
    await serve(v); // A001
    await serve(v); // A002
    // Feedback: one tied to the first visit (the city's), one by the exit.
    const { day } = await ok(v, "GET", "/api/status");
    const now = Math.floor(Date.now() / 1000);
    sql(v, `INSERT INTO feedback (ticket, day, service, provider, counter, rating, source, at) VALUES
      (1, ${day}, 'guide', 'kunta', 1, 5, 'button', ${now}), (0, ${day}, NULL, NULL, 0, 2, 'button', ${now})`);

    page = await open(v.url + "/manager", { lang: "en" });
    // No request may fail (today's tickets come from /api/queue?day=today).
    const failed = [];
    page.on("response", (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${new URL(r.url()).pathname}`);
    });
    await logIn(page, "maija");

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
    const monthWords = new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", month: "long", year: "numeric" })
      .format(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5)) - 1, 1));
    expect(city[0] === monthWords && city[1] === "2" && city[2] === "2", "the city's visits: " + city);
    expect(await page.locator(`#report-table td.month[data-month="${month}"]`).count() >= 1, "the month's row");
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


    // The charts of the month: SVG images with their own titles and a
    // description that reads the figures out, each with a table.
    const svg = page.locator("#chart-events");
    expect(await svg.getAttribute("role") === "img", "the events chart is an image");
    expect((await svg.locator("rect").count()) >= 1, "bars in the events chart");
    const desc = await svg.locator("desc").textContent();
    expect(desc.includes("City of Kuohu: In person 2"), "the events chart's description: " + desc);
    expect((await svg.locator("title").first().textContent()).startsWith("Service events by channel"), "its title");
    const events = await cells(page, "events-table", "City of Kuohu");
    expect(events[0] === "2" && events[1] === "2", "the city's events: " + events);
    expect((await cells(page, "events-table", "Whole site"))[0] === "2", "the site's events");
    const waits = await cells(page, "wait-table", "City of Kuohu");
    expect(waits[0] === "2", "two called: " + waits);
    const waitDesc = await page.locator("#chart-wait desc").textContent();
    expect(/City of Kuohu: Median \d+, 90\u00a0% \d+/.test(waitDesc), "the waiting chart reads out: " + waitDesc);
    const hours = (await page.locator("#hours-table tbody td").allTextContents()).map(Number);
    expect(hours.reduce((a, b) => a + b, 0) === 6, "six arrivals by hour: " + hours);
    const weekdays = (await page.locator("#weekdays-table tbody td").allTextContents()).map(Number);
    // By the weekday of issued_at in the site's time zone, not of the service
    // day: between midnight and the daily reset the two differ.
    const wd = new Date().toLocaleDateString("en-GB", { weekday: "short", timeZone: "Europe/Helsinki" });
    const monday0 = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(wd);
    expect(weekdays[monday0] === 6 && weekdays.reduce((a, b) => a + b, 0) === 6, "arrivals by weekday: " + weekdays);
    const fb = await cells(page, "feedback-table", "Whole site");
    expect(fb[0] === "2" && fb[1] === "3.50", "the site's feedback, the one by the exit too: " + fb);
    const fbCity = await cells(page, "feedback-table", "City of Kuohu");
    expect(fbCity[0] === "1" && fbCity[1] === "5.00", "the city's feedback: " + fbCity);
    expect((await page.locator("#chart-feedback rect").count()) === 2, "two ratings in the feedback chart");
    expect((await cells(page, "idle-table", "Counter 1")).length === 4, "counter 1's idle time");
    expect((await cells(page, "idle-table", "All counters")).length === 4, "all counters' idle time");
    const cat = await cells(page, "categories-table", "Uncategorised");
    expect(cat.includes("2"), "the uncategorised matters: " + cat);
    await shot(page, "manager-charts");

    // Every kind as CSV, all as JSON.
    for (const kind of ["billing", "times", "arrivals", "idle", "feedback", "categories"]) {
      const link = page.locator(`#report-csv-${kind}`);
      const u = await link.getAttribute("href");
      expect(u.includes(`kind=${kind}`) && u.includes("format=csv") && u.includes("period=month"), "the link: " + u);
      const got = await page.evaluate(async (x) => {
        const r = await fetch(x);
        return { status: r.status, type: r.headers.get("content-type"), text: await r.text() };
      }, u);
      expect(got.status === 200 && got.type.startsWith("text/csv") && got.text.startsWith("period,"),
        `the ${kind} CSV: ` + got.text.slice(0, 100));
    }
    const all = await page.evaluate(async (x) => (await fetch(x)).json(),
      await page.locator("#report-json").getAttribute("href"));
    expect(all.billing.some((r) => r.period === "total" && r.provider === "kunta" && r.events === 2), "the JSON");

    // By day: a row for today in the table of periods.
    await page.getByLabel("Grouping").selectOption("day");
    await page.getByRole("button", { name: "Show report" }).click();
    const today = new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", day: "numeric", month: "numeric", year: "numeric" })
      .format(new Date(day * 86400000)); // the page's language's date, not ISO
    await waitFor(async () => (await cells(page, "periods-table", today)).length > 0, "a row for " + today);
    expect((await cells(page, "periods-table", today))[0] === "2", "today's events");
    expect((await page.locator("#report-csv-billing").getAttribute("href")).includes("period=day"), "by day");
    // A target wait out of range is refused before asking.
    await page.getByLabel("Target wait (min)").fill("0");
    await page.getByRole("button", { name: "Show report" }).click();
    await page.locator("#report-result .error").waitFor();
    await page.getByLabel("Target wait (min)").fill("15");
    await page.getByRole("button", { name: "Show report" }).click();
    await page.locator("#chart-events").waitFor();

    // Finnish and Swedish words, the same figures.
    await page.locator("#lang").selectOption("fi");
    await waitFor(async () => (await page.locator("#chart-events title").first().textContent())
      .startsWith("Palvelutapahtumat kanavittain"), "the chart in Finnish");
    expect((await cells(page, "feedback-table", "Koko palvelupiste"))[0] === "2", "Finnish table");
    await audit(page, "manager report in Finnish");
    await page.locator("#lang").selectOption("sv");
    await waitFor(async () => (await page.locator("#chart-weekdays title").first().textContent())
      .startsWith("Ankomster per veckodag"), "the chart in Swedish");
    await shot(page, "manager-charts-sv");

    expect(failed.length === 0, "no failed requests: " + failed.join(", "));
    expect(page.jsErrors.length === 0, "no console errors: " + page.jsErrors.join(" | "));
  } finally {
    await page?.context().close();
    await v.cleanup();
  }
});

test("manager: served and service events side by side with why, a missed call served is no no-show, dates in Finnish, wide tables scroll in their box at 1366×768", async () => {
  const v = await startVuorod();
  let page;
  try {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await issue(v, "guide")).ticket.id);
    await ok(v, "POST", "/api/counters/1/open", {}, "anna");
    const call = (id) => ok(v, "POST", "/api/counters/1/call", { ticket: id }, "anna");
    // A001 misses its call, goes back in line, and is served.
    await call(ids[0]);
    expect((await ok(v, "POST", "/api/counters/1/noshow", {}, "anna")).ticket.state === "waiting", "A001 back in line");
    await call(ids[0]);
    await ok(v, "POST", "/api/counters/1/start", {}, "anna");
    await ok(v, "POST", "/api/counters/1/end", { outcome: "resolved" }, "anna");
    // A002 is served, transferred to Kela and served there: two visits.
    await call(ids[1]);
    await ok(v, "POST", "/api/counters/1/start", {}, "anna");
    await ok(v, "POST", "/api/counters/1/transfer", { service: "kela" }, "anna");
    await call(ids[1]);
    await ok(v, "POST", "/api/counters/1/start", {}, "anna");
    await ok(v, "POST", "/api/counters/1/end", { outcome: "resolved" }, "anna");
    // A003 misses both its calls: a no-show.
    await call(ids[2]);
    await ok(v, "POST", "/api/counters/1/noshow", {}, "anna");
    await call(ids[2]);
    expect((await ok(v, "POST", "/api/counters/1/noshow", {}, "anna")).ticket.state === "no_show", "A003 given up");

    page = await open(v.url + "/manager", { lang: "fi", width: 1366, height: 768 });
    await logIn(page, "maija", { lang: "fi" });
    const tile = (id) => page.locator(`#${id}`);
    await waitFor(async () => (await tile("t-events").textContent().catch(() => "")) === "3", "3 service events today");
    expect(await tile("t-served").textContent() === "2", "2 served (tickets)");
    expect(await tile("t-no-shows").textContent() === "1", "1 no-show: A003, not A001 that was served");
    expect(await tile("t-missed").textContent() === "1", "1 missed call back in line (A001)");
    const note = await page.locator("#served-note").textContent();
    expect(note.includes("siirretty vuoronumero") && note.includes("Ei saapunut"), "why they differ: " + note);
    // Per provider, the report's events beside the served: the city served
    // one and had two events (A001, and A002 before its transfer).
    const city = await rowOf(page, "today-providers", "Kuohun kaupunki");
    expect(city[3] === "1" && city[4] === "2" && city[5] === "1", "the city: served 1, events 2, 1 no-show: " + city);
    const kela = await rowOf(page, "today-providers", "Kela");
    expect(kela[3] === "1" && kela[4] === "1" && kela[5] === "0", "Kela: " + kela);

    // The report counts the same: the city's visits 2, no-shows 1.
    await page.locator("#report-table").waitFor();
    const row = await page.locator('#report-table tbody tr:has(th:text-is("Kuohun kaupunki")) td').allTextContents();
    const { day } = await ok(v, "GET", "/api/status");
    const month = new Intl.DateTimeFormat("fi-FI", { timeZone: "UTC", month: "long", year: "numeric" })
      .format(new Date(day * 86400000));
    // month, visits, the six channels, no-shows …
    expect(row[0] === month && row[1] === "2" && row[8] === "1", "the report's city row: " + row);

    // Dates in Finnish, nowhere ISO.
    const title = await page.locator("#today-title").textContent();
    const date = new Intl.DateTimeFormat("fi-FI", { timeZone: "UTC", day: "numeric", month: "long", year: "numeric" })
      .format(new Date(day * 86400000));
    expect(title === `Tänään, ${date}` || title.endsWith(date), "today's date in Finnish: " + title);
    const text = await page.locator("#app").innerText();
    expect(!/\b\d{4}-\d\d(-\d\d)?\b/.test(text), "no ISO date on the page: " + text.match(/\b\d{4}-\d\d(-\d\d)?\b/));

    // At 1366 px the page never scrolls sideways; a table wider than its
    // box scrolls inside it, its header row and first column kept in view.
    const layout = await page.evaluate(() => {
      const out = { page: document.documentElement.scrollWidth <= window.innerWidth, boxes: [] };
      for (const table of document.querySelectorAll("#app table")) {
        const box = table.closest(".scroll");
        if (!box) {
          out.boxes.push({ id: table.id, bad: "not in a scroll box" });
          continue;
        }
        const wide = box.scrollWidth > box.clientWidth + 1;
        box.scrollLeft = box.scrollWidth;
        const b = box.getBoundingClientRect();
        const first = table.querySelector("tbody tr > :first-child")?.getBoundingClientRect();
        const head = table.querySelector("thead th")?.getBoundingClientRect();
        out.boxes.push({
          id: table.id, wide, overflow: getComputedStyle(box).overflowX,
          firstKept: !first || (first.left >= b.left - 1 && first.right <= b.right + 1),
          headKept: !head || (head.top >= b.top - 1 && head.bottom <= b.bottom + 1),
        });
      }
      return out;
    });
    expect(layout.page, "no sideways scrolling of the page at 1366 px");
    for (const b of layout.boxes) {
      expect(!b.bad, `${b.id}: ${b.bad}`);
      expect(b.overflow === "auto", `${b.id} scrolls in its own box`);
      expect(b.firstKept && b.headKept, `${b.id}: its first column and header kept when scrolled: ` + JSON.stringify(b));
    }
    const wide = layout.boxes.filter((b) => b.wide).map((b) => b.id);
    await page.locator("#report-table").scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, "manager-fi-1366-report-scrolled.png") });
    await page.evaluate(() => document.querySelectorAll(".scroll").forEach((b) => { b.scrollLeft = 0; }));
    await shot(page, "manager-fi-1366");
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(SHOTS, "manager-fi-1366-today.png") });
    await audit(page, "manager in Finnish at 1366");
    console.log("# tables wider than their box at 1366 px (scrolling inside it): " + (wide.join(", ") || "none"));

    // By week: the week in words, not "2026-W49".
    await page.getByLabel("Ryhmittely").selectOption("week");
    await page.getByRole("button", { name: "Näytä raportti" }).click();
    await waitFor(async () => (await page.locator("#periods-table tbody th").allTextContents())
      .some((w) => /^viikko \d+ \/ \d{4}$/.test(w)), "a week's row in Finnish words");

    // Live: one more visit ends — served and events both move, no reload.
    const id = (await issue(v, "permits")).ticket.id;
    await call(id);
    await ok(v, "POST", "/api/counters/1/start", {}, "anna");
    await ok(v, "POST", "/api/counters/1/end", { outcome: "resolved" }, "anna");
    await waitFor(async () => (await tile("t-events").textContent()) === "4", "4 events, live");
    await waitFor(async () => (await tile("t-served").textContent()) === "3", "3 served, live");
    expect(page.jsErrors.length === 0, "no console errors: " + page.jsErrors.join(" | "));
  } finally {
    await page?.context().close();
    await v.cleanup();
  }
});
