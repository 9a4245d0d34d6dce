// SPDX-License-Identifier: GPL-3.0-or-later
// The booth screen (/booth) in a real Chromium at 1920×1080, on the sim
// board's booth (counter 4): idle in three languages; out of order when the
// camera is missing, with the part and what to do on /tech; a customer called
// in, a message from the expert in the customer's language, and the expert
// who never answers — the customer keeps their place, then the booth is idle.
// The session there is real (vuorod's booth and an expert's signalling
// socket that never answers); sessions with media are expert.test.mjs's.
//
// The screen says which view it draws: #screen[data-view] is idle, calling,
// live, ended or fault (ui/booth/view.js viewOf() computes it; Node can
// import that module too).

import { test, startVuorod, open, shot, audit, expect, waitFor, USERS } from "./lib.mjs";
import { readFileSync } from "node:fs";

// The page's own modules (they import nothing), read as ES modules whatever
// the folder says: Node 18 (Debian 12's) takes a .js file outside a
// "type": "module" package for CommonJS, where Node 20 would guess.
const pageModule = (rel) => import("data:text/javascript," +
  encodeURIComponent(readFileSync(new URL(rel, import.meta.url), "utf8")));
const { viewOf } = await pageModule("../../ui/booth/view.js");
const { TEMPLATES, REASONS } = await pageModule("../../ui/booth/strings.js");

// The booth's words in every catalog (ui/i18n/LANG.json): booth.* keys.
const CATALOGS = Object.fromEntries(["fi", "sv", "en", "se", "uk", "ar"].map((l) => [l,
  JSON.parse(readFileSync(new URL(`../../ui/i18n/${l}.json`, import.meta.url), "utf8"))]));

const FULL_HD = { width: 1920, height: 1080 };
const RTC = [["webrtc", "local-addresses", "127.0.0.1"]];

const view = (page) => page.getAttribute("#screen", "data-view");
const waitView = (page, want, ms = 8000) =>
  waitFor(async () => (await view(page)) === want, `the booth screen to show ${want}`, ms);
const fits = (page) => page.evaluate(() =>
  document.documentElement.scrollWidth <= innerWidth && document.documentElement.scrollHeight <= innerHeight);

