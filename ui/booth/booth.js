// SPDX-License-Identifier: GPL-3.0-or-later
// /booth — the screen of the remote-service booth, on the board itself (a
// kiosk address: no login).  ?booth=N picks the booth (default: the first of
// GET /api/booths); ?ended=S keeps the "thank you" screen S seconds (15).
//
// The state comes from GET /api/booths/N and the "booth" events of the live
// stream; view.js says which screen that is (idle, calling, live, ended,
// fault) and booth.js draws it.  While a session connects or is live, the
// expert's video is an MJPEG <img> of /api/booths/N/video; at any other time
// the img has no src, so vuorod makes no JPEGs.  The page speaks the
// customer's ticket language (a switch in the header changes it); idle and
// out-of-order say their words in all three.  #screen carries data-view and
// data-phase for tests.
//
// When the expert asks for the ID card (session.identity_asked) the live
// screen widens its side panel for a PIN pad (#identity, data-phase entry,
// checking, failed or done); the digits typed live only in `pin` and are
// dropped the moment they are sent.
//
// Real-time text (EN 301 549 6.2; ui/common/rtt.js): under the video, the
// expert's text as it is typed (#rtt-theirs, from the stream's "booth_text"
// events, which only this booth's screen gets) and the customer's field
// (#rtt-mine) with an on-screen keyboard (#rtt-keys, in the page's language);
// every change goes to vuorod as a T.140 burst (POST /api/booths/N/text, one
// at a time, what is typed meanwhile goes in the next), and on to the expert
// over the session's "t140" data channel.

import { get, post, ApiError } from "/ui/common/api.js";
import { h, clear } from "/ui/common/dom.js";
import { i18n, i18nEvery, pick, siteNameIn } from "/ui/common/i18n.js";
import { live } from "/ui/common/live.js";
import { viewOf, endedUntil, messageText, endedKeys, ENDED_MS } from "./view.js";
import { ensurePaired } from "/ui/common/pair.js";
import { t140Diff, t140Apply, showText, TEXT_MAX } from "/ui/common/rtt.js";

const params = new URLSearchParams(location.search);
const ENDED = Math.max(1, Number(params.get("ended")) || ENDED_MS / 1000) * 1000;
const WORDS_MS = 90000; // writing a comment keeps the ended screen this much longer
// The ended screen's time: longer while the customer adds words to a rating.
const endedFor = (b) => (state.words && state.words.session === b?.last?.session ? ENDED + WORDS_MS : ENDED);
const END_ASK_MS = 15000; // the end button's "are you sure?" gives up after this

// A booth starts in the site's main language whatever the last customer chose.
localStorage.removeItem("vuoro-booth-lang");
const t = await i18n("booth", "vuoro-booth-lang");
const every = await i18nEvery("booth", t.languages());

const $ = (id) => document.getElementById(id);
const state = {
  id: parseInt(params.get("booth"), 10) || 0,
  booth: null,
  names: new Map(),  // service code → {fi, sv, …}: every site language
  online: true,
  error: null,       // "no_booth" | "unreachable" before any booth state came
  seen: new Map(),   // last.session → when this page saw that session end (ms)
  langOf: null,      // the session whose language the page took
  endAsk: false,     // "End the session?" showing
  rated: null,       // the session the customer rated
  words: null,       // after the rating: {session, id, question, comment, answer}
  endTimer: null,
  busy: null,        // "consent" | "end" while a POST runs
  actionError: null, // () => text of the last failed POST
};
let shown = { view: null, phase: null, lang: null }; // what the screen draws now
let sideKey = null;  // the live side panel's content, to redraw only on change
let endedTimer = null;
let lastMessageAt = null;

// The ID card check.  The PIN is in `pin` while it is typed and nowhere else.
const PIN_MIN = 4;          // ID cards' PINs have 4 to 8 digits; room to spare
const PIN_MAX = 12;
const ID_DONE_MS = 6000;    // "Identity confirmed" stays this long
const ID_LOCKED_MS = 20000; // a locked PIN's word stays this long (or until Close)
let pin = "";
const idc = {
  session: null,   // the session this state belongs to
  asked: false,    // session.identity_asked as last seen
  phase: "entry",  // entry | checking | failed (try again / not now) | done (verified, locked)
  reply: null,     // the last reply of POST /identity (its words in every site language)
  error: null,     // a strings key when the request itself failed
  busy: false,     // "not now" is being sent
  timer: null,
};

// ---------------------------------------------------------------------------
// The expert's video: one element for the page's life, moved into each live
// screen; its src is only set while there is something to show.

const video = h("img", { id: "video", class: "video", alt: "" });
video.addEventListener("load", () => video.closest(".video-box")?.classList.add("has-picture"));
video.addEventListener("error", () => video.closest(".video-box")?.classList.remove("has-picture"));

