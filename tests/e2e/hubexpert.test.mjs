// SPDX-License-Identifier: GPL-3.0-or-later
// An expert serves a booth at a site from the hub (issue 16): headless
// Chromium (fake camera) is the expert on the hub's /hub/expert; a real sim
// site (vuorod with [uplink] at the region's NATS, its booth 4 serving
// kela-video through webrtcbin) and a real vuoro-hub (hub_expert_region.py).
// A ticket drawn at the site appears in the expert's queue across sites
// (live, no reload); "Call next" calls it to the site's booth through the
// hub; the session goes live with media decoded both ways (the signalling
// relayed by the hub over NATS, the media direct on loopback); a message
// reaches the booth; real-time text both ways (the booth screen at the site
// and /hub/expert); the expert ends it and the booth is free again.

import { spawn } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import { test, open, shot, audit, expect, waitFor, ROOT, USERS } from "./lib.mjs";

// Pixels of a <video> drawn on a canvas: the luma's spread (as expert.test.mjs).
const videoPixels = (page, id) => page.evaluate((vid) => {
  const v = document.getElementById(vid);
  const c = document.createElement("canvas");
  c.width = 64;
  c.height = 48;
  const g = c.getContext("2d");
  g.drawImage(v, 0, 0, 64, 48);
  const d = g.getImageData(0, 0, 64, 48).data;
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < d.length; i += 4) {
    const y = 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
    sum += y;
    sq += y * y;
  }
  const n = d.length / 4;
  return { sd: Math.sqrt(sq / n - (sum / n) ** 2), w: v.videoWidth, h: v.videoHeight };
}, id);

async function startRegion() {
  const proc = spawn("/usr/bin/python3", [path.join(ROOT, "tests", "e2e", "hub_expert_region.py")],
    { stdio: ["pipe", "pipe", "inherit"], env: { ...process.env } });
  const rl = readline.createInterface({ input: proc.stdout });
  const info = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("the region did not start in 90 s")), 90000);
    rl.once("line", (l) => {
      clearTimeout(t);
      resolve(JSON.parse(l));
    });
    proc.on("exit", (c) => reject(new Error("hub_expert_region.py exited " + c)));
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
  // Stops vuoro-hub and starts it again (same port, same database).
  info.restartHub = () => new Promise((resolve) => {
    rl.once("line", (l) => resolve(JSON.parse(l)));
    proc.stdin.write("restart-hub\n");
  });
  info.stop = async () => {
    const done = new Promise((r) => proc.on("exit", r));
    proc.stdin.end();
    await done;
  };
  return info;
}

const booth = async (region) => (await region.site_api("GET", "/api/booths/4", null, "tech")).body;

// /hub/expert in English, the region's expert logged in.
async function expertPage(region) {
  const page = await open(region.hub + "/hub/expert", { width: 1400, height: 900, lang: "en" });
  await page.evaluate(() => localStorage.setItem("vuoro-hub-lang", "en"));
  await page.reload();
  await page.fill("#user", region.expert[0]);
  await page.fill("#password", region.expert[1]);
  await page.click("#login-button");
  await page.waitForSelector("#app:not([hidden])");
  return page;
}