// An expert's signalling socket in a browser page of vuorod's origin: logs in
// (cookie), says hello, calls the next customer into the booth and never
// answers the offer.  close() is the expert's page going away.
async function silentExpert(v, user = "eero") {
  const page = await open(v.url + "/ui/common/base.css");
  const r = await page.evaluate(async ({ user, password }) => {
    const login = await (await fetch("/api/login", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ user, password }) })).json();
    window.csrf = login.csrf;
    window.seen = [];
    const ws = new WebSocket(`ws://${location.host}/api/signal`);
    window.ws = ws;
    const client = await new Promise((resolve, reject) => {
      ws.onmessage = (m) => {
        const d = JSON.parse(m.data);
        window.seen.push(d.type);
        if (d.type === "hello") resolve(d.client);
      };
      ws.onclose = () => reject(new Error("signalling socket closed"));
    });
    const res = await fetch("/api/expert/call", { method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": window.csrf }, body: JSON.stringify({ client }) });
    return { status: res.status, body: await res.json() };
  }, { user, password: USERS[user][1] });
  expect(r.status === 201, "the expert's call: " + JSON.stringify(r.body));
  const session = r.body.session;
  return {
    session,
    post: (path, body) => page.evaluate(async ({ path, body }) => {
      const res = await fetch(path, { method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": window.csrf }, body: JSON.stringify(body) });
      return { status: res.status, body: await res.json() };
    }, { path, body }),
    seen: () => page.evaluate(() => window.seen),
    close: () => page.evaluate(() => window.ws.close()),
    done: () => page.context().close(),
  };
}

test("booth: the screen's words and views (Node: the catalogs, view.js)", async () => {
  for (const [lang, cat] of Object.entries(CATALOGS)) {
    const keys = Object.keys(CATALOGS.en).filter((k) => k.startsWith("booth."));
    const missing = keys.filter((k) => !cat[k]);
    expect(!missing.length, `${lang} has every string: missing ${missing.join(", ")}`);
    for (const tpl of TEMPLATES) expect(cat["booth.msg_" + tpl], `${lang} says template ${tpl}`);
    for (const r of REASONS) expect(cat["booth.ended_" + r], `${lang} says end reason ${r}`);
  }
  const now = 1_800_000_000_000;
  const s = (state, extra = {}) => ({ id: 4, state, session: { id: 9, state, code: "L012", lang: "sv", ...extra } });
  expect(viewOf({ id: 4, state: "idle" }, { now }).view === "idle", "idle");
  expect(viewOf({ id: 4, state: "fault" }, { now }).view === "fault", "fault");
  expect(viewOf(s("ringing"), { now }).view === "calling", "ringing → calling");
  expect(viewOf(s("connecting"), { now }).phase === "connecting", "connecting → calling, connecting");
  const rc = viewOf(s("connecting", { reconnecting: true }), { now });
  expect(rc.view === "live" && rc.reconnecting, "a reconnect stays on the live screen");
  expect(viewOf(s("live"), { now }).lang === "sv", "the ticket's language");
  const last = { session: 9, code: "L012", reason: "network_lost", at: now / 1000 - 5, lang: "sv" };
  const ended = viewOf({ id: 4, state: "idle", last }, { now });
  expect(ended.view === "ended" && ended.reason === "network_lost" && ended.lang === "sv", "ended for a while");
  expect(viewOf({ id: 4, state: "idle", last }, { now: now + 11000 }).view === "idle", "then idle");
  expect(viewOf({ id: 4, state: "idle", last }, { now: now + 11000, seen: now }).view === "ended",
    "counted from when the page saw the end");
  const kept = viewOf({ id: 4, state: "fault", last: { ...last, reason: "error" } }, { now });
  expect(kept.view === "fault" && kept.kept === "L012", "out of order after an error: the number keeps its place");
});

test("booth: the idle screen says what the booth is in three languages, fits 1920×1080, passes axe", async () => {
  const v = await startVuorod();
  try {
    const page = await open(v.url + "/booth?booth=4", FULL_HD);
    await waitView(page, "idle");
    await waitFor(async () => (await page.textContent("#screen")).includes("Kelan asiantuntija etänä"),
      "the booth's services by name");
    expect(await page.textContent("h1") === "Etäpalvelupiste", "Finnish first");
    expect(await page.getAttribute("html", "lang") === "fi", "<html lang=fi>");
    expect(await page.textContent("#booth-name") === "Etäpalvelu", "the booth's Finnish name");
    const text = await page.textContent("#screen");
    expect(text.includes("Sinut kutsutaan tänne") && text.includes("TE-asiantuntija etänä"), "the Finnish text: " + text);
    expect(await page.locator('.other[lang="sv"]').textContent().then((s) => s.includes("Distansservicebås")),
      "Swedish too, marked as Swedish");
    expect(await page.locator('.other[lang="en"]').textContent().then((s) => s.includes("You will be called here")),
      "English too, marked as English");
    // Readable from the door: the heading is big, the text not small.
    const sizes = await page.evaluate(() => ({
      h1: parseFloat(getComputedStyle(document.querySelector("h1")).fontSize),
      lead: parseFloat(getComputedStyle(document.querySelector(".lead")).fontSize),
    }));
    expect(sizes.h1 >= 64 && sizes.lead >= 36, "big type: " + JSON.stringify(sizes));
    await shot(page, "booth-idle");
    expect(await fits(page), "the idle screen fits 1920×1080");
    expect(!(await page.locator("#video").count()), "no video element while idle");
    await audit(page, "booth idle");

    // The language switch.
    await page.getByRole("button", { name: "English" }).click();
    await page.getByRole("heading", { name: "Remote service booth", level: 1 }).waitFor();
    expect(await page.getAttribute("html", "lang") === "en", "<html lang=en>");
    expect(await page.getByRole("button", { name: "English" }).getAttribute("aria-pressed") === "true", "English pressed");
    expect(await page.textContent("#booth-name") === "Remote service", "the booth's English name");
    await audit(page, "booth idle in English");
    expect(page.jsErrors.length === 0, "no JS errors: " + page.jsErrors.join("; "));
    await page.context().close();

    // Without ?booth= the page takes the first booth.
    const first = await open(v.url + "/booth", FULL_HD);
    await waitView(first, "idle");
    expect(await first.textContent("#booth-name") === "Etäpalvelu", "the first booth");
    await first.context().close();
  } finally {
    await v.cleanup();
  }
});

test("booth: a missing camera — out of order for the citizen, the part and what to do on /tech", async () => {
  const v = await startVuorod([["counter:4", "camera", "v4l2:/dev/video-missing"]]);
  try {
    const page = await open(v.url + "/booth?booth=4", FULL_HD);
    await waitView(page, "fault");
    expect(await page.textContent("h1") === "Etäpalvelupiste on epäkunnossa", "out of order, in Finnish");
    const text = await page.textContent("#screen");
    expect(text.includes("Kysy neuvontapisteestä") && text.includes("Please ask at the front desk") &&
      text.includes("Fråga vid informationen"), "ask at the front desk, in three languages: " + text);
    expect(!/v4l2|\/dev\/|camera|kamera/i.test(await page.textContent("body")), "no technical detail for the citizen");
    expect(await fits(page), "the fault screen fits 1920×1080");
    await shot(page, "booth-fault");
    await audit(page, "booth out of order");
    expect(page.jsErrors.length === 0, "no JS errors: " + page.jsErrors.join("; "));
    await page.context().close();

    // The technician's card names the part, the device and what to do.
    const tech = await open(v.url + "/tech", { lang: "en" });
    await tech.getByLabel("User name").fill("tech");
    await tech.getByLabel("Password").fill(USERS.tech[1]);
    await tech.getByRole("button", { name: "Log in" }).click();
    await tech.getByRole("heading", { name: "Remote booths", exact: true }).waitFor();
    const card = tech.locator("#booths");
    await card.locator('.pill[data-state="fault"]').getByText("out of order").waitFor();
    const fault = await card.locator("#booth-4-fault").textContent();
    expect(fault.includes("Fault in the camera:") && fault.includes("/dev/video-missing") &&
      fault.includes("Check the camera's cable"), "the fault names the part and what to do: " + fault);
    await tech.locator("#faults li", { hasText: "booth 4: camera" }).waitFor();
    // Check again: still out of order, and it says why.
    await tech.locator("#booth-check-4").click();
    await tech.locator("#booth-check-4 + .out").getByRole("alert").filter({ hasText: "camera" }).waitFor();
    // A real device cannot be unplugged by software: vuorod refuses, the page says so.
    await tech.locator("#booth-unplug-4").click();
    await tech.locator("#booth-unplug-4 + .out").getByRole("alert").waitFor();
    const refused = await v.api("POST", "/api/booths/4/sim", { unplug: "camera" }, "tech");
    expect(refused.status === 409, "the sim refuses a v4l2 camera: " + JSON.stringify(refused));
    await card.scrollIntoViewIfNeeded();
    await shot(tech, "tech-booths-fault");
    await audit(tech, "tech with a booth out of order");
    // The refused check and sim answer 500 and 409: Chromium logs those; nothing else.
    const errors = tech.jsErrors.filter((e) => !e.startsWith("Failed to load resource"));
    expect(errors.length === 0, "no JS errors on /tech: " + errors.join("; "));
    await tech.context().close();
  } finally {
    await v.cleanup();
  }
});

test("booth: a customer is called in, the expert writes, never answers — the place is kept, then idle", async () => {
  const v = await startVuorod(RTC);
  let expert = null;
  try {
    const r = await v.api("POST", "/api/tickets", { service: "kela-video", lang: "sv", handout: "screen" });
    expect(r.status === 201, "a remote ticket in Swedish: " + JSON.stringify(r.body));
    const ticket = r.body.ticket;
    const page = await open(v.url + "/booth?booth=4&ended=3", FULL_HD);
    await waitView(page, "idle");

    expert = await silentExpert(v);
    await waitView(page, "calling");
    // The customer's language: the ticket's.
    await waitFor(async () => (await page.getAttribute("html", "lang")) === "sv", "the page in Swedish");
    const h1 = await page.textContent("h1");
    expect(h1.includes(ticket.code) && h1.includes("Kom in och sätt dig"), "the number and come in: " + h1);
    expect((await page.textContent(".status")).includes("Ansluter till experten"), "connecting to the expert");
    expect(await page.getByRole("button", { name: "Svenska" }).getAttribute("aria-pressed") === "true", "Svenska pressed");
    expect(!(await page.locator("#video").count()), "no video before the connection");
    await waitFor(async () => (await page.textContent("#announce")).includes(ticket.code), "the call said to screen readers");
    await waitFor(async () => (await expert.seen()).includes("offer"), "vuorod's offer at the expert");
    const size = await page.evaluate(() => parseFloat(getComputedStyle(document.querySelector(".code")).fontSize));
    expect(size >= 200, "the number is big: " + size);

    // A message from the expert, in the customer's language.
    const m = await expert.post(`/api/sessions/${expert.session}/message`, { template: "wait" });
    expect(m.status === 200, "message: " + JSON.stringify(m.body));
    await page.locator("#message").getByText("Vänta en stund, experten är snart tillbaka.").waitFor();
    await waitFor(async () => (await page.textContent("#announce")).includes("Vänta en stund"), "the message said");
    expect(await fits(page), "the calling screen fits 1920×1080");
    await shot(page, "booth-calling");
    await audit(page, "booth calling, with a message");

    // The customer prefers English: the screen and the message follow.
    await page.getByRole("button", { name: "English" }).click();
    await page.locator("#message").getByText("Please wait a moment, the expert will be right back.").waitFor();
    expect((await page.textContent("h1")).includes("Come in and take a seat"), "English heading");
    // The expert's own words are shown as they are.
    await expert.post(`/api/sessions/${expert.session}/message`, { text: "Hetkinen – yhteys tulee pian." });
    await page.locator("#message").getByText("Hetkinen – yhteys tulee pian.").waitFor();

    // The expert's page goes away before answering: no answer.
    await expert.close();
    await waitView(page, "ended");
    expect(await page.getAttribute(".view.ended", "data-reason") === "no_answer", "ended: no answer");
    const text = await page.textContent("#screen");
    expect(text.includes("The expert did not answer") && text.includes("You keep your place in line") &&
      text.includes(ticket.code), "the customer's choice of English holds; the place is kept: " + text);
    expect(await page.locator("#feedback").count() === 1, "a place for feedback (issue 6)");
    await shot(page, "booth-ended-no-answer");
    await audit(page, "booth ended, no answer");
    const tk = await v.api("GET", `/api/tickets/${ticket.id}`, null, "tech");
    expect(tk.body.state === "waiting", "the ticket is back in line: " + tk.body.state);

    // ?ended=3: then the booth is idle again, in Finnish.
    await waitView(page, "idle", 6000);
    await waitFor(async () => (await page.getAttribute("html", "lang")) === "fi", "back to Finnish");
    expect(page.jsErrors.length === 0, "no JS errors: " + page.jsErrors.join("; "));
    await page.context().close();
  } finally {
    await expert?.done().catch(() => {});
    await v.cleanup();
  }
});
