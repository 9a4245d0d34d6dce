// SPDX-License-Identifier: GPL-3.0-or-later
// Today's numbers: totals, then per service and per provider — issued,
// waiting now, at a counter now, served, no-shows, cancelled, average wait
// (drawn → called) and service time (started → ended), longest wait now.
// From GET /api/status (services, providers, counters) and today's tickets
// (tickets.js), kept current by the live stream.  Served counts tickets;
// beside it the service events of today's report (GET /api/report for the
// day, kind=billing), which count visits — a transfer makes one per service
// — so the page shows both and says why they differ.  A no-show is a ticket
// given up after its last call; a missed call that went back in line is
// counted apart (and as served once served).

import { get } from "/ui/common/api.js";
import { h, clear } from "/ui/common/dom.js";
import { pick } from "/ui/common/i18n.js";
import { t, duration, dayText, locale } from "./strings.js";
import { todaysTickets } from "./tickets.js";

const TICK_MS = 15000;
const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

// The figures of a set of tickets at server time `now`.
function figures(list, day, now) {
  const today = list.filter((tk) => tk.day === day && tk.state !== "voided");
  const waits = today.filter((tk) => tk.called_at && tk.issued_at).map((tk) => tk.called_at - tk.issued_at);
  const services = today.filter((tk) => tk.state === "done" && tk.started_at && tk.ended_at)
    .map((tk) => tk.ended_at - tk.started_at);
  const waiting = list.filter((tk) => tk.state === "waiting");
  return {
    issued: today.length,
    waiting: waiting.length,
    atCounter: list.filter((tk) => tk.state === "called" || tk.state === "serving").length,
    served: today.filter((tk) => tk.state === "done").length,
    noShows: today.filter((tk) => tk.state === "no_show").length,
    missed: today.filter((tk) => tk.no_shows > 0 && tk.state !== "no_show").length,
    cancelled: today.filter((tk) => tk.state === "cancelled").length,
    avgWait: mean(waits),
    avgService: mean(services),
    longest: waiting.length ? Math.max(...waiting.map((tk) => now - (tk.issued_at || now))) : null,
  };
}