function setVideo(on) {
  const src = `/api/booths/${state.id}/video`;
  if (on && video.getAttribute("src") !== src) {
    video.setAttribute("src", src);
  } else if (!on && video.hasAttribute("src")) {
    video.removeAttribute("src"); // the request ends: vuorod stops making JPEGs
    video.closest(".video-box")?.classList.remove("has-picture");
  }
}

// ---------------------------------------------------------------------------
// Real-time text: one block for the page's life, moved into each live screen,
// so that typing never loses its place to a redraw.

const rtt = {
  session: null, // the session the text belongs to
  acked: "",     // the expert's copy of ours, as far as vuorod took it
  busy: false,   // a POST runs
  failed: null,  // the last failure's message
  lang: null,    // the keyboard's language
  keysOpen: false,
};
const rttTitle = h("h2", { id: "rtt-title" });
const rttTheirsLabel = h("p", { id: "rtt-theirs-label", class: "rtt-label" });
const rttTheirs = h("div", { id: "rtt-theirs", class: "rtt-text rtt-theirs", role: "log", "aria-live": "polite",
  "aria-labelledby": "rtt-theirs-label", tabindex: "0" });
const rttMineLabel = h("label", { for: "rtt-mine", class: "rtt-label" });
const rttHint = h("p", { id: "rtt-hint", class: "rtt-hint" });
const rttMine = h("textarea", { id: "rtt-mine", class: "rtt-text rtt-mine", rows: "2", autocomplete: "off",
  spellcheck: "false", maxlength: String(TEXT_MAX), "aria-describedby": "rtt-hint", dataset: { focusKey: "rtt" } });
const rttError = h("p", { id: "rtt-error", class: "action-error", role: "alert", hidden: true });
const rttKeysToggle = h("button", { type: "button", id: "rtt-keys-toggle", class: "choice rtt-toggle",
  "aria-controls": "rtt-keys", "aria-expanded": "false", onclick: () => {
    rtt.keysOpen = !rtt.keysOpen;
    renderRtt();
  } });
const rttKeys = h("div", { id: "rtt-keys", class: "rtt-keys", role: "group", "aria-labelledby": "rtt-keys-toggle", hidden: true });
const rttBox = h("section", { id: "rtt", class: "rtt", "aria-labelledby": "rtt-title" },
  h("div", { class: "rtt-texts" },
    h("div", { class: "rtt-col" }, rttTheirsLabel, rttTheirs),
    h("div", { class: "rtt-col" }, rttMineLabel, rttMine, rttHint, rttError)),
  h("div", { class: "rtt-side" }, rttTitle, rttKeysToggle),
  rttKeys);

rttMine.addEventListener("input", rttFlush);

// The field changed (keyboard, on-screen keys, paste): the T.140 that turns
// the expert's copy into it goes, one POST at a time; what is typed
// meanwhile goes in the next.  After a failure the next change sends the
// whole difference again.
async function rttFlush() {
  // At most RTT_BURST characters a POST (a paste, a retry): the rest goes next.
  const text = [...t140Diff(rtt.acked, rttMine.value)].slice(0, RTT_BURST).join("");
  const session = rtt.session;
  if (rtt.busy || !text) return;
  rtt.busy = true;
  try {
    await post(`/api/booths/${state.id}/text`, { text });
    if (rtt.session === session) rtt.acked = t140Apply(rtt.acked, text);
    rtt.failed = null;
  } catch (e) {
    rtt.failed = e instanceof ApiError && e.code !== "unreachable" ? e.message : t("unreachable");
  } finally {
    rtt.busy = false;
  }
  rttError.hidden = !rtt.failed;
  rttError.textContent = rtt.failed ? t("rtt_failed", { msg: rtt.failed }) : "";
  if (!rtt.failed) rttFlush();
}

const RTT_BURST = 250; // characters: vuorod takes 1024 bytes a burst

// An on-screen key: the character goes into the field where a real keyboard would put it.
function rttPress(text) {
  const at = rttMine.selectionStart ?? rttMine.value.length;
  const to = rttMine.selectionEnd ?? at;
  if (text === null) {
    // Erase: the selection, or the character before the caret.
    const from = at === to ? Math.max(0, at - [...rttMine.value.slice(0, at)].slice(-1).join("").length) : at;
    rttMine.setRangeText("", from, to, "end");
  } else {
    rttMine.setRangeText(text, at, to, "end");
  }
  rttFlush();
}

// A new session: both texts start empty.
function rttSession(id) {
  if (id === rtt.session) return;
  Object.assign(rtt, { session: id, acked: "", failed: null, keysOpen: false });
  rttMine.value = "";
  rttTheirs.textContent = "";
  rttError.hidden = true;
}

function rttKey(label, text, extra = {}) {
  // pointerdown keeps the focus (and the caret) in the field on a touch screen.
  return h("button", { type: "button", class: "key rtt-key", onpointerdown: (e) => e.preventDefault(),
    onclick: () => rttPress(text), ...extra }, label);
}

