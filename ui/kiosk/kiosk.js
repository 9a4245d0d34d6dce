// SPDX-License-Identifier: GPL-3.0-or-later
// /kiosk — the touch screen of the ticket dispenser.
//
// Screens: "start" (services, language, check-in and feedback buttons),
// "busy" (a request under way), "ticket" (the confirmation), "checkin" (the
// booking-code keypad), "pin" (identity with the ID card for the ticket just
// drawn) and "feedback" (rate the visit).  Every render rebuilds the screen from state; the element that
// had focus is found again by its data-focus-key, so live refreshes and a
// language switch never throw a keyboard user back to the top.
//
// Query string (for tests and set-up): ?idle=N — seconds without a touch
// before going back to the start (default 45, the warning scaled; idle.js;
// three times that while a PIN is typed).
//
// The low layout (EN 301 549 5.1.3.x, reach): the ♿ switch beside the
// start screen's lowest buttons moves every control into the lower part of
// the screen for a seated citizen (body.low in kiosk.css); the switch then
// sits at the bottom of every screen, with the languages, to turn it off.
// It lasts until the kiosk goes back to the start for the next citizen.
//
// The ticket view lets go (issue 14): a stranger's number must not wait on
// the screen for the next citizen, who could identify onto it.  After
// printing it goes back to the start status.kiosk.ticket_seconds later
// ([kiosk] ticket-seconds, 8), whatever is touched — no "continue" keeps it;
// identifying is offered only in that window.  Once the PIN pad is open,
// the idle timer's task timeout applies (warn, extendable); back from it the
// ticket view gets a window of its own, without a second offer.  A ticket
// that could not be printed stays as a task (the number to remember, a QR
// code to scan) under the idle timer, the offer gone after the window.

import { get, post, ApiError } from "/ui/common/api.js";
import { h, clear } from "/ui/common/dom.js";
import { i18n, siteNameIn } from "/ui/common/i18n.js";
import { live } from "/ui/common/live.js";
import { ensurePaired } from "/ui/common/pair.js";
import { nextOpenText, refusalText } from "./strings.js";
import { renderStart, updateStart } from "./start.js";
import { renderTicket } from "./ticket.js";
import { idleTimer } from "./idle.js";
import { noticeFeed } from "/ui/common/notices.js";

// A kiosk starts in the site's main language whatever the last citizen chose.
localStorage.removeItem("vuoro-kiosk-lang");
const t = await i18n("kiosk", "vuoro-kiosk-lang");

const $ = (id) => document.getElementById(id);

// Screens a citizen reaches only by choosing them (the booking-code keypad,
// the PIN pad, feedback) or that the speech guidance brings: their modules
// load when first wanted, not with the page (issue 22: the page's weight).
// A load that fails (vuorod unreachable) is tried again at the next tap,
// under a new address (a browser may keep a failed module's error).
const LATER = { checkin: "./checkin.js", pin: "./pin.js", feedback: "./feedback.js", guide: "./guide.js" };
const mods = {};
let tries = 0;
async function need(name) {
  if (!mods[name]) {
    try {
      mods[name] = await import(LATER[name] + (tries ? `?try=${tries}` : ""));
    } catch (e) {
      tries++;
      console.warn(`kiosk: ${LATER[name]}:`, e.message);
      return null;
    }
  }
  return mods[name];
}

