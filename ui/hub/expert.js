// SPDX-License-Identifier: GPL-3.0-or-later
// /hub/expert: an expert of a provider serves the remote-service booths of
// that provider at every site from one page (issue 16).  The queue across
// sites (site, service, ticket, waiting time, the site's booths) comes from
// GET /api/hub/expert and is read again on the socket's {"type":"queue"};
// "Call next" lets the hub pick the longest-waiting customer at a site with a
// free booth, or the expert calls at a site or a ticket of their choice.  The
// site's booth offers the video session through the hub's socket
// (/api/hub/expert/socket, every message with its "site"); this page answers
// it as the site's own /expert page does (ui/common/rtc.js).  The identity
// result's name and code come only over the session's data channel "vuoro".
//
// window.__vuoro.metrics: performance.now() of the click and of the first
// decoded frame from the booth (tests, bench).

import { get, post } from "/ui/common/api.js";
import { h, clear } from "/ui/common/dom.js";
import { minutes, pick, siteNameIn } from "/ui/common/i18n.js";
import { answerCall, signalling } from "/ui/common/rtc.js";
import { rttPanel } from "/ui/common/rtt.js";
import { staffPage, say } from "/ui/common/staff.js";
import { showCard } from "/ui/common/card.js";
import { hubWords, roleNameOf } from "/ui/hub/strings.js";
import { TEMPLATES, OUTCOMES, DOCUMENTS } from "/ui/expert/strings.js";

const t = await hubWords("expert");
const $ = (id) => document.getElementById(id);
// Real-time text with the booth's customer (T.140 over the session's data channel).
const rtt = rttPanel({ t });
$("rtt-box").append(rtt.el);

let local = null; // the expert's camera and microphone
let sig = null;
let data = null; // GET /api/hub/expert
let call = null; // the answered peer connection
let attaching = false; // an attach sent after the socket came back, not yet answered
let current = null; // {site, id, booth, code, state, reason, document, identity_asked, idSeen}
let earlyIce = [];
const metrics = { click: 0, remoteFrame: 0, sessions: 0 };
window.__vuoro = { metrics, get session() { return current; }, get data() { return data; }, pc: () => call?.pc };

const page = staffPage({
  roles: ["expert"],
  t,
  roleName: roleNameOf(t),
  start,
  stop,
  relabel: render,
});

async function openCamera() {
  if (local) return;
  try {
    local = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
    $("self").srcObject = local;
    say($("camera-out"), "");
  } catch (e) {
    say($("camera-out"), t("camera_failed", { msg: e.message }), "error");
  }
}

async function load() {
  try {
    data = await get("/api/hub/expert");
  } catch (e) {
    if (e.status === 401) page.expired();
    else say($("call-out"), e.message, "error");
    return;
  }
  const had = current;
  adoptSession();
  render();
  if (!had && current?.left) resumeCall();
}

// After a reload: the hub's view of our session (that of the page before
// this one too, for a minute: its booth keeps it for its reconnect window).
function adoptSession() {
  const s = (data?.sessions || []).find((x) => x.state !== "ended");
  if (s && !current) {
    // left: no open page follows it (a page of ours that closed served it)
    current = { site: s.site, id: s.session, booth: s.booth, code: s.code, state: s.state, left: !s.client };
  }
}

// A session we have no connection for asks its booth for a new offer, once
// a socket: after a reload the socket may open before or after the page
// learns of its session (onState or load).
let resumeAsked = null; // "client/site/session" of the last resume sent
function resumeCall() {
  if (!sig || !current || call || current.state === "ended" || current.state === "waiting") return;
  const { site, id } = current;
  sig.client().then((client) => {
    const key = `${client}/${site}/${id}`;
    if (call || current?.id !== id || current?.site !== site || resumeAsked === key) return;
    resumeAsked = key;
    sig.send({ type: "resume", session: id, site });
  });
}

