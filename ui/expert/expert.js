// SPDX-License-Identifier: GPL-3.0-or-later
// /expert: an expert of a provider serves customers in the remote-service
// booths.  Log in (expert), the camera opens at once (so that a call
// connects fast), the provider's remote queue and the booths show live; "Call
// next" calls the next customer into a free booth and vuorod's booth offers
// a video session over the signalling socket, which this page answers.
//
// Identity: "Ask for ID card" puts the PIN pad on the booth screen
// (session.identity_asked); the card's result comes over the signalling
// socket ({type:"identity"}, the only place with the identity code, kept in
// this page's memory for the session); "Document checked" records a check by
// eye.
//
// window.__vuoro.metrics (for tests and the bench): performance.now() of the
// click, of the first decoded frame from the booth, and of vuorod's word that
// the booth decoded its first frame from us.

import { showCard } from "/ui/common/card.js";
import { get, post } from "/ui/common/api.js";
import { h, clear } from "/ui/common/dom.js";
import { pick, minutes } from "/ui/common/i18n.js";
import { live } from "/ui/common/live.js";
import { answerCall, signalling } from "/ui/common/rtc.js";
import { rttPanel } from "/ui/common/rtt.js";
import { staffPage, say } from "/ui/common/staff.js";
import { staffAlarm } from "/ui/common/alarm.js";
import { t, roleName, TEMPLATES, OUTCOMES, DOCUMENTS } from "./strings.js";

const $ = (id) => document.getElementById(id);
// Real-time text with the booth's customer (T.140 over the session's data channel).
const rtt = rttPanel({ t });
$("rtt-box").append(rtt.el);

let local = null; // the expert's camera and microphone
let sig = null;
let stream = null;
let data = null; // GET /api/expert
let call = null; // the answered peer connection
let current = null; // {id, booth, code, state, reason, reconnecting, consent, recording, document,
//                     identity_asked, identity (GET's), idSeen (the socket's, with the code)}
let identityReader = null; // GET /api/status identity_reader: false hides "Ask for ID card"
let earlyIce = []; // candidates that came before the offer was answered
const metrics = { click: 0, remoteFrame: 0, boothFrame: 0, sessions: 0 };
window.__vuoro = { metrics, get session() { return current; } };

const alarm = staffAlarm(t);
const page = staffPage({
  roles: ["expert", "admin"],
  t,
  roleName,
  start,
  stop() {
    stop();
    alarm.clear();
  },
  relabel() {
    render();
    alarm.render();
  },
});

async function openCamera() {
  if (local) return;
  try {
    local = await navigator.mediaDevices.getUserMedia({
      video: { width: 640, height: 480 },
      audio: true,
    });
    $("self").srcObject = local;
    say($("camera-out"), "");
  } catch (e) {
    say($("camera-out"), t("camera_failed", { msg: e.message }), "error");
  }
}

async function load() {
  try {
    data = await get("/api/expert");
  } catch (e) {
    if (e.status === 401) page.expired();
    else say($("call-out"), e.message, "error");
    return;
  }
  adoptSession();
  render();
  if (!started) {
    started = true;
    resumeCall();
  }
}

// The page was reloaded during our session at the booth: ask for a new
// offer once its socket is open (the booth keeps the session for [webrtc]
// reconnect-seconds).  Also when the socket comes back (onState).
let resumeAsked = null; // "socket/session" of the last resume sent
let started = false; // the page (or a login) loaded its first view
function resumeCall() {
  if (!sig || !current || call || current.state === "ended" || current.state === "waiting") return;
  const id = current.id;
  sig.client().then((client) => {
    if (call || current?.id !== id || resumeAsked === `${client}/${id}`) return;
    resumeAsked = `${client}/${id}`;
    sig.send({ type: "resume", session: id });
  });
}

// The booth's view of our session (after a reload, or from live events).
function adoptSession() {
  for (const b of data?.booths || []) {
    const s = b.session;
    if (!s || s.expert !== (data.user || "")) continue;
    // Ended is a session's last word: a view fetched before the end and
    // answered after it does not bring it back (Call next would stay off).
    if (current?.id === s.id && current.state === "ended") continue;
    current = { ...(current?.id === s.id ? current : {}), ...s, booth: b.id };
  }
}

