// SPDX-License-Identifier: GPL-3.0-or-later
// The monthly report: a from/to month form → GET /api/report (its `to` is the
// first day NOT counted, so the to month's next month's first day) → a table
// per provider and month, and the same figures as CSV (format=csv).

import { get } from "/ui/common/api.js";
import { h, clear } from "/ui/common/dom.js";
import { pick } from "/ui/common/i18n.js";
import { t, duration } from "./strings.js";

const CHANNELS = ["in_person", "remote_video", "e_service", "paper_form"];

const monthOf = (date) => date.slice(0, 7);
function nextMonth(ym) {
  let [y, m] = ym.split("-").map(Number);
  if (++m > 12) {
    m = 1;
    y++;
  }
  return `${y}-${String(m).padStart(2, "0")}`;
}
const validMonth = (s) => /^\d{4}-(0[1-9]|1[0-2])$/.test(s);

export function reportView(root, { expired, providers }) {
  let from = null;
  let to = null;
  let data = null;
  let error = null;
  let busy = false;
  const result = h("div", { id: "report-result" });

  function render() {
    clear(root);
    const fromIn = h("input", { type: "month", id: "report-from", value: from, required: true });
    const toIn = h("input", { type: "month", id: "report-to", value: to, required: true });
    const go = h("button", { type: "submit", id: "report-go" }, t("show"));
    const form = h("form", { class: "report-form", novalidate: true },
      h("div", { class: "field" }, h("label", { for: "report-from" }, t("from_month")), fromIn),
      h("div", { class: "field" }, h("label", { for: "report-to" }, t("to_month")), toIn),
      h("div", { class: "field" }, go));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      from = fromIn.value;
      to = toIn.value;
      load();
    });
    root.append(h("h2", { id: "report-title" }, t("report")), form, result);
    paint();
  }

  const query = () => `from=${from}-01&to=${nextMonth(to)}-01`;

  function paint() {
    clear(result);
    if (busy) result.append(h("p", { class: "muted", role: "status" }, t("reading")));
    if (error) result.append(h("p", { role: "alert", class: "error" }, error));
    if (!data) return;
    const rows = data.monthly || [];
    const range = { from, to };
    const csv = h("a", { class: "button secondary", id: "report-csv", href: `/api/report?${query()}&format=csv`,
      download: `vuoro-report-${from}-${to}.csv` }, t("csv"));
    result.append(h("div", { class: "report-head" }, h("h3", { id: "report-range" }, t("report_for", range)), csv));
    if (!rows.length) {
      result.append(h("p", { class: "muted", id: "report-empty" }, t("no_rows", range)));
      return;
    }
    result.append(h("div", { class: "scroll", tabindex: "0", role: "region", "aria-labelledby": "report-range" },
      table(rows, data.target_wait_min)));
  }

  function table(rows, target) {
    const lang = t.lang();
    const name = (code) => pick(providers().find((p) => p.code === code)?.names, lang) || code;
    const within = (r) => (r.waited ? `${r.within_target} / ${r.waited} (${Math.round((100 * r.within_target) / r.waited)}\u00a0%)` : "—");
    const num = (v) => h("td", { class: "num" }, String(v));
    const sum = (k) => rows.reduce((a, r) => a + (r[k] || 0), 0);
    const chSum = (c) => rows.reduce((a, r) => a + (r.channels?.[c] || 0), 0);
    const span2 = (k) => h("th", { scope: "col", rowspan: "2" }, t(k));
    return h("table", { id: "report-table" },
      h("caption", { class: "visually-hidden" }, t("report_caption", { from, to })),
      h("thead", {},
        h("tr", {}, span2("month"), span2("provider"), span2("visits"),
          h("th", { scope: "colgroup", colspan: "4" }, t("channels")),
          span2("no_shows"), span2("cancelled"),
          h("th", { scope: "colgroup", colspan: "2" }, t("waiting_time")),
          h("th", { scope: "colgroup", colspan: "2" }, t("service_time")),
          h("th", { scope: "col", rowspan: "2" }, t("within", { min: target }))),
        h("tr", {}, CHANNELS.map((c) => h("th", { scope: "col" }, t(c))),
          ["median", "p90", "median", "p90"].map((k) => h("th", { scope: "col" }, t(k))))),
      h("tbody", {}, rows.map((r) => h("tr", {},
        h("td", { class: "month" }, r.month),
        h("th", { scope: "row" }, name(r.provider)),
        num(r.visits),
        CHANNELS.map((c) => num(r.channels?.[c] ?? 0)),
        num(r.no_shows), num(r.cancelled),
        [r.wait_median_s, r.wait_p90_s, r.service_median_s, r.service_p90_s].map((s) => num(duration(s))),
        num(within(r))))),
      h("tfoot", {}, h("tr", {},
        h("th", { scope: "row", colspan: "2" }, t("total")),
        num(sum("visits")), CHANNELS.map((c) => num(chSum(c))),
        num(sum("no_shows")), num(sum("cancelled")),
        [1, 2, 3, 4].map(() => num("—")),
        num(within({ waited: sum("waited"), within_target: sum("within_target") })))));
  }

  async function load() {
    if (!validMonth(from) || !validMonth(to) || to < from) {
      error = t("bad_range");
      data = null;
      paint();
      return;
    }
    busy = true;
    error = null;
    paint();
    try {
      data = await get(`/api/report?${query()}`);
    } catch (e) {
      if (e.status === 401) expired();
      data = null;
      error = e.message;
    }
    busy = false;
    paint();
  }

  return {
    render,
    load,
    // The current month (the service day's), unless one was chosen.
    setToday(day) {
      if (from) return;
      from = to = monthOf(new Date(day * 86400000).toISOString());
      render();
      load();
    },
  };
}