// Goes to @screen once its module is there; false when it could not be
// loaded or the kiosk went elsewhere meanwhile (the idle timer, an event).
let moves = 0;
async function goLater(screen, before = () => {}) {
  const at = moves;
  const ok = await need(screen);
  if (at !== moves) return false;
  if (!ok) {
    if (state.screen === "start") go("start", { message: () => t("error_unreachable") });
    return false;
  }
  before();
  go(screen);
  return true;
}
const state = {
  screen: "start",
  status: null,
  online: true,
  // Start screen: the last refusal, as a function of the language (so a
  // language switch translates it too): () => text.
  message: null,
  view: null, // ticket screen: {ticket, printed, noPrinter, appointment, identified}
  busyText: "",
  checkin: { code: "", error: null, busy: false },
  pin: freshPin(),
  feedback: { busy: false, thanked: false },
  low: false, // the low layout, for a seated citizen
  guided: false, // the speech guidance has the kiosk (guideEvent)
  guide: null, // its screen: {service, headset}
};
let thanksTimer = null;
const THANKS_MS = 6000; // the feedback's thanks stay this long, then the start
const TICKET_S = 8; // [kiosk] ticket-seconds when status does not say
// The ticket view's window: {until, timer} while it runs, else null.
let ticketWindow = null;

// Speech-guided mode (guideEvent): while the guidance has the kiosk, a
// ticket view stays — with a headset in, until it is pulled or the citizen
// says done; the guidance's "off" takes the screen back to the start.
const ticketHold = { keeps: () => state.guided };

function freshPin() {
  return { digits: "", busy: false, result: null, final: false, redraw: null };
}

// ---------------------------------------------------------------------------
// Rendering

function siteName() {
  // Sites name themselves in their languages as "fi / sv / en".
  return siteNameIn(state.status?.site, t);
}

function renderHeader() {
  $("site").textContent = siteName();
  const langs = $("langs");
  langs.setAttribute("aria-label", t("languages"));
  // Built once and updated in place: a button rebuilt under a finger loses the tap.
  if (!langs.children.length) {
    // Each language in its own name and script direction.
    for (const l of t.languages()) {
      langs.append(h("button", { class: "lang", lang: l.code, dir: l.dir, dataset: { focusKey: "lang:" + l.code },
        onclick: () => t.setLang(l.code) }, l.name));
    }
  }
  for (const b of langs.children) b.setAttribute("aria-pressed", String(b.lang === t.lang()));
  const low = $("low");
  low.textContent = t("low_layout");
  $("reach").hidden = !state.low;
  document.body.classList.toggle("low", state.low);
  // Low, the languages go down beside the switch (moved, not rebuilt).
  const home = state.low ? $("reach") : $("top");
  if (langs.parentElement !== home) {
    if (state.low) home.prepend(langs);
    else home.append(langs);
  }
  renderNotices();
  const off = $("offline");
  off.hidden = state.online;
  off.textContent = state.online ? "" : t("offline");
}

// The notices shown now, in the kiosk's language (the main one stands in
// for a language the notice was not written in: vuorod's "shown").
const notices = noticeFeed(() => renderNotices());

function renderNotices() {
  const list = notices.list();
  const lang = t.lang();
  const dir = t.languages().find((l) => l.code === lang)?.dir || "ltr";
  $("notices").hidden = !list.length;
  document.body.classList.toggle("has-notices", list.length > 0);
  $("notices-h").textContent = t("notices");
  $("notice-list").replaceChildren(...list.map((n) => {
    // Written in the main language only: say so, for the screen reader's voice.
    const own = n.texts[lang] ? lang : t.main();
    const ownDir = own === lang ? dir : t.languages().find((l) => l.code === own)?.dir || "ltr";
    return h("li", { class: "notice", lang: own, dir: ownDir, dataset: { notice: n.id } }, n.shown[lang] ?? n.shown[own]);
  }));
}

function render({ focusTop = false } = {}) {
  const key = document.activeElement?.dataset?.focusKey;
  document.title = t("title") + (state.status ? " – " + siteName() : "");
  renderHeader();
  const ctx = context();
  const main = $("screen");
  if (state.screen === "start" && !focusTop && updateStart(main.firstElementChild, ctx)) return;
  let node;
  if (state.screen === "ticket") node = renderTicket(ctx, state.view);
  else if (state.screen === "checkin") node = mods.checkin.renderCheckin(ctx);
  else if (state.screen === "pin") node = mods.pin.renderPin(ctx);
  else if (state.screen === "feedback") node = mods.feedback.renderFeedback(ctx);
  else if (state.screen === "guide") node = mods.guide.renderGuide(ctx, state.guide);
  else if (state.screen === "busy") {
    node = h("section", { class: "busy", "aria-busy": "true" },
      h("h1", { tabindex: "-1", role: "status" }, state.busyText));
  } else node = renderStart(ctx);
  clear(main).append(node);
  const again = key && document.querySelector(`[data-focus-key="${CSS.escape(key)}"]`);
  if (focusTop) node.querySelector("h1")?.focus();
  else if (again) again.focus();
}

