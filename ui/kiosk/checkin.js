// SPDX-License-Identifier: GPL-3.0-or-later
// Appointment check-in: the booking code typed on big on-screen keys (or a
// keyboard), then POST /api/checkin.  The code's letters are those of
// firmware/booking.c plus the rest of A–Z and 0–9: a booking system's
// import may use any of them.

import { h } from "/ui/common/dom.js";

const ROWS = ["1234567890", "QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM"];
const MAX_LEN = 16;

// ctx: {t, checkinState: {code, error: () => text | null, busy}, submit(code), back()}
export function renderCheckin(ctx) {
  const { t } = ctx;
  const st = ctx.checkinState;
  const error = st.error ? st.error() : "";
  const input = h("input", {
    id: "booking-code",
    class: "code",
    type: "text",
    // No on-screen keyboard from the system: the keys below are the keyboard.
    inputmode: "none",
    autocomplete: "off",
    autocapitalize: "characters",
    spellcheck: "false",
    maxlength: MAX_LEN,
    "aria-describedby": "checkin-hint" + (error ? " checkin-error" : ""),
    "aria-invalid": error ? "true" : null,
    dataset: { focusKey: "code-input" },
  });
  input.value = st.code;
  input.addEventListener("input", () => {
    const v = input.value.toUpperCase().replace(/[^A-Z0-9]/g, "").slice(0, MAX_LEN);
    if (v !== input.value) input.value = v;
    st.code = v;
  });

  const type = (ch) => {
    if (st.code.length >= MAX_LEN) return;
    st.code += ch;
    input.value = st.code;
  };
  const key = (label, onclick, attrs = {}) =>
    h("button", { type: "button", class: "key", onclick, dataset: { focusKey: "key:" + label }, ...attrs }, label);

  const form = h("form", {
    class: "checkin-form",
    novalidate: true,
    onsubmit: (e) => {
      e.preventDefault();
      if (!st.busy) ctx.submit(st.code);
    },
  },
  h("label", { for: "booking-code" }, t("code_label")),
  input,
  h("div", { class: "keypad", role: "group", "aria-label": t("code_label") },
    ROWS.map((row, i) => h("div", { class: "keyrow" },
      [...row].map((ch) => key(ch, () => type(ch))),
      i === ROWS.length - 1
        ? key("⌫", () => {
          st.code = st.code.slice(0, -1);
          input.value = st.code;
        }, { class: "key wide", "aria-label": t("key_delete") })
        : null))),
  error ? h("p", { id: "checkin-error", class: "error checkin-error", role: "alert" }, error) : null,
  h("div", { class: "actions" },
    h("button", { type: "button", class: "secondary", dataset: { focusKey: "back" }, onclick: () => ctx.back() }, t("back")),
    h("button", { type: "button", class: "secondary", dataset: { focusKey: "clear" },
      onclick: () => { st.code = ""; input.value = ""; } }, t("key_clear")),
    h("button", { type: "submit", class: "submit", dataset: { focusKey: "submit" }, disabled: st.busy },
      st.busy ? t("checkin_busy") : t("checkin_submit"))));

  return h("section", { class: "checkin", "aria-labelledby": "checkin-title" },
    h("h1", { id: "checkin-title", tabindex: "-1" }, t("checkin_title")),
    h("p", { id: "checkin-hint", class: "hint" }, t("checkin_hint")),
    form);
}

// The API's check-in refusal in the citizen's words (e: ApiError).
export function checkinError(t, e, code, refusalWords) {
  switch (e.code) {
    case "not_found":
    case "invalid":
      return t("checkin_not_found", { code });
    case "already":
      return t("checkin_already", { code });
    case "wrong_state":
      return t("checkin_wrong_state", { code });
    case "wrong_day": {
      // desk.c: "booking X is for 24.11.2026 09:30, not today: …"
      const m = /for (\d{1,2}\.\d{1,2}\.\d{4} \d{1,2}:\d{2})/.exec(e.message || "");
      return m ? t("checkin_wrong_day", { code, when: m[1] }) : t("checkin_wrong_day_any", { code });
    }
    case "closed_today":
    case "not_yet_open":
    case "closed_for_day":
    case "last_ticket":
    case "full":
    case "refused":
      return refusalWords(e.code);
    default:
      return null;
  }
}
