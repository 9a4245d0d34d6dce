// SPDX-License-Identifier: GPL-3.0-or-later
// The ticket printer: its state (GET /api/printer), "Check status"
// (POST /api/printer/check) and a test ticket (POST /api/printer/test).

import { get, post } from "/ui/common/api.js";
import { h, clear } from "/ui/common/dom.js";
import { t } from "./strings.js";
import { act, action, facts, langSelect, session } from "./util.js";

export function printerCard(root, { changed } = {}) {
  let data = null;
  let error = null;
  const state = h("div", { id: "printer-state" });

  function render() {
    clear(root);
    const check = action(t("check_status"), (b, out) => act(b, out, async () => {
      const r = await post("/api/printer/check");
      took(r.printer);
      return r.ok ? t("checked_ok") : { error: r.error };
    }), { id: "printer-check" });
    const lang = langSelect("printer-lang", "ticket_lang", t.lang());
    const test = action(t("test_ticket"), (b, out) => act(b, out, async () => {
      const r = await post("/api/printer/test", { lang: lang.sel.value });
      took(r.printer);
      return r.ok ? t("printed_ok") : { error: r.error };
    }), { id: "printer-test" });
    root.append(
      h("h2", { id: "printer-title" }, t("printer")),
      state,
      h("div", { class: "actions" }, check.row, h("div", { class: "action-group" }, lang.el, test.row)));
    paint();
  }

  // A check or test answers with the printer's state: show it, tell health.
  function took(p) {
    if (p) data = p;
    error = null;
    paint();
    changed?.();
  }

  function paint() {
    clear(state);
    if (error) state.append(h("p", { role: "alert", class: "error" }, error));
    if (!data) return;
    const p = data;
    const paper = p.paper_end ? [t("paper_end"), "bad"] : p.paper_near_end ? [t("paper_near"), "warn"] : [t("paper_ok"), null];
    if (!p.known) state.append(h("p", { class: "muted" }, t("not_checked")));
    state.append(
      facts([
        [t("device"), p.device],
        p.paper && [t("layout"), t("layout_value", { paper: p.paper.replace("mm", " mm"), columns: p.columns, codepage: p.codepage })],
        [t("paper"), paper[0], paper[1]],
        [t("cover"), p.cover_open ? t("cover_open") : t("cover_closed"), p.cover_open ? "bad" : null],
        [t("online"), p.offline ? t("is_offline") : t("is_online"), p.offline ? "bad" : null],
        [t("printed"), String(p.printed)],
        [t("failed"), String(p.failed), p.failed ? "warn" : null],
        p.message && [t("message"), p.message, "bad"],
      ]));
  }

  async function load() {
    try {
      data = await get("/api/printer");
      error = null;
    } catch (e) {
      if (e.status === 401) session.expired();
      error = e.code === "no_printer" ? t("no_printer") : e.message;
      data = null;
    }
    paint();
  }

  return { render, load };
}
