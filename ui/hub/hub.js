// SPDX-License-Identifier: GPL-3.0-or-later
// /hub: the region hub's front page.  Log in (any hub role), then links to
// the pages the role may use; a provider's manager is told whose figures
// they see.

import { staffPage } from "/ui/common/staff.js";
import { h, clear } from "/ui/common/dom.js";
import { hubWords, roleNameOf, HUB_PAGES } from "./strings.js";

const t = await hubWords();
const $ = (id) => document.getElementById(id);
let me = null;

function render() {
  $("pages-title").textContent = t("pages");
  const list = $("pages");
  clear(list);
  const mine = HUB_PAGES.filter((p) => me && p.roles.includes(me.role));
  for (const p of mine) {
    list.append(h("li", {},
      h("a", { href: p.path, id: "page-" + p.key }, t("page_" + p.key)),
      h("p", { class: "muted" }, t("page_" + p.key + "_hint"))));
  }
  if (!mine.length) list.append(h("li", {}, t("no_pages")));
  $("scope").hidden = !(me && me.provider);
  $("scope").textContent = me && me.provider ? t("provider_scope", { provider: me.provider }) : "";
}

staffPage({
  roles: ["admin", "manager", "technician", "provider-manager", "expert"],
  t,
  roleName: roleNameOf(t),
  start(who) {
    me = who;
    render();
  },
  stop() {
    me = null;
  },
  relabel: render,
});