function renderRtt() {
  rttTitle.textContent = t("rtt_title");
  rttTheirsLabel.textContent = t("rtt_theirs");
  rttMineLabel.textContent = t("rtt_mine");
  rttHint.textContent = t("rtt_hint");
  rttKeysToggle.textContent = t("rtt_keyboard");
  rttKeysToggle.setAttribute("aria-expanded", String(rtt.keysOpen));
  rttKeys.hidden = !rtt.keysOpen;
  rttBox.classList.toggle("keys-open", rtt.keysOpen);
  if (rtt.lang === t.lang()) return;
  rtt.lang = t.lang();
  const rows = t("rtt_keys").split(" ").map((row) =>
    h("div", { class: "rtt-row" }, [...row].map((c) => rttKey(c, c, { dataset: { key: c } }))));
  rows.push(h("div", { class: "rtt-row" },
    rttKey(t("rtt_erase"), null, { id: "rtt-erase", class: "key rtt-key wide" }),
    rttKey(t("rtt_space"), " ", { id: "rtt-space", class: "key rtt-key space" }),
    rttKey(t("rtt_newline"), "\n", { id: "rtt-newline", class: "key rtt-key wide" })));
  rttKeys.replaceChildren(...rows);
}

// The expert's text as vuorod has it (the whole of it, so nothing is missed).
function rttTheirText(ev) {
  if (ev.session !== rtt.session) return;
  showText(rttTheirs, ev.text || "");
}

// ---------------------------------------------------------------------------
// Rendering

function boothName() {
  // "fi / sv / en", like the site's name
  return siteNameIn(state.booth?.name, t) || t("title");
}

function renderHeader() {
  $("booth-name").textContent = boothName();
  const langs = $("langs");
  langs.setAttribute("aria-label", t("languages"));
  if (!langs.children.length) {
    for (const l of t.languages()) {
      langs.append(h("button", { type: "button", class: "lang", lang: l.code, dir: l.dir,
        dataset: { focusKey: "lang:" + l.code }, onclick: () => t.setLang(l.code) }, l.name));
    }
  }
  for (const b of langs.children) b.setAttribute("aria-pressed", String(b.lang === t.lang()));
  const off = $("offline");
  off.hidden = state.online;
  off.textContent = state.online ? "" : t("offline");
}

// Words in every language, the page's own first and biggest: for the screens
// nobody has touched yet (idle, out of order).
function inOthers(make) {
  const others = t.languages().filter((l) => l.code !== t.lang());
  return h("div", { class: "others" }, others.map((l) =>
    h("div", { class: "other", lang: l.code, dir: l.dir }, make(every[l.code]))));
}

function serviceName(code, lang = t.lang()) {
  return pick(state.names.get(code), lang) || code || "";
}

function title(text) {
  return h("h1", { tabindex: "-1" }, text);
}

function renderIdle() {
  const services = (state.booth?.services || []).map((c) => serviceName(c)).filter(Boolean);
  return h("section", { class: "view idle" },
    h("div", { class: "mark", "aria-hidden": "true" }, h("span", { class: "cam" })),
    title(t("idle_title")),
    h("p", { class: "lead" }, t("idle_text")),
    services.length ? h("div", { class: "services" },
      h("p", {}, t("idle_services")),
      h("ul", {}, services.map((s) => h("li", {}, s)))) : null,
    inOthers((tt) => [h("p", { class: "other-title" }, tt("idle_title")), h("p", {}, tt("idle_text"))]));
}

function renderCalling(v) {
  return h("section", { class: "view calling" },
    h("h1", { tabindex: "-1" },
      h("span", { class: "label" }, t("calling_number")),
      h("span", { class: "code" }, v.code || ""),
      h("span", { class: "title" }, t("calling_title"))),
    h("p", { class: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }),
      t(v.phase === "connecting" ? "calling_status_connecting" : "calling_status")),
    h("p", { class: "hint" }, t("calling_hint")),
    // The expert may write before the picture comes ("wait a moment").
    v.session?.message ? messageBox(v.session.message) : null);
}

function messageBox(m) {
  return h("div", { class: "message", id: "message", dataset: { at: String(m.at ?? "") } },
    h("h2", {}, t("message_title")),
    h("p", {}, messageText(t, m)));
}

function renderEnded(v) {
  const k = endedKeys(v.reason);
  return h("section", { class: "view ended", dataset: { reason: v.reason || "" } },
    title(t(k.title)),
    h("p", { class: "lead" }, t(k.text)),
    v.code ? h("p", { class: "code-line" }, t("ended_code", { code: v.code })) : null,
    feedbackBox(v));
}