function render() {
  rtt.relabel();
  const me = data;
  $("queue-title").textContent = t("queue");
  $("tickets-title").textContent = t("tickets");
  $("booths-title").textContent = t("booths");
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
  $("document-type-label").textContent = t("doc_type");
  $("record-document").textContent = t("doc_record");
  fillSelect($("template"), TEMPLATES.map((k) => [k, t("tpl_" + k)]));
  fillSelect($("document-type"), DOCUMENTS.map((k) => [k, t("doc_" + k)]));
  fillSelect($("outcome"), OUTCOMES.map((k) => [k, t("o_" + k)]));
  if (!me) return;
  $("provider").textContent = me.provider
    ? t("provider", { name: pick(me.provider_names, t.lang()) || me.provider }) : t("no_provider");
  const services = clear($("services"));
  for (const s of me.services) {
    services.append(h("p", {}, h("strong", {}, pick(s.names, t.lang())), " — ",
      t("waiting", { n: s.waiting, min: minutes(s.wait_s) })));
  }
  const tickets = clear($("tickets"));
  const waiting = me.tickets.filter((k) => k.state === "waiting");
  if (!waiting.length) tickets.append(h("li", {}, t("nobody")));
  for (const k of waiting) {
    tickets.append(h("li", {},
      h("span", { class: "code" }, k.code),
      h("span", {}, `${minutes(k.waited_s)} min`),
      h("button", { type: "button", onclick: () => callNext(k.id), disabled: busy() || undefined,
        "aria-label": `${t("call_this")} ${k.code}` }, t("call_this"))));
  }
  const booths = clear($("booths"));
  for (const b of me.booths) {
    const state = b.state === "idle" ? t("booth_idle")
      : b.state === "fault" ? t("booth_fault", { msg: b.fault }) : t("booth_busy");
    booths.append(h("li", { class: b.state === "fault" ? "fault" : "" },
      h("span", {}, b.name), h("span", {}, state)));
  }
  $("call").disabled = busy() || !me.provider;
  renderSession();
}

function fillSelect(sel, options) {
  const keep = sel.value;
  clear(sel);
  for (const [value, label] of options) sel.append(h("option", { value }, label));
  if (keep) sel.value = keep;
}

function renderSession() {
  const s = current;
  $("controls").hidden = !s || s.state !== "live";
  $("doc-toggle").textContent = s?.document ? t("doc_off") : t("doc_on");
  $("document-figure").hidden = !s?.document || s.state === "ended";
  renderIdentity(s);
  renderCard(s);
  renderTransferNote(s);
  if (!s) {
    $("status").textContent = t("no_session");
    return;
  }
  const vars = { code: s.code, booth: s.booth, reason: t("reason_" + (s.reason || "error")) };
  $("status").textContent = s.reconnecting && s.state !== "ended" ? t("st_reconnecting", vars)
    : t("st_" + s.state, vars);
  const booth = data?.booths.find((b) => b.id === s.booth);
  $("doc-toggle").hidden = !booth?.document_camera;
  $("ask-record").hidden = !booth?.recording_offered || s.consent !== "not_asked";
  $("ask-identity").hidden = identityReader === false;
  $("ask-identity").textContent = s.identity_asked ? t("ask_id_cancel") : t("ask_id");
  $("identity-asked").textContent = s.identity_asked ? t("id_asked") : "";
  const notes = [];
  if (s.consent === "asked") notes.push(t("consent_asked"));
  if (s.consent === "refused") notes.push(t("consent_refused"));
  if (s.recording) notes.push(t("recording"));
  if (notes.length) say($("session-out"), notes.join(" "));
}

// What the advisor who transferred the session's ticket wrote for us.
function renderTransferNote(s) {
  const tk = s && s.state !== "ended" && s.code
    ? data?.tickets.find((k) => k.code === s.code && k.state !== "waiting") : null;
  $("tn-h").textContent = t("tn_h");
  $("transfer-note").hidden = !tk?.transfer_note;
  $("transfer-text").textContent = tk?.transfer_note || "";
}

// The service card of the session's service, while the session runs.
function renderCard(s) {
  const code = s && s.state !== "ended"
    ? s.service || data?.booths.find((b) => b.id === s.booth)?.session?.service : null;
  const card = code && data?.services.find((x) => x.code === code)?.card;
  showCard($("session-card"), card, t.lang(), { title: t("card_title"), instructions: t("card_instructions"),
    phone: t("card_phone"), chat: t("card_chat"), newTab: t("card_new_tab") });
}

