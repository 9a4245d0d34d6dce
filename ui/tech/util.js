// SPDX-License-Identifier: GPL-3.0-or-later
// Small pieces the technician's cards share: the result line next to each
// action (a status for success, an alert for errors), definition lists and
// number formats.

import { h, clear } from "/ui/common/dom.js";
import { say } from "/ui/common/staff.js";
import { t } from "./strings.js";

// Set by tech.js: what to do when the session has ended (401).
export const session = { expired: () => {} };

// The result next to an action (ui/common/staff.js): a fresh element each
// time, so screen readers announce it.
export { say };

// Runs fn() for a button: busy while it runs, its text (or error) next to it.
// fn returns the success text, or {error} for a failure the API answered 200.
export async function act(button, out, fn) {
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  say(out, t("working"), "busy");
  try {
    const r = await fn();
    if (r && typeof r === "object" && r.error) say(out, r.error, "error");
    else say(out, r || t("ok"));
  } catch (e) {
    if (e.status === 401) session.expired();
    say(out, e.message, "error");
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

// A button and its result line side by side.
export function action(label, onclick, attrs = {}) {
  const out = h("span", { class: "out" });
  const button = h("button", { type: "button", ...attrs }, label);
  button.addEventListener("click", () => onclick(button, out));
  return { button, out, row: h("div", { class: "action" }, button, out) };
}

// <dl> from [[term, value, cls], …]; value may be a node.
export function facts(pairs) {
  return h("dl", { class: "facts" }, pairs.filter(Boolean).flatMap(([k, v, cls]) => [
    h("dt", {}, k),
    h("dd", { class: cls || null }, v ?? "—"),
  ]));
}

// A <select> of every language of the site, each in its own name, with a
// visible label (a test ticket or announcement in any of them).
export function langSelect(id, labelKey, value) {
  const sel = h("select", { id },
    t.siteLanguages().map((l) => h("option", { value: l.code, lang: l.code, dir: l.dir, selected: l.code === value }, l.name)));
  return { sel, el: h("div", { class: "field" }, h("label", { for: id }, t(labelKey)), sel) };
}

export function uptime(s) {
  s = Math.max(0, s | 0);
  const d = Math.floor(s / 86400), hh = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  if (d) return `${d} d ${hh} h ${m} min`;
  if (hh) return `${hh} h ${m} min`;
  return `${m} min ${s % 60} s`;
}

export function megabytes(mb) {
  if (mb >= 10240) return (mb / 1024).toFixed(0) + " GB";
  if (mb >= 1024) return (mb / 1024).toFixed(1) + " GB";
  return mb + " MB";
}

export const clock = (d = new Date()) => d.toLocaleTimeString(t.lang() === "en" ? "en-GB" : t.lang() + "-FI");
