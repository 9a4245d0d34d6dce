// SPDX-License-Identifier: GPL-3.0-or-later
// Opening-hour exceptions (issue 17, item 4) in a real Chromium against a
// real vuorod enforcing hours: board-config closes the tax office today
// ("Itsenäisyyspäivä") and gives Kela special hours around now.  The kiosk
// says the closed day's reason on the tax button in Finnish and, when the
// citizen picks it, Swedish; a tap tells the next opening; the Kela button
// tells today's special hours.  /manager lists the exceptions, imports an
// .ics file (the integration tests' fixture), and deletes an imported one.
// axe checks each view, and each is photographed.

import path from "node:path";
import { test, startVuorod, open, shot, audit, expect, waitFor, ROOT, SHOTS, logIn } from "./lib.mjs";

const PORTRAIT = { width: 1080, height: 1920 };
const serviceButton = (page, code) => page.locator(`button.service[data-service="${code}"]`);
const text = (page, sel) => page.locator(sel).first().innerText();

function helsinkiNow() {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/Helsinki", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).formatToParts(new Date()).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, minute: Number(parts.hour) * 60 + Number(parts.minute) };
}
const hhmm = (m, sep = ":") => `${String(Math.floor(m / 60)).padStart(2, "0")}${sep}${String(m % 60).padStart(2, "0")}`;