// A served visit may be rated once: three big buttons, never tied to a person.
function feedbackBox(v) {
  const served = v.reason === "expert_ended" || v.reason === "customer_left";
  const session = state.booth?.last?.session;
  if (!served || !session) return h("div", { id: "feedback", class: "feedback", hidden: true });
  if (state.rated === session) {
    return h("div", { id: "feedback", class: "feedback" },
      h("p", { role: "status" }, t("feedback_thanks")));
  }
  if (state.words?.session === session) return wordsBox(state.words);
  const rate = async (rating) => {
    let id = 0;
    let question = null;
    try {
      id = (await post("/api/feedback", { rating, counter: state.id })).id || 0;
      question = (await get("/api/feedback/question")).question;
    } catch {
      // The thanks stand either way: a lost rating is not the customer's problem.
    }
    if (id) state.words = { session, id, question, comment: "", answer: null, busy: false };
    else state.rated = session;
    render();
  };
  return h("div", { id: "feedback", class: "feedback", role: "group", "aria-labelledby": "feedback-q" },
    h("p", { id: "feedback-q", class: "question" }, t("feedback_question")),
    h("div", { class: "choices" },
      h("button", { type: "button", class: "choice good", onclick: () => rate(5) }, t("feedback_good")),
      h("button", { type: "button", class: "choice ok", onclick: () => rate(3) }, t("feedback_ok")),
      h("button", { type: "button", class: "choice bad", onclick: () => rate(1) }, t("feedback_bad"))));
}

// After the rating (issue 17): the manager's yes/no question and an optional
// comment, added to the rating by its id; thanks either way.
function wordsBox(w) {
  const done = () => {
    state.rated = w.session;
    state.words = null;
    render();
  };
  const send = async () => {
    const comment = w.comment.trim();
    if (comment || w.answer) {
      w.busy = true;
      try {
        await post(`/api/feedback/${w.id}/words`, { ...(comment ? { comment } : {}), ...(w.answer ? { answer: w.answer } : {}) });
      } catch {
        // as with the rating
      }
    }
    done();
  };
  const text = w.question ? w.question.shown?.[t.lang()] || w.question.shown?.[t.main()] || "" : "";
  const answer = (value, label) =>
    h("button", { type: "button", class: "choice answer", "aria-pressed": String(w.answer === value),
      onclick: () => {
        w.answer = w.answer === value ? null : value;
        render();
      } }, label);
  const area = h("textarea", { id: "feedback-comment", maxlength: "500", rows: "3", "aria-describedby": "feedback-comment-hint",
    dir: "auto", dataset: { focusKey: "comment" } });
  area.value = w.comment;
  area.addEventListener("input", () => {
    w.comment = area.value;
  });
  return h("div", { id: "feedback", class: "feedback words" },
    text ? h("div", { role: "group", "aria-labelledby": "feedback-question" },
      // dir auto: the manager's words may be in the site's main language, not the screen's
      h("p", { id: "feedback-question", class: "question", dir: "auto" }, text),
      h("div", { class: "choices answers" }, answer("yes", t("feedback_yes")), answer("no", t("feedback_no")))) : null,
    h("label", { for: "feedback-comment", class: "question" }, t("feedback_comment")),
    h("p", { id: "feedback-comment-hint", class: "hint" }, t("feedback_comment_hint", { n: 500 })),
    area,
    h("div", { class: "choices answers" },
      h("button", { type: "button", class: "choice skip", onclick: done }, t("feedback_skip")),
      h("button", { type: "button", class: "choice send", onclick: send }, t("feedback_send"))));
}

function renderFault(v) {
  return h("section", { class: "view fault" },
    h("div", { class: "mark bad", "aria-hidden": "true" }, "!"),
    title(t("fault_title")),
    h("p", { class: "lead" }, t("fault_text")),
    v.kept ? h("p", { class: "code-line" }, t("fault_kept", { code: v.kept })) : null,
    inOthers((tt) => [h("p", { class: "other-title" }, tt("fault_title")), h("p", {}, tt("fault_text"))]));
}

function renderError() {
  return h("section", { class: "view fault" },
    h("div", { class: "mark bad", "aria-hidden": "true" }, "!"),
    title(t(state.error)),
    inOthers((tt) => [h("p", { class: "other-title" }, tt(state.error))]));
}

// The live screen: the video box stays, the side panel is redrawn when what
// it says changes (a message, the consent question, the end button).
function renderLive(v) {
  const box = h("div", { class: "video-box" },
    video,
    h("p", { class: "video-wait" }, t("video_wait")),
    h("p", { id: "reconnecting", class: "reconnecting", role: "status" }));
  if (video.hasAttribute("src") && video.complete && video.naturalWidth) box.classList.add("has-picture");
  const side = h("div", { class: "side", id: "side" });
  sideKey = null;
  const section = h("section", { class: "view live" }, box, side, rttBox);
  updateLive(section, v);
  return section;
}

