// SPDX-License-Identifier: GPL-3.0-or-later
// The waiting-room display (/display) in a real Chromium at 1920×1080: calls
// appear newest first and blink, are put into the live region and spoken in
// fi, sv, en one after the other; it survives a vuorod restart; a call made
// while it was offline is blinked and spoken when it is back; ?calls=N.

import { test, startVuorod, open, shot, audit, expect, waitFor } from "./lib.mjs";


const FULL_HD = { width: 1920, height: 1080 };

async function issue(v, service = "guide") {
  const r = await v.api("POST", "/api/tickets", { service, lang: "fi", handout: "screen" });
  expect(r.status === 201, "ticket issued: " + JSON.stringify(r.body));
  return r.body.ticket;
}

async function cmd(v, user, counter, what, body = {}) {
  const r = await v.api("POST", `/api/counters/${counter}/${what}`, body, user);
  expect(r.status === 200, `${what} at ${counter}: ${JSON.stringify(r.body)}`);
  return r.body;
}

// A stand-in speech engine that records what is said and how it overlaps,
// and counts the chime's tones (an init script: it runs in the page).
const fakeSpeech = () => {
  window.spoken = [];
  window.overlaps = 0;
  let busy = false;
  // This browser has voices for Finnish, Swedish, English and Ukrainian: of
  // the sim site's six languages, Northern Sámi and Arabic go unspoken.
  const voices = ["fi-FI", "sv-SE", "en-GB", "uk-UA"].map((lang) => ({ lang, name: lang }));
  window.speechSynthesis.getVoices = () => voices;
  Object.defineProperty(SpeechSynthesisUtterance.prototype, "voice", {
    set(v) { this._voice = v; }, get() { return this._voice ?? null; },
  });
  window.speechSynthesis.speak = (u) => {
    if (busy) window.overlaps++;
    busy = true;
    window.spoken.push({ lang: u.lang, text: u.text });
    setTimeout(() => {
      busy = false;
      u.onend?.(new Event("end"));
    }, 150);
  };
  const Real = window.AudioContext;
  window.chimes = 0;
  window.AudioContext = class extends Real {
    createOscillator() {
      window.chimes++;
      return super.createOscillator();
    }
  };
};

const listCodes = (page) => page.$$eval("#calls li .code", (els) => els.map((e) => e.textContent));

test("display: two quick calls both appear, newest on top and blinking, also in the live region", async () => {
  const v = await startVuorod();
  try {
    const a = await issue(v, "guide");
    const b = await issue(v, "tax");
    await cmd(v, "anna", 1, "open");
    await cmd(v, "bertil", 2, "open");
    const page = await open(v.url + "/display?mute=1", FULL_HD);
    await page.waitForSelector("#services li");
    await waitFor(async () => (await page.textContent("#site")).includes("Kuohu"), "site name");
    expect(await page.isVisible("#now-idle"), "the idle welcome shows before any call");
    // The clock: HH:MM in Helsinki, whatever the machine's zone.
    const hm = (d) => new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Helsinki", hour: "2-digit",
      minute: "2-digit", hourCycle: "h23" }).format(d);
    const clock = await page.textContent("#clock");
    expect([hm(new Date()), hm(new Date(Date.now() - 60000))].includes(clock), "the clock says Helsinki time: " + clock);

    await cmd(v, "anna", 1, "call");
    await cmd(v, "bertil", 2, "call");
    await waitFor(async () => (await listCodes(page)).length === 2, "two calls in the list");
    const codes = await listCodes(page);
    expect(codes[0] === b.code && codes[1] === a.code, "newest on top: " + codes.join(","));
    // Class and animation read at one moment: "fresh" ends after a while, and a
    // busy machine could pass that between two reads.
    const rows = await page.$$eval("#calls li", (els) =>
      els.map((e) => ({ cls: e.className, anim: getComputedStyle(e).animationName })));
    expect(rows[0].cls.includes("fresh"), "the newest blinks: " + rows[0].cls);
    expect(!rows[1].cls.includes("fresh"), "the older one no longer blinks: " + rows[1].cls);
    expect(rows[0].anim === "blink", "a CSS animation runs: " + rows[0].anim);
    expect((await page.textContent("#now-code")) === b.code, "the big number is the newest call");
    expect((await page.textContent("#now-counter")) === "2", "at counter 2");
    const live = await page.textContent("#announce");
    expect(live.includes(b.code) && live.includes("palvelupiste 2") && live.includes("counter 2"),
      "the live region says the call in all languages: " + live);
    expect(await page.getAttribute("#announce", "aria-live") === "assertive", "assertive live region");

    // Readable from 5 m: the number is over a fifth of the screen's height.
    const box = await page.locator("#now-code").boundingBox();
    expect(box.height >= 0.2 * FULL_HD.height, "number height " + box.height);
    // Nothing spills out of the screen.
    const overflow = await page.evaluate(() =>
      document.documentElement.scrollWidth > innerWidth || document.documentElement.scrollHeight > innerHeight);
    expect(!overflow, "the page fits 1920×1080");
    await shot(page, "display-two-calls");
    await audit(page, "display with two calls");

    // The blink ends by itself after a few seconds.
    await waitFor(async () => !(await page.$eval("#calls li", (e) => e.className)).includes("fresh"),
      "the blink to end", 8000);
    expect(page.jsErrors.length === 0, "no JS errors: " + page.jsErrors.join("; "));
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});