test("hub expert: call next at a site through the hub, video both ways, a message, end", async () => {
  const region = await startRegion();
  try {
    const page = await expertPage(region);
    const errorsBefore = page.jsErrors.length; // the whoami before the login: 401
    await waitFor(() => page.evaluate(() => document.getElementById("self").readyState >= 2),
      "the expert's own camera", 10000);

    // A customer draws a kela-video ticket at the site: on the open page.
    const r = await region.site_api("POST", "/api/tickets", { service: "kela-video", lang: "fi", handout: "screen" });
    expect(r.status === 201, "ticket issued: " + JSON.stringify(r.body));
    const ticket = r.body.ticket;
    const t0 = Date.now();
    const row = page.locator(`#tickets-rows tr[data-site="s1"][data-ticket="${ticket.id}"]`);
    await waitFor(async () => (await row.count()) === 1, "the ticket in the expert's queue", 15000);
    console.log(`# the ticket reached /hub/expert in ${Date.now() - t0} ms`);
    expect((await row.locator(".code").innerText()).startsWith(ticket.code), "the ticket's code");
    await waitFor(async () => (await page.locator('#sites li[data-site="s1"] .booth.free').count()) === 1,
      "booth 4 free at s1", 10000);
    await shot(page, "hubexpert-queue");
    await audit(page, "/hub/expert with a queue");

    // Call next: the hub calls it at s1; the booth offers through the hub.
    await page.click("#call");
    await waitFor(async () => (await booth(region)).session?.state === "live", "the session live", 20000);
    await waitFor(() => page.evaluate(() => window.__vuoro.metrics.remoteFrame > 0), "the booth's first frame", 15000);
    let seen = null;
    const b = await waitFor(async () => {
      const x = await booth(region);
      seen = x.session?.media;
      return x.session?.media?.video_in_frames > 20 && x.session.media.audio_in_buffers > 20 ? x : null;
    }, "frames and audio decoded by the booth", 20000).catch((e) => {
      throw new Error(e.message + ": " + JSON.stringify(seen));
    });
    expect(b.session.code === ticket.code, "the session serves the ticket");
    const px = await waitFor(async () => {
      const p = await videoPixels(page, "remote");
      return p.w === 640 && p.sd > 10 ? p : null;
    }, "the booth's ball pattern decoded in the browser", 10000);
    expect(px.h === 480, "640x480 from the booth");
    await waitFor(() => page.evaluate(() => window.__vuoro.session?.state === "live"), "the page says live", 10000);
    // The service card of the session's service (issue 17, item 11), from the site's live state.
    await page.waitForSelector("#session-card .service-card", { timeout: 10000 });
    const card = await page.$$eval("#session-card .service-card a", (as) => as.map((a) =>
      [a.getAttribute("href"), a.getAttribute("target"), a.getAttribute("rel")].join(" ")));
    expect(JSON.stringify(card) === JSON.stringify([
      "https://www.kela.fi/asiointipisteet _blank noopener noreferrer", "tel:+35820692200  ",
      "https://www.kela.fi/chat _blank noopener noreferrer"]), "the kela-video card: " + JSON.stringify(card));
    await shot(page, "hubexpert-live");
    await audit(page, "/hub/expert in a session");

    // Real-time text rides the same call (the booth's "t140" data channel, issue 20): the
    // site's booth screen shows the expert's typing, the expert's page the customer's.
    const screen = await open(region.site + "/booth?booth=4", { width: 1920, height: 1080 });
    await waitFor(() => page.evaluate(() => !document.getElementById("rtt-mine").disabled),
      "the hub expert's text field open", 10000);
    await page.focus("#rtt-mine");
    await page.keyboard.type("Hei!x", { delay: 30 });
    await page.keyboard.press("Backspace");
    await waitFor(async () => (await screen.textContent("#rtt-theirs").catch(() => "")) === "Hei!",
      "the hub expert's text on the booth screen", 10000);
    await screen.focus("#rtt-mine");
    await screen.keyboard.type("apua", { delay: 30 });
    await waitFor(async () => (await page.textContent("#rtt-theirs")) === "apua",
      "the customer's text on /hub/expert", 10000);
    await screen.context().close();

    // A message through the hub.
    await page.selectOption("#template", "show_id");
    await page.click("#send");
    await waitFor(async () => (await booth(region)).session?.message?.template === "show_id",
      "the message at the booth", 10000);

    // A document the customer showed, checked by the expert: recorded at the site.
    await page.selectOption("#document-type", "passport");
    await page.click("#record-document");
    await waitFor(() => page.evaluate(() => document.querySelector("#identity")?.dataset.verdict === "checked"),
      "the document check shown on the page", 10000);
    const idText = await page.textContent("#identity");
    expect(/passport/i.test(idText), "the check names the passport: " + idText);

    // The hub restarts mid-session: the media, which does not pass through it, keeps going;
    // the page's socket comes back and takes the session over as it is (attach, no new
    // offer); control works again.
    const framesBefore = (await booth(region)).session.media.video_in_frames;
    const pageFrames = () => page.evaluate(async () => {
      const stats = await window.__vuoro.pc()?.getStats();
      let n = 0;
      stats?.forEach((s) => { if (s.type === "inbound-rtp" && s.kind === "video") n += s.framesDecoded || 0; });
      return n;
    });
    const pageBefore = await pageFrames();
    const tr = Date.now();
    await region.restartHub();
    await waitFor(() => page.evaluate(() => document.getElementById("offline").hidden), "the page's socket back", 20000);
    console.log(`# the hub restarted and the page's socket came back in ${Date.now() - tr} ms`);
    const during = await booth(region);
    expect(during.session?.state === "live", "the session stayed live: " + JSON.stringify(during.session?.state));
    expect(during.session.media.video_in_frames > framesBefore + 10,
      `the booth kept decoding the expert's video (${framesBefore} → ${during.session.media.video_in_frames})`);
    expect((await pageFrames()) > pageBefore + 10, "the page kept decoding the booth's video");
    expect(during.session.id === b.session.id, "the same session, no new offer");
    // While the hub was down the page's socket was refused: that, and nothing else.
    for (let i = page.jsErrors.length - 1; i >= errorsBefore; i--) {
      if (/api\/hub\/expert\/socket.*ERR_CONNECTION_REFUSED/.test(page.jsErrors[i])) page.jsErrors.splice(i, 1);
    }
    await page.selectOption("#template", "wait");
    await page.click("#send");
    await waitFor(async () => (await booth(region)).session?.message?.template === "wait",
      "a message after the hub's restart", 15000);

    // The expert's page reloads mid-session: the hub lists the session its closed page
    // served, the new page asks the booth for a new offer through the hub, and the same
    // session is live again — not just still live (it stays live, reconnecting, from the
    // old page's end until the new connection is up) — with the booth's video on the page.
    await page.reload();
    await page.waitForSelector("#app:not([hidden])");
    await waitFor(async () => {
      const s = (await booth(region)).session;
      return s?.state === "live" && s.reconnecting === false && s.media?.video_in_frames > 10;
    }, "the session live again after the reload, the expert's video at the booth", 20000);
    expect((await booth(region)).session.id === b.session.id, "the same session after the reload");
    await waitFor(() => page.evaluate(() => window.__vuoro.session?.state === "live"), "the reloaded page says live", 10000);
    await waitFor(async () => (await pageFrames()) > 10, "the reloaded page decodes the booth's video", 10000);
    await page.selectOption("#template", "thanks");
    await page.click("#send");
    await waitFor(async () => (await booth(region)).session?.message?.template === "thanks",
      "a message from the reloaded page", 10000);

    // The expert ends it: the booth is free, the visit is remote video.
    await page.selectOption("#outcome", "resolved");
    await page.fill("#category", "housing benefit");
    await page.click("#end");
    await waitFor(async () => (await booth(region)).state === "idle", "the booth free again", 10000);
    const last = (await booth(region)).last;
    expect(last.reason === "expert_ended", "ended by the expert: " + JSON.stringify(last));
    const tk = await region.site_api("GET", `/api/tickets/${ticket.id}`, null, "tech");
    expect(tk.body.state === "done" && tk.body.channel === "remote_video",
      "the visit is done by remote video: " + JSON.stringify(tk.body));
    await waitFor(() => page.evaluate(() => window.__vuoro.session?.state === "ended"), "the page says ended", 10000);
    expect(page.jsErrors.length === errorsBefore, "no page errors: " + page.jsErrors.join("; "));
  } finally {
    await region.stop();
  }
});

