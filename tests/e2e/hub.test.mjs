// SPDX-License-Identifier: GPL-3.0-or-later
// The region hub's pages in a real Chromium against a real vuoro-hub
// (PostgreSQL, a broker, records published as the sites do:
// tests/integration/hubweb_serve.py): log in at /hub, the role's links,
// /hub/reports with the figures that were published, a provider's manager
// limited to their provider's rows.

import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test, open, shot, audit, expect, waitFor, ROOT, BUILD } from "./lib.mjs";

// Starts the hub; resolves {url, stop()}.
function startHub(users) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vuoro-hub-e2e-"));
  const proc = spawn("/usr/bin/python3", [path.join(ROOT, "tests/integration/hubweb_serve.py"), dir, ...users],
    { cwd: path.join(ROOT, "tests/integration"), env: { ...process.env, BUILD_DIR: BUILD },
      stdio: ["pipe", "pipe", "pipe"] });
  let err = "";
  proc.stderr.on("data", (d) => { err += d; });
  return new Promise((resolve, reject) => {
    let out = "";
    proc.stdout.on("data", (d) => {
      out += d;
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) {
        resolve({
          url: JSON.parse(line).url,
          stop: () => new Promise((done) => {
            proc.on("exit", () => {
              fs.rmSync(dir, { recursive: true, force: true });
              done();
            });
            proc.stdin.end();
          }),
        });
      }
    });
    proc.on("exit", (code) => reject(new Error(`hubweb_serve.py exited ${code}: ${err.slice(-2000)}`)));
  });
}

async function logIn(page, user) {
  await page.locator("#user").fill(user);
  await page.locator("#password").fill(`hub-pass-long-${user}-1`);
  await page.locator("#login-button").click();
}

const cells = (page, sel) => page.locator(sel).allInnerTexts();

test("hub: a manager logs in, opens the reports and sees the published figures", async () => {
  const hub = await startHub(["mia:manager", "kb:provider-manager:kela", "teo:technician"]);
  try {
    const page = await open(hub.url + "/hub", { lang: "en" });
    await page.evaluate(() => localStorage.setItem("vuoro-hub-lang", "en"));
    await page.reload();
    await page.locator("#login-form").waitFor();
    await logIn(page, "mia");
    await page.locator("#page-reports").waitFor();
    const links = await page.locator("#pages a").allInnerTexts();
    expect(JSON.stringify(links) === JSON.stringify(["Reports", "Billing", "Service points"]),
      "a manager's pages: " + links);
    await shot(page, "hub-front-manager");
    await audit(page, "hub front page");

    await page.locator("#page-reports").click();
    await page.locator("#report-go").waitFor();
    await page.locator("#report-from").fill("2026-12-01");
    await page.locator("#report-to").fill("2027-01-01");
    await page.locator("#report-go").click();
    await waitFor(async () => (await page.locator("#report-table tbody tr").count()) > 0, "the rows");
    const heads = await cells(page, "#report-table thead th");
    expect(heads[0] === "Period" && heads[2] === "Events", "translated headings: " + heads.slice(0, 3));
    // whole range, every provider: 6 service events (test_hub_web.VISITS)
    const total = page.locator("#report-table tbody tr.total").filter({ hasText: "all" });
    const row = await total.locator("th, td").allInnerTexts();
    expect(row[0] === "whole range" && row[1] === "all" && row[2] === "6", "the total row: " + row);
    expect(await page.locator("#report-csv").getAttribute("href") ===
      "/api/hub/reports?kind=billing&from=2026-12-01&to=2027-01-01&period=month&format=csv", "the CSV link");
    expect(!(await page.locator("#report").innerText()).includes("null"), "no stray null");
    expect(await page.locator("#report-scope").count() === 0, "no provider scope for a manager");
    await shot(page, "hub-reports-manager");
    await audit(page, "hub reports");
    // arrivals: hours in the region's time zone (10:30 and 11:30 Helsinki)
    await page.locator("#report-kind").selectOption("arrivals");
    await page.locator("#report-go").click();
    await waitFor(async () => (await cells(page, "#report-table thead th")).includes("10:00"), "hour columns");
    const aHeads = await cells(page, "#report-table thead th");
    const aTotal = await page.locator("#report-table tbody tr.total").filter({ hasText: "all" })
      .locator("th, td").allInnerTexts();
    expect(aTotal[aHeads.indexOf("Tickets")] === "4" && aTotal[aHeads.indexOf("10:00")] === "2" &&
      aTotal[aHeads.indexOf("11:00")] === "2" && aTotal[aHeads.indexOf("Thu")] === "3",
    "arrivals: " + aTotal);
    await shot(page, "hub-reports-arrivals");
    // idle time per site and counter (test_hub_web.IDLE_EXPECT): every site's total row
    await page.locator("#report-kind").selectOption("idle");
    await page.locator("#report-from").fill("2026-11-10");
    await page.locator("#report-to").fill("2026-11-12");
    await page.locator("#report-go").click();
    await waitFor(async () => (await cells(page, "#report-table thead th")).includes("Counter"), "idle columns");
    const iHeads = await cells(page, "#report-table thead th");
    const iTotal = await page.locator("#report-table tbody tr.total").filter({ hasText: "Every service point" })
      .locator("th, td").allInnerTexts();
    expect(iTotal[0] === "whole range" && iTotal[iHeads.indexOf("Counter")] === "all counters" &&
      iTotal[iHeads.indexOf("Open (s)")] === "64800" && iTotal[iHeads.indexOf("Idle (s)")] === "62300" &&
      iTotal[iHeads.indexOf("Idle share %")] === "96.1", "idle: " + iHeads + " / " + iTotal);
    expect((await page.locator("#report-note").innerText()).includes("midnight"), "the definition said");
    await shot(page, "hub-reports-idle");
    await audit(page, "hub reports idle");
    await page.context().close();

    // kela's manager: only kela's rows, and told so
    const kb = await open(hub.url + "/hub/reports", { lang: "en" });
    await kb.evaluate(() => localStorage.setItem("vuoro-hub-lang", "en"));
    await kb.reload();
    await kb.locator("#login-form").waitFor();
    await logIn(kb, "kb");
    await kb.locator("#report-go").waitFor();
    await kb.locator("#report-from").fill("2026-12-01");
    await kb.locator("#report-to").fill("2027-01-01");
    await kb.locator("#report-go").click();
    await waitFor(async () => (await kb.locator("#report-table tbody tr").count()) > 0, "kela's rows");
    const providers = new Set(await cells(kb, "#report-table tbody tr td:nth-of-type(1)"));
    expect(providers.size === 2 && providers.has("kela") && providers.has("all"), "only kela: " + [...providers]);
    expect((await kb.locator("#report-scope").innerText()).includes("kela"), "the scope said");
    const kinds = await kb.locator("#report-kind option").evaluateAll((o) => o.map((x) => x.value));
    expect(!kinds.includes("idle") && kinds.includes("billing"), "no idle time for a provider: " + kinds);
    await shot(kb, "hub-reports-provider");
    await kb.context().close();

    // a technician is refused the reports page
    const teo = await open(hub.url + "/hub/reports", { lang: "en" });
    await teo.locator("#login-form").waitFor();
    await logIn(teo, "teo");
    await teo.locator("#refused-text").waitFor();
    await teo.context().close();
  } finally {
    await hub.stop();
  }
});

