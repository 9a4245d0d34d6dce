// SPDX-License-Identifier: GPL-3.0-or-later
// The start screen: services grouped by provider, each a big button with
// its line and estimate, or — when it cannot be drawn now — the reason in
// words; the way to check in for an appointment; and, smaller, the way to
// rate a visit (feedback.js).
//
// A service nobody staffs now (status: staffed false — no open counter's
// profile has it) never shows an estimate (wait_s is null then).  With
// [kiosk] unstaffed = show (the default) its button says "no counter open
// for this service now" and a ticket can still be drawn: it waits in line
// until a counter opens.  With unstaffed = hide it is left off the screen
// while it could be drawn; a closed one still shows why it is closed.

import { h } from "/ui/common/dom.js";
import { pick, minutes } from "/ui/common/i18n.js";
import { refusalText, specialHoursText } from "./strings.js";

// What the screen is built of: when only the lines change, the buttons are
// updated in place (a rebuild between a finger's down and up loses the tap).
function signature(ctx) {
  const st = ctx.status;
  return JSON.stringify([ctx.t.lang(), ctx.online, ctx.low, ctx.message?.text ?? null,
    st ? st.providers.map((p) => p.code) : [], offered(st).map((s) => s.code + ":" + s.provider)]);
}

// A line nobody serves: staffed false, so no estimate (wait_s null).
export const unstaffed = (s) => s.staffed === false || s.wait_s === null;

// The services on the screen: in hide mode, not those that could be drawn
// but nobody serves.
function offered(status) {
  if (!status) return [];
  if (status.kiosk?.unstaffed !== "hide") return status.services;
  return status.services.filter((s) => !(s.open && unstaffed(s)));
}

// ctx: {t, status, online, message, low, draw(service), explain(service), checkin(),
//       rateVisit(), toggleLow()}
export function renderStart(ctx) {
  const { t, status } = ctx;
  const lang = t.lang();
  const providers = status ? status.providers : [];
  const services = offered(status);

  const groups = providers
    .map((p) => ({ p, list: services.filter((s) => s.provider === p.code) }))
    .filter((g) => g.list.length);
  // A service whose provider is not listed still gets a button.
  const orphans = services.filter((s) => !providers.some((p) => p.code === s.provider));
  if (orphans.length) groups.push({ p: { code: "other", names: {} }, list: orphans });

  return h("section", { class: "start", "aria-labelledby": "start-title", dataset: { sig: signature(ctx) } },
    h("h1", { id: "start-title", tabindex: "-1" }, t("choose")),
    h("p", { class: "hint" }, t("choose_hint")),
    ctx.message
      ? h("div", { class: "message", role: "alert" },
        h("strong", {}, ctx.message.title), " ", ctx.message.text)
      : null,
    status && !services.length ? h("p", { class: "message none-staffed", role: "status" }, t("none_staffed")) : null,
    h("div", { class: "providers" },
      groups.map(({ p, list }) =>
        h("section", { class: "provider", "aria-labelledby": `prov-${p.code}` },
          h("h2", { id: `prov-${p.code}` }, pick(p.names, lang)),
          h("ul", { class: "services" },
            list.map((s) => h("li", {}, serviceButton(ctx, s))))))),
    h("div", { class: "more" },
      h("button", {
        class: "appointment secondary",
        dataset: { focusKey: "appointment" },
        onclick: () => ctx.checkin(),
      }, t("appointment_button")),
      h("button", {
        id: "rate-visit",
        class: "rate-visit secondary",
        dataset: { focusKey: "rate-visit" },
        onclick: () => ctx.rateVisit(),
      }, t("feedback_button")),
      // The low layout's switch, where a seated citizen reaches it; once
      // on, it sits at the bottom of every screen (#low, kiosk.js).
      ctx.low ? null : h("button", {
        id: "low-start",
        class: "low-toggle secondary",
        "aria-pressed": "false",
        dataset: { focusKey: "low" },
        onclick: () => ctx.toggleLow(),
      }, t("low_layout"))));
}

// Updates a start screen in place; false when it has to be built anew.
export function updateStart(section, ctx) {
  if (!section?.classList.contains("start") || section.dataset.sig !== signature(ctx)) return false;
  for (const s of offered(ctx.status)) {
    const b = section.querySelector(`button.service[data-service="${CSS.escape(s.code)}"]`);
    if (!b) return false;
    const st = serviceState(ctx, s);
    b.className = st.className;
    if (st.unavailable) b.setAttribute("aria-disabled", "true");
    else b.removeAttribute("aria-disabled");
    const info = b.querySelector(".info");
    if (info.textContent !== st.info) info.textContent = st.info;
    const keep = b.querySelector(".keep");
    if (!keep !== !st.keep) return false; // a line appears or goes: build anew
    if (keep && keep.textContent !== st.keep) keep.textContent = st.keep;
  }
  return true;
}

function serviceState(ctx, s) {
  const { t } = ctx;
  const closed = !s.open;
  const nobody = !closed && unstaffed(s);
  let info;
  if (closed) info = refusalText(t, s.refusal, s);
  else if (nobody) info = s.waiting > 0 ? t("unstaffed_waiting", { n: s.waiting }) : t("unstaffed");
  else if (s.waiting > 0) info = t("waiting_est", { n: s.waiting, min: minutes(s.wait_s) });
  else info = t("waiting_none");
  // An evening opening or other special hours today: said on the button.
  const special = closed ? "" : specialHoursText(t, s);
  if (special) info = special + " · " + info;
  return {
    closed,
    // aria-disabled, not disabled: a closed service stays focusable, so the
    // reason is read out and a tap on it explains itself.
    unavailable: closed || !ctx.online,
    className: "service" + (closed ? " closed" : "") + (nobody ? " unstaffed" : "") +
      (s.kind === "remote" ? " remote" : ""),
    info,
    // An unstaffed line still takes tickets: say what becomes of one.
    keep: nobody ? t("unstaffed_keep") : null,
  };
}

function serviceButton(ctx, s) {
  const { t } = ctx;
  const st = serviceState(ctx, s);
  return h("button", {
    class: st.className,
    "aria-disabled": st.unavailable ? "true" : null,
    dataset: { focusKey: "svc:" + s.code, service: s.code },
    // The state is read when tapped: the button may have been updated since.
    onclick: () => {
      const now = ctx.current(s.code) || s;
      if (!now.open) ctx.explain(now);
      else if (ctx.isOnline()) ctx.draw(s.code);
    },
  },
  h("span", { class: "name" }, pick(s.names, t.lang())),
  s.kind === "remote" ? h("span", { class: "video" }, t("video")) : null,
  h("span", { class: "info" }, st.info),
  st.keep ? h("span", { class: "keep" }, st.keep) : null);
}