// What the screens may read and do.
function context() {
  return {
    t,
    status: state.status,
    online: state.online,
    message: state.message ? { title: t("refused_title") + ":", text: state.message() } : null,
    draw,
    current: (code) => state.status?.services.find((x) => x.code === code),
    isOnline: () => state.online,
    explain: (s) => {
      state.message = () => [refusalText(t, s.refusal, s), nextOpenText(t, s)].filter(Boolean).join(". ");
      render();
    },
    checkin: () => goLater("checkin"),
    done: () => goStart(),
    checkinState: state.checkin,
    submit: checkin,
    back: () => goStart(),
    identify: async () => {
      if (!state.view?.offer) return; // the window closed under the finger
      // Unreachable, the ticket view stays (the offline banner says why).
      if (!(await need("pin")) || state.screen !== "ticket" || !state.view?.offer) return;
      endTicketWindow();
      state.pin = freshPin();
      go("pin");
    },
    pinState: state.pin,
    pinType,
    pinErase,
    pinSubmit,
    pinCancel,
    low: state.low,
    toggleLow,
    rateVisit: () => goLater("feedback", () => {
      state.feedback = freshFeedback();
      loadQuestion(state.feedback);
    }),
    feedbackState: state.feedback,
    rate,
    setComment: (text) => {
      state.feedback.comment = text;
    },
    setAnswer: (answer) => {
      const st = state.feedback;
      st.answer = st.answer === answer ? null : answer; // a second tap takes it back
      render();
    },
    sendWords,
    skipWords: () => thank(state.feedback),
  };
}

function go(screen, extra = {}) {
  moves++;
  Object.assign(state, { screen }, extra);
  render({ focusTop: true });
}

// The next citizen finds the start in the main language: its words are
// loaded first (setLang fetches them), then the start is drawn in them.
async function startOver() {
  await t.setLang(t.main());
  state.low = false;
  goStart();
}

function goStart() {
  endTicketWindow();
  state.message = null;
  state.checkin = { code: "", error: null, busy: false };
  state.pin = freshPin(); // a PIN never outlives its screen
  state.feedback = freshFeedback();
  clearTimeout(thanksTimer);
  go("start");
  refresh();
}

// ---------------------------------------------------------------------------
// Status and the live stream

async function refresh() {
  try {
    state.status = await get("/api/status");
  } catch {
    return; // the banner (live.js state) says what is wrong
  }
  // Only the start screen shows the lines; other screens keep their state.
  if (state.screen === "start") render();
  else renderHeader();
}

// At most two refreshes a second, however many events arrive.
let lastRefresh = 0;
let pending = null;
function refreshSoon() {
  if (pending) return;
  pending = setTimeout(() => {
    pending = null;
    lastRefresh = Date.now();
    refresh();
  }, Math.max(0, lastRefresh + 500 - Date.now()));
}

// What a booked visitor's host did, by ticket number ("told", then
// "coming"): the event may come before the check-in's answer.
const hostNews = new Map();

function hostEvent(ev) {
  if (!ev.ticket) return;
  const was = hostNews.get(ev.ticket);
  hostNews.delete(ev.ticket);
  hostNews.set(ev.ticket, ev.type === "host_coming" || was === "coming" ? "coming" : "told");
  while (hostNews.size > 50) hostNews.delete(hostNews.keys().next().value);
  const v = state.view;
  if (state.screen === "ticket" && v?.appointment && v.ticket.code === ev.ticket) {
    v.host = hostNews.get(ev.ticket);
    render();
  }
}

