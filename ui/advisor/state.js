// SPDX-License-Identifier: GPL-3.0-or-later
// What the console knows, shared by its modules: who is logged in, vuorod's
// status and queue as last loaded, the chosen counter.  advisor.js fills in
// S.reload (load status and queue again) and S.failed (show an API error).

import { i18n, pick } from "/ui/common/i18n.js";
import { h } from "/ui/common/dom.js";

export const t = await i18n("advisor");
export const $ = (id) => document.getElementById(id);

export const S = {
  me: null,          // {user, role}
  view: null,        // "login" | "counter" | "console"
  status: null,      // GET /api/status
  queue: [],         // GET /api/queue tickets
  counterId: null,   // the counter this console works at
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
export const serviceName = (code) => pick(service(code)?.names, t.lang()) || code || "";
export const mins = (seconds) => Math.max(0, Math.floor(seconds / 60));

// An API error, in the API's own words (they say what to do).
export function showAlert(message) {
  $("alert").replaceChildren(h("p", {}, message));
}

export function clearAlert() {
  $("alert").replaceChildren();
}

// What the last command did, for the eye and for screen readers (role=status).
export function note(message) {
  $("note").textContent = message;
}
