// SPDX-License-Identifier: GPL-3.0-or-later
// /hub/reports: the site's reports across the region's sites.  A form (kind,
// from/to service days — `to` not counted —, a site or all, the grouping)
// → GET /api/hub/reports → a table of its rows (period × provider, "total"
// and "*" as on the site) and the same as CSV (format=csv).  A provider's
// manager gets only their provider's rows: the database decides, the page
// only says so.  Idle time is per site and counter (site "*" every site,
// counter 0 every counter of a site), not per provider: a provider's manager
// is not offered it (the hub answers them 403, as the site lets only its
// managers read it).

import { get } from "/ui/common/api.js";
import { h, clear } from "/ui/common/dom.js";
import { staffPage } from "/ui/common/staff.js";
import { hubWords, roleNameOf } from "../strings.js";

const t = await hubWords();
const $ = (id) => document.getElementById(id);
const KINDS = ["billing", "times", "feedback", "categories", "arrivals", "idle"];
const PERIODS = ["month", "week", "day"];
const root = $("report");

const today = new Date();
const iso = (d) => d.toISOString().slice(0, 10);
const state = {
  kind: "billing",
  from: iso(new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1))),
  to: iso(new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + 1, 1))),
  site: "",
  period: "month",
  sites: [],
  data: null,
  error: null,
  busy: false,
};
let me = null;
let page = null;

const query = (extra = {}) => {
  const q = { kind: state.kind, from: state.from, to: state.to, period: state.period, ...extra };
  if (state.site) q.site = state.site;
  return new URLSearchParams(q).toString();
};

function render() {
  clear(root);
  $("back").textContent = t("back");
  const field = (id, label, input) => h("div", { class: "field" }, h("label", { for: id }, label), input);
  const select = (id, value, options) => h("select", { id },
    options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)));
  const kinds = me?.provider ? KINDS.filter((k) => k !== "idle") : KINDS;
  const kindIn = select("report-kind", state.kind, kinds.map((k) => [k, t("kind_" + k)]));
  const fromIn = h("input", { type: "date", id: "report-from", value: state.from, required: true });
  const toIn = h("input", { type: "date", id: "report-to", value: state.to, required: true });
  const siteIn = select("report-site", state.site,
    [["", t("all_sites")], ...state.sites.map((s) => [s.site, s.site])]);
  const periodIn = select("report-period", state.period, PERIODS.map((p) => [p, t("by_" + p)]));
  const form = h("form", { class: "report-form", novalidate: true },
    field("report-kind", t("kind"), kindIn), field("report-from", t("from_day"), fromIn),
    field("report-to", t("to_day"), toIn), field("report-site", t("site"), siteIn),
    field("report-period", t("grouping"), periodIn),
    h("div", { class: "field" }, h("button", { type: "submit", id: "report-go" }, t("show"))));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    Object.assign(state, { kind: kindIn.value, from: fromIn.value, to: toIn.value, site: siteIn.value,
      period: periodIn.value });
    load();
  });
  root.append(h("h2", { id: "report-title" }, t("reports_title")),
    h("p", { class: "muted" }, t("reports_intro")));
  if (me?.provider) {
    root.append(h("p", { id: "report-scope", class: "note" }, t("provider_scope", { provider: me.provider })));
  }
  root.append(form, h("div", { id: "report-result" }));
  paint();
}

// A column's heading: the arrivals' hours h00…h23 as "10:00" in words.
const colText = (c) => (/^h\d\d$/.test(c) ? t("col_hour", { h: c.slice(1) }) : t("col_" + c));

function cellText(col, v) {
  if (v === null || v === undefined) return "—";
  if (col === "period" && v === "total") return t("total");
  if (col === "provider" && v === "*") return t("all_providers");
  if (col === "site" && v === "*") return t("all_sites");
  if (col === "counter" && v === 0) return t("all_counters");
  return String(v);
}

function paint() {
  const out = $("report-result");
  clear(out);
  if (state.busy) out.append(h("p", { class: "muted", role: "status" }, t("reading")));
  if (state.error) out.append(h("p", { role: "alert", class: "error" }, state.error));
  const rows = state.data?.[state.data?.kind];
  if (!rows) return;
  out.append(h("p", {}, h("a", { class: "button secondary", id: "report-csv",
    href: `/api/hub/reports?${query({ format: "csv" })}`,
    download: `vuoro-hub-${state.kind}-${state.from}-${state.to}.csv` }, t("csv"))));
  if (state.data.kind === "idle") out.append(h("p", { class: "muted", id: "report-note" }, t("idle_note")));
  if (!rows.length) {
    out.append(h("p", { class: "muted", id: "report-empty" }, t("no_rows")));
    return;
  }
  const cols = Object.keys(rows[0]);
  out.append(h("div", { class: "scroll", tabindex: "0", role: "region", "aria-labelledby": "report-title" },
    h("table", { id: "report-table", class: "figures" },
      h("caption", { class: "visually-hidden" }, t("kind_" + state.kind)),
      h("thead", {}, h("tr", {}, cols.map((c, i) => h("th", { scope: "col", class: i > 1 ? "num" : null },
        colText(c))))),
      h("tbody", {}, rows.map((r) => h("tr", { class: r.period === "total" ? "total" : null },
        cols.map((c, i) => (i === 0 ? h("th", { scope: "row" }, cellText(c, r[c]))
          : h("td", { class: i > 1 ? "num" : null }, cellText(c, r[c]))))))))));
}

async function load() {
  if (!state.from || !state.to || state.from >= state.to) {
    state.error = t("bad_range");
    state.data = null;
    paint();
    return;
  }
  state.busy = true;
  state.error = null;
  paint();
  try {
    state.data = await get(`/api/hub/reports?${query()}`);
  } catch (e) {
    state.data = null;
    if (e.status === 401) {
      page.expired();
      return;
    }
    state.error = e.message;
  } finally {
    state.busy = false;
  }
  paint();
}

page = staffPage({
  roles: ["admin", "manager", "provider-manager"],
  t,
  roleName: roleNameOf(t),
  async start(who) {
    me = who;
    try {
      state.sites = (await get("/api/hub/reports/sites")).sites;
    } catch {
      state.sites = [];
    }
    render();
    load();
  },
  stop() {
    me = null;
    clear(root);
  },
  relabel: render,
});
