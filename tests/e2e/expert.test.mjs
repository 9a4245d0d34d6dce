// SPDX-License-Identifier: GPL-3.0-or-later
// The remote-service booth end to end: headless Chromium (fake camera) is the
// expert on /expert; vuorod's booth on the sim board sends the ball test
// pattern and a tone through webrtcbin.  Media must flow both ways, decoded
// on both sides; the session ends from either side; a killed browser frees
// the booth; a missing camera is a clear fault.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { test, expect, waitFor, startVuorod, open, shot, audit, CHROMIUM, CHROMIUM_ARGS } from "./lib.mjs";

// Loopback only: the test host's other addresses play no part.
export const RTC = [
  ["webrtc", "local-addresses", "127.0.0.1"],
  ["webrtc", "reconnect-seconds", "3"],
  ["webrtc", "ring-seconds", "10"],
];

export async function loginExpert(v, user = "eero", pass = "expert-pass-long-1") {
  const page = await open(v.url + "/expert", { lang: "en" });
  await page.fill("#user", user);
  await page.fill("#password", pass);
  await page.click("#login-button");
  await page.waitForSelector("#app:not([hidden])");
  // The camera is open before any call, as a working expert's would be.
  await waitFor(() => page.evaluate(() => document.getElementById("self").readyState >= 2),
    "the expert's own camera", 10000);
  return page;
}

export async function issueRemote(v, service = "kela-video") {
  const r = await v.api("POST", "/api/tickets", { service, lang: "fi", handout: "screen" });
  expect(r.status === 201, "ticket issued: " + JSON.stringify(r.body));
  return r.body.ticket;
}

export const booth = async (v) => (await v.api("GET", "/api/booths/4", null, "tech")).body;

// Pixels of a <video> drawn on a canvas: mean and spread of the luma.
export async function videoPixels(page, id) {
  return page.evaluate((vid) => {
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
    return { mean: sum / n, sd: Math.sqrt(sq / n - (sum / n) ** 2), w: v.videoWidth, h: v.videoHeight };
  }, id);
}

export async function callAndConnect(page, v) {
  await page.click("#call");
  await waitFor(async () => (await booth(v)).session?.state === "live", "the session live", 15000);
  await waitFor(() => page.evaluate(() => window.__vuoro.metrics.remoteFrame > 0 &&
    window.__vuoro.metrics.boothFrame > 0), "first frames both ways", 15000);
}

