// SPDX-License-Identifier: GPL-3.0-or-later
// A booth call with real-time text (T.140 over the session's "t140" data
// channel), for booth-rtt.test.mjs and tools/bench-booth-rtt.mjs: Chromium
// as the expert on /expert (fake camera) and Chromium as the booth's screen
// (/booth?booth=4, 1920×1080) on the sim board's booth.
//
// Latency is measured where people see it: each side's page notes
// Date.now() of every input event in its own field (before the page's own
// handler runs) and of every change of the other side's text on screen (a
// MutationObserver); a character's latency is from the input that made a
// text to the first time the other screen shows exactly that text.  Both
// pages live in one Chromium, so they share the clock.

import { open, waitFor, expect } from "./lib.mjs";

export const RTT_RTC = [
  ["webrtc", "local-addresses", "127.0.0.1"],
  ["webrtc", "ring-seconds", "10"],
];

const booth4 = async (v) => (await v.api("GET", "/api/booths/4", null, "tech")).body;

// Notes, in @page, the inputs of @mine and the changes of @theirs.
async function instrument(page) {
  await page.evaluate(() => {
    const w = window;
    w.__rtt = { typed: [], seen: [] };
    document.addEventListener("input", (e) => {
      if (e.target.id === "rtt-mine") w.__rtt.typed.push({ t: Date.now(), text: e.target.value });
    }, true);
    const theirs = document.getElementById("rtt-theirs");
    new MutationObserver(() => w.__rtt.seen.push({ t: Date.now(), text: theirs.textContent }))
      .observe(theirs, { childList: true, characterData: true, subtree: true });
  });
}

export async function loginAsExpert(v) {
  const page = await open(v.url + "/expert", { lang: "en" });
  await page.fill("#user", "eero");
  await page.fill("#password", "expert-pass-long-1");
  await page.click("#login-button");
  await page.waitForSelector("#app:not([hidden])");
  await waitFor(() => page.evaluate(() => document.getElementById("self").readyState >= 2),
    "the expert's own camera", 10000);
  return page;
}

// A ticket, the booth screen, a live call with the text channel open on both
// sides.  @expert: a logged-in /expert page (made when not given).
export async function rttCall(v, expert = null) {
  const r = await v.api("POST", "/api/tickets", { service: "kela-video", lang: "fi", handout: "screen" });
  expect(r.status === 201, "ticket issued: " + JSON.stringify(r.body));
  const screen = await open(v.url + "/booth?booth=4", { width: 1920, height: 1080 });
  expert = expert || (await loginAsExpert(v));
  await waitFor(async () => !(await expert.locator("#call").isDisabled()), "Call next enabled", 10000);
  await expert.click("#call");
  await waitFor(async () => (await booth4(v)).session?.state === "live", "the session live", 15000);
  await waitFor(async () => (await screen.getAttribute("#screen", "data-view")) === "live",
    "the booth screen live", 10000);
  await waitFor(() => expert.evaluate(() => !document.getElementById("rtt-mine").disabled),
    "the expert's text field open (the t140 channel)", 10000);
  await instrument(expert);
  await instrument(screen);
  return { expert, screen, session: (await booth4(v)).session.id };
}

// Types @text into @from's field (a real keyboard, @delay ms a key) and waits
// until @to's screen shows @want (default: @text).
export async function typeOver(from, to, text, { delay = 60, want = text } = {}) {
  await from.focus("#rtt-mine");
  await from.keyboard.type(text, { delay });
  await waitFor(async () => (await to.textContent("#rtt-theirs")) === want,
    `"${want}" on the other screen`, 8000);
}

// The latencies (ms) of every input in @from that @to's screen showed.
export async function latencies(from, to) {
  const typed = await from.evaluate(() => window.__rtt.typed);
  const seen = await to.evaluate(() => window.__rtt.seen);
  const out = [];
  for (const k of typed) {
    const hit = seen.find((s) => s.t >= k.t && s.text === k.text);
    if (hit) out.push(hit.t - k.t);
  }
  return out;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
}
