// SPDX-License-Identifier: GPL-3.0-or-later
// Notices on the info-TV and the kiosk: a form (a text per site language,
// the main one required, a start and an end in the site's time) and the
// list of notices not yet ended, each to edit or withdraw.  GET/POST
// /api/notices; vuorod's 400s say what to fix and are shown as they come.
// The "notices" event (another manager's change) re-reads the list.

import { get, post } from "/ui/common/api.js";
import { h, clear } from "/ui/common/dom.js";
import { t } from "./strings.js";

// "2026-12-04 09:30" (vuorod) ↔ "2026-12-04T09:30" (<input type=datetime-local>).
const toInput = (s) => (s || "").replace(" ", "T");

export function noticesView(root, { expired }) {
  let list = [];
  let editing = null; // the notice being edited, or null: a new one
  let message = null; // {text, error}
  let busy = false;
  let draft = null; // what the form held when sent: kept when vuorod refuses it

  const langs = () => t.siteLanguages();

  function form() {
    const main = langs()[0];
    const fields = langs().map((l, i) => h("div", { class: "field" },
      h("label", { for: "notice-text-" + l.code },
        t(i ? "notice_text" : "notice_text_main", { lang: l.name })),
      h("textarea", { id: "notice-text-" + l.code, name: "text_" + l.code, rows: "2", maxlength: "600",
        lang: l.code, dir: l.dir, required: i ? null : true },
      draft ? draft["text_" + l.code] || "" : editing?.texts?.[l.code] || "")));
    const start = h("input", { type: "datetime-local", id: "notice-start", required: true,
      value: draft ? draft.start : toInput(editing?.start_local) });
    const end = h("input", { type: "datetime-local", id: "notice-end", required: true,
      value: draft ? draft.end : toInput(editing?.end_local) });
    const f = h("form", { class: "notice-form", novalidate: true, "aria-labelledby": "notice-form-title" },
      h("h3", { id: "notice-form-title" }, editing ? t("notice_edit_title", { id: editing.id }) : t("notice_new")),
      h("p", { class: "muted small" }, t("notice_fallback", { lang: main?.name || "" })),
      ...fields,
      h("div", { class: "notice-times" },
        h("div", { class: "field" }, h("label", { for: "notice-start" }, t("notice_start")), start),
        h("div", { class: "field" }, h("label", { for: "notice-end" }, t("notice_end")), end)),
      h("div", { class: "notice-actions" },
        h("button", { type: "submit", id: "notice-save", disabled: busy },
          editing ? t("notice_save") : t("notice_publish")),
        editing ? h("button", { type: "button", class: "secondary", id: "notice-cancel",
          onclick: () => {
            editing = null;
            draft = null;
            message = null;
            render();
          } }, t("notice_cancel")) : null));
    f.addEventListener("submit", (e) => {
      e.preventDefault();
      const body = { start: start.value, end: end.value };
      for (const l of langs()) body["text_" + l.code] = f.querySelector("#notice-text-" + l.code).value;
      save(body);
    });
    return f;
  }

  function table() {
    if (!list.length) return h("p", { class: "muted", id: "notices-none" }, t("notices_none"));
    const main = langs()[0]?.code;
    return h("div", { class: "scroll" }, h("table", { id: "notice-table" },
      h("thead", {}, h("tr", {},
        h("th", { scope: "col" }, t("notice_text_col")),
        h("th", { scope: "col" }, t("notice_start")),
        h("th", { scope: "col" }, t("notice_end")),
        h("th", { scope: "col" }, t("notice_state")),
        h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, t("notice_actions"))))),
      h("tbody", {}, list.map((n) => h("tr", { dataset: { notice: n.id } },
        h("th", { scope: "row", lang: main }, n.shown[main]),
        h("td", { class: "num" }, n.start_local),
        h("td", { class: "num" }, n.end_local),
        h("td", {}, t(n.current ? "notice_current" : "notice_upcoming")),
        h("td", { class: "notice-row-actions" },
          h("button", { type: "button", class: "secondary", "aria-label": t("notice_edit_of", { id: n.id }),
            onclick: () => {
              editing = n;
              draft = null;
              message = null;
              render();
              root.querySelector("textarea")?.focus();
            } }, t("notice_edit")),
          h("button", { type: "button", class: "secondary", "aria-label": t("notice_withdraw_of", { id: n.id }),
            onclick: () => withdraw(n) }, t("notice_withdraw"))))))));
  }

  function render() {
    clear(root);
    root.append(h("h2", { id: "notices-title" }, t("notices")), form(),
      h("p", { id: "notice-result", class: message?.error ? "result error" : "result",
        role: message?.error ? "alert" : "status" }, message?.text || ""),
      h("h3", {}, t("notices_list")), table());
  }

  async function load() {
    try {
      list = (await get("/api/notices")).notices || [];
    } catch (e) {
      if (e.status === 401) expired();
      message = { text: e.message, error: true };
    }
    render();
  }

  async function save(body) {
    busy = true;
    draft = body;
    try {
      const n = editing ? await post(`/api/notices/${editing.id}`, body) : await post("/api/notices", body);
      message = { text: t(editing ? "notice_saved" : "notice_published", { id: n.id }) };
      editing = null;
      draft = null;
    } catch (e) {
      if (e.status === 401) expired();
      message = { text: e.message, error: true };
    }
    busy = false;
    await load();
  }

  async function withdraw(n) {
    try {
      await post(`/api/notices/${n.id}/withdraw`, {});
      message = { text: t("notice_withdrawn", { id: n.id }) };
      if (editing?.id === n.id) {
        editing = null;
        draft = null;
      }
    } catch (e) {
      if (e.status === 401) expired();
      message = { text: e.message, error: true };
    }
    await load();
  }

  return { render, load, event: (ev) => ev.type === "notices" && !busy && load() };
}
