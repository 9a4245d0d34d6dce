// SPDX-License-Identifier: GPL-3.0-or-later
// What the console knows, shared by its modules: who is logged in, vuorod's
// status and queue as last loaded, the chosen counter.  advisor.js fills in
// S.reload (load status and queue again) and S.failed (show an API error).

import { i18n, pick, siteNameIn } from "/ui/common/i18n.js";
import { h } from "/ui/common/dom.js";

export const t = await i18n(["advisor", "alarm"]);
export const $ = (id) => document.getElementById(id);

export const S = {
  me: null,          // {user, role}
  view: null,        // "login" | "counter" | "console"
  status: null,      // GET /api/status
  queue: [],         // GET /api/queue tickets
  counterId: null,   // the counter this console works at
  next: null,        // GET /api/counters/N "next": the ticket Call next takes
  offset: 0,         // vuorod's clock minus ours, in seconds
  busy: null,        // a command on its way: {after}, see command() in console.js
  loads: 0,          // status loads started (each numbered)
  reload: async () => {},
  failed: () => {},
};

// vuorod's time now (seconds): waiting times match what it computes.
export const now = () => Date.now() / 1000 + S.offset;

export const counter = (id = S.counterId) => S.status?.counters.find((c) => c.id === id);
export const service = (code) => S.status?.services.find((s) => s.code === code);
// "Palvelupiste 1 / Disk 1 / Counter 1": the part in the page's language.
export const counterName = (c) => siteNameIn(c?.name, t);
export const serviceName = (code) => pick(service(code)?.names, t.lang()) || code || "";
export const mins = (seconds) => Math.max(0, Math.floor(seconds / 60));

// Messages are kept as a catalog key and its values, never as text: after a
// change of language they are said again in the new one.  A value may be a
// function (a service's or a document's name), asked again at each render.
// An API error stays in the API's own words (they say what to do).
let shownAlert = null; // {key, vars} | {text}
let shownNote = null;

function say(m) {
  if (!m) return "";
  if (m.text !== undefined) return m.text;
  const vars = {};
  for (const [k, v] of Object.entries(m.vars || {})) vars[k] = typeof v === "function" ? v() : v;
  return t(m.key, vars);
}

function drawAlert() {
  const text = say(shownAlert);
  $("alert").replaceChildren(...(text ? [h("p", {}, text)] : []));
}

// An API error, in the API's own words.
export function showAlert(message) {
  shownAlert = { text: message };
  drawAlert();
}

// One of the page's own warnings: catalog key and values.
export function alertKey(key, vars = {}) {
  shownAlert = { key, vars };
  drawAlert();
}

export function clearAlert() {
  shownAlert = null;
  drawAlert();
}

// What the last command did, for the eye and for screen readers
// (role=status): catalog key and values; note("") clears it.
export function note(key, vars = {}) {
  shownNote = key ? { key, vars } : null;
  $("note").textContent = say(shownNote);
}

// The language changed: the last message and warning in the new words.
export function sayAgain() {
  $("note").textContent = say(shownNote);
  drawAlert();
}