// The speech guidance (a headset or the tactile keys: vuorod's guide.c) has
// the kiosk: the screen follows it, in its language, until it stops (the
// headset pulled, done, or its own idle time).
async function guideEvent(ev) {
  if (ev.mode === "off") {
    if (state.guided) {
      state.guided = false;
      startOver();
    }
    return;
  }
  state.guided = true;
  if (ev.lang && ev.lang !== t.lang()) await t.setLang(ev.lang);
  if (ev.mode === "ticket" && ev.ticket) {
    endTicketWindow();
    go("ticket", { view: { ticket: ev.ticket, printed: true, guide: ev.headset ? "headset" : "speaker" } });
  } else if (await need("guide")) {
    go("guide", { guide: { service: ev.service, headset: ev.headset } });
  }
}

live({
  onEvent: (ev) => {
    if (ev.type === "notices") notices.load();
    else if (ev.type === "guide") guideEvent(ev);
    else if (ev.type === "host_told" || ev.type === "host_coming") hostEvent(ev);
    else refreshSoon();
  },
  onState: (s) => {
    const online = s === "open";
    if (online !== state.online) {
      state.online = online;
      if (state.screen === "start") render();
      else renderHeader();
    }
    // The first status too is read once the stream is open (no event
    // can fall between the two), or once it failed (the banner shows).
    if (online) {
      refreshSoon();
      notices.load();
    } else if (!state.status) {
      refreshSoon();
    }
  },
});
// Opening hours change without an event: look again every minute.
setInterval(refreshSoon, 60000);

// ---------------------------------------------------------------------------
// Drawing a ticket and checking in

function errorText(e) {
  if (!(e instanceof ApiError)) return t("error_generic");
  if (e.code === "unreachable") return t("error_unreachable");
  if (e.status === 401 || e.status === 403) return t("error_forbidden");
  return null;
}

// After the ticket exists: hand it out on screen when it was not printed.
async function finish(r, appointment) {
  let ticket = r.ticket;
  const printed = r.print?.ok === true;
  if (!printed && r.print?.voided) {
    go("start", { message: () => t("voided") });
    return;
  }
  if (!printed && ticket.state === "issued") {
    try {
      ticket = (await post(`/api/tickets/${ticket.id}/handout`, {})).ticket;
    } catch {
      go("start", { message: () => t("handout_failed", { code: ticket.code }) });
      return;
    }
  }
  showTicket({ ticket, printed, noPrinter: !r.print, appointment, offer: true });
  refresh();
}

// ---------------------------------------------------------------------------
// The ticket view's window (see the top of this file)

function ticketSeconds() {
  const n = Number(state.status?.kiosk?.ticket_seconds);
  return Number.isInteger(n) && n >= 3 && n <= 30 ? n : TICKET_S;
}

function endTicketWindow() {
  if (ticketWindow) clearInterval(ticketWindow.timer);
  ticketWindow = null;
}

// Shows the ticket view @view for ticket-seconds from now.
function showTicket(view) {
  endTicketWindow();
  view.host = hostNews.get(view.ticket.code) ?? null;
  const until = Date.now() + ticketSeconds() * 1000;
  const left = () => Math.max(0, Math.ceil((until - Date.now()) / 1000));
  view.closesIn = view.printed ? left() : null;
  go("ticket", { view });
  const w = { until, timer: null };
  w.timer = setInterval(() => {
    if (state.screen !== "ticket" || state.view !== view) return endTicketWindow();
    if (ticketHold.keeps()) return;
    const s = left();
    if (s > 0) {
      // Counted down in place: a rebuild under a finger would lose the tap.
      view.closesIn = s;
      const p = $("ticket-closing");
      if (p) p.textContent = t("ticket_closing", { s });
      return;
    }
    endTicketWindow();
    if (view.printed) {
      startOver();
    } else {
      // The number and the QR code stay (idle.js lets go of them); the offer goes.
      view.offer = false;
      render();
    }
  }, 250);
  ticketWindow = w;
}