test("expert: a session with media both ways, ended by the expert", async () => {
  const v = await startVuorod(RTC);
  try {
    const ticket = await issueRemote(v);
    const page = await loginExpert(v);
    await waitFor(() => page.locator("#tickets .code").first().textContent()
      .then((s) => s === ticket.code).catch(() => false), "the ticket in the expert's queue");
    await audit(page, "/expert before a call");
    await callAndConnect(page, v);

    // The booth decodes the expert's frames; the expert's page decodes the booth's.
    let seen = null;
    const b = await waitFor(async () => {
      const x = await booth(v);
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
    await shot(page, "expert-live");
    await audit(page, "/expert in a session");

    // A message and the document camera.
    await page.selectOption("#template", "show_id");
    await page.click("#send");
    await waitFor(async () => (await booth(v)).session?.message?.template === "show_id",
      "the message at the booth");
    await page.click("#doc-toggle");
    await waitFor(async () => (await booth(v)).session?.media?.document_frames > 10,
      "the document camera's frames", 10000);
    await waitFor(() => page.evaluate(() => document.getElementById("document").videoWidth === 640),
      "the document camera shown to the expert", 10000);

    // The booth's screen shows the expert's video.
    const screen = await open(v.url + "/booth?booth=4", { width: 1280, height: 720, lang: "en" });
    await waitFor(() => screen.evaluate(() => {
      const img = document.querySelector("#video, img");
      return img && img.naturalWidth > 0;
    }), "the expert's video on the booth screen", 10000);
    await shot(screen, "booth-live");

    // The expert ends: the visit is remote video, the booth is free.
    await page.selectOption("#outcome", "resolved");
    await page.fill("#category", "housing benefit");
    await page.click("#end");
    await waitFor(async () => (await booth(v)).state === "idle", "the booth free again", 10000);
    const last = (await booth(v)).last;
    expect(last.reason === "expert_ended", "ended by the expert: " + JSON.stringify(last));
    const tk = await v.api("GET", `/api/tickets/${ticket.id}`, null, "tech");
    expect(tk.body.state === "done" && tk.body.channel === "remote_video",
      "the visit is done by remote video: " + JSON.stringify(tk.body));
    expect(page.jsErrors.length === 0, "no page errors: " + page.jsErrors.join("; "));
    // The customer rates the visit on the booth screen: tied to the ticket.
    await screen.waitForSelector("#feedback .choice.good");
    await audit(screen, "/booth ended with the rating");
    // The manager's question (issue 17): asked after the rating, with a comment.
    const q = await v.api("POST", "/api/feedback/question", { text_fi: "Puuttuiko palveluita?",
      text_en: "Were any services missing?" }, "maija");
    expect(q.status === 200, "the question: " + JSON.stringify(q.body));
    await screen.click("#feedback .choice.good");
    await screen.waitForSelector("#feedback.words");
    // In the session's language (the ticket's: Finnish).
    expect(await screen.locator("#feedback-question").innerText() === "Puuttuiko palveluita?", "asked in Finnish");
    await screen.getByRole("button", { name: "Ei", exact: true }).click();
    await screen.getByLabel("Kommentti (vapaaehtoinen)").fill("Clear picture and sound.");
    await shot(screen, "booth-ended-words");
    // At the booth screen's 1280×720 all of it is in view: nobody scrolls to find Send.
    const fitsIn = async (lang) => {
      const f = await screen.evaluate(() => {
        const view = document.querySelector(".view.ended");
        const send = document.querySelector("#feedback .choice.send").getBoundingClientRect();
        return { over: view.scrollHeight - view.clientHeight, bottom: Math.round(send.bottom), height: innerHeight };
      });
      expect(f.over <= 0 && f.bottom <= f.height, `the words view fits 1280×720 in ${lang}: ` + JSON.stringify(f));
    };
    await fitsIn("fi");
    // … in the longest words too, right to left (the comment typed stays).
    for (const [lang, name] of [["uk", "Українська"], ["ar", "العربية"]]) {
      await screen.getByRole("button", { name, exact: true }).click();
      await waitFor(async () => (await screen.getAttribute("html", "lang")) === lang, `the booth in ${lang}`);
      await fitsIn(lang);
      expect(await screen.inputValue("#feedback-comment") === "Clear picture and sound.", "the comment kept in " + lang);
      // The manager's Finnish question and the English comment read left to right on the Arabic screen.
      const dirs = await screen.evaluate(() => ["feedback-question", "feedback-comment"].map((id) =>
        getComputedStyle(document.getElementById(id)).direction));
      expect(lang !== "ar" || dirs.join() === "ltr,ltr", "Latin words left to right on the Arabic screen: " + dirs);
    }
    await shot(screen, "booth-ended-words-ar");
    await screen.getByRole("button", { name: "Suomi", exact: true }).click();
    await waitFor(async () => (await screen.getAttribute("html", "lang")) === "fi", "the booth in Finnish again");
    await audit(screen, "/booth words after the rating");
    await screen.getByRole("button", { name: "Lähetä" }).click();
    await screen.waitForSelector("#feedback [role=status]");
    await shot(screen, "booth-ended-rated");
    const fb = execFileSync("sqlite3", [path.join(v.dir, "vuoro.db"),
      "SELECT ticket, rating, source, answer, comment FROM feedback"], { encoding: "utf8" }).trim();
    expect(fb === `${ticket.id}|5|screen:4|no|Clear picture and sound.`, "the rating tied to the visit, its words: " + fb);
    await screen.context().close();
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});

test("expert: a view of the session fetched before its end and answered after it does not bring it back", async () => {
  const v = await startVuorod(RTC);
  try {
    await issueRemote(v);
    const page = await loginExpert(v);
    // Hold the first answer of GET /api/expert that shows the session live
    // until the session has ended and the page has said so: a late answer,
    // as a busy network or a busy vuorod gives one.
    let held = null;
    let release = null;
    const released = new Promise((r) => (release = r));
    await page.route("**/api/expert", async (route) => {
      const r = await route.fetch();
      const body = await r.text();
      if (!held && JSON.parse(body).booths?.some((b) => b.session?.state === "live")) {
        held = JSON.parse(body).booths.find((b) => b.session).session.id;
        await released;
      }
      await route.fulfill({ response: r, body });
    });
    await callAndConnect(page, v);
    await waitFor(() => held, "a view of the live session held");
    expect((await v.api("POST", `/api/sessions/${held}/end`, { outcome: "resolved" }, "eero")).status === 200,
      "the session ended");
    await waitFor(async () => (await booth(v)).state === "idle", "the booth idle", 10000);
    await waitFor(() => page.evaluate(() => document.getElementById("status").textContent.includes("ended")),
      "the expert's page says the session ended", 10000);
    release();
    await new Promise((r) => setTimeout(r, 500)); // the late answer applied
    const next = await issueRemote(v);
    await waitFor(() => page.locator("#tickets .code").first().textContent()
      .then((s) => s === next.code).catch(() => false), "the next ticket in the expert's queue");
    await waitFor(async () => !(await page.locator("#call").isDisabled()), "Call next enabled again", 5000)
      .catch(async (e) => {
        throw new Error(e.message + ": the page shows " + (await page.textContent("#status")));
      });
    await page.unroute("**/api/expert");

    // Until the page has its first view (GET /api/expert), Call next is
    // labelled but off: a click then went nowhere the expert could see.
    let open = null;
    const gate = new Promise((r) => (open = r));
    let asked = false;
    await page.route("**/api/expert", async (route) => {
      asked = true;
      await gate;
      await route.continue();
    });
    await page.reload();
    await waitFor(() => asked, "the reloaded page asks for its view");
    await waitFor(() => page.locator("#call").textContent().then((s) => s.length > 0), "Call next labelled");
    expect(await page.locator("#call").isDisabled(), "Call next off before the page's first view");
    open();
    await waitFor(async () => !(await page.locator("#call").isDisabled()), "Call next on with the view", 5000);
    await page.unroute("**/api/expert");
  } finally {
    await v.cleanup();
  }
});

test("expert: the customer leaves by the door, then by the booth screen's button", async () => {
  const v = await startVuorod(RTC);
  try {
    const first = await issueRemote(v);
    const second = await issueRemote(v);
    const page = await loginExpert(v);
    await callAndConnect(page, v);
    // The door input: occupied while the customer sits, free when they go.
    expect((await v.api("POST", "/api/gpio/sim", { name: "booth-door", level: 1 }, "tech")).status === 202,
      "door occupied");
    await new Promise((r) => setTimeout(r, 300));
    expect((await v.api("POST", "/api/gpio/sim", { name: "booth-door", level: 0 }, "tech")).status === 202,
      "door free");
    await waitFor(async () => (await booth(v)).last?.reason === "customer_left", "customer_left by the door", 8000);
    await waitFor(() => page.locator("#status").textContent().then((s) => s.includes("customer left")),
      "the expert sees that the customer left", 8000);
    let tk = await v.api("GET", `/api/tickets/${first.id}`, null, "tech");
    expect(tk.body.state === "done", "the first visit is done: " + tk.body.state);

    // The next customer; this one presses "End" on the booth screen.
    await waitFor(async () => !(await page.locator("#call").isDisabled()), "call enabled again", 8000);
    await callAndConnect(page, v);
    expect((await booth(v)).session.code === second.code, "the second ticket");
    const leave = await v.api("POST", "/api/booths/4/leave", {}); // the booth screen: a kiosk address
    expect(leave.status === 200, "leave from the booth screen: " + JSON.stringify(leave.body));
    await waitFor(async () => (await booth(v)).state === "idle", "the booth free", 8000);
    tk = await v.api("GET", `/api/tickets/${second.id}`, null, "tech");
    expect(tk.body.state === "done", "the second visit is done");
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});

test("expert: the expert's browser is killed mid-session; the booth is free within seconds", async () => {
  const v = await startVuorod(RTC);
  const { chromium } = await import("playwright-core");
  // A browser of its own, in its own process, to kill.
  const server = await chromium.launchServer({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const own = await chromium.connect(server.wsEndpoint());
  try {
    const ticket = await issueRemote(v);
    const ctx = await own.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    await page.goto(v.url + "/expert");
    await page.fill("#user", "eero");
    await page.fill("#password", "expert-pass-long-1");
    await page.click("#login-button");
    await page.waitForSelector("#app:not([hidden])");
    await waitFor(() => page.evaluate(() => document.getElementById("self").readyState >= 2), "camera", 10000);
    await callAndConnect(page, v);
    const killed = Date.now();
    server.process().kill("SIGKILL");
    await waitFor(async () => (await booth(v)).state === "idle", "the booth idle after the kill", 15000);
    const seconds = (Date.now() - killed) / 1000;
    expect(seconds < 8, `idle within seconds (took ${seconds.toFixed(1)} s)`);
    const last = (await booth(v)).last;
    expect(last.reason === "network_lost", "ended as network_lost: " + last.reason);
    // The customer keeps their place: back at the front of the line.
    const tk = await v.api("GET", `/api/tickets/${ticket.id}`, null, "tech");
    expect(tk.body.state === "waiting", "the ticket waits again: " + tk.body.state);
    const q = await v.api("GET", "/api/expert", null, "eero");
    expect(q.body.tickets[0]?.code === ticket.code, "first in the expert's queue again");
  } finally {
    await own.close().catch(() => {});
    await server.close().catch(() => {});
    await v.cleanup();
  }
});

test("expert: a missing camera is a clear fault on the booth, the expert page and /tech", async () => {
  const v = await startVuorod([...RTC, ["counter:4", "camera", "v4l2:/dev/video-missing"]]);
  try {
    await issueRemote(v);
    const b = await booth(v);
    expect(b.state === "fault" && /camera/.test(b.fault) && b.fault.includes("/dev/video-missing"),
      "the booth names its camera: " + JSON.stringify(b));
    const health = await v.api("GET", "/api/health", null, "tech");
    expect(health.body.faults.some((f) => f.startsWith("booth 4:") && f.includes("camera")),
      "health lists the booth: " + JSON.stringify(health.body.faults));
    const page = await loginExpert(v);
    await waitFor(() => page.locator("#booths").textContent().then((s) => s.includes("out of order")),
      "the expert sees the booth out of order");
    await page.click("#call");
    await waitFor(() => page.locator("#call-out").textContent().then((s) => /out of order.*camera/.test(s)),
      "calling says why not");
    const tk = (await v.api("GET", "/api/expert", null, "eero")).body.tickets[0];
    expect(tk.state === "waiting", "the customer still waits");
    await shot(page, "expert-camera-missing");
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});

test("expert: the camera is unplugged mid-session; the booth comes back when checked", async () => {
  const v = await startVuorod(RTC);
  try {
    const ticket = await issueRemote(v);
    const page = await loginExpert(v);
    await callAndConnect(page, v);
    const r = await v.api("POST", "/api/booths/4/sim", { unplug: "camera" }, "tech");
    expect(r.status === 200, "unplug: " + JSON.stringify(r.body));
    await waitFor(async () => (await booth(v)).state === "fault", "the booth out of order");
    expect((await booth(v)).last.reason === "error", "the session ended with an error");
    await waitFor(() => page.locator("#session-out").textContent().then((s) => s.includes("camera")),
      "the expert is told the camera failed");
    const tk = await v.api("GET", `/api/tickets/${ticket.id}`, null, "tech");
    expect(tk.body.state === "waiting", "the customer keeps their place: " + tk.body.state);
    const check = await v.api("POST", "/api/booths/4/check", {}, "tech");
    expect(check.status === 200 && (await booth(v)).state === "idle", "ready again after the check");
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});

test("expert: recording only with the customer's consent, to a Matroska file", async () => {
  const v = await startVuorod(RTC);
  try {
    await issueRemote(v);
    await issueRemote(v);
    const page = await loginExpert(v);
    // First session: the customer says no — nothing is recorded.
    await callAndConnect(page, v);
    await page.click("#ask-record");
    await waitFor(async () => (await booth(v)).session?.consent === "asked", "consent asked");
    expect((await v.api("POST", "/api/booths/4/consent", { given: false })).status === 200, "refused");
    await waitFor(async () => (await booth(v)).session?.consent === "refused", "consent refused");
    await page.click("#end");
    await waitFor(async () => (await booth(v)).state === "idle", "idle");
    expect(!fs.existsSync(path.join(v.dir, "recordings")) ||
      fs.readdirSync(path.join(v.dir, "recordings")).length === 0, "no recording without consent");

    // Second session: yes — the session is written to a file.
    await waitFor(async () => !(await page.locator("#call").isDisabled()), "call enabled again", 8000);
    await callAndConnect(page, v);
    await page.click("#ask-record");
    await waitFor(async () => (await booth(v)).session?.consent === "asked", "consent asked");
    expect((await v.api("POST", "/api/booths/4/consent", { given: true })).status === 200, "given");
    await waitFor(async () => (await booth(v)).session?.recording === true, "recording");
    await new Promise((r) => setTimeout(r, 3000));
    await page.click("#end");
    await waitFor(async () => (await booth(v)).state === "idle", "idle");
    const files = fs.readdirSync(path.join(v.dir, "recordings"));
    expect(files.length === 1 && files[0].endsWith(".mkv"), "one recording: " + files);
    const size = fs.statSync(path.join(v.dir, "recordings", files[0])).size;
    expect(size > 20000, `a recording with data (${size} bytes); vuorod said: ` +
      fs.readFileSync(path.join(v.dir, "vuorod.stderr"), "utf8").split("\n")
        .filter((l) => !l.includes("display")).slice(-15).join("\n"));
    const info = execFileSync("mkvinfo", [path.join(v.dir, "recordings", files[0])], { encoding: "utf8" });
    const tracks = (info.match(/Track type: (video|audio)/g) || []);
    expect(tracks.filter((x) => x.endsWith("video")).length === 2 &&
      tracks.filter((x) => x.endsWith("audio")).length === 2,
      "booth and expert video and audio in the file: " + tracks.join(", "));
    expect(/Codec ID: V_VP8/.test(info) && /Codec ID: A_OPUS/.test(info), "VP8 and Opus");
    expect(/Duration: 00:00:0[2-9]/.test(info), "about three seconds long: " +
      (info.match(/Duration: [^\n]*/) || [""])[0]);
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});

const FULL_HD = { width: 1920, height: 1080 };

// A fresh SoftHSM2 token set and test PKI; @card in the reader ("empty": no
// card); a vuorod with an [identity] group.  fn(v, pki); everything goes after.
async function withCard(card, fn) {
  const pki = fs.mkdtempSync(path.join(os.tmpdir(), "vuoro-pki-"));
  execFileSync("tests/identity/make-pki.sh", [pki], { stdio: "ignore" });
  const saved = process.env.SOFTHSM2_CONF;
  process.env.SOFTHSM2_CONF = path.join(pki, "cards", card, "softhsm2.conf"); // the card in the reader
  const v = await startVuorod([...RTC,
    ["identity", "module", "/usr/lib/softhsm/libsofthsm2.so"],
    ["identity", "trust-anchors", path.join(pki, "root", "ca.pem")],
    ["identity", "crl", path.join(pki, "crl.pem")],
    ["identity", "site-secret", path.join(pki, "site-secret")]]);
  try {
    await fn(v, pki);
  } finally {
    if (saved === undefined) delete process.env.SOFTHSM2_CONF;
    else process.env.SOFTHSM2_CONF = saved;
    await v.cleanup();
    fs.rmSync(pki, { recursive: true, force: true });
  }
}

// The booth screen at 1920×1080 (a kiosk address: no login), live.
async function boothScreen(v) {
  const screen = await open(v.url + "/booth?booth=4", FULL_HD);
  await waitFor(async () => (await screen.getAttribute("#screen", "data-view")) === "live",
    "the booth screen live", 10000);
  return screen;
}

const fitsScreen = (page) => page.evaluate(() =>
  document.documentElement.scrollWidth <= innerWidth && document.documentElement.scrollHeight <= innerHeight);

// Every button of the PIN pad in sight (in the viewport, not scrolled out
// of the side panel), the video still beside it.
async function padInSight(screen) {
  return screen.evaluate(() => {
    const box = document.querySelector(".side-info").getBoundingClientRect();
    const inside = (el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight &&
        (!el.closest(".side-info") || (r.top >= box.top && r.bottom <= box.bottom));
    };
    const video = document.querySelector(".video-box").getBoundingClientRect();
    return [...document.querySelectorAll("#identity button, #identity .dots, #end")].every(inside) &&
      video.width >= 700 && video.height >= 500;
  });
}

test("expert: the customer proves identity with the ID card's chip (SoftHSM2) on the booth's PIN pad", async () => {
  await withCard("ec", async (v) => {
    const ticket = await issueRemote(v);
    const page = await loginExpert(v);
    expect((await v.api("POST", "/api/booths/4/identity", { pin: "1234" })).status === 409,
      "no identity check without a session");
    await callAndConnect(page, v);
    const screen = await boothScreen(v);
    expect(!(await screen.locator("#identity").count()), "no PIN pad before the expert asks");

    // The expert asks for the ID card; the booth screen shows the pad (in the ticket's Finnish).
    await page.click("#ask-identity");
    await page.locator("#identity-asked").getByText("Asked — waiting for the customer").waitFor();
    expect(await page.textContent("#ask-identity") === "Cancel the request", "the request can be taken back");
    expect((await booth(v)).session.identity_asked === true, "vuorod says asked");
    await screen.waitForSelector("#identity[data-phase=entry]");
    const pad = await screen.textContent("#identity");
    expect(pad.includes("Aseta henkilökorttisi kortinlukijaan ja näppäile PIN-koodisi"), "the Finnish words: " + pad);
    expect(await fitsScreen(screen) && await padInSight(screen), "the pad and the video fit 1920×1080");
    const key = await screen.evaluate(() => {
      const r = document.querySelector("#identity [data-key='5']").getBoundingClientRect();
      return { w: r.width, h: r.height };
    });
    expect(key.w >= 88 && key.h >= 88, "big keys: " + JSON.stringify(key));
    expect(await screen.isDisabled("#pin-ok"), "OK waits for four digits");
    await audit(screen, "/booth PIN pad");

    // A wrong PIN by touch: dots, never digits; the card's word and the tries left.
    for (const d of "0000") await screen.click(`#identity [data-key="${d}"]`);
    expect(await screen.getAttribute("#pin-dots", "data-count") === "4", "four dots");
    expect(!(await screen.textContent("#identity")).includes("0000"), "the digits are not shown");
    await shot(screen, "booth-pin-pad");
    const answer = screen.waitForResponse((r) => r.url().endsWith("/api/booths/4/identity"));
    await screen.click("#pin-ok");
    const wrong = await (await answer).json();
    expect(wrong.verdict === "wrong_pin", "a wrong PIN: " + JSON.stringify(wrong));
    await screen.waitForSelector("#identity[data-phase=entry] #id-result");
    const said = await screen.textContent("#id-result");
    expect(said.includes(wrong.text.fi), "the reply's Finnish text: " + said);
    if (Number.isInteger(wrong.pin_tries_left) && wrong.pin_tries_left > 1) {
      expect(said.includes(`Yrityksiä jäljellä: ${wrong.pin_tries_left}.`), "the tries left: " + said);
    }
    const left = await screen.evaluate(() => document.getElementById("pin-dots")?.outerHTML);
    expect(left?.includes('data-count="0"'), "the pad is empty again: " + left);
    expect(await fitsScreen(screen) && await padInSight(screen), "the pad with the card's word fits 1920×1080");
    await shot(screen, "booth-pin-wrong");
    await audit(screen, "/booth PIN pad after a wrong PIN");
    await waitFor(() => page.locator("#identity").textContent().then((s) => s.includes("wrong PIN")),
      "the expert sees the wrong PIN");

    // The right PIN from a keyboard: confirmed on the screen, the name and code for the expert.
    await screen.keyboard.type("1234");
    expect(await screen.getAttribute("#pin-dots", "data-count") === "4", "typed digits show as dots");
    await screen.keyboard.press("Enter");
    await screen.waitForSelector("#identity[data-phase=done][data-verdict=verified]");
    expect((await screen.textContent("#identity")).includes("Henkilöllisyys vahvistettu"), "confirmed, in Finnish");
    expect(!(await screen.textContent("body")).includes("Meikäläinen"), "no personal data on the booth screen");
    await shot(screen, "booth-pin-verified");
    await waitFor(() => page.locator("#identity").textContent()
      .then((s) => s.includes("Meikäläinen") && s.includes("Identity code: 010190-123A")),
    "the expert sees the verified name and identity code");
    const area = await page.textContent("#identity");
    expect(/Certificate: .+ · serial /.test(area), "issuer and serial, small: " + area);
    await page.locator("#identity").scrollIntoViewIfNeeded();
    await shot(page, "expert-identity-verified");
    await audit(page, "/expert with a verified identity");
    const b = await booth(v);
    expect(b.session.identity_asked === false && !JSON.stringify(b).includes("010190"),
      "asked no more; the GET view has no identity code: " + JSON.stringify(b.session.identity));
    expect(await page.textContent("#ask-identity") === "Ask for ID card", "the expert may ask again");
    await screen.waitForSelector("#identity", { state: "detached", timeout: 10000 });

    // A document checked by eye, recorded through the page.
    await page.selectOption("#document-type", "passport");
    await page.click("#record-document");
    await page.locator("#identity").getByText("Document checked: passport").waitFor();
    await shot(page, "expert-identity-document");
    expect(page.jsErrors.length === 0 && screen.jsErrors.length === 0,
      "no page errors: " + [...page.jsErrors, ...screen.jsErrors].join("; "));

    await page.click("#end");
    await waitFor(async () => (await booth(v)).state === "idle", "idle");
    await v.stop();
    const db = path.join(v.dir, "vuoro.db");
    const rows = execFileSync("sqlite3", [db,
      "SELECT method, result, cert_serial IS NOT NULL, id_hmac IS NOT NULL FROM identity_checks ORDER BY id"],
    { encoding: "utf8" }).trim().split("\n");
    expect(rows.join(";") === "card|wrong_pin|1|0;card|verified|1|1;document|checked|0|0",
      "stored: method, result, certificate, keyed hash only when verified: " + rows.join(";"));
    const visit = execFileSync("sqlite3", [db, `SELECT identity, channel FROM visits WHERE ticket = ${ticket.id}`],
      { encoding: "utf8" }).trim();
    expect(visit === "document|remote_video", "the visit's identity method (the last check): " + visit);
    const bytes = fs.readFileSync(db).toString("latin1") +
      (fs.existsSync(db + "-wal") ? fs.readFileSync(db + "-wal").toString("latin1") : "");
    expect(!bytes.includes("010190-123A"), "the identity code itself is nowhere in the database");
    await screen.context().close();
    await page.context().close();
  });
});

test("expert: identity — the expert takes the question back; the customer says \"not now\" on the booth screen", async () => {
  await withCard("ec", async (v) => {
    await issueRemote(v);
    const page = await loginExpert(v);
    await callAndConnect(page, v);
    const screen = await boothScreen(v);
    await screen.getByRole("button", { name: "English" }).click();

    // Asked, then taken back: the pad goes away.
    await page.click("#ask-identity");
    await screen.waitForSelector("#identity[data-phase=entry]");
    expect((await screen.textContent("#identity")).includes("Insert your ID card into the reader and enter your PIN"),
      "the English words");
    await screen.click('#identity [data-key="1"]');
    await page.click("#ask-identity"); // "Cancel the request"
    await screen.waitForSelector("#identity", { state: "detached" });
    expect((await booth(v)).session.identity_asked === false, "not asked any more");
    await waitFor(async () => (await page.textContent("#ask-identity")) === "Ask for ID card", "ask again offered");

    // Asked again: a fresh pad; the customer chooses "Not now".
    await page.click("#ask-identity");
    await screen.waitForSelector("#identity[data-phase=entry]");
    expect(await screen.getAttribute("#pin-dots", "data-count") === "0", "nothing typed on the new pad");
    await screen.getByRole("button", { name: "Not now" }).click();
    await screen.waitForSelector("#identity", { state: "detached" });
    await page.locator("#identity").getByText("The customer did not identify").waitFor();
    expect((await booth(v)).session.identity_asked === false, "the no is an answer");
    expect(await page.textContent("#ask-identity") === "Ask for ID card", "the expert may ask again");
    await shot(page, "expert-identity-declined");
    await audit(page, "/expert after the customer declined");
    expect(page.jsErrors.length === 0 && screen.jsErrors.length === 0,
      "no page errors: " + [...page.jsErrors, ...screen.jsErrors].join("; "));
    await screen.context().close();
    await page.context().close();
  });
});

test("expert: identity — no card in the reader: the booth says so, try again or not now", async () => {
  await withCard("empty", async (v) => {
    await issueRemote(v);
    const page = await loginExpert(v);
    await callAndConnect(page, v);
    const screen = await boothScreen(v);
    await screen.getByRole("button", { name: "Svenska" }).click();
    await page.click("#ask-identity");
    await screen.waitForSelector("#identity[data-phase=entry]");
    for (const d of "1234") await screen.click(`#identity [data-key="${d}"]`);
    await screen.click("#pin-ok");
    await screen.waitForSelector("#identity[data-phase=failed][data-verdict=no_card]");
    const said = await screen.textContent("#identity");
    expect(said.includes("Sätt in ID-kortet i läsaren.") && said.includes("Försök igen") && said.includes("Inte nu"),
      "the card's word in Swedish, try again or not now: " + said);
    expect(await fitsScreen(screen) && await padInSight(screen), "fits 1920×1080");
    await shot(screen, "booth-pin-no-card");
    await audit(screen, "/booth: no card in the reader");
    await waitFor(() => page.locator("#identity").textContent().then((s) => s.includes("no card in the reader")),
      "the expert sees that no card was in the reader");
    expect((await booth(v)).session.identity_asked === true, "still asked");
    // Try again: an empty pad.
    await screen.getByRole("button", { name: "Försök igen" }).click();
    await screen.waitForSelector("#identity[data-phase=entry]");
    expect(await screen.getAttribute("#pin-dots", "data-count") === "0", "nothing typed on the pad again");
    expect(page.jsErrors.length === 0 && screen.jsErrors.length === 0,
      "no page errors: " + [...page.jsErrors, ...screen.jsErrors].join("; "));
    await screen.context().close();
    await page.context().close();
  });
});
