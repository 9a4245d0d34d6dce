// SPDX-License-Identifier: GPL-3.0-or-later
// The confirmation: the number very large, the service, people ahead and
// the estimate; "take your ticket from the printer" — or, when printing
// failed, says so plainly and gives the follow address as text and as a QR
// code (an image vuorod draws: GET /api/qr?text=…; if that fails the image
// hides itself and the address stays readable).  Where the kiosk has an
// ID-card reader (status.identity_reader), it offers to identify now (pin.js)
// — only while v.offer holds, the short window after printing (kiosk.js):
// the next citizen must not identify onto this ticket; after that it says
// the identity is confirmed.  A printed ticket's view says when it goes
// back to the start (#ticket-closing, counted down by kiosk.js in place).
// A line nobody staffs gets no estimate: it says no counter is open and that
// the number stays in line.

import { h } from "/ui/common/dom.js";
import { pick, minutes } from "/ui/common/i18n.js";
import { unstaffed } from "./start.js";

// ctx: {t, status, done(), identify()};
// v: {ticket, printed, noPrinter, appointment, host ("told" | "coming"), identified, offer, closesIn,
//     guide ("headset" | "speaker": drawn by the speech guidance, read aloud)}
export function renderTicket(ctx, v) {
  const { t, status } = ctx;
  const lang = t.lang();
  const tk = v.ticket;
  const svc = status?.services.find((s) => s.code === tk.service);
  const prov = status?.providers.find((p) => p.code === tk.provider);
  const ahead = tk.ahead ?? 0;

  const facts = [];
  if (svc && unstaffed(svc)) {
    // Nobody to call it yet: no "you will be called soon", no estimate.
    if (ahead > 0) facts.push(ahead === 1 ? t("ahead_1") : t("ahead_n", { n: ahead }));
    facts.push(t("ticket_unstaffed"));
  } else if (ahead === 0) facts.push(t("ahead_0"));
  else {
    facts.push(ahead === 1 ? t("ahead_1") : t("ahead_n", { n: ahead }));
    if (tk.wait_s != null) facts.push(t("wait_est", { min: minutes(tk.wait_s) }));
  }

  return h("section", { class: "ticket" + (v.printed ? "" : " unprinted"), "aria-labelledby": "ticket-title" },
    h("h1", { id: "ticket-title", tabindex: "-1" },
      h("span", { class: "label" }, t("your_number")),
      h("span", { class: "number", id: "ticket-number", dir: "ltr" }, tk.code)),
    h("p", { class: "svc" },
      svc ? pick(svc.names, lang) : tk.service,
      prov ? h("span", { class: "provider" }, pick(prov.names, lang)) : null),
    v.appointment ? h("p", { class: "appointment-ok" }, t("appointment_ok", { code: v.appointment })) : null,
    // The host was told (vuorod's "host_told") or is on the way ("host_coming").
    v.appointment && v.host
      ? h("p", { id: "host-news", class: "host-news" + (v.host === "coming" ? " coming" : ""), role: "status" },
        t(v.host === "coming" ? "host_coming" : "host_told"))
      : null,
    h("ul", { class: "facts", id: "ticket-facts" }, facts.map((f) => h("li", {}, f))),
    svc?.kind === "remote" ? h("p", { class: "video" }, t("video_confirm")) : null,
    v.printed ? h("p", { class: "take" }, t("take_ticket")) : unprinted(ctx, v),
    h("p", { class: "screens" }, t("called_on_screens")),
    v.guide ? h("p", { class: "guide-note", id: "guide-note" },
      t(v.guide === "headset" ? "guide_ticket_headset" : "guide_ticket_speaker")) : null,
    v.identified ? h("p", { id: "identified", class: "identified", role: "status" }, t("identified")) : null,
    h("div", { class: "ticket-actions" },
      v.offer && !v.identified && status?.identity_reader && tk.state === "waiting"
        ? h("button", { type: "button", id: "identify", class: "identify secondary", dataset: { focusKey: "identify" },
          onclick: () => ctx.identify() },
        h("span", { class: "identify-main" }, t("identify_offer")),
        h("span", { class: "identify-sub" }, t("identify_offer_sub")))
        : null,
      h("button", { class: "done", dataset: { focusKey: "done" }, onclick: () => ctx.done() }, t("done"))),
    v.closesIn != null
      ? h("p", { id: "ticket-closing", class: "closing" }, t("ticket_closing", { s: v.closesIn }))
      : null);
}

function unprinted(ctx, v) {
  const { t } = ctx;
  // The address a phone can open.  A kiosk browser on the board itself sees
  // 127.0.0.1 as its origin: status.follow_base (the printer's url-base),
  // when vuorod gives it, is the address people can reach.
  const base = (ctx.status?.follow_base || location.origin).replace(/\/$/, "");
  const url = base + v.ticket.follow;
  const img = h("img", {
    class: "qr",
    src: "/api/qr?text=" + encodeURIComponent(url),
    alt: t("qr_alt"),
    width: 320,
    height: 320,
  });
  img.addEventListener("error", () => { img.hidden = true; });
  return h("div", { class: "printer-failed", role: "alert" },
    h("h2", {}, v.noPrinter ? t("no_printer_title") : t("printer_failed_title")),
    h("p", {}, v.noPrinter ? t("no_printer", { code: v.ticket.code })
      : t("printer_failed", { code: v.ticket.code })),
    h("div", { class: "follow" },
      img,
      h("p", { class: "url" }, h("span", { class: "url-label" }, t("follow_url")), " ",
        h("span", { id: "follow-url", class: "url-text" }, url))));
}
