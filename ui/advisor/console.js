// SPDX-License-Identifier: GPL-3.0-or-later
// The console at an open counter: the current ticket, the commands (each
// enabled only when vuorod would accept it), the end and transfer choices,
// parked tickets, the tickets waiting for this counter and the lines.

import { post } from "/ui/common/api.js";
import { h, clear } from "/ui/common/dom.js";
import { S, t, $, now, mins, counter, counterName, service, serviceName, alertKey, clearAlert, note } from "./state.js";
import { renderIdentity } from "./identity.js";
import { showCard } from "/ui/common/card.js";

const ACTIONS = ["next", "recall", "start", "noshow", "park", "end", "transfer", "resume"];
const PATHS = { next: "call", recall: "recall", start: "start", noshow: "noshow", park: "park",
  end: "end", transfer: "transfer", resume: "resume" };

// The counter's ticket, in full when the queue has it.
export function currentTicket() {
  const c = counter();
  if (!c?.ticket) return null;
  return S.queue.find((tk) => tk.id === c.ticket.id) || { ...c.ticket, service: null };
}

// Waiting tickets this counter may call: its profile's services, unless sent
// to another counter, and whatever was sent to this counter.  The one Call
// next takes (S.next, the engine's own pick) comes first: list and button
// agree.
export function myWaiting() {
  const profile = counter()?.profile || [];
  const mine = (tk) => tk.target_counter === S.counterId;
  const next = (tk) => tk.id === S.next?.id;
  return S.queue
    .filter((tk) => tk.state === "waiting" && (mine(tk) || (!tk.target_counter && profile.includes(tk.service))))
    .sort((a, b) => next(b) - next(a) || mine(b) - mine(a) || b.priority - a.priority || a.queued_at - b.queued_at);
}

function parkedTickets() {
  const here = (tk) => tk.counter === S.counterId;
  return S.queue.filter((tk) => tk.state === "parked").sort((a, b) => here(b) - here(a) || a.id - b.id);
}

// What vuorod would accept now (it still checks: the UI only helps).
export function allowed() {
  const c = counter();
  const cur = currentTicket();
  const st = cur?.state;
  const open = !!c?.open;
  return {
    next: open && !cur && myWaiting().length > 0,
    recall: open && st === "called",
    start: open && st === "called",
    noshow: open && st === "called",
    park: open && !!cur,
    end: open && !!cur,
    transfer: open && !!cur,
    resume: open && !cur && parkedTickets().length > 0,
    close: open && !cur,
  };
}

// An open counter's profile has service @s (/api/status: "staffed" where
// vuorod says it, else its "counters_open").
const staffedNow = (s) => s.staffed ?? s.counters_open > 0;

/* ---------- render ---------- */

function fact(label, value) {
  return h("div", { class: "fact" }, h("dt", {}, label), h("dd", {}, value));
}

function renderCurrent() {
  const cur = currentTicket();
  $("cur-code").textContent = cur ? cur.code : "—";
  $("cur-code").classList.toggle("empty", !cur);
  const facts = $("cur-facts");
  // The provider's instructions and support for this ticket's service.
  showCard($("cur-card"), cur && service(cur.service)?.card, t.lang(), cardWords());
  // What the advisor who transferred the ticket wrote for whoever serves it next.
  const tnote = cur ? counter()?.ticket?.transfer_note : null;
  $("cur-transfer-note").hidden = !tnote;
  $("cur-transfer-text").textContent = tnote || "";
  if (!cur) {
    facts.replaceChildren(h("p", { class: "muted" }, t("none")));
    return;
  }
  const waited = cur.issued_at ? (cur.called_at || now()) - cur.issued_at : 0;
  facts.replaceChildren(h("dl", {},
    fact(t("f_service"), cur.service ? `${serviceName(cur.service)} (${cur.service})` : "—"),
    fact(t("f_state"), t("s_" + cur.state)),
    fact(t("f_waited"), t("min", { n: mins(waited) })),
    fact(t("f_recalls"), String(cur.recalls ?? 0))));
}

const cardWords = () => ({ title: t("card_title"), instructions: t("card_instructions"),
  phone: t("card_phone"), chat: t("card_chat"), newTab: t("card_new_tab") });

// Rebuilds a select's options, keeping what was chosen; untouched when they
// are the same (an open drop-down stays open through a live update).
function fillSelect(sel, options) {
  const same = sel.options.length === options.length &&
    options.every(([v, label], i) => sel.options[i].value === v && sel.options[i].text === label);
  if (same) return;
  const keep = sel.value;
  clear(sel);
  for (const [value, label] of options) sel.append(h("option", { value }, label));
  if (options.some(([v]) => v === keep)) sel.value = keep;
}

function renderChoices() {
  fillSelect($("t-service"), [["", t("t_keep")],
    ...S.status.services.map((s) => [s.code, `${serviceName(s.code)} (${s.code})`])]);
  fillSelect($("t-counter"), [["", t("t_any")],
    ...S.status.counters.filter((c) => c.id !== S.counterId).map((c) => [String(c.id), counterName(c)])]);
  const parked = parkedTickets();
  fillSelect($("parked"), parked.length
    ? parked.map((tk) => [String(tk.id), t("parked_item",
      { code: tk.code, service: serviceName(tk.service), counter: tk.counter ?? "–" })])
    : [["", t("parked_none")]]);
  $("parked").disabled = !parked.length;
}

