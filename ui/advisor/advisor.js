// SPDX-License-Identifier: GPL-3.0-or-later
// The advisor console: logs in (cookie session; whoami() resumes one), lets
// the advisor choose and open a counter, then runs the console (console.js)
// and keeps it live over the event stream.  Views: login → counter → console.

import { get, post, login, logout, whoami } from "/ui/common/api.js";
import { live } from "/ui/common/live.js";
import { h, clear } from "/ui/common/dom.js";
import { pick, fillLangSelect } from "/ui/common/i18n.js";
import { S, t, $, counter, counterName, service, showAlert, alertKey, clearAlert, note, sayAgain } from "./state.js";
import { renderConsole, act, initConsole, keepFocus, resetEndChoices, confirmOpen, redrawQuestion } from "./console.js";
import { initKeys, initAlarmKey } from "./keys.js";
import { staffAlarm } from "/ui/common/alarm.js";
import { initIdentity, identityEvent } from "./identity.js";
import { initBooking, renderBooking } from "./booking.js";
import { initWalkin, renderWalkin } from "./walkin.js";

const COUNTER_ROLES = ["advisor", "expert", "admin"];
const SAVED = "vuoro-advisor-counter";
let socket = null;
const alarm = staffAlarm(t, { onError: (e) => showAlert(e.message) });

// The staff alarm at this counter (Ctrl+Alt+A, or its button): every staff
// page shows it, the lamp lights; the waiting room sees and hears nothing.
async function raiseAlarm() {
  if (!S.counterId) return;
  try {
    await post("/api/alarms", { counter: S.counterId });
    note("alarm_raised");
  } catch (e) {
    showAlert(e.message);
  }
}
let shownSeq = 0;

/* ---------- views and texts ---------- */

function applyTexts() {
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  document.title = t("title") + " – vuoro";
  fillLangSelect($("lang"), t);
}

function show(view) {
  S.view = view;
  for (const v of ["login", "counter", "console"]) $(v + "-view").hidden = v !== view;
  $("who").hidden = $("logout").hidden = $("book-open").hidden = $("walkin-open").hidden = !S.me;
  $("b-alarm").hidden = view !== "console"; // the alarm names this counter
  $("who-name").textContent = S.me ? `${S.me.user} (${S.me.role})` : "";
  if (view !== "console") $("hdr-counter").textContent = "";
}

function render() {
  if (!S.status) return;
  if (S.view === "counter") renderChooser();
  if (S.view !== "console") return;
  const c = counter();
  if (!c?.open) {
    // Closed elsewhere (an admin, vuoroctl): back to choosing.
    show("counter");
    renderChooser();
    return;
  }
  renderConsole();
  renderBooking();
  renderWalkin();
}

/* ---------- loading ---------- */

async function loadAll() {
  if (!S.me) return;
  const seq = ++S.loads;
  try {
    // The counter's own view: the ticket Call next would take, as the
    // engine picks it (no second policy here).
    const at = S.view === "console" ? S.counterId : null;
    const [st, q, c] = await Promise.all([get("/api/status"), get("/api/queue"),
      at ? get(`/api/counters/${at}`).catch(() => null) : null]);
    // An answer older than the one shown is dropped; so is any after logout.
    if (seq < shownSeq || !S.me) return;
    shownSeq = seq;
    // A state loaded after the answer to a command: the command is done.
    if (S.busy && seq >= S.busy.after) S.busy = null;
    S.status = st;
    S.queue = q.tickets;
    S.next = c && at === S.counterId ? c.next : null;
    S.offset = st.now - Date.now() / 1000;
    render();
  } catch (e) {
    failed(e);
  }
}

let reloadTimer = null;
function reloadSoon() {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(loadAll, 80);
}

function failed(e) {
  if (e.status === 401) {
    if (S.me) sessionEnded();
  } else {
    showAlert(e.message);
  }
}

S.reload = loadAll;
S.failed = failed;

/* ---------- login and session ---------- */

function loginError(text) {
  $("login-error").textContent = text;
  $("password").setAttribute("aria-invalid", text ? "true" : "false");
}

async function onLogin(e) {
  e.preventDefault();
  const user = $("user").value.trim();
  const password = $("password").value;
  if (!user || !password) {
    loginError(t("login_empty"));
    (user ? $("password") : $("user")).focus();
    return;
  }
  try {
    const r = await login(user, password);
    if (!COUNTER_ROLES.includes(r.role)) {
      await logout().catch(() => {});
      loginError(t("login_role", { user: r.user, role: r.role }));
      return;
    }
    $("password").value = "";
    loginError("");
    await startSession({ user: r.user, role: r.role });
  } catch (err) {
    if (err.status === 401) loginError(t("login_bad"));
    else if (err.status === 429) loginError(t("login_many", { s: /wait (\d+) s/.exec(err.message)?.[1] || "60" }));
    else loginError(err.message);
    $("password").select();
    $("password").focus();
  }
}

