// SPDX-License-Identifier: GPL-3.0-or-later
// /accessibility — the service point's accessibility statement (EN 301 549,
// WCAG 2.2 AA): what conforms, what does not yet and what to do instead, whom
// to tell of a problem ([site] accessibility-contact, else the desk) and the
// authority to turn to after that ([site] accessibility-authority).  The
// words are data (the "accessibility" namespace of ui/i18n/LANG.json), in every
// language the site offers; what the lists say changes with the firmware.
import { get } from "/ui/common/api.js";
import { h } from "/ui/common/dom.js";
import { i18n, siteNameIn } from "/ui/common/i18n.js";

// When this firmware's citizen pages were last assessed, and against what.
const ASSESSED = "2026-12-04";
const WORKS = ["works_languages", "works_axe", "works_calls", "works_follow", "works_reflow",
  "works_reach", "works_booth", "works_speech"];
const GAPS = [["gap_speech_sami", "instead_staff"]];

// ?lang=xx: the language of the page that linked here (the follow page's);
// a language the site does not offer gets its main one.
const LANG_KEY = "vuoro-accessibility-lang";
const asked = new URLSearchParams(location.search).get("lang");
if (asked) localStorage.setItem(LANG_KEY, asked);
const t = await i18n("accessibility", LANG_KEY);
const $ = (id) => document.getElementById(id);
let status = null;

function dateIn(iso) {
  return new Intl.DateTimeFormat(t.lang() + "-u-nu-latn", { dateStyle: "long", timeZone: "UTC" })
    .format(new Date(iso + "T12:00:00Z"));
}

// The sentence @key with {name} as its own bidi island: an address or a
// phone number keeps its order inside Arabic text.
function withIsland(key, name, value) {
  const [before, after = ""] = t(key, { [name]: "\u0000" }).split("\u0000");
  return [before, h("bdi", {}, value), after];
}

function render() {
  const site = siteNameIn(status?.site, t);
  const a = status?.accessibility || {};
  document.title = t("title");
  $("site").textContent = site;
  const langs = $("langs");
  langs.setAttribute("aria-label", t("languages"));
  if (!langs.children.length) {
    for (const l of t.languages())
      langs.append(h("button", { class: "lang", type: "button", lang: l.code, dir: l.dir,
        onclick: () => t.setLang(l.code) }, l.name));
  }
  for (const b of langs.children) b.setAttribute("aria-pressed", String(b.lang === t.lang()));
  $("title").textContent = t("title");
  $("intro").textContent = t("intro", { site });
  $("status-title").textContent = t("status_title");
  $("status").textContent = t("status");
  $("works-title").textContent = t("works_title");
  $("works").replaceChildren(...WORKS.map((k) => h("li", {}, t(k))));
  $("gaps-title").textContent = t("gaps_title");
  $("gaps").replaceChildren(...GAPS.map(([gap, instead]) =>
    h("li", {}, t(gap), h("span", { class: "instead" }, h("b", {}, t("instead")), " ", t(instead)))));
  $("contact-title").textContent = t("contact_title");
  if (a.contact) $("contact").replaceChildren(...withIsland("contact", "contact", a.contact));
  else $("contact").textContent = t("contact_desk");
  $("authority").hidden = !a.authority;
  $("authority").replaceChildren(...(a.authority ? withIsland("authority", "authority", a.authority) : []));
  $("about-title").textContent = t("about_title");
  $("about").textContent = t("about", { date: dateIn(ASSESSED) });
}

t.onLang(render);
try {
  status = await get("/api/status");
} catch (e) {
  console.warn("status:", e.message); // the statement stands without the site's name
}
render();