test("hub expert: books a booth at a site through the hub; the code shown once; the slot taken refused; the arrival marked", async () => {
  const region = await startRegion();
  try {
    const page = await expertPage(region);
    const errorsBefore = page.jsErrors.length;
    // The site's live state names its kela-video and booth 4: the form offers them.
    await waitFor(async () => (await page.$$eval("#book-service option", (os) => os.map((o) => o.value)))
      .includes("kela-video"), "kela-video offered at s1", 15000);
    expect(await page.isVisible("#no-bookings"), "no bookings yet");
    const at = await page.inputValue("#book-at");
    await page.selectOption("#book-booth", "4");
    await page.click("#book");
    await page.waitForSelector("#book-out .book-code");
    const code = await page.textContent("#book-out .book-code");
    expect(/^[A-Z2-9]{6}$/.test(code), "the site's booking code: " + code);
    expect((await page.textContent("#book-out")).includes("booth 4"), await page.textContent("#book-out"));
    // The site's calendar has it; the hub learns it through the live state.
    const list = (await region.site_api("GET", "/api/appointments", null, "anna")).body.appointments;
    const mine = list.find((a) => a.code === code);
    expect(mine && mine.booth === 4 && mine.staff === region.expert[0] && mine.source === "hub",
      "at the site: " + JSON.stringify(list));
    const row = page.locator(`#bookings-rows tr[data-site="s1"][data-id="${mine.id}"]`);
    await waitFor(async () => (await row.count()) === 1, "the booking in the list", 15000);
    expect((await row.locator(".state").innerText()) === "booked", "booked");
    expect(!(await page.locator("#bookings-rows").innerText()).includes(code), "no booking code in the list");
    // The time typed is the site's clock (Helsinki), whatever the browser's (UTC here): the
    // slot booked is that wall time at the site, and the list shows it so.
    expect((await page.textContent("#book-at-label")).includes("Europe/Helsinki"), "the form names the site's zone");
    const wall = new Intl.DateTimeFormat("sv-SE", { timeZone: "Europe/Helsinki", year: "numeric", month: "2-digit",
      day: "2-digit", hour: "2-digit", minute: "2-digit" }).format(new Date(mine.at * 1000)).replace(" ", "T");
    expect(wall === at, `booked ${at} at the site's clock, the site has ${wall}`);
    const hm = at.slice(11, 16).replace(/^0/, "");
    expect((await row.locator("td").first().innerText()).replace(/\s+/g, " ").includes(hm) ||
      (await row.locator("td").first().innerText()).includes(at.slice(11, 16)),
      "the list shows the site's time " + at.slice(11, 16) + ": " + (await row.locator("td").first().innerText()));
    await shot(page, "hubexpert-booked");

    // The same slot again: the site's refusal in its words.
    await page.fill("#book-at", at);
    await page.click("#book");
    await waitFor(async () => (await page.textContent("#book-out")).includes("booth 4 is booked"),
      "the overlap refused", 10000);
    expect(!(await page.$("#book-out .book-code")), "no code for a refused booking");

    // The customer checks in at the site's kiosk: the row says arrived, live.
    const c = await region.site_api("POST", "/api/checkin", { code, lang: "fi" });
    expect(c.status === 201, "checked in: " + JSON.stringify(c.body));
    await waitFor(async () => (await row.getAttribute("class")) === "arrived", "the arrival marked", 15000);
    expect((await row.locator(".state").innerText()).startsWith("arrived"), "arrived ✓");
    await shot(page, "hubexpert-arrived");
    await audit(page, "/hub/expert with bookings");
    expect(page.jsErrors.every((e, i) => i < errorsBefore || e.includes("409")),
      "no page errors but the 409: " + page.jsErrors.join("; "));
  } finally {
    await region.stop();
  }
});

