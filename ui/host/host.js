// SPDX-License-Identifier: GPL-3.0-or-later
// /host: a booked visitor's host (issue 17).  Log in with any staff account;
// today's visitors booked with you are listed; when one checks in at the
// kiosk vuorod tells this page alone (the "host_arrival" event on your own
// socket), the page chimes and says it, and "On my way" tells the visitor
// through the kiosk and the info screen.

import { get, post, ApiError } from "/ui/common/api.js";
import { chimer } from "/ui/common/chime.js";
import { h, clear } from "/ui/common/dom.js";
import { i18n } from "/ui/common/i18n.js";
import { live } from "/ui/common/live.js";
import { staffAlarm } from "/ui/common/alarm.js";
import { staffPage, say } from "/ui/common/staff.js";

const $ = (id) => document.getElementById(id);
const t = await i18n(["host", "alarm"]);
const roleName = (role) => {
  const name = t("role_" + role);
  return name === "role_" + role ? role : name;
};

const sound = chimer();
// Three rising tones: not the waiting room's two-tone call.
const chime = () => sound.play([[523.25, 0], [659.25, 0.25], [783.99, 0.5]], { gain: 0.4, length: 0.5 });
let soundOn = false;
let arrivals = [];
let news = ""; // the last arrival, said once in the live region
let stream = null;
let failed = "";
const alarm = staffAlarm(t);

const LOCALES = { fi: "fi-FI", sv: "sv-FI", en: "en-GB" };
const clock = (unix) =>
  new Intl.DateTimeFormat(LOCALES[t.lang()] || t.lang(), { hour: "2-digit", minute: "2-digit" }).format(
    new Date(unix * 1000));

async function ack(a) {
  failed = "";
  try {
    const r = await post(`/api/host/arrivals/${a.id}/ack`, {});
    Object.assign(a, r);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return page.expired();
    failed = t("ack_failed", { msg: e.message });
  }
  render();
  $(`ack-${a.id}`)?.focus();
}

function visitorItem(a) {
  const arrived = a.state === "arrived";
  return h("li", { class: "visitor" + (arrived ? " arrived" : ""), id: `visitor-${a.id}` },
    h("span", { class: "name" }, a.name || t("visitor")),
    h("span", { class: "when" },
      arrived ? t("arrived", { ticket: a.ticket || "—" }) : t("booked_at", { time: clock(a.at) })),
    arrived && !a.acknowledged_at
      ? h("button", { type: "button", id: `ack-${a.id}`, class: "ack", onclick: () => ack(a) }, t("ack"))
      : null,
    a.acknowledged_at ? h("span", { class: "acked" }, t("acked", { time: clock(a.acknowledged_at) })) : null,
    a.mailed && arrived ? h("span", { class: "muted small" }, t("mailed")) : null);
}

function render() {
  const root = clear($("arrivals"));
  // Arrived first (the newest on top), then the rest by time.
  const shown = [...arrivals].sort((x, y) =>
    (y.state === "arrived") - (x.state === "arrived") || (x.state === "arrived" ? y.at - x.at : x.at - y.at));
  root.append(
    h("h2", { id: "arrivals-title" }, t("arrivals")),
    h("p", { class: "muted" }, t("explain")),
    h("p", { class: "sound" },
      h("button", { type: "button", id: "sound", class: "secondary", "aria-pressed": String(soundOn),
        onclick: () => {
          soundOn = true;
          sound.unlock();
          render();
        } }, soundOn ? t("sound_on") : t("sound"))),
    h("p", { id: "news", role: "status", class: "news" }, news),
    shown.length ? h("ul", { class: "visitors", id: "visitors" }, shown.map(visitorItem)) : h("p", { id: "none" }, t("none")),
    h("div", { id: "ack-out", class: "out" }));
  if (failed) say($("ack-out"), failed, "error");
}

async function load() {
  try {
    arrivals = (await get("/api/host/arrivals")).arrivals;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return page.expired();
    failed = e.message;
  }
  render();
}

function onEvent(ev) {
  alarm.event(ev);
  if (ev.type === "host_arrival") {
    const a = ev.arrival;
    arrivals = arrivals.filter((x) => x.id !== a.id).concat([a]);
    news = t("new_arrival", { name: a.name || t("visitor"), ticket: a.ticket || "—" });
    render();
    if (soundOn) chime();
  } else if (ev.type === "host_acknowledged") {
    load();
  }
}

const page = staffPage({
  roles: ["advisor", "expert", "technician", "manager", "admin"],
  t,
  roleName,
  start() {
    stream?.stop();
    let first = true;
    stream = live({
      onEvent,
      onState: (s) => {
        $("offline").hidden = s === "open";
        if (s === "open" && !first) load();
        if (s === "open") first = false;
        if (s === "open") alarm.load();
      },
    });
    load();
  },
  stop() {
    stream?.stop();
    stream = null;
    alarm.clear();
  },
  relabel() {
    alarm.render();
    render();
  },
});
