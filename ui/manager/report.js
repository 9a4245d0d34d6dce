// SPDX-License-Identifier: GPL-3.0-or-later
// The reports: a from/to month form (with the grouping and the target wait)
// → GET /api/report (its `to` is the first day NOT counted, so the to month's
// next month's first day) → the monthly table per provider and month (and
// its CSV, format=csv), then for the whole range charts as SVG, each with
// its figures as a table: service events per provider by channel (billing),
// waiting time per provider (median, p90), arrivals per hour and weekday,
// feedback; counters' idle time, categories, the figures per period; and
// every report kind as CSV (format=csv&kind=…) or all as JSON.

import { get } from "/ui/common/api.js";
import { h, clear } from "/ui/common/dom.js";
import { pick } from "/ui/common/i18n.js";
import { t, duration, periodText } from "./strings.js";
import { barChart } from "./charts.js";

const CHANNELS = ["in_person", "remote_video", "e_service", "paper_form", "phone", "provider_on_site"];
const KINDS = ["billing", "times", "arrivals", "idle", "feedback", "categories", "booths", "pilot"];
const PERIODS = ["month", "week", "day"];
const SITE = "*";
const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

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

export function reportView(root, { expired, providers, services }) {
  let from = null;
  let to = null;
  let period = "month";
  let target = 15;
  let data = null;
  let error = null;
  let busy = false;
  const result = h("div", { id: "report-result" });

  function render() {
    clear(root);
    const fromIn = h("input", { type: "month", id: "report-from", value: from, required: true });
    const toIn = h("input", { type: "month", id: "report-to", value: to, required: true });
    const periodIn = h("select", { id: "report-period" },
      PERIODS.map((p) => h("option", { value: p, selected: p === period }, t("by_" + p))));
    const targetIn = h("input", { type: "number", id: "report-target", min: "1", max: "600", step: "1",
      value: String(target), inputmode: "numeric" });
    const go = h("button", { type: "submit", id: "report-go" }, t("show"));
    const form = h("form", { class: "report-form", novalidate: true },
      h("div", { class: "field" }, h("label", { for: "report-from" }, t("from_month")), fromIn),
      h("div", { class: "field" }, h("label", { for: "report-to" }, t("to_month")), toIn),
      h("div", { class: "field" }, h("label", { for: "report-period" }, t("grouping")), periodIn),
      h("div", { class: "field" }, h("label", { for: "report-target" }, t("target_wait")), targetIn),
      h("div", { class: "field" }, go));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      from = fromIn.value;
      to = toIn.value;
      period = periodIn.value;
      target = Number(targetIn.value);
      load();
    });
    root.append(h("h2", { id: "report-title" }, t("report")), form, result);
    paint();
  }

  const dates = () => `from=${from}-01&to=${nextMonth(to)}-01`;
  const query = () => `${dates()}&period=${period}&target_min=${target}`;

  function paint() {
    clear(result);
    if (busy) result.append(h("p", { class: "muted", role: "status" }, t("reading")));
    if (error) result.append(h("p", { role: "alert", class: "error" }, error));
    if (!data) return;
    const rows = data.monthly || [];
    const range = { from: periodText(from), to: periodText(to) };
    const csv = h("a", { class: "button secondary", id: "report-csv", href: `/api/report?${dates()}&format=csv`,
      download: `vuoro-report-${from}-${to}.csv` }, t("csv"));
    result.append(h("div", { class: "report-head" }, h("h3", { id: "report-range" }, t("report_for", range)), csv));
    if (!rows.length) {
      result.append(h("p", { class: "muted", id: "report-empty" }, t("no_rows", range)));
    } else {
      result.append(h("div", { class: "scroll", tabindex: "0", role: "region", "aria-labelledby": "report-range" },
        table(rows, data.target_wait_min)));
    }
    result.append(exports(), charts());
  }

  // The name of a provider code; "*" is the whole site.
  function providerName(code) {
    if (code === SITE) return t("site");
    return pick(providers().find((p) => p.code === code)?.names, t.lang()) || code;
  }

  // Every kind as CSV, all as JSON.
  function exports() {
    const base = `/api/report?${query()}`;
    const name = `vuoro-${from}-${to}-${period}`;
    return h("nav", { class: "exports", "aria-labelledby": "report-exports" },
      h("h3", { id: "report-exports" }, t("exports")),
      h("ul", {},
        KINDS.map((k) => h("li", {}, h("a", { class: "button secondary", id: `report-csv-${k}`,
          href: `${base}&format=csv&kind=${k}`, download: `${name}-${k}.csv` }, t("csv_kind", { kind: t("kind_" + k) })))),
        h("li", {}, h("a", { class: "button secondary", id: "report-json", href: `${base}&format=json`,
          download: `${name}.json` }, t("json")))));
  }

  // A table of figures: head cells, then rows of [row header, …cells].
  function figures(id, caption, head, rows, foot) {
    const cell = (v, i) => (i === 0 ? h("th", { scope: "row" }, v) : h("td", { class: "num" }, String(v)));
    return h("div", { class: "scroll", tabindex: "0", role: "region", "aria-label": caption },
      h("table", { id, class: "figures" },
        h("caption", { class: "visually-hidden" }, caption),
        h("thead", {}, h("tr", {}, head.map((c, i) => h("th", { scope: "col", class: i ? "num" : null }, c)))),
        h("tbody", {}, rows.map((r) => h("tr", {}, r.map(cell)))),
        foot ? h("tfoot", {}, h("tr", {}, foot.map(cell))) : null));
  }

  // A box: its title, the chart (if any) beside its table, notes below.
  function section(id, title, chart, table, ...notes) {
    return h("section", { class: "chart-box", "aria-labelledby": id }, h("h4", { id }, title),
      h("div", { class: "pair" }, chart, table), notes);
  }

  function charts() {
    const totalOf = (kind) => (data[kind] || []).filter((r) => r.period === "total");
    const site = (kind) => totalOf(kind).find((r) => r.provider === SITE);
    const byProvider = (kind) => totalOf(kind).filter((r) => r.provider !== SITE);
    const minutes = (s) => (s == null ? null : Math.round(s / 6) / 10);
    const pct = (v) => (v == null ? "—" : `${v}\u00a0%`);
    const boxes = [];

    // Billing: service events per provider, stacked by channel.
    const billing = byProvider("billing");
    const names = billing.map((r) => providerName(r.provider));
    boxes.push(section("chart-events-title", t("events_by_channel"),
      barChart({ id: "chart-events", title: t("events_by_channel"), cats: names, stacked: true, horizontal: true,
        integer: true,
        series: CHANNELS.map((c) => ({ name: t(c), values: billing.map((r) => r.channels[c]) })) }),
      figures("events-table", t("events_by_channel"), [t("provider"), t("events"), ...CHANNELS.map((c) => t(c)),
        t("no_shows"), t("interrupted"), t("trial_events")],
      billing.map((r) => [providerName(r.provider), r.events, ...CHANNELS.map((c) => r.channels[c]), r.no_shows,
        r.interrupted, r.trial?.events ?? 0]),
      site("billing") && [t("site"), site("billing").events, ...CHANNELS.map((c) => site("billing").channels[c]),
        site("billing").no_shows, site("billing").interrupted, site("billing").trial?.events ?? 0]),
      h("p", { class: "muted help", id: "trial-def" }, t("trial_def"))));

    // Waiting time per provider: median and p90, in minutes.
    // Seconds while the waits are short, else minutes.
    const times = totalOf("times");
    const inMin = Math.max(0, ...times.map((r) => r.wait_p90_s || 0)) >= 120;
    const scale = (s) => (inMin ? minutes(s) : s);
    boxes.push(section("chart-wait-title", t("wait_per_provider"),
      barChart({ id: "chart-wait", title: t("wait_per_provider"), cats: times.map((r) => providerName(r.provider)),
        unit: inMin ? "min" : "s", fmt: (v) => String(Math.round(v * 10) / 10), horizontal: true,
        series: [{ name: t("median"), values: times.map((r) => scale(r.wait_median_s)) },
          { name: t("p90"), values: times.map((r) => scale(r.wait_p90_s)) }] }),
      figures("wait-table", t("wait_per_provider"), [t("provider"), t("waited"), t("wait_median"), t("wait_p90"),
        t("within", { min: data.target_wait_min }), t("service_median"), t("service_p90")],
      times.map((r) => [providerName(r.provider), r.waited, duration(r.wait_median_s), duration(r.wait_p90_s),
        pct(r.within_target_pct), duration(r.service_median_s), duration(r.service_p90_s)]))));

    // Arrivals of the whole site per hour (the hours that had any, at least
    // the office day) and per weekday.
    const arrivals = site("arrivals");
    if (arrivals) {
      const used = arrivals.hours.map((n, i) => (n ? i : -1)).filter((i) => i >= 0);
      const first = Math.min(8, ...used);
      const last = Math.max(17, ...used);
      const hours = [];
      for (let i = first; i <= last; i++) hours.push(i);
      const hh = (i) => String(i).padStart(2, "0");
      boxes.push(section("chart-hours-title", t("arrivals_hour"),
        barChart({ id: "chart-hours", title: t("arrivals_hour"), cats: hours.map(hh), integer: true,
          series: [{ name: t("tickets"), values: hours.map((i) => arrivals.hours[i]) }] }),
        figures("hours-table", t("arrivals_hour"), [t("hour"), t("tickets")],
          hours.map((i) => [`${hh(i)}–${hh(i + 1)}`, arrivals.hours[i]]))));
      boxes.push(section("chart-weekdays-title", t("arrivals_weekday"),
        barChart({ id: "chart-weekdays", title: t("arrivals_weekday"), cats: WEEKDAYS.map((d) => t(d)), integer: true,
          series: [{ name: t("tickets"), values: arrivals.weekdays }] }),
        figures("weekdays-table", t("arrivals_weekday"), [t("weekday"), t("tickets")],
          WEEKDAYS.map((d, i) => [t(d), arrivals.weekdays[i]]))));
    }

    // Feedback: the distribution of the whole site; per provider the count
    // and the mean.
    const feedback = site("feedback");
    if (feedback) {
      const stars = [1, 2, 3, 4, 5].map(String);
      const mean = (r) => (r.mean == null ? "—" : r.mean.toFixed(2));
      boxes.push(section("chart-feedback-title", t("feedback"),
        barChart({ id: "chart-feedback", title: t("feedback_dist"), cats: stars, integer: true,
          series: [{ name: t("answers"), values: feedback.ratings }] }),
        figures("feedback-table", t("feedback"), [t("provider"), t("answers"), t("mean"), ...stars],
          byProvider("feedback").map((r) => [providerName(r.provider), r.count, mean(r), ...r.ratings]),
          [t("site"), feedback.count, mean(feedback), ...feedback.ratings]),
        h("p", { class: "muted small" }, t("feedback_note"))));
    }

    // Counters' idle time over the range.
    const idle = (data.idle || []).filter((r) => r.period === "total");
    if (idle.length) {
      const row = (r) => [r.counter ? t("counter_n", { n: r.counter }) : t("all_counters"), duration(r.open_s),
        duration(r.busy_s), duration(r.idle_s), pct(r.idle_pct)];
      boxes.push(section("idle-title", t("idle_time"), null,
        figures("idle-table", t("idle_time"), [t("counter"), t("open_time"), t("busy_time"), t("idle"), t("idle_share")],
          idle.filter((r) => r.counter).map(row), row(idle.find((r) => !r.counter))),
        h("p", { class: "muted small" }, t("idle_note"))));
    }

    // Categories: the events of each, per provider.
    const cats = (data.categories || []).filter((r) => r.period === "total");
    if (cats.length) {
      const codes = [...new Set(cats.map((r) => r.provider).filter((p) => p !== SITE))];
      const names = [...new Set(cats.map((r) => r.category))].sort((a, b) =>
        (a === "uncategorised") - (b === "uncategorised") || a.localeCompare(b, t.lang()));
      const count = (cat, p) => cats.find((r) => r.category === cat && r.provider === p)?.events || 0;
      const label = (cat) => (cat === "uncategorised" ? t("uncategorised") : cat);
      boxes.push(section("categories-title", t("categories"), null,
        figures("categories-table", t("categories"), [t("category"), ...codes.map(providerName), t("site")],
          names.map((c) => [label(c), ...codes.map((p) => count(c, p)), count(c, SITE)]))));
    }

    boxes.push(...pilotBoxes(pct));

    // Per period, the whole site.
    const at = (kind, p) => (data[kind] || []).find((r) => r.period === p && r.provider === SITE) || {};
    const periods = (data.periods || []).map((p) => p.period);
    const byTitle = t("per_period_" + (data.period || period));
    boxes.push(section("periods-title", byTitle, null,
      figures("periods-table", byTitle,
        [t("period"), t("events"), t("no_shows"), t("wait_median"), t("wait_p90"),
          t("within", { min: data.target_wait_min }), t("tickets"), t("mean")],
        [...periods, "total"].map((p) => [p === "total" ? t("total") : periodText(p), at("billing", p).events ?? 0,
          at("billing", p).no_shows ?? 0, duration(at("times", p).wait_median_s), duration(at("times", p).wait_p90_s),
          pct(at("times", p).within_target_pct), at("arrivals", p).tickets ?? 0,
          at("feedback", p).mean == null ? "—" : at("feedback", p).mean.toFixed(2)]))));
    return h("div", { class: "charts", id: "report-charts" }, boxes);
  }

  // Definitions: a term and its meaning, for each figure of a box.
  const defs = (id, keys) => h("dl", { class: "defs small", id },
    keys.flatMap((k) => [h("dt", {}, t(k)), h("dd", {}, t("def_" + k))]));

  // The booths' use (kind booths) and the pilot's figures (kind pilot), over
  // the whole range: per booth, then per provider of all booths; per
  // provider and service.
  function pilotBoxes(pct) {
    const boxes = [];
    const booths = (data.booths || []).filter((r) => r.period === "total");
    if (booths.length) {
      const name = (r) => (r.booth ? t("booth_n", { n: r.booth }) : t("all_booths")) +
        (r.provider === SITE ? "" : ` · ${providerName(r.provider)}`);
      const rows = [...booths.filter((r) => r.provider === SITE && r.booth),
        ...booths.filter((r) => r.provider !== SITE && !r.booth)];
      const row = (r) => [name(r), duration(r.open_s), duration(r.session_s), pct(r.occupancy_pct), r.sessions,
        r.served, r.no_answer, r.network_lost, r.customer_left, r.error, r.left_before_served,
        duration(r.wait_median_s), duration(r.wait_p90_s)];
      boxes.push(section("booths-title", t("booth_use"), null,
        figures("booths-table", t("booth_use"), [t("booth"), t("open_hours"), t("in_session"), t("occupancy"),
          t("sessions"), t("end_served"), t("end_no_answer"), t("end_network_lost"), t("end_customer_left"),
          t("end_error"), t("left_before_served"), t("wait_median"), t("wait_p90")],
        rows.map(row), row(booths.find((r) => !r.booth && r.provider === SITE))),
        defs("booths-defs", ["open_hours", "in_session", "occupancy", "sessions", "left_before_served",
          "remote_wait"])));
    }
    const pilot = (data.pilot || []).filter((r) => r.period === "total");
    if (pilot.length) {
      const svcName = (code) => pick(services().find((s) => s.code === code)?.names, t.lang()) || code;
      const name = (r) => (r.provider === SITE ? t("site")
        : r.service === SITE ? (r.provider ? providerName(r.provider) : t("site_staff"))
          : `${providerName(r.provider)} · ${svcName(r.service)}`);
      const used = (r) => r.events || r.previous_events || r.staff_s || r.new_services || r.start_date;
      const rows = pilot.filter((r) => r.provider !== SITE && used(r));
      const row = (r) => [name(r), r.events, r.previous_events, pct(r.growth_pct), pct(r.resolved_pct),
        pct(r.referred_pct), r.chains, r.staff_s == null ? "—" : duration(r.staff_s),
        r.service === SITE ? r.new_services : (r.start_date ? `${r.start_date}${r.new_services ? " *" : ""}` : "—")];
      boxes.push(section("pilot-title", t("pilot_figures"), null,
        figures("pilot-table", t("pilot_figures"), [t("provider_service"), t("events"), t("previous_events"),
          t("growth"), t("resolved_share"), t("referred_share"), t("chains"), t("staff_time"), t("new_services")],
        rows.map(row), row(pilot.find((r) => r.provider === SITE))),
        defs("pilot-defs", ["events", "previous_events", "growth", "resolved_share", "referred_share", "chains",
          "staff_time", "new_services"])));
    }
    return boxes;
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
      h("caption", { class: "visually-hidden" }, t("report_caption", { from: periodText(from), to: periodText(to) })),
      h("thead", {},
        h("tr", {}, span2("provider"), span2("month"), span2("visits"),
          h("th", { scope: "colgroup", colspan: String(CHANNELS.length) }, t("channels")),
          span2("no_shows"), span2("cancelled"),
          h("th", { scope: "colgroup", colspan: "2" }, t("waiting_time")),
          h("th", { scope: "colgroup", colspan: "2" }, t("service_time")),
          h("th", { scope: "col", rowspan: "2" }, t("within", { min: target }))),
        h("tr", {}, CHANNELS.map((c) => h("th", { scope: "col" }, t(c))),
          ["median", "p90", "median", "p90"].map((k) => h("th", { scope: "col" }, t(k))))),
      h("tbody", {}, rows.map((r) => h("tr", {},
        h("th", { scope: "row" }, name(r.provider)), // first: kept in view when the table scrolls
        h("td", { class: "month", dataset: { month: r.month } }, periodText(r.month)),
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
    if (!validMonth(from) || !validMonth(to) || to < from || !PERIODS.includes(period) ||
      !(Number.isInteger(target) && target >= 1 && target <= 600)) {
      error = t("bad_range");
      data = null;
      paint();
      return;
    }
    busy = true;
    error = null;
    paint();
    try {
      // booths and pilot are asked for by name (GET /api/report without kind
      // leaves them out: they double the cost of a year's report)
      const [all, booths, pilot] = await Promise.all(["", "&kind=booths", "&kind=pilot"]
        .map((k) => get(`/api/report?${query()}${k}`)));
      data = { ...all, booths: booths.booths, pilot: pilot.pilot };
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