function renderQueue() {
  const waiting = myWaiting();
  $("q-h").textContent = t("q_h", { n: waiting.length });
  const list = $("my-queue");
  clear(list);
  if (!waiting.length) list.append(h("li", { class: "muted empty" }, t("q_empty")));
  for (const tk of waiting) {
    const next = tk.id === S.next?.id;
    list.append(h("li", { class: next ? "next" : null, "data-id": String(tk.id) },
      h("span", { class: "q-code" }, tk.code),
      h("span", { class: "q-service" }, serviceName(tk.service)),
      h("span", { class: "q-wait" }, t("q_item_wait", { n: mins(now() - tk.issued_at) })),
      next ? h("span", { class: "tag next-tag" }, t("q_next")) : null,
      tk.target_counter === S.counterId ? h("span", { class: "tag" }, t("q_yours")) : null,
      tk.priority > 0 ? h("span", { class: "tag" }, t("q_priority")) : null));
  }
  const profile = counter()?.profile || [];
  const body = $("lines");
  clear(body);
  for (const s of S.status.services) {
    const mine = profile.includes(s.code);
    // A line no open counter serves has no estimate: say so instead.
    const staffed = staffedNow(s);
    const wait = !staffed ? t("l_unstaffed")
      : s.waiting > 0 ? "≈ " + t("min", { n: Math.max(1, Math.round(s.wait_s / 60)) }) : "–";
    body.append(h("tr", { class: [mine ? "mine" : "", staffed ? "" : "unstaffed"].join(" ").trim() || null, "data-code": s.code },
      h("th", { scope: "row" }, mine ? h("strong", {}, serviceName(s.code)) : serviceName(s.code)),
      h("td", { class: "num" }, String(s.waiting)),
      h("td", { class: "num" }, wait)));
  }
}

// Waiting tickets of remote lines no expert can answer now (vuorod marks
// them "unavailable"): "Call here" calls one to this counter; the advisor
// serves it or transfers it (to the provider's counter service, "instead").
function renderTakeover() {
  const list = S.queue.filter((tk) => tk.state === "waiting" && tk.unavailable)
    .sort((a, b) => a.queued_at - b.queued_at);
  $("takeover").hidden = !list.length;
  const ol = clear($("takeover-list"));
  const can = Boolean(counter()?.open) && !currentTicket() && !S.busy;
  for (const tk of list) {
    ol.append(h("li", { "data-id": String(tk.id) },
      h("span", { class: "q-code" }, tk.code),
      h("span", { class: "q-service" }, serviceName(tk.service)),
      h("button", { type: "button", class: "secondary takeover", disabled: !can,
        onclick: () => takeOver(tk) }, t("takeover"))));
  }
}

async function takeOver(tk) {
  if (S.busy || currentTicket()) return;
  const r = await command(async () => {
    const called = await post(`/api/counters/${S.counterId}/call`, { ticket: tk.id });
    note("did_next", { code: tk.code });
    return called;
  });
  // The provider's counter service is the natural place to send it on.
  if (r && tk.instead?.code && [...$("t-service").options].some((o) => o.value === tk.instead.code))
    $("t-service").value = tk.instead.code;
}

export function renderConsole() {
  if (!S.status) return;
  const c = counter();
  $("hdr-counter").textContent = c ? " · " + counterName(c) : "";
  renderCurrent();
  renderIdentity();
  renderChoices();
  renderQueue();
  renderTakeover();
  renderButtons();
}

// Each command enabled only when vuorod would accept it, and none while a
// command is on its way: from the click until the redraw of its answer the
// state shown is stale, and a second (or early) click must not act on it.
export function renderButtons() {
  const ok = allowed();
  const busy = Boolean(S.busy);
  for (const name of ACTIONS) $("b-" + name).disabled = busy || !ok[name];
  // The ticket Call next takes, on the button itself.
  $("next-code").textContent = ok.next && S.next ? " · " + S.next.code : "";
  $("close-counter").disabled = busy || !ok.close;
  $("b-doc").disabled = busy || !counter()?.ticket;
  const free = Boolean(counter()?.open) && !currentTicket();
  for (const b of $("takeover-list").querySelectorAll("button.takeover")) b.disabled = busy || !free;
}

// After a command the button pressed may be disabled (Call next once called):
// keep the keyboard user's place, on @prev (what had the focus before the
// command disabled every button) while it is still usable, else on what
// comes next.
export function keepFocus(prev = null) {
  const el = document.activeElement;
  if (el && el !== document.body && !el.disabled) return;
  if (prev && prev !== document.body && prev.isConnected && !prev.disabled && !prev.closest("[hidden]")) {
    prev.focus();
    return;
  }
  const st = currentTicket()?.state;
  const next = st === "called" ? "b-start" : st === "serving" ? "b-end" : "b-next";
  const target = $(next).disabled ? $("cur-code") : $(next);
  target.focus();
}