async function startSession(me) {
  S.me = me;
  clearAlert();
  stopLive();
  // The socket says who it is when it connects: open it after logging in.
  const stream = live({
    onEvent: (ev) => {
      // A check of the customer's identity was stored: ask for it again.
      if (ev.type === "identity") identityEvent(ev);
      alarm.event(ev);
      reloadSoon();
    },
    onState: (state) => {
      if (socket !== stream) return; // a stopped socket's last word
      $("offline").hidden = state === "open";
      if (state === "open") reloadSoon();
      if (state === "open") alarm.load();
    },
  });
  socket = stream;
  await loadAll();
  if (!S.status) return;
  const mine = S.status.counters.filter((c) => c.open && c.user === me.user);
  const saved = Number(localStorage.getItem(SAVED));
  const resume = mine.find((c) => c.id === saved) || mine[0];
  if (resume) enterConsole(resume.id);
  else chooseCounter();
}

function stopLive() {
  socket?.stop();
  socket = null;
  alarm.clear();
  clearTimeout(reloadTimer);
  $("offline").hidden = true;
}

function sessionEnded() {
  stopLive();
  S.me = null;
  show("login");
  loginError(t("session_ended"));
  $("user").focus();
}

async function onLogout() {
  stopLive();
  S.me = null;
  await logout().catch(() => {});
  note("");
  clearAlert();
  show("login");
  loginError("");
  $("user").focus();
}

/* ---------- choosing and opening a counter ---------- */

function renderChooser() {
  const list = $("counter-list");
  const checked = list.querySelector("input:checked");
  const focused = list.contains(document.activeElement) ? document.activeElement.value : null;
  const usable = (c) => !c.open || c.user === S.me.user || S.me.role === "admin";
  let sel = checked ? Number(checked.value) : Number(localStorage.getItem(SAVED));
  if (!S.status.counters.some((c) => c.id === sel && usable(c))) sel = S.status.counters.find(usable)?.id;
  clear(list);
  for (const c of S.status.counters) {
    const state = c.open ? (c.user === S.me.user ? t("c_yours") : t("c_open_by", { user: c.user || "?" })) : "";
    list.append(h("label", { class: "choice" },
      h("input", { type: "radio", name: "counter", value: String(c.id), checked: c.id === sel, disabled: !usable(c) }),
      h("span", { class: "choice-name" }, counterName(c)),
      c.kind === "expert" ? h("span", { class: "tag" }, t("c_expert")) : null,
      state ? h("span", { class: "tag" }, state) : null));
  }
  // Rebuilt on every update: keep the keyboard's place.
  if (focused) list.querySelector(`input[value="${focused}"]`)?.focus();
  updateChoice();
}

// The profile being chosen: the services in call order, each ticked or
// not, with a weight (0: by order only).  Drawn from this, so a change of
// language or a live update redraws it without losing what was chosen.
const chooser = { for: null, items: [], configured: "", open: false, loading: 0 };

const profileText = (items) => items.filter((i) => i.on).map((i) => i.code + (i.weight > 0 ? ":" + i.weight : "")).join(",");

// The chosen counter's profile from vuorod: the one it is open with, else
// the configured one; the other services after it, unticked.
async function loadProfile(id) {
  const seq = ++chooser.loading;
  let c = null;
  try {
    c = await get(`/api/counters/${id}`);
  } catch (e) {
    failed(e);
    return;
  }
  if (seq !== chooser.loading || !S.status) return;
  const open = c.counter.open;
  const from = open ? c.profile : c.configured_profile;
  const items = from.map((p) => ({ code: p.service, on: true, weight: p.weight }));
  for (const s of S.status.services) if (!items.some((i) => i.code === s.code)) items.push({ code: s.code, on: false, weight: 0 });
  chooser.items = items;
  chooser.configured = profileText(c.configured_profile.map((p) => ({ code: p.service, on: true, weight: p.weight })));
  chooser.open = open;
  renderProfile();
}

function serviceLabel(code) {
  return `${pick(service(code)?.names, t.lang()) || code} (${code})`;
}