const siteOf = (id) => data?.sites.find((s) => s.site === id);
const siteName = (id) => {
  const s = siteOf(id);
  return s ? siteNameIn(s.name, t) || id : id;
};
const boothWord = (b) => (b.state === "free" ? t("hub.expert_booth_free")
  : b.state === "out-of-order" ? t("hub.expert_booth_out") : t("hub.expert_booth_busy"));

function render() {
  rtt.relabel();
  $("queue-title").textContent = t("hub.expert_title");
  $("tickets-title").textContent = t("tickets");
  $("sites-title").textContent = t("hub.expert_sites");
  $("session-title").textContent = t("session");
  $("call").textContent = t("call");
  $("remote-caption").textContent = t("booth_camera");
  $("document-caption").textContent = t("document_camera");
  $("self-caption").textContent = t("self");
  $("template-label").textContent = t("template");
  $("text-label").textContent = t("text");
  $("send").textContent = t("send");
  $("outcome-label").textContent = t("outcome");
  $("category-label").textContent = t("category");
  $("end").textContent = t("end");
  $("ask-record").textContent = t("ask_record");
  $("nobody").textContent = t("nobody");
  fillSelect($("template"), TEMPLATES.map((k) => [k, t("tpl_" + k)]));
  fillSelect($("outcome"), OUTCOMES.map((k) => [k, t("o_" + k)]));
  $("document-type-label").textContent = t("doc_type");
  $("record-document").textContent = t("doc_record");
  fillSelect($("document-type"), DOCUMENTS.map((k) => [k, t("doc_" + k)]));
  const head = clear($("tickets-head"));
  for (const k of ["hub.expert_site", "hub.expert_service", "hub.expert_ticket", "hub.expert_waited",
    "hub.expert_booths", ""]) head.append(h("th", { scope: "col" }, k ? t(k) : ""));
  if (!data) return;
  $("provider").textContent = t("provider", { name: data.provider });
  const rows = clear($("tickets-rows"));
  for (const k of data.tickets) {
    const site = siteOf(k.site);
    const booths = site?.booths || [];
    const free = booths.filter((b) => b.state === "free" && !b.session).length;
    rows.append(h("tr", { "data-site": k.site, "data-ticket": k.ticket },
      h("td", {}, siteName(k.site)),
      h("td", {}, pick(k.service_names, t.lang()) || k.service || ""),
      h("td", { class: "code" }, k.code, k.booked ? ` (${t("hub.expert_booked")})` : ""),
      h("td", { class: "num" }, `${minutes(k.waited_s)} min`),
      h("td", {}, site?.silent ? t("hub.expert_silent")
        : t("hub.expert_free_of", { free, n: booths.length })),
      h("td", {}, h("button", {
        type: "button", class: "secondary", disabled: busy() || !free || site?.silent || undefined,
        "aria-label": `${t("call_this")} ${k.code}`, onclick: () => callNext({ site: k.site, ticket: k.ticket }),
      }, t("call_this")))));
  }
  $("tickets").hidden = !data.tickets.length;
  $("nobody").hidden = data.tickets.length > 0;
  const sites = clear($("sites"));
  for (const s of data.sites) {
    const waiting = data.tickets.filter((k) => k.site === s.site).length;
    sites.append(h("li", { "data-site": s.site, class: s.silent ? "silent" : "" },
      h("span", {}, h("strong", {}, siteName(s.site)), " — ", t("hub.expert_waiting_n", { n: waiting })),
      h("span", {}, ...(s.silent ? [h("span", { class: "silent" }, t("hub.expert_silent"))] : s.booths.map((b) =>
        h("span", { class: "booth " + b.state }, `${t("hub.expert_booth", { id: b.id })}: ${boothWord(b)}`)))),
      h("button", { type: "button", class: "secondary", disabled: busy() || s.silent || !waiting || undefined,
        onclick: () => callNext({ site: s.site }) }, t("hub.expert_call_here"))));
  }
  $("call").disabled = busy() || !data.tickets.length;
  renderBookings();
  renderSession();
}