test("hours exceptions: the kiosk's closed notice in Finnish and Swedish, special hours, /manager's list, import and delete", async () => {
  const now = helsinkiNow();
  // Special hours around now that end before midnight (any hour: at 23:58 the window is shorter).
  const from = Math.max(0, now.minute - 60);
  const to = Math.min(1439, now.minute + 60);
  const v = await startVuorod([
    ["site", "demo-hours", "false"],
    ["hours-exception:itsenaisyyspaiva", "date", now.date],
    ["hours-exception:itsenaisyyspaiva", "closed", "yes"],
    ["hours-exception:itsenaisyyspaiva", "services", "tax"],
    ["hours-exception:itsenaisyyspaiva", "name-fi", "Itsenäisyyspäivä"],
    ["hours-exception:itsenaisyyspaiva", "name-sv", "Självständighetsdagen"],
    ["hours-exception:itsenaisyyspaiva", "name-en", "Independence Day"],
    ["hours-exception:kela-ilta", "date", now.date],
    ["hours-exception:kela-ilta", "hours", `${hhmm(from)}-${hhmm(to)}`],
    ["hours-exception:kela-ilta", "services", "kela"],
    ["hours-exception:kela-ilta", "name-fi", "Iltavastaanotto"],
    ["hours-exception:kela-ilta", "name-sv", "Kvällsmottagning"],
    ["service:kela", "last-ticket-min", "0"],
  ]);
  const pages = [];
  try {
    const status = (await v.api("GET", "/api/status")).body;
    const by = Object.fromEntries(status.services.map((s) => [s.code, s]));
    expect(by.tax.refusal === "closed_today" && by.tax.next_open, "vuorod: tax closed today: " + JSON.stringify(by.tax));
    expect(by.kela.open === true, "vuorod: kela open by its special hours: " + JSON.stringify(by.kela));

    const kiosk = await open(v.url + "/kiosk", PORTRAIT);
    pages.push(kiosk);
    await kiosk.waitForSelector("button.service");
    await waitFor(async () => (await serviceButton(kiosk, "tax").innerText()).includes("Suljettu tänään: Itsenäisyyspäivä"),
      "the tax button says why, in Finnish");
    expect(await serviceButton(kiosk, "tax").getAttribute("aria-disabled") === "true", "tax is disabled");
    const kela = await serviceButton(kiosk, "kela").innerText();
    expect(kela.includes(`Tänään poikkeava aukioloaika ${hhmm(from, ".")}–${hhmm(to, ".")}: Iltavastaanotto`),
      "kela tells today's special hours: " + kela);
    const m = await kiosk.evaluate(() => ({ scroll: document.documentElement.scrollHeight, inner: innerHeight }));
    expect(m.scroll <= m.inner, `the start screen with a closed day and special hours does not scroll (${m.scroll} > ${m.inner})`);
    await serviceButton(kiosk, "tax").click({ force: true });
    await kiosk.waitForSelector(".message[role=alert]");
    const fiMsg = await text(kiosk, ".message");
    expect(fiMsg.includes("Itsenäisyyspäivä") && fiMsg.includes("Avoinna seuraavan kerran") &&
      fiMsg.includes(hhmm(by.tax.next_open.min, ".")), "the next opening, in Finnish: " + fiMsg);
    await shot(kiosk, "hours-kiosk-fi");
    await audit(kiosk, "kiosk with a closed day (fi)");

    await kiosk.getByRole("button", { name: "Svenska" }).click();
    await waitFor(async () => (await serviceButton(kiosk, "tax").innerText()).includes("Stängt i dag: Självständighetsdagen"),
      "the tax button in Swedish");
    await serviceButton(kiosk, "tax").click({ force: true });
    await waitFor(async () => (await text(kiosk, ".message")).includes("Öppet nästa gång"), "the next opening, in Swedish");
    expect((await serviceButton(kiosk, "kela").innerText()).includes("Kvällsmottagning"), "kela's reason in Swedish");
    await shot(kiosk, "hours-kiosk-sv");
    await audit(kiosk, "kiosk with a closed day (sv)");
    const q = await v.api("GET", "/api/queue", null, "anna");
    expect(q.body.tickets.length === 0, "no ticket drawn for the closed service");

    // /manager: the list, an import, a delete.
    const manager = await open(v.url + "/manager", { lang: "en" });
    pages.push(manager);
    await logIn(manager, "maija");
    await manager.waitForSelector("#exceptions-table");
    const rows = manager.locator("#exceptions-table tbody tr");
    await waitFor(async () => (await rows.count()) === 2, "two exceptions today").catch(async (e) => {
      throw new Error(e.message + ": " + (await manager.locator("#hours").innerHTML()));
    });
    // The services by name in the page's language, not by code.
    await waitFor(async () => (await rows.nth(0).innerText()).includes("Taxation"), "the service by its English name");
    const first = await rows.nth(0).innerText();
    expect(first.includes("Taxation") && first.includes("Closed") && first.includes("Independence Day") &&
      first.includes("board-config"), "the closed day listed: " + first);
    expect((await rows.nth(1).innerText()).includes(`${hhmm(from)}–${hhmm(to)}`), "the special hours listed");
    expect(await rows.nth(0).locator("button").count() === 0, "board-config's cannot be deleted here");
    await manager.locator("#hours-file").setInputFiles(path.join(ROOT, "tests", "fixtures", "hours-2030.ics"));
    await manager.getByRole("button", { name: "Import", exact: true }).click();
    await waitFor(async () => (await text(manager, "#hours-result")) === "6 days imported.", "imported");
    await waitFor(async () => (await rows.count()) === 8, "listed with the imported ones")
      .catch(async (e) => {
        throw new Error(e.message + ": " + (await manager.locator("#hours").innerText()));
      });
    const imported = rows.filter({ hasText: "Imported calendar" });
    expect(await imported.count() === 6, "six imported rows");
    expect((await imported.nth(0).innerText()).includes("New Year's Day"), "the reason in English");
    await shot(manager, "hours-manager");
    // The section alone, to look at (the whole page is the report's too).
    await manager.locator("#hours").screenshot({ path: path.join(SHOTS, "hours-manager-list.png") });
    await audit(manager, "manager: opening-hour exceptions");
    await imported.nth(0).getByRole("button").click();
    await waitFor(async () => (await text(manager, "#hours-result")) === "Exception deleted.", "deleted");
    await waitFor(async () => (await rows.count()) === 7, "one fewer");
    for (const p of pages) expect(p.jsErrors.length === 0, "no JS errors: " + p.jsErrors.join("; "));
  } finally {
    for (const p of pages) await p.context().close().catch(() => {});
    await v.cleanup();
  }
});
