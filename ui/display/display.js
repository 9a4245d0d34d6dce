// SPDX-License-Identifier: GPL-3.0-or-later
// The waiting-room display: who is called where, the last calls, the lines
// per service and the clock.  Read-only and anonymous: GET /api/status for
// the state at load (each counter carries its current ticket), then the
// public event stream.  Each call blinks for a few seconds, is put into an
// aria-live region and, where the browser allows sound, chimes and is spoken
// in the site's languages it has a voice for; so is a call made while the
// page was offline that is still being called when it is back.
//
// The list of calls is vuorod's (GET /api/status "recent_calls", newest
// first), so it survives a reload; a call leaves it as soon as its ticket is
// transferred, goes back in line after a no-show, or is cancelled: "A001 → 1"
// must not send anyone to a counter that no longer expects them.
//
// Every label is in the site's languages (display.* in the catalogs): the
// main one always, and the others beside it two at a time, turning every
// few seconds when the site offers more than three.

import { get } from "/ui/common/api.js";
import { live } from "/ui/common/live.js";
import { h, clear } from "/ui/common/dom.js";
import { i18n, i18nEvery } from "/ui/common/i18n.js";
import { chimer } from "/ui/common/chime.js";
import { noticeFeed } from "/ui/common/notices.js";

const params = new URLSearchParams(location.search);
const MUTED = params.get("mute") === "1";
const MAX_CALLS = Math.min(20, Math.max(1, parseInt(params.get("calls"), 10) || 6));
const BLINK_MS = 5000;

const $ = (id) => document.getElementById(id);

let calls = [];           // newest first: {code, counter}
let fresh = null;         // the code that blinks now
let blinkTimer = null;
let counters = new Map(); // id → {name, kind}
// What the page knows of each counter's call: id → {code, recalls} as the
// last status said, and id → {code, n}: the calls of a code that events
// told since (public events carry no recall count).
const heard = new Map();
const told = new Map();
let loaded = false;       // the first status is shown without blinking
let missed = false;       // the socket was closed: events may have been lost
let socketOpen = false;
let services = [];        // as the last status listed them

/* ---------- languages ---------- */

const t = await i18n("display", "vuoro-display-lang");
const LANGS = t.siteLanguages();
const words = await i18nEvery("display", LANGS);
const spokenWords = await i18nEvery("announce", LANGS);
// The pages of languages shown together: the main one and two others.
const PAGES = [];
for (let i = 1; i < LANGS.length; i += 2) PAGES.push([LANGS[0], ...LANGS.slice(i, i + 2)]);
if (!PAGES.length) PAGES.push([LANGS[0]]);
const TURN_MS = 8000;
let page = 0;

// A label in the languages of this page: "Nyt vuorossa · Nu i tur · Now
// serving", or one line each (sep "br"), or a paragraph each (sep "p").
function labelOf(key, sep = "·", vars = {}) {
  const langs = PAGES[page];
  if (sep === "p") return langs.map((l) => h("p", { class: "hint", lang: l.code, dir: l.dir }, words[l.code](key, vars)));
  return langs.flatMap((l, i) => [
    i ? (sep === "br" ? h("br") : ` ${sep} `) : null,
    h("span", { lang: l.code, dir: l.dir }, words[l.code](key, vars)),
  ]).filter(Boolean);
}

function renderLabels() {
  for (const el of document.querySelectorAll("[data-t]")) el.replaceChildren(...labelOf(el.dataset.t, el.dataset.sep));
  document.title = PAGES[page].map((l) => words[l.code]("title")).join(" · ");
}

/* ---------- clock ---------- */

