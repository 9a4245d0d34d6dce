// SPDX-License-Identifier: GPL-3.0-or-later
// /reception: the visitor register (issue 17).  Log in (reception, manager
// or admin), sign a visitor in (the badge prints on the ticket printer),
// see who is in the building and sign them out, read a day's register.
// vuorod's 400s say what to fix and are shown as they come; a badge that
// did not print leaves the visitor signed in and says so.  The "visitors"
// event (another reception page's change) re-reads the lists.

import { get, post } from "/ui/common/api.js";
import { h, clear } from "/ui/common/dom.js";
import { live } from "/ui/common/live.js";
import { staffAlarm } from "/ui/common/alarm.js";
import { staffPage } from "/ui/common/staff.js";
import { t, roleName } from "./strings.js";

// The staff alarm reaches the reception too: help may come through its door.
const alarm = staffAlarm(t);

const $ = (id) => document.getElementById(id);

let stream = null;
let hosts = [];
let inside = [];
let day = null; // {day, visitors, retention_days}
let pickedDay = "";
let message = null; // {text, error}
let busy = false;
let draft = { name: "", organisation: "", host: "" };

function failed(e) {
  if (e.status === 401) page.expired();
  message = { text: e.message, error: true };
}

function signInForm() {
  const field = (id, key, attrs = {}) => h("div", { class: "field" },
    h("label", { for: id }, t(key)),
    h("input", { id, name: id, maxlength: "120", autocomplete: "off", value: draft[id.slice(8)] || "", ...attrs }));
  const f = h("form", { class: "visitor-form", novalidate: true, "aria-labelledby": "sign-in-title" },
    field("visitor-name", "name", { required: true }),
    field("visitor-organisation", "organisation"),
    h("div", { class: "field" },
      h("label", { for: "visitor-host" }, t("host")),
      h("input", { id: "visitor-host", name: "visitor-host", maxlength: "120", autocomplete: "off", required: true,
        list: "visitor-hosts", "aria-describedby": "visitor-host-hint", value: draft.host || "" }),
      h("datalist", { id: "visitor-hosts" }, hosts.map((u) => h("option", { value: u.name }, roleName(u.role)))),
      h("span", { id: "visitor-host-hint", class: "muted small" }, t("host_hint"))),
    h("div", { class: "actions" },
      h("button", { type: "submit", id: "visitor-sign-in", disabled: busy }, t("sign_in"))));
  // What is typed survives a re-render (another page's change).
  f.addEventListener("input", (e) => {
    if (e.target.id?.startsWith("visitor-")) draft[e.target.id.slice(8)] = e.target.value;
  });
  f.addEventListener("submit", (e) => {
    e.preventDefault();
    signIn({
      name: f.querySelector("#visitor-name").value,
      organisation: f.querySelector("#visitor-organisation").value,
      host: f.querySelector("#visitor-host").value,
    });
  });
  return f;
}

function row(v, { outColumn }) {
  return h("tr", { dataset: { visitor: v.id } },
    h("td", { class: "num badge-no" }, String(v.badge)),
    h("th", { scope: "row" }, v.name),
    h("td", {}, v.organisation || ""),
    h("td", {}, v.host),
    h("td", { class: "num" }, v.in_local.slice(11)),
    outColumn ? h("td", { class: "num" }, v.out_local ? v.out_local.slice(11) : t("still_in")) : null,
    h("td", {}, outColumn
      ? h("button", { type: "button", class: "secondary", "aria-label": t("delete_of", { name: v.name }),
        onclick: () => change(v, "delete") }, t("delete"))
      : h("button", { type: "button", "aria-label": t("sign_out_of", { name: v.name, badge: v.badge }),
        onclick: () => change(v, "out") }, t("sign_out"))));
}

function table(id, list, { outColumn }) {
  return h("div", { class: "scroll" }, h("table", { id },
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, t("col_badge")),
      h("th", { scope: "col" }, t("col_name")),
      h("th", { scope: "col" }, t("col_org")),
      h("th", { scope: "col" }, t("col_host")),
      h("th", { scope: "col" }, t("col_in")),
      outColumn ? h("th", { scope: "col" }, t("col_out")) : null,
      h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, t("col_actions"))))),
    h("tbody", {}, list.map((v) => row(v, { outColumn })))));
}