function renderProfile() {
  const list = $("profile-list");
  const f = document.activeElement;
  const keep = list.contains(f) ? [f.closest("li")?.dataset.code, f.dataset.role] : null;
  clear(list);
  chooser.items.forEach((it, i) => {
    const name = serviceLabel(it.code);
    const box = h("input", { type: "checkbox", "data-role": "on", checked: it.on, disabled: chooser.open });
    box.addEventListener("change", () => {
      it.on = box.checked;
      renderProfile();
    });
    const weight = h("input", { type: "number", "data-role": "weight", class: "weight", min: "0", max: "100", step: "1",
      value: String(it.weight || 0), disabled: chooser.open || !it.on, "aria-label": t("p_weight_of", { service: name }) });
    weight.addEventListener("change", () => {
      it.weight = Math.max(0, Math.trunc(Number(weight.value) || 0));
      renderProfile();
    });
    const move = (d, role, label, arrow) => {
      const b = h("button", { type: "button", class: "secondary mini", "data-role": role,
        "aria-label": t(label, { service: name }), disabled: chooser.open || !chooser.items[i + d] }, arrow);
      b.addEventListener("click", () => {
        const items = chooser.items;
        [items[i], items[i + d]] = [items[i + d], items[i]];
        renderProfile();
      });
      return b;
    };
    list.append(h("li", { "data-code": it.code, class: it.on ? "on" : null },
      h("label", { class: "check" }, box, h("span", {}, name)),
      h("label", { class: "w" }, h("span", { "aria-hidden": "true" }, t("p_weight")), weight),
      move(-1, "up", "p_up", "↑"), move(1, "down", "p_down", "↓")));
  });
  if (keep) {
    const el = list.querySelector(`li[data-code="${keep[0]}"] [data-role="${keep[1]}"]`);
    (el && !el.disabled ? el : list.querySelector(`li[data-code="${keep[0]}"] input`))?.focus();
  }
  const on = chooser.items.filter((i) => i.on);
  const weighted = on.some((i) => i.weight > 0);
  $("profile-now").textContent = on.length
    ? on.map((i) => pick(service(i.code)?.names, t.lang()) + (weighted ? " ×" + Math.max(1, i.weight) : "")).join(", ")
    : "–";
}

// The profile box and the button follow the chosen counter.
function updateChoice() {
  const sel = Number(document.querySelector("#counter-list input:checked")?.value);
  const c = counter(sel);
  if (c && chooser.for !== c.id) {
    chooser.for = c.id;
    chooser.items = [];
    renderProfile();
    loadProfile(c.id);
  } else {
    renderProfile();
  }
  $("open-btn").textContent = c?.open ? t("continue") : t("open");
}

function chooseCounter() {
  show("counter");
  chooser.for = null;
  renderChooser();
  (document.querySelector('#counter-list input:checked') || $("open-btn")).focus();
}

async function onOpen(e) {
  e.preventDefault();
  const id = Number(document.querySelector('#counter-list input:checked')?.value);
  const c = counter(id);
  if (!c) {
    alertKey("pick_counter");
    return;
  }
  if (!c.open) {
    // Only a changed profile is sent: unchanged, the configured one applies.
    const loaded = chooser.for === id && chooser.items.length > 0;
    const profile = loaded ? profileText(chooser.items) : "";
    if (loaded && !profile) {
      alertKey("profile_empty");
      $("profile-box").open = true;
      $("profile-list").querySelector("input")?.focus();
      return;
    }
    try {
      await post(`/api/counters/${id}/open`, loaded && profile !== chooser.configured ? { profile } : {});
    } catch (err) {
      failed(err);
      $("profile-box").open = true;
      $("profile-list").querySelector("input:not([disabled])")?.focus();
      return;
    }
    note("did_open", { counter: id });
  }
  clearAlert();
  await enterConsole(id);
}

async function enterConsole(id) {
  S.counterId = id;
  localStorage.setItem(SAVED, String(id));
  show("console");
  resetEndChoices();
  // Not render() yet: the status we hold may predate the opening.
  await loadAll();
  keepFocus();
}

async function onClose() {
  const id = S.counterId;
  try {
    await post(`/api/counters/${id}/close`, {});
  } catch (e) {
    failed(e);
    return;
  }
  clearAlert();
  note("did_close", { counter: id });
  S.counterId = null;
  await loadAll();
  chooseCounter();
}

/* ---------- start ---------- */

$("login-form").addEventListener("submit", onLogin);
$("open-form").addEventListener("submit", onOpen);
$("counter-list").addEventListener("change", updateChoice);
$("logout").addEventListener("click", onLogout);
$("b-alarm").addEventListener("click", raiseAlarm);
$("close-counter").addEventListener("click", onClose);
$("lang").addEventListener("change", (e) => t.setLang(e.target.value));
t.onLang(() => {
  alarm.render();
  applyTexts();
  render();
  sayAgain();
  redrawQuestion();
});
applyTexts();
initConsole();
initIdentity();
initBooking();
initWalkin();
initKeys(act, () => S.view === "console" && !confirmOpen());
// Ctrl+Alt+A: the staff alarm at this counter (shown in the page's help).
initAlarmKey(raiseAlarm, () => S.view === "console");
// Waiting times move on; vuorod's estimates too.
setInterval(() => S.view === "console" && renderConsole(), 15000);
setInterval(() => S.me && loadAll(), 30000);

let me = null;
try {
  me = await whoami();
} catch (e) {
  showAlert(e.message);
}
// From a kiosk address whoami answers {user: null, role: "kiosk"}: no session.
if (me?.user && COUNTER_ROLES.includes(me.role)) {
  await startSession({ user: me.user, role: me.role });
} else {
  show("login");
  $("user").focus();
}
