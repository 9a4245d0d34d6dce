// SPDX-License-Identifier: GPL-3.0-or-later
// Opening-hour exceptions: the coming holidays, closed days and special
// hours (date, services, closed or hours, reason, source), from board-config
// or an imported iCalendar file; an .ics file to import, and the imported
// ones to delete.  GET /api/hours/exceptions, POST …/import (the file as
// text/calendar), POST …/N/delete; vuorod's 400s say what to fix.  The
// "hours" event (another manager's change) re-reads the list.

import { get, post, postRaw } from "/ui/common/api.js";
import { h, clear } from "/ui/common/dom.js";
import { pick } from "/ui/common/i18n.js";
import { t, dayText } from "./strings.js";

// services(): the site's services (/api/status), to name them.
export function hoursView(root, { expired, services: siteServices = () => [] }) {
  let list = [];
  let message = null; // {text, error}
  let busy = false;

  // The services an exception covers, by name in the page's language.
  function services(e) {
    if (!e.services) return t("hours_all_services");
    const name = (code) => pick(siteServices().find((s) => s.code === code)?.names, t.lang()) || code;
    return e.services.map(name).join(", ");
  }

  function table() {
    if (!list.length) return h("p", { class: "muted", id: "exceptions-none" }, t("hours_none"));
    return h("div", { class: "scroll" }, h("table", { id: "exceptions-table" },
      h("thead", {}, h("tr", {},
        h("th", { scope: "col" }, t("hours_date")),
        h("th", { scope: "col" }, t("hours_services")),
        h("th", { scope: "col" }, t("hours_state")),
        h("th", { scope: "col" }, t("hours_reason")),
        h("th", { scope: "col" }, t("hours_source")),
        h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, t("hours_delete"))))),
      h("tbody", {}, list.map((e) => h("tr", { dataset: { exception: e.id ?? e.key, source: e.source } },
        h("th", { scope: "row", class: "num" }, dayText(Date.parse(e.date + "T00:00:00Z") / 86400000)),
        h("td", {}, services(e)),
        h("td", { class: "num" }, e.closed ? t("hours_closed") : `${e.opens}–${e.closes}`),
        h("td", {}, pick(e.names, t.lang())),
        h("td", {}, t(e.source === "import" ? "hours_source_import" : "hours_source_config")),
        h("td", {}, e.id == null ? null : h("button", { type: "button", class: "secondary",
          "aria-label": t("hours_delete_label", { date: dayText(Date.parse(e.date + "T00:00:00Z") / 86400000) }), onclick: () => remove(e) },
        t("hours_delete"))))))));
  }

  function render() {
    clear(root);
    const file = h("input", { type: "file", id: "hours-file", accept: ".ics,text/calendar" });
    const f = h("form", { class: "hours-import", novalidate: true },
      h("div", { class: "field" }, h("label", { for: "hours-file" }, t("hours_import")), file),
      h("button", { type: "submit", id: "hours-import", disabled: busy }, t("hours_import_button")));
    f.addEventListener("submit", (ev) => {
      ev.preventDefault();
      if (file.files[0]) importFile(file.files[0]);
    });
    root.append(h("h2", { id: "hours-title" }, t("hours_title")), table(),
      h("p", { class: "muted small" }, t("hours_help")), f,
      h("p", { id: "hours-result", class: message?.error ? "result error" : "result",
        role: message?.error ? "alert" : "status" }, message?.text || ""));
  }

  async function load() {
    try {
      list = (await get("/api/hours/exceptions")).exceptions || [];
    } catch (e) {
      if (e.status === 401) expired();
      message = { text: e.message, error: true };
    }
    render();
  }

  async function importFile(blob) {
    busy = true;
    try {
      const r = await postRaw("/api/hours/exceptions/import", "text/calendar", await blob.text());
      message = { text: t("hours_imported", { n: r.imported }) };
    } catch (e) {
      if (e.status === 401) expired();
      message = { text: e.message, error: true };
    }
    busy = false;
    await load();
  }

  async function remove(e) {
    try {
      await post(`/api/hours/exceptions/${e.id}/delete`, {});
      message = { text: t("hours_deleted") };
    } catch (err) {
      if (err.status === 401) expired();
      message = { text: err.message, error: true };
    }
    await load();
  }

  return { render, load, event: (ev) => ev.type === "hours" && !busy && load() };
}
