// SPDX-License-Identifier: GPL-3.0-or-later
// The hub's billing page in a real Chromium, driven by
// tests/integration/test_hub_billing.py (which runs the hub, PostgreSQL and
// NATS):  node tests/e2e/hub-billing-page.mjs URL USER PASSWORD LANG PROVIDER PERIOD
// Logs in on the page, shows PROVIDER's statement for PERIOD, saves
// build/e2e/hub-billing-LANG.png (screen) and hub-billing-LANG-print.png and
// .pdf (A4, print media), runs axe, and prints what it saw as one JSON line.

import fs from "node:fs";
import path from "node:path";
import { browser, closeBrowser, audit, SHOTS } from "./lib.mjs";

const [url, user, password, lang, provider, period, action] = process.argv.slice(2);
const b = await browser();
const ctx = await b.newContext({ viewport: { width: 1280, height: 900 } });
await ctx.addInitScript((l) => localStorage.setItem("vuoro-hub-lang", l), lang);
const page = await ctx.newPage();
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));
// The shell asks /api/whoami before the login: that one 401 is expected.
page.on("console", (m) => m.type() === "error" && !/status of 401/.test(m.text()) && errors.push(m.text()));
fs.mkdirSync(SHOTS, { recursive: true });
try {
  await page.goto(url + "/hub/billing");
  await page.locator("#user").fill(user);
  await page.locator("#password").fill(password);
  await page.locator("#login-button").click();
  await page.locator("#provider option").first().waitFor({ state: "attached" });
  const providers = await page.locator("#provider option").allTextContents();
  const providerDisabled = await page.locator("#provider").isDisabled();
  if (!providerDisabled) await page.locator("#provider").selectOption(provider);
  await page.locator("#period").selectOption(period);
  await page.locator("#show").click();
  await page.locator("#statement-title").filter({ hasText: provider }).waitFor();
  await page.locator("#statement table").first().waitFor();
  let closedSaid = null;
  if (action === "close") {
    page.once("dialog", (d) => d.accept());
    await page.locator("#close").click();
    await page.locator("#close").waitFor({ state: "hidden" });
    await page.locator("#out [role=status]").waitFor();
    closedSaid = await page.locator("#out").textContent();
  }
  await page.screenshot({ path: path.join(SHOTS, `hub-billing-${lang}.png`), fullPage: true });
  await audit(page, "the billing page");
  const rows = await page.locator("#statement table").first().locator("tbody tr").evaluateAll(
    (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
  const sums = await page.locator("#statement tr.sum td").allTextContents();
  // Trial visits, apart from the lines (issue 17, item 10).
  const trialRows = await page.locator("#trial-h ~ table tbody tr").evaluateAll(
    (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
  const closeVisible = await page.locator("#close").isVisible();
  const csvHref = await page.locator("#csv").getAttribute("href");
  await page.emulateMedia({ media: "print" });
  const hiddenInPrint = await page.evaluate(() =>
    [".top", "#pick"].every((s) => getComputedStyle(document.querySelector(s)).display === "none"));
  await page.screenshot({ path: path.join(SHOTS, `hub-billing-${lang}-print.png`), fullPage: true });
  const pdf = await page.pdf({ path: path.join(SHOTS, `hub-billing-${lang}.pdf`), format: "A4",
    preferCSSPageSize: true });
  console.log(JSON.stringify({
    title: await page.locator("#statement-title").textContent(),
    state: await page.locator("#statement-state").textContent(),
    heading: await page.locator("#title").textContent(),
    dir: await page.evaluate(() => document.documentElement.dir),
    providers, providerDisabled, rows, sums, trialRows, closeVisible, csvHref, hiddenInPrint, closedSaid,
    pdfBytes: pdf.length, errors,
  }));
} finally {
  await ctx.close();
  await closeBrowser();
}