test("hub expert: the page comes back after the booth gave the session up — it says ended, Call next works", async () => {
  const region = await startRegion();
  try {
    const ticket = async () => {
      const r = await region.site_api("POST", "/api/tickets", { service: "kela-video", lang: "fi", handout: "screen" });
      expect(r.status === 201, "ticket issued: " + JSON.stringify(r.body));
    };
    let page = await expertPage(region);
    await waitFor(() => page.evaluate(() => document.getElementById("self").readyState >= 2),
      "the expert's own camera", 10000);
    await ticket();
    await waitFor(async () => !(await page.locator("#call").isDisabled()), "Call next enabled", 15000);
    await page.click("#call");
    await waitFor(async () => (await booth(region)).session?.state === "live", "the session live", 20000);
    // The expert's browser goes; the booth waits its reconnect window (3 s) and ends it.
    await page.context().close();
    await waitFor(async () => (await booth(region)).state === "idle", "the booth free again", 15000);
    expect((await booth(region)).last.reason === "network_lost", "ended as lost: " +
      JSON.stringify((await booth(region)).last));
    // Back within the hub's minute: the session the closed page served is listed, the page
    // asks for it, the site says it is over — ended on the page, not live for ever.
    page = await expertPage(region);
    await waitFor(() => page.evaluate(() => window.__vuoro.session?.state === "ended"),
      "the session ended on the new page", 15000);
    await ticket();
    await waitFor(async () => !(await page.locator("#call").isDisabled()), "Call next enabled again", 15000);
  } finally {
    await region.stop();
  }
});