// WCAG 2.2 AA beyond axe on the region's pages too (issue 20 item 6, as
// wcag.test.mjs does for a site's): logged in with the keyboard, a visible
// focus at every stop, 24 px targets, reflow at 320 CSS px.
test("hub wcag: the region's pages with the keyboard only — focus visible, 24 px targets, reflow at 320 px", async () => {
  const { focusAndTargets, reflow320, keyboardLogIn } = await import("./lib.mjs");
  const hub = await startHub(["mia:manager", "teo:technician"]);
  const problems = [];
  try {
    for (const [where, width, height] of [["/hub", 1280, 800], ["/hub/reports", 1280, 800],
      ["/hub/billing", 1280, 800], ["/hub/fleet", 1280, 800],
      ["/hub", 320, 640], ["/hub/reports", 320, 640], ["/hub/billing", 320, 640], ["/hub/fleet", 320, 640]]) {
      const page = await open(hub.url + where, { width, height, lang: "en" });
      await page.evaluate(() => localStorage.setItem("vuoro-hub-lang", "en"));
      await page.reload();
      await page.locator("#login-form").waitFor();
      const user = where === "/hub/fleet" ? "teo" : "mia"; // the service points: a technician's
      await keyboardLogIn(page, user, `hub-pass-long-${user}-1`);
      await page.locator("#login-form").waitFor({ state: "hidden" });
      await page.waitForLoadState("networkidle");
      await page.waitForTimeout(300); // the first render's late parts
      const label = `${where} at ${width} px`;
      if (width === 320) await reflow320(page, label, problems);
      else {
        const { stops, small } = await focusAndTargets(page, label, problems);
        console.log(`# ${label}: ${stops} focus stops, ${small} small targets`);
      }
      await page.context().close();
    }
    expect(problems.length === 0, problems.join("\n"));
  } finally {
    await hub.stop();
  }
});