export function todayView(root, { expired }) {
  const tickets = todaysTickets();
  let status = null;
  let billing = null; // today's report rows (period "total") by provider, "*" the site
  let statusAt = 0; // when status came (client ms), for the server's "now"
  let error = null;
  let loading = false;
  let at = null;

  const now = () => (status ? status.now + Math.round((Date.now() - statusAt) / 1000) : 0);
  const isoDay = (day) => new Date(day * 86400000).toISOString().slice(0, 10);
  const eventsOf = (code) => {
    const row = billing?.find((r) => r.provider === code);
    return row ? row.events : null;
  };

  // Today's service events, as the report counts them.  A failed read keeps
  // the last figures (the tickets' own are what the page is for); only a
  // lost session is passed on.
  async function loadEvents(day) {
    try {
      const r = await get(`/api/report?from=${isoDay(day)}&to=${isoDay(day + 1)}&kind=billing`);
      billing = (r.billing || []).filter((row) => row.period === "total");
    } catch (e) {
      if (e.status === 401) throw e;
    }
  }

  function tile(label, value, id) {
    return h("div", { class: "tile" }, h("div", { class: "tile-value", id }, value), h("div", { class: "tile-label" }, label));
  }

  // events: the rows' service events (the report's), or null for none.
  function table(id, labelledBy, first, rows, total, events = null) {
    const cols = ["issued", "waiting_now", "at_counter", "served", ...(events ? ["events_col"] : []), "no_shows",
      "cancelled", "avg_wait", "avg_service", "longest"];
    const cells = (f, ev) => [f.issued, f.waiting, f.atCounter, f.served, ...(events ? [ev ?? "—"] : []), f.noShows,
      f.cancelled, duration(f.avgWait), duration(f.avgService), duration(f.longest)]
      .map((v) => h("td", { class: "num" }, String(v)));
    return h("div", { class: "scroll", id: id + "-region", tabindex: "0", role: "region", "aria-labelledby": labelledBy },
      h("table", { id, "aria-labelledby": labelledBy },
        h("thead", {}, h("tr", {}, first.map((k) => h("th", { scope: "col" }, t(k))),
          cols.map((k) => h("th", { scope: "col", class: "num" }, t(k))))),
        h("tbody", {}, rows.map(([names, f], r) => h("tr", {}, names.map((n, i) =>
          i === 0 ? h("th", { scope: "row" }, n) : h("td", {}, n)), cells(f, events?.[r])))),
        h("tfoot", {}, h("tr", {}, h("th", { scope: "row", colspan: String(first.length) }, t("total")),
          cells(total, events?.total)))));
  }

  function render() {
    // Rebuilt whole: keep the keyboard's place and the tables' scroll.
    const focused = root.contains(document.activeElement) ? document.activeElement.id : null;
    const scrolled = [...root.querySelectorAll(".scroll[id]")].map((el) => [el.id, el.scrollLeft]);
    paint();
    for (const [id, left] of scrolled) {
      const el = document.getElementById(id);
      if (el) el.scrollLeft = left;
    }
    if (focused) document.getElementById(focused)?.focus();
  }

  function paint() {
    clear(root);
    root.append(h("h2", { id: "today-title" }, status ? t("today_of", { date: dayText(status.day) }) : t("today")));
    if (error) root.append(h("p", { role: "alert", class: "error" }, error));
    if (!status) {
      if (loading) root.append(h("p", { class: "muted", role: "status" }, t("loading")));
      return;
    }
    const day = status.day;
    const all = tickets.all();
    const n = now();
    const total = figures(all, day, n);
    const lang = t.lang();
    const providerName = (code) => pick(status.providers.find((p) => p.code === code)?.names, lang) || code;
    const open = status.counters.filter((c) => c.open).length;

    root.append(
      h("div", { class: "tiles" },
        tile(t("issued_today"), String(total.issued), "t-issued"),
        tile(t("waiting_now"), String(total.waiting), "t-waiting"),
        tile(t("at_counter"), String(total.atCounter), "t-at-counter"),
        tile(t("served_today"), String(total.served), "t-served"),
        tile(t("events_today"), String(eventsOf("*") ?? "—"), "t-events"),
        tile(t("no_shows"), String(total.noShows), "t-no-shows"),
        tile(t("missed_calls"), String(total.missed), "t-missed"),
        tile(t("avg_wait_today"), duration(total.avgWait), "t-avg-wait"),
        tile(t("counters_open"), t("n_of_m", { n: open, m: status.counters.length }), "t-counters")),
      h("h3", { id: "per-service" }, t("per_service")),
      table("today-services", "per-service", ["service", "provider"],
        status.services.map((s) => [[pick(s.names, lang), providerName(s.provider)],
          figures(all.filter((tk) => tk.service === s.code), day, n)]), total),
      h("h3", { id: "per-provider" }, t("per_provider")),
      table("today-providers", "per-provider", ["provider"],
        status.providers.map((p) => [[pick(p.names, lang)],
          figures(all.filter((tk) => tk.provider === p.code), day, n)]), total,
        Object.assign(status.providers.map((p) => eventsOf(p.code)), { total: eventsOf("*") })),
      h("p", { class: "small", id: "served-note" }, t("served_note")),
      h("p", { class: "muted small" }, t("avg_note"), " ", t("updated", { time: at ? at.toLocaleTimeString(locale()) : "" })));
  }

  let running = null;
  async function load() {
    // One load at a time; a request during one runs once it is done.
    if (running) {
      running.again = true;
      return running.p;
    }
    running = { again: false };
    running.p = (async () => {
      do {
        running.again = false;
        loading = true;
        if (!status) render();
        try {
          const [st, q] = await Promise.all([get("/api/status"), get("/api/queue")]);
          status = st;
          statusAt = Date.now();
          await Promise.all([tickets.load(st.day, q.tickets || []), loadEvents(st.day)]);
          error = null;
          at = new Date();
        } catch (e) {
          if (e.status === 401) expired();
          error = e.message;
        }
        loading = false;
        render();
      } while (running.again);
      running = null;
    })();
    return running.p;
  }

  // A live event: its ticket (staff get the whole ticket) changes today's
  // numbers at once; the status (counters, estimates) is read again soon.
  let soon = null;
  function event(ev) {
    if (ev.type === "day_reset") {
      load();
      return;
    }
    if (ev.ticket && tickets.update(ev.ticket)) render();
    clearTimeout(soon);
    soon = setTimeout(async () => {
      try {
        const st = await get("/api/status");
        if (st.day !== tickets.day()) {
          load(); // a new service day: count again
          return;
        }
        await loadEvents(st.day);
        status = st;
        statusAt = Date.now();
        at = new Date();
        render();
      } catch (e) {
        if (e.status === 401) expired();
      }
    }, 300);
  }

  // "Longest waiting now" grows by itself.
  setInterval(() => {
    if (status && root.offsetParent) render();
  }, TICK_MS);

  return {
    render,
    load,
    event,
    status: () => status,
  };
}