// In the site's clock ([site] timezone, from /api/status), whatever zone the
// screen's browser is set to.
let clockFmt = null;
function setZone(zone) {
  if (clockFmt?.resolvedOptions().timeZone === zone) return false;
  clockFmt = new Intl.DateTimeFormat("fi-FI", {
    timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
  return true;
}
setZone("Europe/Helsinki");

function showClock(now) {
  const part = (type) => clockFmt.formatToParts(now).find((p) => p.type === type)?.value;
  $("clock").textContent = `${part("hour")}:${part("minute")}`;
}

function tickClock() {
  const now = new Date();
  showClock(now);
  // Wake up just after the next minute starts.
  setTimeout(tickClock, 60000 - (now.getTime() % 60000) + 50);
}

/* ---------- calls ---------- */

function addCall(code, counter, isNew) {
  calls = calls.filter((c) => c.code !== code);
  if (isNew) calls.unshift({ code, counter });
  else calls.push({ code, counter });
  calls.length = Math.min(calls.length, MAX_CALLS);
  if (isNew) {
    // Only the newest call blinks: the eye goes to it.
    fresh = code;
    clearTimeout(blinkTimer);
    blinkTimer = setTimeout(() => {
      fresh = null;
      renderCalls();
    }, BLINK_MS);
  }
  renderCalls();
}

// The ticket's call is no longer where it was: off the list at once.
function dropCall(code) {
  if (!calls.some((c) => c.code === code)) return;
  calls = calls.filter((c) => c.code !== code);
  if (fresh === code) fresh = null;
  renderCalls();
}

function renderCalls() {
  const list = $("calls");
  clear(list);
  for (const c of calls) {
    list.append(h("li", { class: c.code === fresh ? "call fresh" : "call" },
      h("span", { class: "code" }, c.code),
      h("span", { class: "arrow", "aria-hidden": "true" }, "→"),
      h("span", { class: "visually-hidden" }, " / "),
      h("span", { class: "counter" }, String(c.counter))));
  }
  const top = calls[0];
  $("now-call").hidden = !top;
  $("now-idle").hidden = !!top;
  if (!top) return;
  $("now-code").textContent = top.code;
  $("now-counter").textContent = String(top.counter);
  // The remote-service booth is not a numbered counter: say its name.
  const label = $("now-counter-label");
  const ctr = counters.get(top.counter);
  if (ctr?.kind === "expert") label.textContent = ctr.name;
  else label.replaceChildren(...labelOf("counter", "br"));
  // Restart the blink on every new call, also of the same box.
  const box = $("now-call");
  box.classList.remove("fresh");
  if (top.code === fresh) {
    void box.offsetWidth;
    box.classList.add("fresh");
  }
}

/* ---------- announcements ---------- */

// "A012" → "A 12": a letter and a number as people say them.
function spoken(code) {
  const m = /^([A-Z]+)0*(\d+)$/i.exec(code);
  return m ? `${m[1]} ${m[2]}` : code;
}

function announce(code, counter) {
  const [, letter = code, digits = ""] = /^([A-Z]+)0*(\d+)$/i.exec(code) || [];
  const booth = counters.get(counter)?.kind === "expert";
  const key = booth ? "call_booth" : "call";
  const vars = { letter, digits, counter };
  // Spoken in each language the browser has a voice for; the main one at least.
  const voiced = LANGS.filter((l) => voiceFor(l.code));
  const lines = (voiced.length ? voiced : [LANGS[0]]).map((l) => [l.code, spokenWords[l.code](key, vars)]);
  // What the screen shows ("A012"), in every language; a new node each
  // time, so screen readers also read a repeated recall.
  const shown = (l) => spokenWords[l.code](key, { letter: code, digits: "", counter })
    .replace(/\s+([,،.])/g, "$1").replace(/\s+/g, " ");
  $("announce").replaceChildren(h("p", {}, ...LANGS.map((l) => h("span", { lang: l.code, dir: l.dir }, shown(l) + " "))));
  if (!MUTED) queueSound(lines);
}

let soundChain = Promise.resolve();

// Two falling tones, then the words (a chimer from ui/common/chime.js).
const sound = chimer();
const chime = () => sound.play([[659.25, 0], [523.25, 0.45]], { gain: 0.3, length: 0.6 });

function voiceFor(lang) {
  const short = lang.slice(0, 2);
  return speechSynthesis.getVoices().find((v) => v.lang.toLowerCase().startsWith(short));
}

// One utterance; resolves when it ends, fails, or surely should have ended
// (some engines never fire "end").
function say(text, lang) {
  return new Promise((resolve) => {
    if (!("speechSynthesis" in window) || !window.SpeechSynthesisUtterance) {
      resolve();
      return;
    }
    let timer = null;
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    timer = setTimeout(done, 3000 + text.length * 150);
    try {
      const u = new SpeechSynthesisUtterance(text);
      u.lang = lang;
      const voice = voiceFor(lang);
      if (voice) u.voice = voice;
      u.rate = 0.9;
      u.onend = done;
      u.onerror = done;
      speechSynthesis.speak(u);
    } catch {
      done();
    }
  });
}

// Calls are announced one after the other, never on top of each other; a call
// whose turn comes more than a minute late is skipped (the screen showed it).
function queueSound(lines) {
  const queued = Date.now();
  soundChain = soundChain.then(async () => {
    if (Date.now() - queued > 60000) return;
    await chime();
    for (const [lang, text] of lines) await say(text, lang);
  }).catch(() => {});
}

// A browser that blocks autoplay lets sound start after any touch or key.
for (const ev of ["pointerdown", "keydown"]) {
  addEventListener(ev, () => sound.unlock(), { passive: true });
}

/* ---------- lines per service ---------- */

function renderServices() {
  const list = $("services");
  clear(list);
  for (const s of services) {
    const names = s.names || {};
    const langs = PAGES[page];
    // No counter serves this line now: no estimate is promised.
    // ("staffed" when vuorod says it, else from the open counters for it;
    // said only to those waiting: an empty line needs no warning.)
    const staffed = s.staffed ?? (s.counters_open === undefined || s.counters_open > 0);
    const unstaffed = s.open && s.waiting > 0 && (!staffed || ("wait_s" in s && s.wait_s == null));
    const wait = unstaffed ? h("p", { class: "wait none" }, ...labelOf("no_counter", "br"))
      : s.waiting > 0 && s.open && s.wait_s > 0
      ? h("p", { class: "wait" },
        h("span", { class: "visually-hidden" }, langs.map((l) => words[l.code]("wait_est")).join(" / ") + ": "),
        `≈ ${Math.max(1, Math.round(s.wait_s / 60))} min`)
      : null;
    list.append(h("li", { class: s.open ? "service" : "service closed" },
      h("div", { class: "names" }, langs.map((l, i) =>
        h("p", { class: i ? null : "main", lang: l.code, dir: l.dir }, names[l.code] || (i ? "" : s.code)))),
      h("div", { class: "figures" },
        h("p", { class: "count" }, String(s.waiting),
          h("span", { class: "visually-hidden" }, " " + langs.map((l) => words[l.code]("waiting")).join(" / "))),
        s.open ? wait
        // A remote line nobody can answer now (issue 16): said, not "closed".
        : s.refusal === "no_expert" ? h("p", { class: "wait none" }, ...labelOf("no_expert", "br"))
        : s.refusal === "no_booth" ? h("p", { class: "wait none" }, ...labelOf("no_booth", "br"))
        : h("p", { class: "wait" }, ...labelOf("closed")))));
  }
}

/* ---------- notices ---------- */

// Each current notice in the main language, and in this page's other
// languages those it was written in (the main text is not repeated).
const notices = noticeFeed(() => renderNotices());

// Booked visitors whose host said "on my way", by ticket number, shown for
// HOST_MS in this page's languages (vuorod's "host_coming": no names).
const HOST_MS = 3 * 60 * 1000;
const hostsComing = new Map(); // ticket code → shown until (ms)

function hostComing(ticket) {
  hostsComing.delete(ticket);
  hostsComing.set(ticket, Date.now() + HOST_MS);
  renderNotices();
  setTimeout(renderNotices, HOST_MS + 100);
}

function renderNotices() {
  const list = notices.list();
  for (const [code, until] of hostsComing) if (until <= Date.now()) hostsComing.delete(code);
  $("notices").hidden = !list.length && !hostsComing.size;
  $("notice-list").replaceChildren(...list.map((n) => h("li", { class: "notice", dataset: { notice: n.id } },
    PAGES[page].filter((l, i) => !i || n.texts[l.code]).map((l, i) =>
      h("p", { class: i ? null : "main", lang: l.code, dir: l.dir }, n.shown[l.code])))),
  ...[...hostsComing.keys()].map((code) => h("li", { class: "notice host-coming", dataset: { host: code } },
    PAGES[page].map((l, i) => h("p", { class: i ? null : "main", lang: l.code, dir: l.dir },
      words[l.code]("host_coming", { ticket: code }))))));
}

/* ---------- state from vuorod ---------- */

// A counter's ticket in the status is a call this page missed (while it was
// offline) when it is still being called and is not the call last heard of
// at that counter: another ticket, or the same one recalled since.
function missedCall(c) {
  const tk = c.ticket;
  if (!tk?.code || tk.state !== "called") return false;
  const was = heard.get(c.id);
  const heardLive = told.get(c.id)?.code === tk.code ? told.get(c.id).n : 0;
  if (was?.code === tk.code) return (tk.recalls ?? 0) > was.recalls + heardLive;
  return !heardLive;
}

async function loadStatus() {
  let st;
  try {
    st = await get("/api/status");
  } catch {
    return; // the offline note says it; the socket's reconnect loads again
  }
  $("site").textContent = st.site || "vuoro";
  if (st.timezone && setZone(st.timezone)) showClock(new Date());
  counters = new Map(st.counters.map((c) => [c.id, { name: c.name, kind: c.kind }]));
  services = st.services;
  renderServices();
  // Who is at a counter now: those being called first, then those served.
  const rank = (c) => (c.ticket.state === "called" ? 0 : 1);
  const current = st.counters.filter((c) => c.ticket && c.ticket.code).sort((a, b) => rank(a) - rank(b));
  // Back after being offline: the calls made meanwhile that are still being
  // called blink and are announced, as a live call is; the rest is listed.
  const missedNow = loaded && missed ? current.filter(missedCall) : [];
  if (Array.isArray(st.recent_calls)) {
    // vuorod's list is the truth: what a reload shows, and what went stale.
    calls = st.recent_calls.slice(0, MAX_CALLS).map((c) => ({ code: c.code, counter: c.counter }));
    if (fresh && !calls.some((c) => c.code === fresh)) fresh = null;
  } else {
    for (const c of current) {
      if (!missedNow.includes(c) && !calls.some((k) => k.code === c.ticket.code)) addCall(c.ticket.code, c.id, false);
    }
  }
  for (const c of missedNow) {
    addCall(c.ticket.code, c.id, true);
    announce(c.ticket.code, c.id);
  }
  heard.clear();
  told.clear();
  for (const c of current) heard.set(c.id, { code: c.ticket.code, recalls: c.ticket.recalls ?? 0 });
  loaded = true;
  // Loaded with the socket open: from here on its events tell every call.
  if (socketOpen) missed = false;
  renderCalls();
}

let statusTimer = null;
function reloadSoon() {
  clearTimeout(statusTimer);
  statusTimer = setTimeout(loadStatus, 150);
}

function onEvent(ev) {
  const tk = ev.ticket;
  const counter = ev.counter ?? tk?.counter;
  const isCall = ev.type === "called" || ev.type === "recalled" ||
    (ev.type === "resumed" && tk?.state === "called");
  if (isCall && tk?.code && counter) {
    const was = told.get(counter);
    told.set(counter, { code: tk.code, n: was?.code === tk.code ? was.n + 1 : 1 });
    addCall(tk.code, counter, true);
    announce(tk.code, counter);
  }
  if (tk?.code && ["transferred", "requeued", "cancelled", "voided"].includes(ev.type)) dropCall(tk.code);
  if (ev.type === "notices") {
    notices.load();
    return;
  }
  if (ev.type === "host_coming") {
    if (ev.ticket) hostComing(ev.ticket);
    return;
  }
  if (ev.type === "host_told") return;
  if (ev.type === "day_reset") {
    calls = [];
    renderCalls();
  }
  reloadSoon();
}

function onState(state) {
  $("offline").hidden = state === "open";
  socketOpen = state === "open";
  if (!socketOpen) missed = true;
  if (state === "open") {
    loadStatus();
    notices.load();
  }
}

// Turn to the next page of languages, when there is one.
if (PAGES.length > 1) {
  setInterval(() => {
    page = (page + 1) % PAGES.length;
    renderLabels();
    renderServices();
    renderCalls();
    renderNotices();
  }, TURN_MS);
}

tickClock();
renderLabels();
renderCalls();
loadStatus();
setInterval(loadStatus, 30000); // estimates move with the clock too
live({ onEvent, onState });