// A session that ended stays on screen until the next call.
const busy = () => !!current && current.state !== "ended";

function setSession(patch) {
  // Another session's news replaces the old one; our own's is merged — but
  // an ended session stays ended (the booth's events come on another socket
  // than the signalling, and may be late).
  const same = current && (!patch.id || patch.id === current.id);
  if (same && current.state === "ended" && patch.state && patch.state !== "ended") {
    patch = { ...patch };
    delete patch.state;
    delete patch.reconnecting;
  }
  current = same ? { ...current, ...patch } : patch;
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

async function callNext(ticket) {
  const out = $("call-out");
  say(out, t("calling"), "busy");
  $("call").disabled = true;
  metrics.click = performance.now();
  metrics.remoteFrame = metrics.boothFrame = 0;
  try {
    const client = await sig.client();
    const body = { client };
    if (ticket) body.ticket = ticket;
    const r = await post("/api/expert/call", body);
    // The socket may have told us of the session already (state, offer).
    if (current?.id !== r.session) setSession({ id: r.session, state: "waiting", code: "", consent: "not_asked" });
    say(out, "");
  } catch (e) {
    say(out, e.message, "error");
    $("call").disabled = false;
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

async function onSignal(msg) {
  switch (msg.type) {
    case "offer": {
      endCall();
      const remote = new MediaStream();
      $("remote").srcObject = remote;
      firstFrame($("remote"));
      const ice = earlyIce.filter((c) => c.session === msg.session);
      earlyIce = [];
      setSession({ id: msg.session, booth: msg.booth });
      try {
        call = await answerCall({
          offer: msg,
          local,
          send: (m) => sig.send(m),
          onText: (channel) => rtt.attach(channel, msg.session),
          onTrack: (index, track) => {
            if (index === 2) {
              $("document").srcObject = new MediaStream([track]);
            } else {
              remote.addTrack(track);
            }
          },
          onConnection: (state) => {
            if (state === "failed" && current && current.state !== "ended") {
              sig.send({ type: "resume", session: current.id });
            }
          },
          // A session through the hub: the identity with the name and code.
          onData: (m) => {
            if (m.type === "identity") showIdentity(m);
          },
        });
        // … and those that came while the answer was being made (call was still null):
        // behind NATs the booth's srflx and relay candidates trickle in just then.
        const late = earlyIce.filter((c) => c.session === msg.session);
        earlyIce = earlyIce.filter((c) => c.session !== msg.session);
        for (const c of [...ice, ...late]) call.ice(c);
      } catch (e) {
        say($("session-out"), e.message, "error");
      }
      break;
    }
    case "ice":
      if (call && call.session === msg.session) call.ice(msg);
      else earlyIce.push(msg);
      break;
    case "state":
      setSession({ id: msg.session, booth: msg.booth, state: msg.state, reason: msg.reason,
        reconnecting: false });
      if (msg.state === "live") metrics.sessions++;
      if (msg.state === "ended") {
        endCall();
        if (msg.error) say($("session-out"), msg.error, "error");
      }
      load();
      break;
    case "media":
      if (msg.event === "first_frame" && !metrics.boothFrame) metrics.boothFrame = performance.now();
      break;
    case "identity":
      showIdentity(msg);
      break;
    case "error":
      say($("session-out"), msg.message, "error");
      break;
  }
}

// The socket's result (with the identity code) unless vuorod has a newer one.
function identityOf(s) {
  const mine = s?.idSeen;
  const theirs = s?.identity;
  if (mine && (!theirs || sameCheck(mine, theirs))) return mine;
  return theirs || null;
}

const sameCheck = (a, b) => a.method === b.method && a.verdict === b.verdict &&
  (a.cert_serial || "") === (b.cert_serial || "") && (a.document_type || "") === (b.document_type || "") &&
  (a.ms ?? null) === (b.ms ?? null);

const docName = (type) => (DOCUMENTS.includes(type) ? t("doc_" + type) : type || "");

function renderIdentity(s) {
  const box = $("identity");
  const r = identityOf(s);
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
    box.append(h("p", { class: "id-main" }, t("id_document", { doc: docName(r.document_type) })));
  } else if (r.verdict === "verified") {
    box.append(h("p", { class: "id-main" }, t("id_verified", { name: r.name || "" })));
    if (r.identity_code) box.append(h("p", { class: "id-code", id: "identity-code" }, t("id_code", { code: r.identity_code })));
    if (r.cert_issuer || r.cert_serial) {
      box.append(h("p", { class: "id-cert" }, t("id_cert", { issuer: r.cert_issuer || "—", serial: r.cert_serial || "—" })));
    }
  } else if (r.verdict === "declined") {
    box.append(h("p", { class: "id-main" }, t("id_declined")));
  } else {
    const tries = Number.isInteger(r.pin_tries_left) ? ` (${t("id_tries", { n: r.pin_tries_left })})` : "";
    box.append(h("p", { class: "id-main" }, t("id_failed", { msg: t("v_" + r.verdict) + tries })));
    if (r.message) box.append(h("p", { class: "id-advice" }, r.message));
  }
}

function showIdentity(msg) {
  if (current && msg.session && msg.session !== current.id) return;
  // Through the hub the signalling carries the check without the name and
  // code (they come over the data channel, maybe first): not instead of them.
  const seen = current?.idSeen;
  const r = msg.result || {};
  if (seen && (seen.name || seen.identity_code) && !r.name && !r.identity_code &&
    seen.at === r.at && seen.verdict === r.verdict) return;
  setSession({ idSeen: msg.result });
}

// POSTs to the current session; the reply, or null (said in #session-out).
async function sessionPost(path, body, done) {
  if (!current) return null;
  try {
    const r = await post(`/api/sessions/${current.id}/${path}`, body);
    if (done) say($("session-out"), done);
    return r || {};
  } catch (e) {
    say($("session-out"), e.message, "error");
    return null;
  }
}

$("call").addEventListener("click", () => callNext(0));
$("doc-toggle").addEventListener("click", () => {
  const on = !current?.document;
  sessionPost("document", { on }).then(() => setSession({ document: on }));
});
$("ask-record").addEventListener("click", () => sessionPost("consent", {}));
$("ask-identity").addEventListener("click", async () => {
  const ask = !current?.identity_asked;
  if (await sessionPost("ask-identity", { ask })) setSession({ identity_asked: ask });
});
$("document-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const r = await sessionPost("identity", { document_type: $("document-type").value });
  if (r?.method) setSession({ idSeen: r });
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

function onEvent(ev) {
  if (ev.type === "booth" && ev.booth && current && ev.booth.session?.id === current.id) {
    const s = ev.booth.session;
    setSession({ state: s.state, consent: s.consent, recording: s.recording, document: s.document,
      reconnecting: s.reconnecting, code: s.code, identity_asked: s.identity_asked,
      ...(s.identity ? { identity: s.identity } : {}) });
  }
  if (ev.type === "booth" || ev.type === "waiting" || ev.type === "called" || ev.type === "ended" ||
    ev.type === "transferred" || ev.type === "cancelled") {
    clearTimeout(onEvent.timer);
    onEvent.timer = setTimeout(load, 150);
  }
}

async function start() {
  render();
  get("/api/status").then((st) => {
    identityReader = st.identity_reader ?? null;
    renderSession();
  }).catch(() => {});
  await openCamera();
  sig?.stop();
  sig = signalling({
    onMessage: onSignal,
    onState: (s, client) => {
      $("offline").hidden = s === "open";
      $("offline").textContent = t("offline");
      // The socket came back during a session: ask for a new offer.
      if (s === "open" && current && current.state !== "ended" && current.state !== "waiting") {
        resumeAsked = `${client}/${current.id}`;
        sig.send({ type: "resume", session: current.id });
      }
    },
  });
  stream?.stop();
  stream = live({
    onEvent: (ev) => {
      alarm.event(ev);
      onEvent(ev);
    },
    onState: (s) => {
      if (s !== "open") return;
      load();
      alarm.load();
    },
  });
  load();
}

function stop() {
  sig?.stop();
  sig = null;
  stream?.stop();
  stream = null;
  endCall();
  current = null;
  started = false;
  local?.getTracks().forEach((tr) => tr.stop());
  local = null;
}