test("display: reduced motion gets a steady highlight, not a blink", async () => {
  const v = await startVuorod();
  try {
    await issue(v);
    await cmd(v, "anna", 1, "open");
    const page = await open(v.url + "/display?mute=1", FULL_HD);
    await page.emulateMedia({ reducedMotion: "reduce" });
    await page.waitForSelector("#services li");
    await cmd(v, "anna", 1, "call");
    await page.waitForSelector("#calls li.fresh");
    const style = await page.$eval("#calls li", (e) => {
      const s = getComputedStyle(e);
      return { anim: s.animationName, bg: s.backgroundColor };
    });
    expect(style.anim === "none", "no animation: " + style.anim);
    expect(style.bg === "rgb(255, 212, 0)", "a steady highlight: " + style.bg);
    await audit(page, "display, reduced motion");
    expect(page.jsErrors.length === 0, "no JS errors: " + page.jsErrors.join("; "));
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});

test("display: calls chime and are spoken in each site language with a voice (fi, sv, en, uk) without overlapping; ?mute=1 is silent", async () => {
  const v = await startVuorod();
  try {
    for (let i = 0; i < 2; i++) await issue(v);
    await cmd(v, "anna", 1, "open");
    await cmd(v, "bertil", 2, "open");
    const page = await open("about:blank", FULL_HD);
    await page.context().addInitScript(fakeSpeech);
    await page.goto(v.url + "/display");
    await page.waitForSelector("#services li");
    const quiet = await open("about:blank", FULL_HD);
    await quiet.context().addInitScript(fakeSpeech);
    await quiet.goto(v.url + "/display?mute=1");
    await quiet.waitForSelector("#services li");

    const t1 = (await cmd(v, "anna", 1, "call")).ticket;
    const t2 = (await cmd(v, "bertil", 2, "call")).ticket;
    const said = await waitFor(async () => {
      const s = await page.evaluate(() => window.spoken);
      return s.length >= 8 ? s : null;
    }, "eight utterances", 15000);
    const n = (code) => code.replace(/^([A-Z])0*/, "$1 ");
    expect(said.map((s) => s.lang.slice(0, 2)).join(",") === "fi,sv,en,uk,fi,sv,en,uk", "fi, sv, en, uk each time: " + said.map((s) => s.lang));
    expect(said[0].text === `Vuoronumero ${n(t1.code)}, palvelupiste 1.`, "Finnish: " + said[0].text);
    expect(said[1].text === `Nummer ${n(t1.code)}, disk 1.`, "Swedish: " + said[1].text);
    expect(said[3].text === `Номер ${n(t1.code)}, вікно 1.`, "Ukrainian: " + said[3].text);
    expect(said[6].text === `Number ${n(t2.code)}, counter 2.`, "English: " + said[6].text);
    expect(await page.evaluate(() => window.overlaps) === 0, "no utterance over another");
    expect(await page.evaluate(() => window.chimes) === 4, "two tones a call");

    await quiet.waitForSelector(`#calls li:nth-child(2)`);
    expect((await quiet.evaluate(() => window.spoken.length)) === 0, "?mute=1 says nothing");
    expect((await quiet.evaluate(() => window.chimes)) === 0, "?mute=1 plays no chime");
    expect((await quiet.textContent("#announce")).includes(t2.code), "muted: still in the live region");
    for (const p of [page, quiet]) {
      expect(p.jsErrors.length === 0, "no JS errors: " + p.jsErrors.join("; "));
      await p.context().close();
    }
  } finally {
    await v.cleanup();
  }
});

test("display: vuorod restarts under it: offline note, then back, and the next call shows", async () => {
  const v = await startVuorod();
  try {
    await issue(v);
    await issue(v);
    await cmd(v, "anna", 1, "open");
    const page = await open(v.url + "/display?mute=1", FULL_HD);
    await page.waitForSelector("#services li");
    const first = (await cmd(v, "anna", 1, "call")).ticket;
    await waitFor(async () => (await listCodes(page))[0] === first.code, "the first call");

    await v.stop();
    await page.waitForSelector("#offline", { state: "visible", timeout: 5000 });
    await shot(page, "display-offline");
    await audit(page, "display offline");
    await v.start();
    await page.waitForSelector("#offline", { state: "hidden", timeout: 10000 });

    await cmd(v, "anna", 1, "end");
    const second = (await cmd(v, "anna", 1, "call")).ticket;
    await waitFor(async () => (await listCodes(page))[0] === second.code, "the call after the restart");
    expect((await listCodes(page)).includes(first.code), "the earlier call is still listed");
    // The page may log the refused connection while vuorod was down; nothing else.
    const other = page.jsErrors.filter((e) => !/ERR_CONNECTION_REFUSED|WebSocket|Failed to load resource/.test(e));
    expect(other.length === 0, "no JS errors: " + other.join("; "));
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});

test("display: a call made while it was offline blinks and is spoken when it is back; one served meanwhile only listed", async () => {
  const v = await startVuorod();
  try {
    const a = await issue(v);
    const b = await issue(v);
    const c = await issue(v);
    await cmd(v, "anna", 1, "open");
    await cmd(v, "bertil", 2, "open");
    const page = await open("about:blank", FULL_HD);
    await page.context().addInitScript(fakeSpeech);
    // Every announcement put into the live region, as it happens.
    await page.context().addInitScript(() => {
      window.announced = [];
      addEventListener("DOMContentLoaded", () => new MutationObserver(() =>
        window.announced.push(document.getElementById("announce").textContent))
        .observe(document.getElementById("announce"), { childList: true }));
    });
    await page.goto(v.url + "/display");
    await page.waitForSelector("#services li");
    const spoken = (n) => waitFor(async () => {
      const s = await page.evaluate(() => window.spoken);
      return s.length >= n ? s : null;
    }, `${n} utterances`, 15000);
    await cmd(v, "anna", 1, "call");
    await spoken(4);

    // Offline: vuorod goes away and the display's network with it (the
    // emulated offline keeps the page from reconnecting until it is lifted).
    const offline = async () => {
      await page.context().setOffline(true);
      await v.stop();
      await page.waitForSelector("#offline", { state: "visible", timeout: 5000 });
      await v.start();
    };
    const online = async () => {
      expect(await page.isVisible("#offline"), "the calls were made while the display was offline");
      await page.context().setOffline(false);
      await page.waitForSelector("#offline", { state: "hidden", timeout: 15000 });
    };
    await offline();
    await cmd(v, "bertil", 2, "call"); // B: still being called when the display is back
    await cmd(v, "anna", 1, "end");
    await cmd(v, "anna", 1, "call"); // C: called, then served before it is back
    await cmd(v, "anna", 1, "start");
    await online();

    await waitFor(async () => (await listCodes(page))[0] === b.code, "B on top");
    const said = await spoken(8);
    const n = (code) => code.replace(/^([A-Z])0*/, "$1 ");
    expect(said.slice(4).map((x) => x.text).join(" | ") ===
      `Vuoronumero ${n(b.code)}, palvelupiste 2. | Nummer ${n(b.code)}, disk 2. | Number ${n(b.code)}, counter 2. | Номер ${n(b.code)}, вікно 2.`,
    "B spoken in fi, sv, en, uk: " + said.slice(4).map((x) => x.text).join(" | "));
    expect(await page.evaluate(() => window.chimes) === 4, "B chimed (two tones a call)");
    // The announcements of that load are all in (one task, before B showed).
    const announced = await page.evaluate(() => window.announced);
    expect(announced.some((x) => x.includes(b.code) && x.includes("counter 2")), "B in the live region");
    expect(!announced.some((x) => x.includes(c.code)), "C, served already, not announced: " + announced.join(" / "));
    expect(await page.$eval("#calls li:first-child", (e) => e.className.includes("fresh")), "B blinks");
    expect(await page.$eval("#now-call", (e) => e.classList.contains("fresh")), "the big number blinks");
    expect((await page.textContent("#now-code")) === b.code, "the big number is B");
    const listed = await listCodes(page);
    expect(listed.includes(c.code) && listed.includes(a.code), "C and A still listed: " + listed.join(","));
    expect((await page.$$("#calls li.fresh")).length === 1, "only B blinks");
    await shot(page, "display-missed-call");

    // A recall while offline is a call too.
    await offline();
    await cmd(v, "bertil", 2, "recall");
    await online();
    const again = await spoken(12);
    expect(again[8].text === `Vuoronumero ${n(b.code)}, palvelupiste 2.`, "the recall spoken: " + again[8].text);
    await page.waitForSelector("#calls li.fresh");
    expect(await page.evaluate(() => window.overlaps) === 0, "no utterance over another");
    const other = page.jsErrors.filter((e) => !/ERR_CONNECTION_REFUSED|ERR_INTERNET_DISCONNECTED|WebSocket|Failed to load resource/.test(e));
    expect(other.length === 0, "no JS errors: " + other.join("; "));
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});

test("display: ?calls=3 keeps the last three calls; a display opened later shows the current call", async () => {
  const v = await startVuorod();
  try {
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push((await issue(v)).code);
    await cmd(v, "anna", 1, "open");
    const page = await open(v.url + "/display?mute=1&calls=3", FULL_HD);
    await page.waitForSelector("#services li");
    for (let i = 0; i < 5; i++) {
      if (i) await cmd(v, "anna", 1, "end");
      await cmd(v, "anna", 1, "call");
      await waitFor(async () => (await listCodes(page))[0] === codes[i], "call " + codes[i]);
    }
    const shown = await listCodes(page);
    expect(shown.join(",") === [codes[4], codes[3], codes[2]].join(","), "the last three: " + shown.join(","));
    await waitFor(async () => (await page.textContent("#services li:first-child .count")).startsWith("0"),
      "nobody waits for guidance any more");
    await shot(page, "display-calls3");
    expect(page.jsErrors.length === 0, "no JS errors: " + page.jsErrors.join("; "));
    await page.context().close();

    // A display started now shows who is at the counter (GET /api/status), without blinking.
    const late = await open(v.url + "/display?mute=1", FULL_HD);
    await waitFor(async () => (await late.textContent("#now-code")) === codes[4], "the current call at load");
    expect((await late.textContent("#now-counter")) === "1", "at counter 1");
    expect((await late.$$("#calls li.fresh")).length === 0, "nothing blinks at load");
    expect(late.jsErrors.length === 0, "no JS errors: " + late.jsErrors.join("; "));
    await late.context().close();
  } finally {
    await v.cleanup();
  }
});

test("display: a transferred ticket's call leaves the list at once; the list is the same after a reload", async () => {
  const v = await startVuorod();
  try {
    const a = await issue(v, "guide");
    const b = await issue(v, "guide");
    const c = await issue(v, "tax");
    await cmd(v, "anna", 1, "open");
    await cmd(v, "bertil", 2, "open");
    const page = await open(v.url + "/display?mute=1", FULL_HD);
    await page.waitForSelector("#services li");

    await cmd(v, "anna", 1, "call", { ticket: a.id });
    await cmd(v, "anna", 1, "end");
    await cmd(v, "anna", 1, "call", { ticket: b.id });
    await waitFor(async () => (await listCodes(page)).join() === [b.code, a.code].join(), "two calls listed");

    // B is sent to another line: "B → 1" would send its owner to the wrong place.
    await cmd(v, "anna", 1, "transfer", { service: "tax" });
    const t0 = Date.now();
    await waitFor(async () => (await listCodes(page)).join() === a.code, "the transferred call gone", 2000);
    console.log(`# the transferred call left the display in ${Date.now() - t0} ms`);
    expect((await page.textContent("#now-code")) === a.code, "the big number is no longer the transferred one");
    await shot(page, "display-after-transfer");

    await cmd(v, "bertil", 2, "call", { ticket: c.id });
    await waitFor(async () => (await listCodes(page)).join() === [c.code, a.code].join(), "the next call on top");

    // A reload (a power cut of the screen, a browser restart) keeps the list,
    // ended visits included, and blinks nothing.
    await page.reload();
    await page.waitForSelector("#services li");
    await waitFor(async () => (await listCodes(page)).join() === [c.code, a.code].join(),
      "the same list after a reload");
    const pairs = await page.$$eval("#calls li", (els) => els.map((e) =>
      [e.querySelector(".code").textContent, e.querySelector(".counter").textContent, e.className]));
    expect(JSON.stringify(pairs) === JSON.stringify([[c.code, "2", "call"], [a.code, "1", "call"]]),
      "code → counter, nothing blinking: " + JSON.stringify(pairs));
    expect((await page.textContent("#now-code")) === c.code && (await page.textContent("#now-counter")) === "2",
      "the newest call is the big one");
    await shot(page, "display-after-reload");
    await audit(page, "display after a reload");
    expect(page.jsErrors.length === 0, "no JS errors: " + page.jsErrors.join("; "));
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});

test("display: a line with people waiting and no counter open says so, not '≈ N min'", async () => {
  const v = await startVuorod();
  try {
    await issue(v, "guide");
    const page = await open(v.url + "/display?mute=1", FULL_HD);
    await page.waitForSelector("#services li");
    const tile = page.locator("#services li", { hasText: "Yleinen neuvonta" });
    await waitFor(async () => (await tile.locator(".wait").innerText()).includes("No counter open now"),
      "'no counter open now' on the guide line");
    const words = await tile.locator(".wait").innerText();
    expect(words.includes("Ei avointa palvelupistettä") && words.includes("Ingen disk öppen nu") &&
      !words.includes("≈"), "in the page's languages, no estimate: " + words);
    const overflow = await page.evaluate(() =>
      document.documentElement.scrollWidth > innerWidth || document.documentElement.scrollHeight > innerHeight);
    expect(!overflow, "the page still fits 1920×1080");
    await shot(page, "display-no-counter");
    await audit(page, "display, a line nobody serves");

    // A counter opens for it: the estimate is back.
    await cmd(v, "anna", 1, "open");
    await waitFor(async () => /≈ \d+ min/.test(await tile.locator(".wait").innerText()), "the estimate");
    expect(page.jsErrors.length === 0, "no JS errors: " + page.jsErrors.join("; "));
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});

test("display: the clock runs in the site's zone ([site] timezone), not the browser's or Helsinki's", async () => {
  const v = await startVuorod([["site", "timezone", "Asia/Tokyo"]]);
  try {
    const st = await v.api("GET", "/api/status");
    expect(st.body.timezone === "Asia/Tokyo", "the status names the site's zone: " + st.body.timezone);
    const page = await open(v.url + "/display?mute=1", FULL_HD);
    await page.waitForSelector("#services li");
    const hm = (d) => new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Tokyo", hour: "2-digit",
      minute: "2-digit", hourCycle: "h23" }).format(d);
    await waitFor(async () => [hm(new Date()), hm(new Date(Date.now() - 60000))]
      .includes(await page.textContent("#clock")), "the clock in Tokyo time");
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});
