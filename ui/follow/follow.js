// SPDX-License-Identifier: GPL-3.0-or-later
// /t/REF — a citizen follows their ticket on a phone: the number, the
// service, the place in line and the estimate, and "your turn — counter N"
// when called.  GET /api/follow/REF on load, on every queue event (at most
// twice a second) and after a reconnect.  In the ticket's own language
// until the citizen picks another (remembered for this ticket only).

import { get, ApiError } from "/ui/common/api.js";
import { h, clear } from "/ui/common/dom.js";
import { i18n, pick, minutes, siteNameIn } from "/ui/common/i18n.js";
import { live } from "/ui/common/live.js";

const ref = decodeURIComponent(location.pathname.replace(/^\/t\//, "").replace(/\/$/, ""));
const langKey = "vuoro-follow-lang:" + ref;
const chosen = localStorage.getItem(langKey); // a language picked on this page before
const t = await i18n("follow", langKey);
const $ = (id) => document.getElementById(id);
let ticket = null;
let status = null;
let online = true;
let failed = false;
let unknown = false; // no such ticket: nothing to follow

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

// The main line (read out) and the smaller facts below it.
function describe(tk) {
  const n = tk.counter;
  switch (tk.state) {
    case "waiting": {
      const ahead = tk.ahead ?? 0;
      const line = ahead === 0 ? t("ahead_0") : ahead === 1 ? t("ahead_1") : t("ahead_n", { n: ahead });
      return { line, kind: "waiting", facts: tk.wait_s > 0 ? [t("wait", { min: minutes(tk.wait_s) })] : [] };
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
    case "done":
    case "no_show":
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
  setText($("note"), d.kind === "ended" ? "" : t("live_note"));
  document.title = `${ticket.code} · ${d.line}`;
}

async function load() {
  try {
    const [tk, st] = await Promise.all([
      get("/api/follow/" + encodeURIComponent(ref)),
      status ? Promise.resolve(status) : get("/api/status"),
    ]);
    if (!ticket && !chosen) await t.setLang(tk.lang); // the ticket's own language
    ticket = tk;
    status = st;
    failed = false;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return notFound();
    failed = true;
  }
  render();
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
  get("/api/status").then((st) => setText($("site"), st.site), () => { $("site").hidden = true; });
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
if (!ref) notFound();
else {
  render();
  load();
  stream = live({
    onEvent: loadSoon,
    onState: (s) => {
      if (unknown) return;
      online = s === "open";
      renderHeader();
      if (online) loadSoon();
    },
  });
  // The estimate drifts with time, without events: look again now and then.
  setInterval(loadSoon, 60000);
}
