// SPDX-License-Identifier: GPL-3.0-or-later
// /t/REF — a citizen follows their ticket on a phone: the number, the
// service, the place in line and the estimate, and "your turn — counter N"
// when called.  GET /api/follow/REF on load, on every queue event (at most
// twice a second) and after a reconnect.  In the ticket's own language
// until the citizen picks another (remembered for this ticket only).
//
// A missed call is told: after a no-show the ticket carries "missed"
// {counter, at, requeued}: "you were called to counter N at 10:42 and did
// not come — you are back in line" (or "— your ticket has expired").
// When the number is called (or called again) the phone vibrates and chimes
// where the browser allows, and shows a notification if the citizen asked for
// one with the button (nothing is asked unprompted).
import { get, ApiError } from "/ui/common/api.js";
import { h, clear } from "/ui/common/dom.js";
import { i18n, pick, minutes, siteNameIn } from "/ui/common/i18n.js";
import { live } from "/ui/common/live.js";
import { chimer } from "/ui/common/chime.js";

const ref = decodeURIComponent(location.pathname.replace(/^\/t\//, "").replace(/\/$/, ""));
// At the hub (the QR of a site with [uplink] public-url): "<site>.<REF>", the
// ticket and the site's names from that site's live state, in one answer
// (its "status"); no event stream there: the page looks again every few
// seconds (the site sends its state at most once a second).
const atHub = ref.includes(".");
const HUB_POLL_MS = 2000;
// A ticket printed a moment ago reaches the hub with the site's next live
// state (within a second or two): "not found" only after this long.
const HUB_GRACE_MS = 8000;
const loadedAt = Date.now();
const langKey = "vuoro-follow-lang:" + ref;
const chosen = localStorage.getItem(langKey); // a language picked on this page before
// The site's own follow page links to its accessibility statement (the
// hub has none of its own): that namespace's title with it.
const t = atHub ? await i18n("follow", langKey, { site: ref.split(".")[0] })
  : await i18n(["follow", "accessibility"], langKey);
const $ = (id) => document.getElementById(id);
let ticket = null;
let status = null;
let online = true;
let failed = false;
let unknown = false; // no such ticket: nothing to follow
let seen = null; // the call last alerted: {state, recalls, counter}
// The status (names, counters, which lines are staffed) is read again after
// a counter opens or closes, and with the minute's refresh.
let statusStale = false;
// The site's clock, as /api/status gives it ([site] timezone).
const siteZone = () => status?.timezone || "Europe/Helsinki";

function setText(el, text) {
  // Only on change: a live region re-announces every write.
  if (el.textContent !== text) el.textContent = text;
}

function siteName() {
  return siteNameIn(status?.site, t); // "fi / sv / en"
}

function counterOf(id) {
  return status?.counters?.find((c) => c.id === id);
}

function timeOf(unix) {
  // Latin digits, as the ticket number and the counter are written.
  return new Intl.DateTimeFormat(t.lang() + "-u-nu-latn", {
    timeZone: siteZone(), hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).format(new Date(unix * 1000));
}

// "You were called to counter 3 at 10:42 and did not come."
function missedLine(m) {
  const time = timeOf(m.at);
  if (!m.counter) return t("missed_any", { time });
  if (counterOf(m.counter)?.kind === "expert") return t("missed_booth", { time });
  return t("missed", { n: m.counter, time });
}

// A minute of the day as the citizen's language writes a time.
function closing(min) {
  const d = new Date(Date.UTC(2000, 0, 1, Math.floor(min / 60), min % 60));
  return new Intl.DateTimeFormat(t.lang() + "-u-nu-latn", { hour: "2-digit", minute: "2-digit", timeZone: "UTC" }).format(d);
}

// No counter serves the ticket's line now: no estimate can be given.
function unstaffed(tk) {
  const svc = status?.services?.find((s) => s.code === tk.service);
  // "staffed" when vuorod says it, else from the open counters for the line.
  const staffed = svc?.staffed ?? (svc?.counters_open === undefined || svc.counters_open > 0);
  return !staffed || ("wait_s" in tk && tk.wait_s == null);
}

// The main line (read out) and the smaller facts below it.
function describe(tk) {
  const n = tk.counter;
  switch (tk.state) {
    case "waiting": {
      const ahead = tk.ahead ?? 0;
      const place = ahead === 0 ? t("ahead_0") : ahead === 1 ? t("ahead_1") : t("ahead_n", { n: ahead });
      // (A remote line nobody can answer has its own notice: #unavailable.)
      const facts = tk.unavailable ? [] : unstaffed(tk) ? [t("no_counter")] : tk.wait_s > 0 ? [t("wait", { min: minutes(tk.wait_s) })] : [];
      // The estimated call falls after today's closing (opening-hour exceptions too).
      if (tk.after_closing && !tk.unavailable) facts.push(t("after_closing", { time: closing(tk.closes_min) }));
      if (tk.missed) {
        // Said first, and read out: the citizen has to know why the call is gone.
        return { line: `${missedLine(tk.missed)} ${t("requeued")}`, kind: "missed", facts: [place, ...facts] };
      }
      return { line: place, kind: "waiting", facts };
    }
    case "called":
      return {
        line: counterOf(n)?.kind === "expert" ? t("called_booth") : t("called", { n }),
        kind: "called",
        facts: [t("called_note")],
      };
    case "serving":
      return { line: t("serving", { n }), kind: "serving", facts: [] };
    case "parked":
      return { line: t("parked"), kind: "waiting", facts: [] };
    case "issued":
      return { line: t("issued"), kind: "waiting", facts: [] };
    case "no_show":
      if (tk.missed) return { line: `${missedLine(tk.missed)} ${t("expired")}`, kind: "ended missed", facts: [] };
      return { line: t("no_show"), kind: "ended", facts: [] };
    case "done":
    case "cancelled":
    case "voided":
      return { line: t(tk.state), kind: "ended", facts: [] };
    default:
      return { line: tk.state, kind: "waiting", facts: [] };
  }
}

function renderHeader() {
  setText($("site"), siteName());
  const langs = $("langs");
  langs.hidden = !ticket;
  langs.setAttribute("aria-label", t("languages"));
  // Built once and updated in place: a button rebuilt under a finger loses the tap.
  if (!langs.children.length) {
    for (const l of t.languages())
      langs.append(h("button", { class: "lang", lang: l.code, dir: l.dir, onclick: () => t.setLang(l.code) }, l.name));
  }
  for (const b of langs.children) b.setAttribute("aria-pressed", String(b.lang === t.lang()));
  $("offline").hidden = online;
  setText($("offline"), online ? "" : t("offline"));
  $("a11y").hidden = atHub;
  if (!atHub) {
    setText($("a11y"), t("accessibility.title"));
    $("a11y").href = "/accessibility?lang=" + encodeURIComponent(t.lang());
  }
}

function render() {
  renderHeader();
  if (!ticket) {
    $("loading").hidden = false;
    setText($("loading"), failed ? t("error") : "…");
    return;
  }
  $("loading").hidden = true;
  $("ticket").hidden = false;
  const d = describe(ticket);
  const svc = status?.services.find((s) => s.code === ticket.service);
  setText($("number-label"), t("number"));
  setText($("number"), ticket.code);
  setText($("service"), svc ? pick(svc.names, t.lang()) : ticket.service);
  setText($("state"), d.line);
  $("state").className = "state " + d.kind;
  const facts = clear($("facts"));
  for (const f of d.facts) facts.append(h("li", {}, f));
  // A remote line nobody can answer now (issue 16): said, and what to do.
  const why = ticket.state === "waiting" || ticket.state === "parked" || ticket.state === "issued"
    ? ticket.unavailable : null;
  const notice = $("unavailable");
  notice.hidden = !why;
  setText(notice, why === "no_expert" ? t("no_expert") : why === "no_booth" ? t("no_booth") : "");
  const ended = d.kind.startsWith("ended");
  setText($("note"), ended ? "" : t("live_note"));
  renderNotify(ended);
  document.title = `${ticket.code} · ${d.line}`;
}

/* ---------- the alert when called ---------- */

// The button asks for notifications only when pressed; its words say what
// was granted.  Hidden where the browser has no notifications.
function renderNotify(ended) {
  const box = $("notify");
  const can = "Notification" in window;
  box.hidden = ended || !can;
  if (box.hidden) return;
  const perm = Notification.permission;
  const btn = $("notify-btn");
  btn.hidden = perm !== "default";
  setText(btn, t("notify"));
  setText($("notify-state"), perm === "granted" ? t("notify_on") : perm === "denied" ? t("notify_blocked") : "");
}

// Sound needs a touch first in most browsers: any tap on the page unlocks it.
const sound = chimer();
const unlockAudio = () => sound.unlock();

// Two short rising tones.
const chime = () => sound.play([[523.25, 0], [783.99, 0.3]], { gain: 0.4, length: 0.5 });

function alertCalled(tk, line) {
  try {
    navigator.vibrate?.([300, 150, 300, 150, 300]);
  } catch {
    // not allowed before a touch: the chime and the screen still tell
  }
  chime();
  if ("Notification" in window && Notification.permission === "granted") {
    try {
      // One per ticket: a recall replaces the earlier one.
      new Notification(t("alert_title", { code: tk.code }), {
        body: line, tag: "vuoro-" + ref, renotify: true, lang: t.lang(), dir: t.dir(),
      });
    } catch {
      // Some mobile browsers only notify from a service worker.
    }
  }
}

// Alert on a new call or a recall, not on the state found at load.
function maybeAlert(tk) {
  const now = { state: tk.state, recalls: tk.recalls ?? 0, counter: tk.counter };
  const was = seen;
  seen = now;
  if (!was || tk.state !== "called") return;
  if (was.state !== "called" || now.recalls > was.recalls || now.counter !== was.counter) {
    alertCalled(tk, describe(tk).line);
  }
}

async function askNotify() {
  unlockAudio();
  try {
    await Notification.requestPermission();
  } catch {
    // an old browser: the permission stays as it was
  }
  render();
}

async function load() {
  try {
    const [tk, st] = await Promise.all([
      get("/api/follow/" + encodeURIComponent(ref)),
      atHub || (status && !statusStale) ? Promise.resolve(status) : get("/api/status"),
    ]);
    statusStale = false;
    if (!ticket && !chosen) await t.setLang(tk.lang); // the ticket's own language
    ticket = tk;
    status = atHub ? tk.status : st;
    failed = false;
    if (atHub) online = true;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      if (atHub && !ticket && Date.now() - loadedAt < HUB_GRACE_MS) return setTimeout(loadSoon, 1000);
      return notFound();
    }
    failed = true;
    if (atHub) online = false; // the "offline" banner, as without the event stream
  }
  render();
  if (ticket && !failed) maybeAlert(ticket);
}

let stream = null;
function notFound() {
  unknown = true;
  stream?.stop();
  $("loading").hidden = true;
  $("ticket").hidden = true;
  $("notfound").hidden = false;
  $("langs").hidden = true;
  $("offline").hidden = true;
  document.title = "Vuoronumeroa ei löytynyt · Könumret hittades inte · Queue number not found";
  // Where the citizen is, at least: the site's name in all its languages.
  if (atHub) $("site").hidden = true; // the hub is no service point
  else get("/api/status").then((st) => setText($("site"), st.site), () => { $("site").hidden = true; });
}

// At most two loads a second, however many events arrive.
let last = 0;
let pending = null;
function loadSoon() {
  if (pending) return;
  pending = setTimeout(() => {
    pending = null;
    last = Date.now();
    load();
  }, Math.max(0, last + 500 - Date.now()));
}

t.onLang(render);
$("notify-btn").addEventListener("click", askNotify);
for (const ev of ["pointerdown", "keydown"]) addEventListener(ev, unlockAudio, { passive: true });
if (!ref) notFound();
else {
  render();
  load();
}
if (ref && atHub) {
  const timer = setInterval(() => (unknown ? clearInterval(timer) : loadSoon()), HUB_POLL_MS);
} else if (ref) {
  stream = live({
    onEvent: (ev) => {
      if (ev?.type === "counter_opened" || ev?.type === "counter_closed" || ev?.type === "availability") {
        statusStale = true;
      }
      loadSoon();
    },
    onState: (s) => {
      if (unknown) return;
      online = s === "open";
      renderHeader();
      if (online) loadSoon();
    },
  });
  // The estimate drifts with time, without events: look again now and then.
  setInterval(() => {
    statusStale = true;
    loadSoon();
  }, 60000);
}
