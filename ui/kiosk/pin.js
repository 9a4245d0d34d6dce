// SPDX-License-Identifier: GPL-3.0-or-later
// Identity with the ID card's chip, right after drawing a ticket (optional):
// the card in the reader, the PIN1 on big on-screen keys (or a keyboard's
// digits), then POST /api/tickets/ID/identity {pin} — vuorod signs a fresh
// challenge on the card and checks its certificate; the advisor who calls
// the ticket sees the result.
//
// The digits live in ctx.pinState.digits only while they are typed: the
// request takes them and empties the field before it is sent.  A key press
// changes the dots in place (a screen rebuilt under a finger loses the tap).

import { h } from "/ui/common/dom.js";

export const PIN_MAX = 12;

// Verdicts after which typing the PIN again may help (the rest are final).
const RETRY = new Set(["wrong_pin", "no_card", "card_removed", "error"]);

// ctx: {t, pinState: {digits, busy, result, final, redraw}, pinType(digit),
//       pinErase(), pinSubmit(), pinCancel()}
// pinState.result: null | {kind: "ok"|"warn"|"bad", lines: () => [text]}
export function renderPin(ctx) {
  const { t } = ctx;
  const st = ctx.pinState;
  const dots = h("span", { class: "dots", "aria-hidden": "true" });
  const count = h("span", { class: "visually-hidden" });
  const field = h("div", { id: "pin-dots", class: "pin-dots", role: "status", "aria-labelledby": "pin-label" }, dots, count);
  const show = () => {
    dots.textContent = "●".repeat(st.digits.length);
    const n = st.digits.length;
    count.textContent = n === 0 ? t("pin_count_0") : n === 1 ? t("pin_count_1") : t("pin_count_n", { n });
    field.classList.toggle("empty", n === 0);
  };
  show();
  // The keys (and a keyboard's digits) change the dots without a rebuild.
  st.redraw = show;

  const off = st.busy || st.final;
  const key = (label, onclick, attrs = {}) =>
    h("button", { type: "button", class: "pin-key", dataset: { focusKey: "pin:" + label }, disabled: off,
      onclick, ...attrs }, label);
  const pad = h("div", { class: "pin-pad", role: "group", "aria-label": t("pin_keys") },
    [..."123456789"].map((d) => key(d, () => ctx.pinType(d))),
    key("⌫", () => ctx.pinErase(), { class: "pin-key erase", "aria-label": t("pin_erase") }),
    key("0", () => ctx.pinType("0")),
    key(t("pin_ok"), () => ctx.pinSubmit(), { id: "pin-ok", class: "pin-key ok", dataset: { focusKey: "pin:ok" } }));

  const r = st.result;
  const status = st.busy
    ? h("p", { id: "pin-result", class: "pin-result busy", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), t("pin_busy"))
    : r
      ? h("div", { id: "pin-result", class: "pin-result " + r.kind, role: r.kind === "ok" ? "status" : "alert",
        dataset: { verdict: r.verdict || "" } }, r.lines().map((line) => h("p", {}, line)))
      : h("div", { id: "pin-result", class: "pin-result", role: "status" });

  return h("section", { class: "pin", "aria-labelledby": "pin-title", "aria-busy": st.busy ? "true" : null },
    h("h1", { id: "pin-title", tabindex: "-1" }, t("pin_title")),
    h("div", { class: "pin-body" },
      h("div", { class: "pin-info" },
        h("ol", { class: "steps" },
          h("li", {}, t("pin_step_card")),
          h("li", {}, t("pin_step_pin"))),
        h("p", { class: "privacy" }, t("pin_privacy")),
        h("p", { id: "pin-label", class: "pin-label" }, t("pin_label")),
        field,
        status),
      h("div", { class: "pin-side" },
        st.final ? null : pad,
        h("button", { type: "button", class: st.final ? "pin-back" : "pin-cancel secondary", id: "pin-cancel",
          dataset: { focusKey: "pin:cancel" }, disabled: st.busy, onclick: () => ctx.pinCancel() },
        st.final ? t("pin_back") : t("pin_cancel")))));
}

// What a reply of POST /api/tickets/ID/identity means on the screen.
//   reply: {verdict, text: {fi, sv, …}, pin_tries_left?, pin_count_low}
// Returns {result, final, verified}; the texts follow the page's language.
export function pinOutcome(t, reply) {
  const v = reply?.verdict || "error";
  const said = () => reply?.text?.[t.lang()] || reply?.text?.[t.main()] || "";
  if (v === "verified") {
    return { verified: true, final: true, result: { kind: "ok", verdict: v, lines: () => [said()] } };
  }
  const final = !RETRY.has(v);
  const lines = () => {
    const out = [said()];
    if (v === "wrong_pin") {
      const left = reply.pin_tries_left;
      if (left === 1) out.push(t("pin_tries_1"));
      else if (Number.isInteger(left) && left > 1) out.push(t("pin_tries_n", { n: left }));
      // The card counts wrong tries (CKF_USER_PIN_COUNT_LOW: one or more since the last
      // good PIN) but does not say how many remain.
      else if (reply.pin_count_low) out.push(t("pin_count_low"));
    }
    if (final || v === "error") out.push(t("pin_document"));
    return out;
  };
  const warn = v === "wrong_pin" && (reply.pin_tries_left === 1 || reply.pin_count_low);
  return { verified: false, final, result: { kind: warn || final ? "bad" : "warn", verdict: v, lines } };
}
