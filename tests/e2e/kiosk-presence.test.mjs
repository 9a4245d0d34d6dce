// SPDX-License-Identifier: GPL-3.0-or-later
// The kiosk, /t/REF and /display when the hub says no expert of a provider
// is online (issue 16, item 5), in a real Chromium against a real site with
// [uplink] on a real nats-server (presence_site.py; the hub is the NATS
// client publishing vuoro.hub.presence): the remote service is disabled
// with "no expert is available now" and the provider's counter service to
// take instead, in Finnish and in Arabic (right to left); a customer already
// in that line is told on the follow page; an expert coming online enables
// it again — each change heard on /api/events, no reload.

import { spawn } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import { test, open, shot, audit, expect, waitFor, ROOT, USERS } from "./lib.mjs";

const PORTRAIT = { width: 1080, height: 1920 };
const PHONE = { width: 390, height: 844 };
const serviceButton = (page, code) => page.locator(`button.service[data-service="${code}"]`);

async function startSite() {
  const proc = spawn("/usr/bin/python3", [path.join(ROOT, "tests", "e2e", "presence_site.py")],
    { stdio: ["pipe", "pipe", "inherit"], env: { ...process.env } });
  const lines = readline.createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  const next = () => Promise.race([
    lines.next().then((r) => r.value),
    new Promise((_, reject) => setTimeout(() => reject(new Error("presence_site.py: no answer in 90 s")), 90000)),
  ]);
  const info = JSON.parse(await next());
  info.presence = async (providers) => {
    proc.stdin.write(JSON.stringify({ providers }) + "\n");
    expect((await next()) === "ok", "presence published");
  };
  info.api = async (method, p, body) => {
    const r = await fetch(info.site + p, { method, headers: { "Content-Type": "application/json" },
      body: body ? JSON.stringify(body) : undefined });
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

test("kiosk: no expert online — the video service disabled with what else to do (fi, ar), the waiting told", async () => {
  const site = await startSite();
  try {
    // Somebody already waits for a Kela expert by video, following on a phone.
    const r = await site.api("POST", "/api/tickets", { service: "kela-video", lang: "fi", handout: "screen" });
    expect(r.status === 201, "a kela-video ticket: " + JSON.stringify(r.body));
    // … and another one, whom an advisor will take over.
    const other = (await site.api("POST", "/api/tickets", { service: "kela-video", lang: "en", handout: "screen" })).body.ticket;
    const follow = await open(site.site + "/t/" + r.body.ticket.ref, PHONE);
    await follow.waitForSelector("#ticket:not([hidden])");
    expect(await follow.locator("#unavailable").isHidden(), "no notice while an expert may answer");

    const page = await open(site.site + "/kiosk", { ...PORTRAIT, lang: "fi" });
    await page.waitForSelector("button.service");
    await page.getByRole("button", { name: "Suomi" }).click();
    const kv = serviceButton(page, "kela-video");
    expect(await kv.getAttribute("aria-disabled") === null, "offered while the booths work, no word from the hub");

    // The hub: an employment expert online, none of Kela.
    await site.presence({ te: { online: 1, free: 1 } });
    await waitFor(async () => await kv.getAttribute("aria-disabled") === "true", "kela-video disabled", 10000);
    const fi = await kv.innerText();
    expect(fi.includes("Asiantuntija ei ole nyt tavoitettavissa") &&
      fi.includes("Voit ottaa vuoronumeron palveluun Kelan etuudet tai varata ajan."), "the reason and what else: " + fi);
    expect(await serviceButton(page, "te-video").getAttribute("aria-disabled") === null, "te-video still offered");
    await shot(page, "kiosk-no-expert-fi");
    await audit(page, "kiosk with no expert online");
    // A touch explains, and draws nothing.
    await kv.click({ force: true });
    await page.waitForSelector(".message[role=alert]");
    expect((await page.locator(".message").innerText()).includes("Asiantuntija ei ole nyt tavoitettavissa"),
      "the reason, again");

    // In Arabic, right to left.
    await page.getByRole("button", { name: "العربية" }).click();
    await waitFor(async () => (await kv.innerText()).includes("لا يوجد خبير متاح الآن"), "Arabic words");
    expect(await page.evaluate(() => document.documentElement.dir) === "rtl", "the page is right to left");
    expect((await kv.innerText()).includes("مخصصات كيلا"), "the counter service named in Arabic");
    await shot(page, "kiosk-no-expert-ar");

    // The one already waiting is told, without a reload.
    await waitFor(async () => await follow.locator("#unavailable").isVisible(), "the follow page's notice", 10000);
    const notice = await follow.locator("#unavailable").innerText();
    expect(notice.startsWith("Tämän palvelun asiantuntija ei ole nyt tavoitettavissa"), "in the ticket's language: " + notice);
    await shot(follow, "follow-no-expert-fi");

    // The waiting room's display says it for the line.
    const display = await open(site.site + "/display", { width: 1920, height: 1080 });
    await waitFor(async () => (await display.locator("#services").innerText()).includes("Ei asiantuntijaa nyt"),
      "the display says no expert", 10000);
    await shot(display, "display-no-expert");

    // An advisor at counter 1 sees the line no expert can answer and takes
    // the second customer over: called here, then sent to Kela's counter line.
    const adv = await open(site.site + "/advisor", { width: 1280, height: 800 });
    await adv.waitForSelector("#login-view:not([hidden])");
    await adv.fill("#user", "anna");
    await adv.fill("#password", USERS.anna[1]);
    await adv.press("#password", "Enter");
    await adv.waitForSelector("#counter-view:not([hidden])");
    await adv.check('#counter-list input[value="1"]');
    await adv.click("#open-btn");
    await adv.waitForSelector("#console-view:not([hidden])");
    await adv.waitForSelector("#takeover:not([hidden])");
    const item = adv.locator(`#takeover-list li[data-id="${other.id}"]`);
    expect((await item.innerText()).includes(other.code), "the second customer listed");
    await shot(adv, "advisor-takeover");
    await item.locator("button.takeover").click();
    await waitFor(async () => (await adv.textContent("#cur-code")) === other.code, "called to counter 1");
    expect(await adv.inputValue("#t-service") === "kela", "Kela's counter line offered for the transfer");
    await adv.click("#b-transfer");
    await waitFor(async () => (await site.api("GET", "/api/follow/" + other.ref)).body.service === "kela",
      "transferred to kela");
    const moved = (await site.api("GET", "/api/follow/" + other.ref)).body;
    expect(moved.state === "waiting" && !moved.unavailable, "waits for a counter: " + JSON.stringify(moved));

    // A Kela expert comes online (busy): offered again, the notice goes.
    await site.presence({ te: { online: 1, free: 1 }, kela: { online: 1, free: 0 } });
    await waitFor(async () => await kv.getAttribute("aria-disabled") === null, "kela-video offered again", 10000);
    await waitFor(async () => await follow.locator("#unavailable").isHidden(), "the notice gone", 10000);
    for (const p of [page, follow, display, adv]) {
      expect(p.jsErrors.length === 0, "no console errors: " + p.jsErrors.join(" | "));
      await p.context().close();
    }
  } finally {
    await site.stop();
  }
});
