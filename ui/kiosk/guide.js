// SPDX-License-Identifier: GPL-3.0-or-later
// The screen while the speech guidance leads a citizen (vuorod's guide.c,
// "guide" events): what the headphones (or the loudspeaker) say is shown,
// for a companion or the staff — the service being spoken now.  The ticket
// it draws is shown by ticket.js, marked as read aloud.

import { h } from "/ui/common/dom.js";
import { pick } from "/ui/common/i18n.js";

// g: {service (code of the service spoken), headset}
export function renderGuide(ctx, g) {
  const { t, status } = ctx;
  const svc = status?.services.find((s) => s.code === g.service);
  return h("section", { class: "guide", "aria-labelledby": "guide-title" },
    h("h1", { id: "guide-title", tabindex: "-1" }, t("guide_title")),
    h("p", { class: "guide-how" }, t(g.headset ? "guide_headset" : "guide_speaker")),
    svc
      ? h("p", { class: "guide-now", id: "guide-service", role: "status" },
        h("span", { class: "label" }, t("guide_now")), " ", pick(svc.names, t.lang()))
      : null);
}