/* ---------- bookings (the sites' booth calendars) ---------- */

let booked = null; // the booking this page made last: the site's reply, its code shown once

// A site's times are its own clock's (the live state's timezone), wherever the expert sits.
const zoneOf = (site) => siteOf(site)?.timezone || undefined;
const when = (at, site) => new Date(at * 1000).toLocaleString(t.lang(), {
  weekday: "short", day: "numeric", month: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  timeZone: zoneOf(site) }); // the 24-hour clock of the Nordic sites, in English too

// The wall-clock parts of @at (unix s) in @zone.
function wallOf(at, zone) {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric",
    month: "numeric", day: "numeric", hour: "numeric", minute: "numeric" }).formatToParts(new Date(at * 1000));
  const p = Object.fromEntries(parts.map((x) => [x.type, Number(x.value)]));
  return { y: p.year, mo: p.month, d: p.day, h: p.hour, mi: p.minute };
}

// "2026-12-04T10:00" read on the clock of @zone → unix s (the browser's own clock without one).
function zonedToUnix(value, zone) {
  if (!zone) return Math.floor(new Date(value).getTime() / 1000);
  const [y, mo, d, h, mi] = value.split(/[-T:]/).map(Number);
  const guess = Date.UTC(y, mo - 1, d, h, mi) / 1000;
  const offset = (at) => { const w = wallOf(at, zone); return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi) / 1000 - at; };
  return guess - offset(guess - offset(guess));
}
const serviceOf = (site, code) => pick(siteOf(site)?.services?.find((x) => x.code === code)?.names, t.lang()) || code;