async function draw(service) {
  if (state.screen === "busy") return;
  state.message = null;
  go("busy", { busyText: t("busy_drawing") });
  try {
    const r = await post("/api/tickets", { service, lang: t.lang(), handout: "printer" });
    await finish(r);
  } catch (e) {
    const s = state.status?.services.find((x) => x.code === service) || {};
    go("start", {
      message: () => errorText(e) ?? (e.status === 409
        ? [refusalText(t, e.code, s), nextOpenText(t, s)].filter(Boolean).join(". ")
        : t("error_generic")),
    });
    refresh();
  }
}

async function checkin(raw) {
  const code = (raw || "").trim().toUpperCase();
  const st = state.checkin;
  if (!code) {
    st.error = () => t("checkin_empty");
    render();
    return;
  }
  st.busy = true;
  st.error = null;
  render();
  let r;
  try {
    r = await post("/api/checkin", { code, lang: t.lang(), handout: "printer" });
  } catch (e) {
    st.busy = false;
    // A refusal of the booked service (closed, full): in the same words as
    // on the start screen, without its hours (the reply names no service).
    st.error = () => errorText(e) ??
      mods.checkin.checkinError(t, e, code, (refusal) => refusalText(t, refusal)) ??
      t("error_generic");
    render();
    document.getElementById("booking-code")?.focus();
    return;
  }
  // vuorod printed it (r.print says how that went) and handed it out once
  // printed; finish() hands out on screen one that could not be printed.
  st.busy = false;
  await finish(r, code);
}

// ---------------------------------------------------------------------------
// Identity with the ID card for the ticket just drawn (pin.js)

function pinType(d) {
  const st = state.pin;
  if (state.screen !== "pin" || st.busy || st.final || st.digits.length >= mods.pin.PIN_MAX) return;
  st.digits += d;
  st.redraw?.();
}

function pinErase() {
  const st = state.pin;
  if (state.screen !== "pin" || st.busy || st.final) return;
  st.digits = st.digits.slice(0, -1);
  st.redraw?.();
}

// Back from the PIN pad: the ticket view again for a window of its own,
// without offering to identify again.
function backToTicket(extra = {}) {
  state.pin = freshPin();
  showTicket({ ...state.view, ...extra, offer: false });
}

function pinCancel() {
  if (state.pin.busy) return;
  backToTicket();
}

async function pinSubmit() {
  const st = state.pin;
  if (state.screen !== "pin" || st.busy || st.final) return;
  if (!st.digits) {
    st.result = { kind: "warn", lines: () => [t("pin_empty")] };
    render();
    return;
  }
  // The request takes the digits; the page keeps none of them.
  const body = { pin: st.digits };
  st.digits = "";
  st.busy = true;
  st.result = null;
  render();
  const ticket = state.view.ticket;
  let outcome;
  try {
    const reply = await post(`/api/tickets/${ticket.id}/identity`, body);
    outcome = mods.pin.pinOutcome(t, reply);
  } catch (e) {
    const key = e.code === "not_waiting" ? "pin_not_waiting"
      : e.code === "no_reader" || e.status === 503 ? "pin_no_reader" : null;
    const final = !!key;
    outcome = {
      verified: false,
      final,
      result: { kind: "bad", verdict: e.code, lines: () => [key ? t(key) : errorText(e) ?? t("error_generic")] },
    };
  } finally {
    body.pin = null;
  }
  if (state.pin !== st) return; // gone back to the start meanwhile
  st.busy = false;
  if (outcome.verified) {
    backToTicket({ identified: true });
    return;
  }
  st.result = outcome.result;
  st.final = outcome.final;
  render();
  (st.final ? $("pin-cancel") : $("pin-ok"))?.focus();
}