// The channel a visit has unless told otherwise: as vuorod defaults it.
export function resetEndChoices() {
  document.querySelector('input[name="outcome"][value="resolved"]').checked = true;
  $("channel").value = counter()?.kind === "expert" ? "remote_video" : "in_person";
  $("category").value = "";
}

function resetTransferChoices() {
  $("t-service").value = "";
  $("t-counter").value = "";
  $("t-front").checked = false;
  $("t-note").value = "";
}

/* ---------- commands ---------- */

function body(name) {
  switch (name) {
    case "end": {
      const b = { outcome: document.querySelector('input[name="outcome"]:checked')?.value || "resolved",
        channel: $("channel").value };
      const category = $("category").value.trim();
      if (category) b.category = category; // the matter, for the visit record
      return b;
    }
    case "transfer": {
      const b = {};
      if ($("t-service").value) b.service = $("t-service").value;
      if ($("t-counter").value) b.counter = Number($("t-counter").value);
      if ($("t-front").checked) b.front = true;
      const tnote = $("t-note").value.trim();
      if (tnote) b.note = tnote; // for the next advisor or expert; kept at the site
      return b;
    }
    case "resume":
      return { ticket: Number($("parked").value) };
    default:
      return {};
  }
}

// Sends a command (@send posts it; its errors are shown).  From the moment it
// is sent until a state loaded after its answer is drawn, every command
// button is off: the state on screen is stale, and a double or early click
// must not act on it.  Returns what @send returned, null on an error.
export async function command(send) {
  const busy = { after: Infinity };
  let r = null;
  S.busy = busy;
  renderButtons();
  try {
    r = await send();
    clearAlert();
  } catch (e) {
    S.failed(e);
  }
  busy.after = S.loads + 1; // the loads started from now on
  try {
    await S.reload();
  } finally {
    if (S.busy === busy) S.busy = null; // the load failed or was dropped
    if (S.view === "console" && S.status) renderButtons();
  }
  return r;
}

/* ---------- a transfer nobody would serve ---------- */

// Why a transfer with body @b would leave the citizen waiting for nobody,
// as {key, vars}, or null.
function transferWarning(b) {
  if (b.counter) {
    const c = counter(b.counter);
    return c && !c.open ? { key: "t_warn_counter", vars: { counter: counterName(c) } } : null;
  }
  const s = service(b.service);
  if (!s) return null;
  return staffedNow(s) ? null : { key: "t_warn_service", vars: { service: () => serviceName(b.service) } };
}

let asking = null; // {warning, resolve} while the question is open

function drawQuestion() {
  if (!asking) return;
  const vars = {};
  for (const [k, v] of Object.entries(asking.warning.vars)) vars[k] = typeof v === "function" ? v() : v;
  $("t-confirm-text").textContent = t(asking.warning.key, vars);
}

export const confirmOpen = () => Boolean(asking);
export const redrawQuestion = drawQuestion;

// Asks in a modal dialog; resolves true for "transfer anyway".  The safe
// answer has the focus; Escape is "no".
function ask(warning) {
  return new Promise((resolve) => {
    asking = { warning, resolve };
    drawQuestion();
    $("t-confirm").showModal();
    $("t-confirm-no").focus();
  });
}

function answer(yes) {
  const a = asking;
  if (!a) return;
  asking = null;
  if ($("t-confirm").open) $("t-confirm").close();
  a.resolve(yes);
}

// What a no-show did: back in line (and where), or the ticket expired.
function noteNoShow(tk, code) {
  if (tk?.state === "waiting")
    note("did_noshow_back", { code, service: () => serviceName(tk.service), place: (tk.ahead ?? 0) + 1 });
  else
    note("did_noshow_expired", { code });
}

export async function act(name) {
  if (S.busy || S.view !== "console" || asking || !allowed()[name]) return;
  const b = body(name);
  if (name === "transfer" && !b.service && !b.counter) {
    alertKey("t_where");
    $("t-service").focus();
    return;
  }
  const focused = document.activeElement;
  if (name === "transfer") {
    const warning = transferWarning(b);
    if (warning && !(await ask(warning))) {
      focused?.focus();
      return;
    }
    if (S.busy || !allowed()[name]) return; // changed while asking
  }
  const before = currentTicket();
  await command(async () => {
    const r = await post(`/api/counters/${S.counterId}/${PATHS[name]}`, b);
    const code = r?.ticket?.code || before?.code || "";
    if (name === "noshow") noteNoShow(r?.ticket, code);
    else note("did_" + name, { code });
    if (name === "end") resetEndChoices();
    if (name === "transfer") resetTransferChoices();
    return r;
  });
  keepFocus(focused);
}

export function initConsole() {
  for (const name of ACTIONS) $("b-" + name).addEventListener("click", () => act(name));
  $("t-confirm-yes").addEventListener("click", () => answer(true));
  $("t-confirm-no").addEventListener("click", () => answer(false));
  $("t-confirm").addEventListener("close", () => answer(false)); // Escape
}