function updateLive(section, v) {
  const s = v.session;
  rttSession(s.id);
  renderRtt();
  video.alt = t("video_alt");
  section.querySelector(".video-wait").textContent = t("video_wait");
  const rc = section.querySelector("#reconnecting");
  rc.hidden = !v.reconnecting;
  rc.textContent = v.reconnecting ? t("reconnecting") : "";
  section.classList.toggle("is-reconnecting", v.reconnecting);

  const idOpen = identityOpen(s);
  section.classList.toggle("has-identity", idOpen);
  const key = JSON.stringify([t.lang(), s.id, s.code, s.service, s.message, s.document, s.consent, s.recording,
    state.endAsk, state.busy, state.actionError?.(), idOpen, idc.phase, idc.reply, idc.error, idc.busy]);
  if (key === sideKey) return;
  sideKey = key;
  const side = section.querySelector("#side");
  const focusKey = document.activeElement?.dataset?.focusKey;
  const info = h("div", { class: "side-info" },
    h("h1", { tabindex: "-1" }, t("live_title")),
    h("p", { class: "with" }, t("live_with", { service: serviceName(s.service), code: s.code })),
    // The question first: it waits for the customer.
    s.consent === "asked" ? consentBox() : null,
    idOpen ? identityBox() : null,
    s.message ? messageBox(s.message) : null,
    s.document ? h("p", { class: "note", id: "document-note" }, t("document_note")) : null,
    s.recording ? h("p", { class: "recording", id: "recording" }, h("span", { class: "dot", "aria-hidden": "true" }), t("recording_on"))
      : s.consent === "refused" ? h("p", { class: "not-recording", id: "recording" }, t("recording_refused")) : null);
  // The end button stays in sight, under whatever the panel holds.
  const bottom = h("div", { class: "side-end" },
    state.actionError ? h("p", { class: "action-error", role: "alert" }, state.actionError()) : null,
    endBox());
  clear(side).append(info, bottom);
  showPin(side); // the section may not be in the document yet
  const again = focusKey && side.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`);
  if (again && !again.disabled) again.focus();
}

function consentBox() {
  const busy = state.busy === "consent";
  return h("section", { class: "consent", id: "consent", "aria-labelledby": "consent-title" },
    h("h2", { id: "consent-title" }, t("consent_title")),
    h("p", {}, t("consent_text"), " ", t("consent_text_rtt")),
    h("div", { class: "choices" },
      // Yes and no look the same: the customer is not nudged.
      h("button", { type: "button", class: "choice", dataset: { focusKey: "consent:yes" }, disabled: busy,
        onclick: () => consent(true) }, t("consent_yes")),
      h("button", { type: "button", class: "choice", dataset: { focusKey: "consent:no" }, disabled: busy,
        onclick: () => consent(false) }, t("consent_no"))));
}

function endBox() {
  const busy = state.busy === "end";
  if (!state.endAsk) {
    return h("div", { class: "end-box" },
      h("button", { type: "button", class: "end", id: "end", dataset: { focusKey: "end" },
        onclick: askEnd }, t("end")));
  }
  return h("div", { class: "end-box asking", role: "group", "aria-labelledby": "end-q" },
    h("p", { id: "end-q", class: "end-q" }, t("end_confirm")),
    h("div", { class: "choices" },
      h("button", { type: "button", class: "end", id: "end-yes", dataset: { focusKey: "end:yes" }, disabled: busy,
        onclick: leave }, t("end_yes")),
      h("button", { type: "button", class: "choice", id: "end-no", dataset: { focusKey: "end:no" }, disabled: busy,
        onclick: () => cancelEnd(true) }, t("end_no"))));
}

// ---------------------------------------------------------------------------
// The ID card: the question, the PIN pad, the answer

function identityOpen(s) {
  return Boolean(s?.identity_asked) || idc.phase === "checking" || idc.phase === "done";
}

// A fresh pad: nothing typed, nothing said.
function resetIdentity() {
  pin = "";
  clearTimeout(idc.timer);
  Object.assign(idc, { phase: "entry", reply: null, error: null, busy: false, timer: null });
}

// The booth's state came: a new session, a new question or a withdrawn one.
function syncIdentity(s) {
  const asked = Boolean(s?.identity_asked);
  if ((s?.id ?? null) !== idc.session) {
    resetIdentity();
    idc.session = s?.id ?? null;
    idc.asked = false;
  }
  if (asked && !idc.asked && idc.phase !== "checking") {
    resetIdentity();
    announce(`${t("id_title")}. ${t("id_text")}`);
  } else if (!asked && idc.asked && (idc.phase === "entry" || idc.phase === "failed")) {
    resetIdentity(); // the expert took the question back, or the customer said no
  }
  idc.asked = asked;
}

function replyText(r) {
  return r?.text?.[t.lang()] || r?.text?.[t.main()] || "";
}

function identityBox() {
  const r = idc.reply;
  const attrs = (phase, extra = "") => ({ class: `identity ${phase}${extra}`, id: "identity",
    "aria-labelledby": "identity-title", dataset: { phase, verdict: r?.verdict || "" } });

  if (idc.phase === "done") {
    const ok = r?.verdict === "verified";
    return h("section", attrs("done", ok ? " verified" : " locked"),
      h("div", { class: "id-info" },
        h("h2", { id: "identity-title", role: "status" },
          ok ? h("span", { class: "tick", "aria-hidden": "true" }, "✓") : null,
          ok ? t("id_confirmed") : t("id_title")),
        // Verified: the heading says it all (the reply's own words repeat it).
        ok ? null : h("p", { class: "id-result", role: "alert" }, replyText(r), " ", t("id_other_way")),
        ok ? null : h("button", { type: "button", class: "choice", id: "id-close", dataset: { focusKey: "id:close" },
          onclick: closeIdentity }, t("id_close"))));
  }

  if (idc.phase === "failed") {
    return h("section", attrs("failed"),
      h("div", { class: "id-info" },
        h("h2", { id: "identity-title" }, t("id_title")),
        h("p", { class: "id-result", role: "alert" }, idc.error ? t(idc.error) : replyText(r)),
        h("div", { class: "choices" },
          h("button", { type: "button", class: "choice", id: "id-again", dataset: { focusKey: "id:again" },
            disabled: idc.busy, onclick: tryAgain }, t("id_try_again")),
          h("button", { type: "button", class: "choice", id: "id-not-now", dataset: { focusKey: "id:not-now" },
            disabled: idc.busy, onclick: notNow }, t("id_not_now")))));
  }

  // entry (or checking: the same pad, still)
  const checking = idc.phase === "checking";
  const said = [];
  if (idc.error) said.push(h("p", { class: "id-result", role: "alert" }, t(idc.error)));
  else if (r && !checking) {
    const left = Number.isInteger(r.pin_tries_left) ? r.pin_tries_left : null;
    said.push(h("p", { class: "id-result", role: "alert", id: "id-result" }, replyText(r),
      left !== null && left > 1 ? " " + t("id_tries_left", { n: left }) : null));
    // (pin_count_low alone only says a wrong PIN came before: no warning.)
    if (left === 1) {
      said.push(h("p", { class: "id-warn", id: "id-warn" }, t("id_last_try")));
    }
  }
  const keys = [];
  for (const d of ["1", "2", "3", "4", "5", "6", "7", "8", "9"]) keys.push(digitKey(d, checking));
  keys.push(h("button", { type: "button", class: "key erase", id: "pin-erase", dataset: { focusKey: "id:erase" },
    disabled: checking || !pin, onclick: erase }, t("id_erase")));
  keys.push(digitKey("0", checking));
  keys.push(h("button", { type: "button", class: "key ok", id: "pin-ok", dataset: { focusKey: "id:ok" },
    disabled: checking || pin.length < PIN_MIN, onclick: sendPin }, t("id_ok")));
  return h("section", attrs(idc.phase),
    h("div", { class: "id-head" },
      h("h2", { id: "identity-title" }, t("id_title")),
      h("p", { class: "id-text" }, t("id_text"))),
    h("div", { class: "id-info" },
      said,
      h("div", { class: "pin-field" },
        h("p", { id: "pin-label", class: "pin-label" }, t("id_pin")),
        checking
          ? h("p", { class: "pin-checking", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }),
            t("id_checking"))
          : [h("div", { id: "pin-dots", class: "dots", "aria-hidden": "true" }),
            h("p", { id: "pin-count", class: "visually-hidden", "aria-live": "polite" })]),
      h("button", { type: "button", class: "choice not-now", id: "id-not-now", dataset: { focusKey: "id:not-now" },
        disabled: checking || idc.busy, onclick: notNow }, t("id_not_now"))),
    h("div", { class: "keypad", role: "group", "aria-labelledby": "pin-label" }, keys));
}

function digitKey(d, disabled) {
  return h("button", { type: "button", class: "key", dataset: { key: d, focusKey: "id:" + d }, disabled,
    onclick: () => pressDigit(d) }, d);
}

// The dots and the keys' states, in place: a redraw per key would replay
// the message's arrival and move the screen reader.
function showPin(root = document) {
  const dots = root.querySelector("#pin-dots");
  if (!dots) return;
  const n = pin.length;
  const cells = [];
  for (let i = 0; i < Math.max(n, PIN_MIN); i++) cells.push(h("span", { class: i < n ? "d" : "d empty" }));
  dots.replaceChildren(...cells);
  dots.dataset.count = String(n);
  root.querySelector("#pin-count").textContent = n ? t("id_digits", { n }) : t("id_digits_none");
  root.querySelector("#pin-erase").disabled = !n;
  root.querySelector("#pin-ok").disabled = n < PIN_MIN;
}

function padReady() {
  return idc.phase === "entry" && Boolean($("pin-dots"));
}

function pressDigit(d) {
  if (!padReady() || pin.length >= PIN_MAX) return;
  pin += d;
  showPin();
}

function erase() {
  if (!padReady()) return;
  pin = pin.slice(0, -1);
  showPin();
}

async function sendPin() {
  if (!padReady() || pin.length < PIN_MIN) return;
  const session = idc.session;
  const body = { pin };
  pin = ""; // from here on only the request has it
  idc.phase = "checking";
  idc.error = null;
  render();
  let r = null;
  let err = null;
  try {
    r = await post(`/api/booths/${state.id}/identity`, body);
  } catch (e) {
    err = e;
  } finally {
    body.pin = "";
  }
  if (idc.session !== session) return; // the session ended meanwhile
  clearTimeout(idc.timer);
  idc.reply = r;
  if (err) {
    idc.reply = null;
    idc.phase = "failed";
    idc.error = "id_unavailable";
  } else if (r.verdict === "verified" || r.verdict === "pin_locked") {
    // vuorod no longer asks: the word stays a while, then the panel closes.
    idc.phase = "done";
    idc.timer = setTimeout(closeIdentity, r.verdict === "verified" ? ID_DONE_MS : ID_LOCKED_MS);
  } else if (r.verdict === "wrong_pin") {
    idc.phase = "entry";
  } else {
    idc.phase = "failed";
  }
  render();
  if (idc.phase === "entry") document.querySelector("#identity [data-key='1']")?.focus();
  else if (idc.phase === "failed") $("id-again")?.focus();
}

function closeIdentity() {
  clearTimeout(idc.timer);
  if (idc.phase !== "done") return;
  const asked = Boolean(state.booth?.session?.identity_asked);
  resetIdentity();
  idc.asked = asked;
  render();
}

function tryAgain() {
  idc.phase = "entry";
  idc.reply = null;
  idc.error = null;
  render();
  document.querySelector("#identity [data-key='1']")?.focus();
}

async function notNow() {
  if (idc.busy) return;
  pin = "";
  idc.busy = true;
  idc.error = null;
  render();
  try {
    await post(`/api/booths/${state.id}/identity-declined`);
    withdrawn();
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) withdrawn(); // nobody asks any more
    else {
      idc.phase = "failed";
      idc.error = "id_send_failed";
    }
  } finally {
    idc.busy = false;
    render();
  }
}

// The question is answered: the panel closes before vuorod's event says so.
function withdrawn() {
  if (state.booth?.session) state.booth.session.identity_asked = false;
  resetIdentity();
  idc.asked = false;
}

// A keyboard at the booth (or a screen reader's) types on the pad too.
document.addEventListener("keydown", (e) => {
  if (e.ctrlKey || e.altKey || e.metaKey || !padReady() || e.target === rttMine) return;
  if (/^[0-9]$/.test(e.key)) {
    e.preventDefault();
    pressDigit(e.key);
  } else if (e.key === "Backspace") {
    e.preventDefault();
    erase();
  } else if (e.key === "Enter") {
    // Enter is OK, also on a digit key that has focus; other buttons act themselves.
    const at = document.activeElement;
    if (at instanceof HTMLButtonElement && !at.matches("#identity .key:not(.ok)")) return;
    e.preventDefault();
    sendPin();
  }
});

function render() {
  const b = state.booth;
  const seen = state.seen.get(b?.last?.session) || 0;
  const v = b ? viewOf(b, { endedMs: endedFor(b), seen }) : { view: state.error ? "error" : "loading" };

  // The customer's language, once per session: a switch by hand then holds.
  const langKey = v.lang ? String(v.session?.id ?? b?.last?.session) : null;
  if (langKey !== state.langOf) {
    state.langOf = langKey;
    const want = v.lang || t.main();
    if (t.languages().some((l) => l.code === want) && want !== t.lang()) {
      t.setLang(want); // renders again through onLang
      return;
    }
  }
  if (v.view !== "live") {
    state.endAsk = false;
    state.actionError = null;
  }
  document.title = `${t("title")} – ${boothName()}`;
  renderHeader();
  setVideo(v.view === "live" || (v.view === "calling" && v.phase === "connecting"));

  const main = $("screen");
  // Views without a phase (live) have none, not null: compared as is, every
  // event redrew the live screen and took the focus from the customer's text.
  const phase = v.phase || null;
  const changed = v.view !== shown.view || phase !== shown.phase;
  const first = !shown.view || shown.view === "loading"; // the page just opened: nothing to say
  if (!changed && v.view === "live" && shown.lang === t.lang()) {
    updateLive(main.firstElementChild, v);
  } else {
    let node;
    if (v.view === "idle") node = renderIdle();
    else if (v.view === "calling") node = renderCalling(v);
    else if (v.view === "live") node = renderLive(v);
    else if (v.view === "ended") node = renderEnded(v);
    else if (v.view === "fault") node = renderFault(v);
    else if (v.view === "error") node = renderError();
    else node = h("section", { class: "view loading", "aria-busy": "true" });
    const focusKey = document.activeElement?.dataset?.focusKey;
    clear(main).append(node);
    if (changed && !first && node.querySelector("h1")) {
      node.querySelector("h1").focus({ preventScroll: true });
      announce(announcement(v));
    } else if (focusKey) {
      document.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus();
    }
  }
  main.dataset.view = v.view;
  main.dataset.phase = v.phase || "";
  shown = { view: v.view, phase, lang: t.lang() };

  // A new message, or the consent question, is said too.
  if (v.session) {
    const m = v.session.message;
    const at = m ? `${m.at}:${m.template || m.text}` : null;
    if (at && at !== lastMessageAt && !changed) announce(`${t("message_title")}: ${messageText(t, m)}`);
    lastMessageAt = at;
  } else {
    lastMessageAt = null;
  }

  // The ended screen gives way by itself.
  clearTimeout(endedTimer);
  const until = b && v.view === "ended" ? endedUntil(b, { endedMs: endedFor(b), seen }) : 0;
  if (until) endedTimer = setTimeout(render, Math.max(50, until - Date.now() + 20));
}

function announcement(v) {
  if (v.view === "calling") return `${v.code} – ${t("calling_title")}. ${t("calling_status")}`;
  if (v.view === "live") return t("live_title");
  if (v.view === "ended") return `${t(endedKeys(v.reason).title)} ${t(endedKeys(v.reason).text)}`;
  if (v.view === "fault") return `${t("fault_title")}. ${t("fault_text")}`;
  return "";
}

// A fresh node each time: screen readers say a repeated text again.
function announce(text) {
  if (text) $("announce").replaceChildren(h("p", {}, text));
}

t.onLang(() => render());

// ---------------------------------------------------------------------------
// The customer's actions

function failed(key, e) {
  const msg = e instanceof ApiError && e.code !== "unreachable" ? e.message : t("unreachable");
  state.actionError = () => t(key, { msg });
}

async function consent(given) {
  if (state.busy) return;
  state.busy = "consent";
  state.actionError = null;
  render();
  try {
    await post(`/api/booths/${state.id}/consent`, { given });
  } catch (e) {
    failed("consent_failed", e);
  } finally {
    state.busy = null;
    render();
  }
}

function askEnd() {
  state.endAsk = true;
  state.actionError = null;
  clearTimeout(state.endTimer);
  state.endTimer = setTimeout(() => cancelEnd(false), END_ASK_MS);
  render();
  $("end-no")?.focus();
}

function cancelEnd(focus) {
  clearTimeout(state.endTimer);
  if (!state.endAsk) return;
  const had = document.activeElement?.closest?.(".end-box");
  state.endAsk = false;
  render();
  if (focus || had) $("end")?.focus();
}

async function leave() {
  if (state.busy) return;
  clearTimeout(state.endTimer);
  state.busy = "end";
  render();
  try {
    await post(`/api/booths/${state.id}/leave`);
  } catch (e) {
    failed("end_failed", e);
    state.endAsk = false;
  } finally {
    state.busy = null;
    render();
  }
}

// ---------------------------------------------------------------------------
// State from vuorod

function take(b) {
  const prev = state.booth;
  // This page saw the session end: the thank-you counts from now.
  if (prev?.session && !b.session && b.last?.session === prev.session.id) state.seen.set(b.last.session, Date.now());
  if (prev?.session?.id !== b.session?.id) {
    state.endAsk = false;
    state.actionError = null;
  }
  state.booth = b;
  state.error = null;
  syncIdentity(b.session);
  render();
}

async function load() {
  try {
    if (!state.id) {
      const r = await get("/api/booths");
      if (!r.booths?.length) throw new ApiError(404, "no_booths", "no booths");
      state.id = r.booths[0].id;
    }
    take(await get(`/api/booths/${state.id}`));
  } catch (e) {
    if (state.booth) return; // keep showing the last state; the banner says the rest
    state.error = e.code === "unreachable" ? "unreachable" : "no_booth";
    render();
  }
  if (!state.names.size) {
    try {
      const st = await get("/api/status");
      for (const s of st.services || []) state.names.set(s.code, s.names);
      render();
    } catch {
      // names come with the next load; the codes stand in until then
    }
  }
}

live({
  onEvent: (ev) => {
    if (ev.type === "booth_text" && ev.booth === state.id) return rttTheirText(ev);
    if (ev.type !== "booth" || !state.id || ev.booth?.id !== state.id) return;
    if (ev.booth.state) take(ev.booth);
    else load(); // an anonymous stream only says which booth changed
  },
  onState: (s) => {
    const online = s === "open";
    if (online !== state.online) {
      state.online = online;
      renderHeader();
    }
    if (online) load();
  },
});
// A safety net for anything missed while the stream was down.
setInterval(load, 60000);
render();
ensurePaired(); // a real board: this device shows a pairing prompt until paired