// A keyboard (or a screen reader's) digits, Backspace and Enter on the PIN
// screen; the on-screen keys are buttons of their own.
document.addEventListener("keydown", (e) => {
  if (state.screen !== "pin" || e.ctrlKey || e.altKey || e.metaKey || $("idle").open) return;
  if (/^[0-9]$/.test(e.key)) {
    e.preventDefault();
    pinType(e.key);
  } else if (e.key === "Backspace") {
    e.preventDefault();
    pinErase();
  } else if (e.key === "Enter" && e.target.tagName !== "BUTTON") {
    e.preventDefault();
    pinSubmit();
  } else if (e.key === "Escape") {
    pinCancel();
  }
});

// ---------------------------------------------------------------------------
// Feedback (feedback.js)

// After the rating, words (issue 17): an optional comment and the answer to
// the manager's question, added to the stored rating by its id.
function freshFeedback() {
  return { busy: false, thanked: false, id: 0, words: false, comment: "", answer: null, question: null };
}

async function loadQuestion(st) {
  try {
    st.question = (await get("/api/feedback/question")).question;
  } catch {
    st.question = null; // no question: the comment alone
  }
}

async function rate(rating) {
  const st = state.feedback;
  if (st.busy || st.thanked || st.words) return;
  st.busy = true;
  render();
  try {
    st.id = (await post("/api/feedback", { rating })).id || 0;
  } catch {
    // The thanks stand either way: a lost rating is not the citizen's problem.
  }
  if (state.feedback !== st) return;
  st.busy = false;
  if (st.id) {
    st.words = true;
    render({ focusTop: true });
    return;
  }
  thank(st);
}

async function sendWords() {
  const st = state.feedback;
  if (st.busy || st.thanked) return;
  const comment = st.comment.trim();
  if (comment || st.answer) {
    st.busy = true;
    render();
    try {
      await post(`/api/feedback/${st.id}/words`, { ...(comment ? { comment } : {}), ...(st.answer ? { answer: st.answer } : {}) });
    } catch {
      // As with the rating: thanks either way.
    }
    if (state.feedback !== st) return;
    st.busy = false;
  }
  thank(st);
}

function thank(st) {
  if (state.feedback !== st) return;
  st.words = false;
  st.thanked = true;
  render({ focusTop: true });
  clearTimeout(thanksTimer);
  // The citizen has gone: the next one finds the start, in the main language.
  thanksTimer = setTimeout(() => {
    if (state.screen !== "feedback" || state.feedback !== st) return;
    startOver();
  }, THANKS_MS);
}

// ---------------------------------------------------------------------------
// Idle: back to the start in the main language (idle.js has the timings).

const dialog = $("idle");
idleTimer({
  // Not while a card is being checked: the answer comes within seconds; nor
  // in the ticket view's window, which ends on its own.
  // Nor while the speech guidance has the kiosk: it keeps its own time.
  active: () => (state.screen !== "start" || t.lang() !== t.main() || !!state.message || state.low) &&
    !state.pin.busy && !state.guided &&
    !(state.screen === "ticket" && ticketWindow),
  // Finding the card and remembering its PIN takes longer than a tap.
  patience: () => (state.screen === "pin" ? 3 : 1),
  warn: (s) => {
    $("idle-title").textContent = t("idle_title");
    $("idle-text").textContent = t("idle_text", { s });
    $("idle-continue").textContent = t("idle_continue");
    if (!dialog.open) {
      dialog.showModal();
      $("idle-continue").focus();
    }
  },
  unwarn: () => {
    if (dialog.open) dialog.close();
  },
  timeout: () => startOver(),
});
// "Continue" needs no handler of its own: any click on the dialog counts as
// a touch, and idle.js closes it.

// The low layout: turned on from the start screen's switch, off from the
// one at the bottom of every screen; the focus stays on a switch.
function toggleLow() {
  state.low = !state.low;
  render();
  (state.low ? $("low") : document.getElementById("low-start"))?.focus();
}
$("low").addEventListener("click", toggleLow);

t.onLang(() => render());
render();
ensurePaired(); // a real board: this device shows a pairing prompt until paired