function render() {
  const signIn = $("sign-in");
  clear(signIn);
  signIn.append(h("h2", { id: "sign-in-title" }, t("sign_in_title")), signInForm(),
    h("p", { id: "visitor-result", class: message?.error ? "result error" : "result",
      role: message?.error ? "alert" : "status" }, message?.text || ""));

  const ins = $("inside");
  clear(ins);
  ins.append(h("h2", { id: "inside-title" }, t("inside_title")),
    h("p", { id: "inside-count", class: "count", role: "status" }, inside.length === 1 ? t("inside_one") : t("inside_count", { n: inside.length })),
    inside.length ? table("inside-table", inside, { outColumn: false })
      : h("p", { class: "muted", id: "inside-none" }, t("none_inside")));

  const reg = $("register");
  clear(reg);
  const pick = h("input", { type: "date", id: "register-day", value: pickedDay || day?.day || "" });
  pick.addEventListener("change", () => {
    pickedDay = pick.value;
    loadDay();
  });
  const list = day?.visitors || [];
  reg.append(h("h2", { id: "register-title" }, t("register_title")),
    h("div", { class: "day-pick" }, h("div", { class: "field" }, h("label", { for: "register-day" }, t("day")), pick)),
    list.length ? table("register-table", list, { outColumn: true })
      : h("p", { class: "muted", id: "register-none" }, t("none_day")),
    day ? h("p", { class: "muted small" }, t("retention", { days: day.retention_days })) : null);
}

async function loadDay() {
  try {
    day = await get("/api/visitors" + (pickedDay ? "?day=" + encodeURIComponent(pickedDay) : ""));
  } catch (e) {
    failed(e);
  }
  render();
}

async function load() {
  try {
    inside = (await get("/api/visitors?in=1")).visitors || [];
    day = await get("/api/visitors" + (pickedDay ? "?day=" + encodeURIComponent(pickedDay) : ""));
  } catch (e) {
    failed(e);
  }
  render();
}

async function signIn(body) {
  busy = true;
  draft = body;
  message = { text: t("signing_in") };
  render();
  const send = { name: body.name, lang: t.lang() };
  if (body.organisation.trim()) send.organisation = body.organisation;
  // A user of the site is the host as a user; anything else as written.
  if (hosts.some((u) => u.name === body.host.trim())) send.host_user = body.host.trim();
  else send.host = body.host;
  try {
    const r = await post("/api/visitors", send);
    const v = r.visitor;
    message = r.print.ok ? { text: t("signed_in_badge", { name: v.name, badge: v.badge }) }
      : { text: t("print_failed", { name: v.name, badge: v.badge, error: r.print.error }), error: true };
    draft = { name: "", organisation: "", host: "" };
  } catch (e) {
    failed(e);
  }
  busy = false;
  await load();
  if (!message?.error) $("visitor-name")?.focus();
}

async function change(v, what) {
  try {
    await post(`/api/visitors/${v.id}/${what}`, {});
    message = { text: t(what === "out" ? "signed_out" : "deleted", { name: v.name, badge: v.badge }) };
  } catch (e) {
    failed(e);
  }
  await load();
}

async function start() {
  try {
    hosts = (await get("/api/visitors/hosts")).hosts || [];
  } catch (e) {
    failed(e);
  }
  stream?.stop();
  let first = true;
  stream = live({
    onEvent: (ev) => {
      alarm.event(ev);
      if (ev.type === "visitors" && !busy) load();
    },
    onState: (s) => {
      $("offline").hidden = s === "open";
      if (s === "open" && !first) load();
      if (s === "open") first = false;
      if (s === "open") alarm.load();
    },
  });
  await load();
}

const page = staffPage({
  roles: ["reception", "manager", "admin"],
  t,
  roleName,
  start,
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
