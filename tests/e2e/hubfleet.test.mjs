// SPDX-License-Identifier: GPL-3.0-or-later
// The hub's /hub/fleet and the follow page from anywhere, in a real Chromium
// against a real region (hub_region.py: nats-server, PostgreSQL, vuoro-hub,
// one sim site "s1" with [uplink] public-url at the hub): the technician
// sees the site, a fault raised at the site appears on the open page (its
// WebSocket, no reload) and clears; a ticket's QR address opens the hub's
// /t/s1.REF, which shows the place in line and then "your turn — counter 1"
// in the ticket's language; a made-up reference shows the friendly "not found".

import { spawn } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import { test, open, shot, audit, expect, waitFor, ROOT, USERS } from "./lib.mjs";

const PHONE = { width: 390, height: 844 };

async function startRegion() {
  const proc = spawn("/usr/bin/python3", [path.join(ROOT, "tests", "e2e", "hub_region.py")],
    { stdio: ["pipe", "pipe", "inherit"], env: { ...process.env } });
  const rl = readline.createInterface({ input: proc.stdout });
  const info = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("the region did not start in 90 s")), 90000);
    rl.once("line", (l) => {
      clearTimeout(t);
      resolve(JSON.parse(l));
    });
    proc.on("exit", (c) => reject(new Error("hub_region.py exited " + c)));
  });
  const tokens = {};
  info.site_api = async (method, p, body, user) => {
    const headers = { "Content-Type": "application/json" };
    if (user) {
      if (!tokens[user]) {
        const r = await fetch(info.site + "/api/login", { method: "POST", headers,
          body: JSON.stringify({ user, password: USERS[user][1] }) });
        tokens[user] = (await r.json()).token;
      }
      headers.Authorization = "Bearer " + tokens[user];
    }
    const r = await fetch(info.site + p, { method, headers, body: body ? JSON.stringify(body) : undefined });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
  info.stop = async () => {
    const done = new Promise((r) => proc.on("exit", r));
    proc.stdin.end();
    await done;
  };
  return info;
}

test("hub fleet: the site, a fault live over the WebSocket and cleared; the follow page via the hub", async () => {
  const region = await startRegion();
  try {
    // The technician logs in at /hub/fleet (English).
    const page = await open(region.hub + "/hub/fleet", { width: 1280, height: 700 });
    await page.evaluate(() => localStorage.setItem("vuoro-hub-lang", "en"));
    await page.reload();
    await page.locator("#user").fill(region.tech[0]);
    await page.locator("#password").fill(region.tech[1]);
    await page.locator("#login-button").click();
    const row = page.locator('tr[data-site="s1"]');
    await waitFor(async () => (await row.count()) === 1, "s1 on the fleet page", 20000);
    await waitFor(async () => (await row.getAttribute("class")) === "ok", "s1 OK", 10000);
    expect((await row.locator(".state").innerText()) === "OK", "the state says OK");
    expect((await page.locator("#summary").innerText()).startsWith("1 service points"), "the summary");
    await shot(page, "hubfleet-ok");
    await audit(page, "hub fleet");

    // Paper out at the site: on the open page, no reload.
    expect((await region.site_api("POST", "/api/printer/sim", { paper_end: true }, "tech")).status === 200,
      "paper out");
    await region.site_api("POST", "/api/tickets", { service: "guide", handout: "printer" });
    const t0 = Date.now();
    await waitFor(async () => (await row.getAttribute("class")) === "fault", "the fault on the page", 15000);
    console.log(`# the fault reached the fleet page in ${Date.now() - t0} ms`);
    expect((await row.locator(".faults").innerText()).startsWith("printer · paper_out · since"),
      "device, code, since: " + (await row.locator(".faults").innerText()));
    await shot(page, "hubfleet-fault");
    expect((await region.site_api("POST", "/api/printer/sim", {}, "tech")).status === 200, "paper back");
    await waitFor(async () => (await row.getAttribute("class")) === "ok", "the fault cleared", 15000);
    // (the whoami before the login answers 401: not an error of the page)
    const errs = page.jsErrors.filter((e) => !e.includes("401"));
    expect(errs.length === 0, "no errors: " + errs.join("; "));

    // A ticket in Swedish behind another one: its QR's address is the hub's.
    expect((await region.site_api("POST", "/api/counters/1/open", {}, "anna")).status === 200, "counter 1");
    const other = await region.site_api("POST", "/api/tickets", { service: "guide", lang: "fi", handout: "screen" });
    const mine = await region.site_api("POST", "/api/tickets", { service: "guide", lang: "sv", handout: "screen" });
    expect(other.status === 201 && mine.status === 201, "two tickets");
    const tk = mine.body.ticket;
    expect(tk.follow.startsWith("/t/s1."), "the hub's form of the reference: " + tk.follow);
    const status = await (await fetch(region.site + "/api/status")).json();
    expect(status.follow_base === region.hub, "the kiosk's QR base is the hub: " + status.follow_base);

    const phone = await open(region.hub + tk.follow, PHONE);
    const state = () => phone.locator("#state").innerText();
    await waitFor(async () => (await state()) === "1 person före dig", "1 ahead, in Swedish", 15000)
      .catch(async (e) => {
        throw new Error(`${e.message}: the page says ${JSON.stringify(await phone.evaluate(() => document.body.innerText))}; ` +
          phone.jsErrors.join("; "));
      });
    expect((await phone.locator("#number").innerText()) === tk.code, "the number");
    expect((await phone.locator("#service").innerText()) === "Allmän rådgivning", "the service in Swedish");
    expect((await phone.locator("#site").innerText()).length > 0, "the site's name");
    await shot(phone, "hubfleet-follow-waiting");
    await audit(phone, "follow at the hub, waiting");

    const first = await region.site_api("POST", "/api/counters/1/call", {}, "anna");
    expect(first.body.ticket.code === other.body.ticket.code, "the other first");
    await region.site_api("POST", "/api/counters/1/end", {}, "anna");
    const called = await region.site_api("POST", "/api/counters/1/call", {}, "anna");
    expect(called.body.ticket.code === tk.code, "this ticket called");
    const t1 = Date.now();
    await waitFor(async () => (await state()) === "Din tur — disk 1", "'Din tur — disk 1'", 10000);
    console.log(`# the call reached the phone through the hub in ${Date.now() - t1} ms`);
    await shot(phone, "hubfleet-follow-called");
    // (a ticket a moment old may answer 404 until the site's next state: not an error)
    const phoneErrs = phone.jsErrors.filter((e) => !e.startsWith("Failed to load resource"));
    expect(phoneErrs.length === 0, "no errors: " + phoneErrs.join("; "));

    // A made-up reference: the same friendly "not found".
    const bad = await open(region.hub + "/t/s1.AAAAAAAAAAAAAAAAAAAAAA", PHONE);
    await waitFor(async () => await bad.locator("#notfound").isVisible(), "not found", 10000);
    await shot(bad, "hubfleet-follow-notfound");
    await page.context().close();
    await phone.context().close();
    await bad.context().close();
  } finally {
    await region.stop();
  }
});
