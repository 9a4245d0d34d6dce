// SPDX-License-Identifier: GPL-3.0-or-later
// The service card (issue 17): the provider's instructions, support phone and
// chat for the ticket being served, as board-config gives them
// ([service:CODE] instructions-url, support-phone, support-chat-url).  Shown
// on /advisor, /expert and /hub/expert; the words come from the page's own
// catalog: L = {title, instructions, phone, chat, newTab}.

import { h } from "/ui/common/dom.js";

// The instructions in @lang, else in the first language that has them (the
// site's main language first).
const instructionsIn = (card, lang) => card.instructions?.[lang] || Object.values(card.instructions || {})[0];

// A link that opens in a new tab, and says so to a screen reader.
const outLink = (href, text, L, cls) =>
  h("a", { href, target: "_blank", rel: "noopener noreferrer", class: cls },
    text, h("span", { class: "visually-hidden" }, ` ${L.newTab}`));

// The card as an element, or null when the service has none.
export function serviceCard(card, lang, L) {
  if (!card) return null;
  const url = instructionsIn(card, lang);
  const items = [];
  if (url) items.push(h("li", {}, outLink(url, L.instructions, L, "card-instructions")));
  if (card.phone) {
    items.push(h("li", {}, `${L.phone}: `,
      h("a", { href: "tel:" + card.phone.replace(/[^+0-9]/g, ""), class: "card-phone" }, card.phone)));
  }
  if (card.chat) items.push(h("li", {}, outLink(card.chat, L.chat, L, "card-chat")));
  if (!items.length) return null;
  return h("section", { class: "service-card", "aria-label": L.title },
    h("h3", {}, L.title), h("ul", {}, ...items));
}

// Draws the card into @box, only when it changed: a live update leaves a
// focused link where it is.
export function showCard(box, card, lang, L) {
  const key = JSON.stringify([card || null, lang, L]);
  if (box.dataset.card === key) return;
  box.dataset.card = key;
  const el = serviceCard(card, lang, L);
  box.replaceChildren(...(el ? [el] : []));
}