function renderBookings() {
  $("bookings-title").textContent = t("hub.expert_bookings");
  $("no-bookings").textContent = t("hub.expert_no_bookings");
  $("book-site-label").textContent = t("hub.expert_site");
  $("book-service-label").textContent = t("hub.expert_service");
  $("book-booth-label").textContent = t("hub.expert_booths");
  $("book-min-label").textContent = t("hub.expert_minutes");
  $("book").textContent = t("hub.expert_book");
  const head = clear($("bookings-head"));
  for (const k of ["hub.expert_when", "hub.expert_site", "hub.expert_service", "hub.expert_booths",
    "hub.expert_booking_state"]) head.append(h("th", { scope: "col" }, t(k)));
  const list = data?.bookings || [];
  const rows = clear($("bookings-rows"));
  for (const b of list) {
    rows.append(h("tr", { "data-site": b.site, "data-id": b.id, class: b.state },
      h("td", {}, when(b.at, b.site), ` (${b.minutes} min)`),
      h("td", {}, siteName(b.site)),
      h("td", {}, serviceOf(b.site, b.service)),
      h("td", { class: "num" }, b.booth ?? "–"),
      h("td", { class: "state " + b.state }, t("hub.expert_booking_" + b.state))));
  }
  $("bookings").hidden = !list.length;
  $("no-bookings").hidden = list.length > 0;
  // The form: the sites with a booth of ours, their services and booths.
  const sites = (data?.sites || []).filter((s) => !s.silent && s.services?.length);
  fillSelect($("book-site"), sites.map((s) => [s.site, siteName(s.site)]));
  const site = siteOf($("book-site").value);
  fillSelect($("book-service"), (site?.services || []).map((x) => [x.code, pick(x.names, t.lang()) || x.code]));
  fillSelect($("book-booth"), [["", t("hub.expert_any_booth")],
    ...(site?.booths || []).map((b) => [String(b.id), t("hub.expert_booth", { id: b.id })])]);
  $("book").disabled = !sites.length;
  const zone = zoneOf($("book-site").value);
  $("book-at-label").textContent = t("hub.expert_when") + (zone ? ` (${zone})` : "");
  if (!$("book-at").value || $("book-at").dataset.zone !== String(zone)) {
    const w = zone ? wallOf(Math.floor(Date.now() / 1000) + 3600, zone) : null;
    const d = new Date(Date.now() + 60 * 60 * 1000);
    const pad = (n) => String(n).padStart(2, "0");
    $("book-at").value = w ? `${w.y}-${pad(w.mo)}-${pad(w.d)}T${pad(w.h)}:00`
      : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:00`;
    $("book-at").dataset.zone = String(zone);
  }
  drawBooked();
}

function drawBooked() {
  const out = $("book-out");
  if (!booked) return;
  out.className = "out ok";
  out.replaceChildren(h("span", { class: "book-code" }, booked.code),
    t("hub.expert_booked_code", { site: siteName(booked.site), booth: booked.booth, when: when(booked.at, booked.site) }));
}

async function book(e) {
  e.preventDefault();
  const out = $("book-out");
  const body = {
    site: $("book-site").value,
    service: $("book-service").value,
    at: zonedToUnix($("book-at").value, zoneOf($("book-site").value)),
    minutes: Number($("book-min").value) || 30,
  };
  if ($("book-booth").value) body.booth = Number($("book-booth").value);
  booked = null;
  say(out, t("hub.expert_booking"), "busy");
  $("book").disabled = true;
  try {
    booked = await post("/api/hub/expert/book", body);
    drawBooked();
  } catch (err) {
    if (err.status === 401) page.expired();
    else say(out, err.message, "error");
  } finally {
    $("book").disabled = false;
  }
  load();
}

$("book-form").addEventListener("submit", book);
$("book-site").addEventListener("change", renderBookings);

function fillSelect(sel, options) {
  const keep = sel.value;
  clear(sel);
  for (const [value, label] of options) sel.append(h("option", { value }, label));
  if (keep) sel.value = keep;
}

// The service card of the session's service (the site's live state names it
// and carries the provider's public links), while the session runs.
function renderCard(s) {
  const site = s && s.state !== "ended" ? siteOf(s.site) : null;
  const code = site?.booths.find((b) => b.id === s.booth)?.session?.service;
  const card = code && site.services?.find((x) => x.code === code)?.card;
  showCard($("session-card"), card, t.lang(), { title: t("hub.expert_card_title"),
    instructions: t("hub.expert_card_instructions"), phone: t("hub.expert_card_phone"),
    chat: t("hub.expert_card_chat"), newTab: t("hub.expert_card_new_tab") });
}

function renderSession() {
  const s = current;
  $("controls").hidden = !s || s.state !== "live";
  $("doc-toggle").textContent = s?.document ? t("doc_off") : t("doc_on");
  $("document-figure").hidden = !s?.document || s.state === "ended";
  renderIdentity(s);
  renderCard(s);
  if (!s) {
    $("status").textContent = t("no_session");
    return;
  }
  const vars = { code: s.code, booth: s.booth, reason: t("reason_" + (s.reason || "error")) };
  const at = t("hub.expert_at", { site: siteName(s.site), booth: s.booth });
  $("status").textContent = `${t("st_" + s.state, vars)} — ${at}`;
  $("ask-identity").textContent = s.identity_asked ? t("ask_id_cancel") : t("ask_id");
  $("identity-asked").textContent = s.identity_asked ? t("id_asked") : "";
}

const busy = () => !!current && current.state !== "ended";

function setSession(patch) {
  current = current && (!patch.id || (patch.id === current.id && patch.site === current.site))
    ? { ...current, ...patch } : patch;
  renderSession();
  $("call").disabled = busy();
}

function endCall() {
  rtt.detach();
  call?.close();
  call = null;
  earlyIce = [];
  $("remote").srcObject = null;
  $("document").srcObject = null;
  $("document-figure").hidden = true;
}

async function callNext(what = {}) {
  const out = $("call-out");
  say(out, t("calling"), "busy");
  $("call").disabled = true;
  metrics.click = performance.now();
  metrics.remoteFrame = 0;
  try {
    const client = await sig.client();
    const r = await post("/api/hub/expert/call", { client, ...what });
    if (current?.id !== r.session || current?.site !== r.site) {
      setSession({ site: r.site, id: r.session, booth: r.booth, code: r.code, state: "ringing" });
    } else setSession({ site: r.site, id: r.session, booth: r.booth, code: r.code });
    say(out, "");
  } catch (e) {
    say(out, e.message, "error");
  }
  load();
}

function firstFrame(video) {
  const mark = () => {
    if (!metrics.remoteFrame) metrics.remoteFrame = performance.now();
  };
  if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(mark);
  else video.addEventListener("loadeddata", mark, { once: true });
}

// The session's data channel "vuoro": the identity result with the name and
// the code (never through the hub).
async function onSignal(msg) {
  switch (msg.type) {
    case "queue":
      clearTimeout(onSignal.timer);
      onSignal.timer = setTimeout(load, 100);
      break;
    case "offer": {
      endCall();
      const site = msg.site;
      const remote = new MediaStream();
      $("remote").srcObject = remote;
      firstFrame($("remote"));
      const ice = earlyIce.filter((c) => c.session === msg.session && c.site === site);
      earlyIce = [];
      setSession({ site, id: msg.session, booth: msg.booth || current?.booth });
      try {
        call = await answerCall({
          offer: msg,
          local,
          send: (m) => sig.send({ ...m, site }),
          onText: (channel) => rtt.attach(channel, `${site}/${msg.session}`),
          // The identity with the name and code, over the session's "vuoro" channel.
          onData: (m) => {
            if (m.type === "identity") setSession({ site: current?.site, id: current?.id, idSeen: m.result, idFull: true });
          },
          onTrack: (index, track) => {
            if (index === 2) $("document").srcObject = new MediaStream([track]);
            else remote.addTrack(track);
          },
          onConnection: (state) => {
            if (state === "failed" && current && current.state !== "ended") {
              sig.send({ type: "resume", session: current.id, site: current.site });
            }
          },
        });
        call.site = site;
        // … and those that came while the answer was being made (call was still null):
        // behind NATs the booth's srflx and relay candidates trickle in just then.
        const late = earlyIce.filter((c) => c.session === msg.session && c.site === site);
        earlyIce = earlyIce.filter((c) => !(c.session === msg.session && c.site === site));
        for (const c of [...ice, ...late]) call.ice(c);
      } catch (e) {
        say($("session-out"), e.message, "error");
      }
      break;
    }
    case "ice":
      if (call && call.session === msg.session && call.site === msg.site) call.ice(msg);
      else earlyIce.push(msg);
      break;
    case "state":
      attaching = false;
      setSession({ site: msg.site, id: msg.session, booth: msg.booth, state: msg.state, reason: msg.reason });
      if (msg.state === "live") metrics.sessions++;
      if (msg.state === "ended") {
        endCall();
        if (msg.error) say($("session-out"), msg.error, "error");
      }
      load();
      break;
    case "identity":
      // the signalling's summary; the data channel's (with the name) wins
      if (!current?.idFull) setSession({ site: msg.site, id: msg.session, idSeen: msg.result });
      break;
    case "ping": // the hub asks whether this page is still there
      sig.send({ type: "pong" });
      break;
    case "error":
      // The booth's side of the connection broke meanwhile: ask for a new offer.
      if (attaching && msg.error === "not_connected" && current && current.state !== "ended") {
        attaching = false;
        sig.send({ type: "resume", session: current.id, site: current.site });
        break;
      }
      // The session our resume asked for is over at its site (the page came back after the
      // booth's reconnect window): it ended; Call next is free again.
      if (msg.error === "not_found" && !call && current && current.state !== "ended" &&
        resumeAsked?.endsWith(`/${current.site}/${current.id}`) && msg.site === current.site) {
        setSession({ site: current.site, id: current.id, state: "ended" });
      }
      say($("session-out"), msg.message, "error");
      break;
  }
}

function renderIdentity(s) {
  const box = $("identity");
  const r = s?.idSeen || null;
  const key = JSON.stringify([t.lang(), r]);
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  clear(box);
  box.hidden = !r;
  if (!r) return;
  const ok = r.method === "document" || r.verdict === "verified";
  box.className = "identity" + (ok ? "" : " bad");
  box.dataset.verdict = r.verdict || "";
  box.append(h("h3", {}, t("identity")));
  if (r.method === "document") {
    const doc = DOCUMENTS.includes(r.document_type) ? t("doc_" + r.document_type) : r.document_type || "";
    box.append(h("p", { class: "id-main" }, t("id_document", { doc })));
  } else if (r.verdict === "verified") {
    box.append(h("p", { class: "id-main" }, t("id_verified", { name: r.name || "" })));
    if (r.identity_code) box.append(h("p", { class: "id-code", id: "identity-code" }, t("id_code", { code: r.identity_code })));
  } else if (r.verdict === "declined") {
    box.append(h("p", { class: "id-main" }, t("id_declined")));
  } else {
    box.append(h("p", { class: "id-main" }, t("id_failed", { msg: t("v_" + r.verdict) })));
  }
}

// POSTs to the current session at its site; the reply, or null (said).
async function sessionPost(path, body, done) {
  if (!current) return null;
  try {
    const r = await post(`/api/hub/sessions/${encodeURIComponent(current.site)}/${current.id}/${path}`, body);
    if (done) say($("session-out"), done);
    return r || {};
  } catch (e) {
    say($("session-out"), e.message, "error");
    return null;
  }
}

$("call").addEventListener("click", () => callNext());
// The expert checked a document the customer showed: recorded at the site.
$("document-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const r = await sessionPost("identity", { document_type: $("document-type").value });
  if (r?.method) setSession({ site: current.site, id: current.id, idSeen: r });
});
$("doc-toggle").addEventListener("click", async () => {
  const on = !current?.document;
  if (await sessionPost("document", { on })) setSession({ site: current.site, id: current.id, document: on });
});
$("ask-record").addEventListener("click", () => sessionPost("consent", {}, t("consent_asked")));
$("ask-identity").addEventListener("click", async () => {
  const ask = !current?.identity_asked;
  if (await sessionPost("ask-identity", { ask })) setSession({ site: current.site, id: current.id, identity_asked: ask });
});
$("message-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const template = $("template").value;
  const text = $("text").value.trim();
  if (!template && !text) return;
  sessionPost("message", template ? { template } : { text }, t("sent"));
  $("text").value = "";
});
$("end-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const body = { outcome: $("outcome").value };
  const category = $("category").value.trim();
  if (category) body.category = category;
  sessionPost("end", body);
  $("category").value = "";
});

async function start() {
  render();
  await openCamera();
  sig?.stop();
  sig = signalling({
    path: "/api/hub/expert/socket",
    onMessage: onSignal,
    onState: (s, client) => {
      $("offline").hidden = s === "open";
      $("offline").textContent = t("hub.expert_offline");
      if (s !== "open") return;
      load();
      // The socket came back during a session (the hub restarted, the network blinked): a
      // connection to the booth that still holds is taken over as it is; else a new offer.
      if (current && current.state !== "ended") {
        const type = call?.pc?.connectionState === "connected" ? "attach" : "resume";
        attaching = type === "attach";
        if (type === "resume") resumeAsked = `${client}/${current.site}/${current.id}`;
        sig.send({ type, session: current.id, site: current.site });
      }
    },
  });
  load();
  // "waited" grows without events
  clearInterval(start.ticker);
  start.ticker = setInterval(load, 30000);
}

function stop() {
  clearInterval(start.ticker);
  sig?.stop();
  sig = null;
  endCall();
  current = null;
  local?.getTracks().forEach((tr) => tr.stop());
  local = null;
}
