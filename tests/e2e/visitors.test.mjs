// SPDX-License-Identifier: GPL-3.0-or-later
// The visitor register (issue 17, item 8) in a real Chromium against a real
// vuorod: the reception logs in on /reception, signs a visitor in (a host
// picked among the site's users), sees the badge number and the visitor in
// the building, a second one with a host written by hand; a second reception
// page, open before, lists them without a reload (the "visitors" event);
// one is signed out and leaves the list, staying in the day's register.
// An advisor is refused the page.  axe checks each view (fi and en), and
// each is photographed.

import fs from "node:fs";
import { test, startVuorod, open, shot, audit, expect, waitFor, ROOT, logIn } from "./lib.mjs";

const FI = JSON.parse(fs.readFileSync(`${ROOT}/ui/i18n/fi.json`, "utf8"));

test("visitors: /reception signs a visitor in and out, live on a second page", async () => {
  const v = await startVuorod([["visitors", "enabled", "yes"]]);
  const pages = [];
  try {
    // An advisor: refused, saying why.
    const advisor = await open(v.url + "/reception", { lang: "en" });
    pages.push(advisor);
    await logIn(advisor, "anna");
    await waitFor(async () => (await advisor.locator("#refused-text").innerText()).includes("for the reception"),
      "an advisor is refused the page");
    expect(await advisor.locator("#app").isHidden(), "nothing of the register shown");

    // A second reception page (Finnish), open before anything happens.
    const other = await open(v.url + "/reception", { lang: "fi" });
    pages.push(other);
    await logIn(other, "maija", { lang: "fi" });
    await other.waitForSelector("#inside-none");
    await other.evaluate(() => {
      window.__notReloaded = true;
    });

    const page = await open(v.url + "/reception", { lang: "en" });
    pages.push(page);
    await logIn(page, "rita");
    await page.waitForSelector("#inside-none");
    await audit(page, "reception: empty");

    // Without a host: vuorod's words, shown as an alert; what was typed stays.
    await page.getByLabel("Visitor's name").fill("Ville Vieras");
    await page.getByRole("button", { name: "Sign in and print the badge" }).click();
    await waitFor(async () => (await page.locator("#visitor-result").innerText()).includes("whom the visitor visits"),
      "no host: refused, saying why");
    expect(await page.locator("#visitor-result").getAttribute("role") === "alert", "the refusal is an alert");
    expect(await page.getByLabel("Visitor's name").inputValue() === "Ville Vieras", "the name stays");

    // A user of the site as host.
    await page.getByLabel("Organisation (optional)").fill("Verohallinto");
    await page.getByLabel("Visiting").fill("anna");
    await page.getByRole("button", { name: "Sign in and print the badge" }).click();
    await waitFor(async () => (await page.locator("#visitor-result").innerText()) === "Ville Vieras signed in: badge 1.",
      "signed in with badge 1").catch(async (e) => {
      throw new Error(e.message + ": " + (await page.locator("#visitor-result").innerText()));
    });
    // A host written by hand.
    await page.getByLabel("Visitor's name").fill("Åsa Öberg");
    await page.getByLabel("Visiting").fill("Liisa Lahtinen (HR)");
    await page.getByRole("button", { name: "Sign in and print the badge" }).click();
    await waitFor(async () => (await page.locator("#visitor-result").innerText()) === "Åsa Öberg signed in: badge 2.",
      "signed in with badge 2");
    await waitFor(async () => (await page.locator("#inside-table tbody tr").count()) === 2, "two in the building");
    expect((await page.locator("#inside-count").innerText()) === "2 visitors in the building", "counted");
    const first = page.locator("#inside-table tbody tr").first();
    const cells = await first.locator("th, td").allInnerTexts();
    expect(cells[0] === "1" && cells[1] === "Ville Vieras" && cells[2] === "Verohallinto" && cells[3] === "anna",
      "the row: " + cells.join(" | "));
    // The API agrees: the host was stored as the user anna.
    const api = await page.evaluate(async () => (await (await fetch("/api/visitors?in=1")).json()).visitors);
    expect(api.map((x) => [x.badge, x.host_user]).join(";") === "1,anna;2,", "hosts: " + JSON.stringify(api));
    // The badge went to the printer.
    expect(fs.readdirSync(`${v.dir}/tickets`).filter((f) => f.endsWith(".bin")).length === 2, "two badges printed");
    await shot(page, "visitors-reception-two-in");
    await audit(page, "reception: two in the building");

    // The other page: live, in Finnish.
    await waitFor(async () => (await other.locator("#inside-table tbody tr").count()) === 2, "the other page lists them");
    expect(await other.evaluate(() => window.__notReloaded === true), "no reload");
    expect((await other.locator("#inside-count").innerText()) === FI["reception.inside_count"].replace("{n}", "2"),
      "Finnish count");
    await shot(other, "visitors-reception-fi");
    await audit(other, "reception (fi)");

    // Sign out Ville: leaves the list, stays in the day's register with an out time.
    await page.getByRole("button", { name: "Sign out Ville Vieras (badge 1)" }).click();
    await waitFor(async () => (await page.locator("#visitor-result").innerText()) === "Ville Vieras signed out; badge 1 is free.",
      "signed out");
    await waitFor(async () => (await page.locator("#inside-table tbody tr").count()) === 1, "one left in the building");
    expect((await page.locator("#inside-count").innerText()) === "1 visitor in the building", "one, singular");
    const reg = page.locator("#register-table tbody tr");
    expect((await reg.count()) === 2, "both in the day's register");
    const out = await reg.first().locator("td").nth(4).innerText();
    expect(/^\d\d:\d\d$/.test(out), "an out time: " + out);
    expect((await reg.nth(1).locator("td").nth(4).innerText()) === "in the building", "Åsa still in");
    await waitFor(async () => (await other.locator("#inside-table tbody tr").count()) === 1, "the other page too");
    await shot(page, "visitors-reception-signed-out");
    await audit(page, "reception: after a sign-out");
    const errs = page.jsErrors.filter((e) => !/status of 400/.test(e));
    expect(!errs.length, "no JS errors but the refused POST: " + page.jsErrors.join("; "));
    expect(other.jsErrors.length === 0, "no JS errors: " + other.jsErrors.join("; "));
  } finally {
    for (const p of pages) await p.context().close().catch(() => {});
    await v.cleanup();
  }
});
