// SPDX-License-Identifier: GPL-3.0-or-later
// One-key shortcuts at the counter (shown on each button, announced through
// aria-keyshortcuts).  They stay quiet while the advisor types: in a text
// field, a password field or a select, a letter is a letter.

const KEYS = { n: "next", r: "recall", s: "start", x: "noshow", p: "park", t: "transfer", e: "end", u: "resume" };
const NOT_TYPING = ["radio", "checkbox", "button", "submit", "reset"];

function typing(el) {
  if (!el) return false;
  if (el.isContentEditable) return true;
  if (el.tagName === "TEXTAREA" || el.tagName === "SELECT") return true;
  return el.tagName === "INPUT" && !NOT_TYPING.includes(el.type);
}

// Ctrl+Alt+A raises the staff alarm, wherever the focus is (also while
// typing: help is needed now).  e.code: the key's place, whatever the layout.
export function initAlarmKey(onAlarm, active) {
  document.addEventListener("keydown", (e) => {
    if (!e.ctrlKey || !e.altKey || e.metaKey || e.shiftKey || e.repeat || e.code !== "KeyA") return;
    if (!active()) return;
    e.preventDefault();
    onAlarm();
  });
}

// onAction(name) runs the command; active() says whether the console shows.
export function initKeys(onAction, active) {
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.altKey || e.metaKey || e.isComposing || e.repeat) return;
    if (!active() || typing(e.target)) return;
    const name = KEYS[e.key.toLowerCase()];
    if (!name) return;
    e.preventDefault();
    onAction(name);
  });
}
