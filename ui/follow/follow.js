// SPDX-License-Identifier: GPL-3.0-or-later
// /t/REF — a citizen follows their ticket on a phone: the number, the
// service, the place in line and the estimate, and "your turn — counter N"
// when called.  GET /api/follow/REF on load, on every queue event (at most
// twice a second) and after a reconnect.  In the ticket's own language
// until the citizen picks another (remembered for this ticket only).

import { get, ApiError } from "/ui/common/api.js";
import { h, clear } from "/ui/common/dom.js";
import { i18n, LANGS, LANG_NAMES, pick, minutes } from "/ui/common/i18n.js";
import { live } from "/ui/common/live.js";

const STRINGS = {
  fi: {
    number: "Vuoronumerosi",
    languages: "Kieli",
    ahead_n: "{n} asiakasta edelläsi",
    ahead_1: "1 asiakas edelläsi",
    ahead_0: "Olet seuraavana vuorossa",
    wait: "Arvioitu odotusaika noin {min} min",
    called: "Sinun vuorosi — palvelupiste {n}",
    called_booth: "Sinun vuorosi — mene etäpalvelupisteeseen",
    called_note: "Mene palvelupisteeseen nyt.",
    serving: "Sinua palvellaan — palvelupiste {n}",
    parked: "Asiointisi on tauolla. Sinut kutsutaan uudelleen.",
    issued: "Vuoronumeroasi annetaan. Odota hetki.",
    done: "Asiointisi on päättynyt. Kiitos käynnistä!",
    no_show: "Sinua kutsuttiin, mutta et tullut paikalle. Ota tarvittaessa uusi vuoronumero.",
    cancelled: "Tämä vuoronumero on peruttu. Ota tarvittaessa uusi vuoronumero.",
    voided: "Tätä vuoronumeroa ei annettu. Ota uusi vuoronumero.",
    live_note: "Sivu päivittyy itsestään. Numerosi näkyy myös odotustilan näytöillä.",
    offline: "Yhteys katkennut – tiedot eivät päivity juuri nyt. Yritetään uudelleen…",
    error: "Tietoja ei saatu. Päivitä sivu hetken päästä.",
  },
  sv: {
    number: "Ditt könummer",
    languages: "Språk",
    ahead_n: "{n} personer före dig",
    ahead_1: "1 person före dig",
    ahead_0: "Du är näst på tur",
    wait: "Beräknad väntetid cirka {min} min",
    called: "Din tur — disk {n}",
    called_booth: "Din tur — gå till distansservicebåset",
    called_note: "Gå till disken nu.",
    serving: "Du betjänas — disk {n}",
    parked: "Ditt ärende är pausat. Du ropas upp på nytt.",
    issued: "Ditt könummer ges ut. Vänta en stund.",
    done: "Ditt besök är avslutat. Tack för besöket!",
    no_show: "Du ropades upp men kom inte. Ta vid behov ett nytt könummer.",
    cancelled: "Det här könumret har annullerats. Ta vid behov ett nytt könummer.",
    voided: "Det här könumret gavs aldrig ut. Ta ett nytt könummer.",
    live_note: "Sidan uppdateras av sig själv. Ditt nummer visas också på skärmarna i väntrummet.",
    offline: "Förbindelsen är bruten – uppgifterna uppdateras inte just nu. Vi försöker igen…",
    error: "Uppgifterna kunde inte hämtas. Ladda om sidan om en stund.",
  },
  en: {
    number: "Your number",
    languages: "Language",
    ahead_n: "{n} people ahead of you",
    ahead_1: "1 person ahead of you",
    ahead_0: "You are next",
    wait: "Estimated wait about {min} min",
    called: "Your turn — counter {n}",
    called_booth: "Your turn — go to the remote-service booth",
    called_note: "Please go to the counter now.",
    serving: "You are being served — counter {n}",
    parked: "Your visit is on hold. You will be called again.",
    issued: "Your number is being handed out. Please wait a moment.",
    done: "Your visit has ended. Thank you for coming!",
    no_show: "You were called but did not come. Take a new number if you still need service.",
    cancelled: "This number was cancelled. Take a new number if you still need service.",
    voided: "This number was never handed out. Please take a new number.",
    live_note: "This page updates by itself. Your number also appears on the waiting-room screens.",
    offline: "Connection lost – the page is not updating right now. Trying again…",
    error: "The details could not be loaded. Reload the page in a moment.",
  },
};

const ref = decodeURIComponent(location.pathname.replace(/^\/t\//, "").replace(/\/$/, ""));
const langKey = "vuoro-follow-lang:" + ref;
const chosen = localStorage.getItem(langKey); // a language picked on this page before
const t = i18n(STRINGS, langKey);
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
  const name = status?.site || "";
  const parts = name.split(" / "); // "fi / sv / en"
  return parts.length === LANGS.length ? parts[LANGS.indexOf(t.lang())] : name;
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
    for (const l of LANGS)
      langs.append(h("button", { class: "lang", lang: l, onclick: () => t.setLang(l) }, LANG_NAMES[l]));
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
    if (!ticket && !chosen) t.setLang(tk.lang); // the ticket's own language
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
