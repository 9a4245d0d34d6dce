// SPDX-License-Identifier: GPL-3.0-or-later
// /hub/fleet — for technicians: every site of the region, its last seen (and
// "silent" after [fleet] silent-minutes), its faults (device, code, since),
// its outbox backlog (unsent, oldest) and its version.  GET /api/hub/fleet
// once, then each site's change over the WebSocket /api/hub/fleet/events
// (and everything again after a reconnect).
import { get, ApiError } from "/ui/common/api.js";
import { h, clear } from "/ui/common/dom.js";
import { live } from "/ui/common/live.js";
import { staffPage } from "/ui/common/staff.js";
import { hubWords, roleNameOf } from "/ui/hub/strings.js";

const t = await hubWords();
const $ = (id) => document.getElementById(id);
const sites = new Map(); // id → the fleet's view of the site
let stream = null;
let ticker = null;
const TZ = "Europe/Helsinki";

const roleName = roleNameOf(t);

function timeOf(unix) {
  if (!unix) return "–";
  return new Intl.DateTimeFormat(t.lang() + "-u-nu-latn", {
    timeZone: TZ, day: "numeric", month: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).format(new Date(unix * 1000));
}

function ago(unix) {
  const s = Math.max(0, Math.round(Date.now() / 1000 - unix));
  if (s < 90) return t("fleet_ago_s", { n: s });
  return t("fleet_ago_min", { n: Math.round(s / 60) });
}

// "Yhteispalvelupiste Kuohu / Samservicepunkt Kuohu / …" in the page's language
// where the site has it, else its main one.
function nameOf(s) {
  const parts = s.name.split(" / ");
  const i = (s.languages || []).indexOf(t.lang());
  return parts[i >= 0 && i < parts.length ? i : 0];
}

function row(s) {
  const faults = s.faults || [];
  const kind = s.silent ? "silent" : faults.length ? "fault" : "ok";
  const state = s.silent ? t("fleet_silent") : faults.length ? t("fleet_faulty") : t("fleet_ok");
  const backlog = s.backlog || { unsent: 0, oldest_at: null };
  return h("tr", { class: kind, "data-site": s.site },
    h("td", {}, h("span", { class: "id" }, s.site), s.name ? h("div", { class: "muted" }, nameOf(s)) : ""),
    h("td", { class: "state" }, state),
    h("td", { class: "seen" }, s.seen ? `${ago(s.seen)} (${timeOf(s.seen)})` : "–"),
    h("td", { class: "faults" }, faults.length
      ? h("ul", {}, ...faults.map((f) => h("li", {}, `${f.device} · ${f.code} · ${t("fleet_since", { time: timeOf(f.since) })}`)))
      : t("fleet_no_faults")),
    h("td", { class: "backlog" }, backlog.unsent
      ? t("fleet_backlog", { n: backlog.unsent, time: timeOf(backlog.oldest_at) })
      : t("fleet_backlog_none")),
    h("td", { class: "version" }, s.version || "–"));
}

function render() {
  $("fleet-title").textContent = t("fleet_title");
  const head = clear($("head"));
  for (const k of ["fleet_site", "fleet_state", "fleet_seen", "fleet_faults", "fleet_backlog_head", "fleet_version"]) {
    head.append(h("th", { scope: "col" }, t(k)));
  }
  const list = [...sites.values()].filter((s) => !s.removed).sort((a, b) => a.site.localeCompare(b.site));
  const body = clear($("rows"));
  for (const s of list) body.append(row(s));
  const silent = list.filter((s) => s.silent).length;
  const faulty = list.filter((s) => !s.silent && s.faults?.length).length;
  $("summary").textContent = t("fleet_summary", { n: list.length, silent, faulty });
  $("empty").hidden = list.length > 0;
  $("empty").textContent = t("fleet_empty");
}

async function loadAll() {
  try {
    const r = await get("/api/hub/fleet");
    sites.clear();
    for (const s of r.sites) sites.set(s.site, s);
    render();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) page.expired();
  }
}

const page = staffPage({
  roles: ["technician", "admin"],
  t,
  roleName,
  start() {
    loadAll();
    stream = live({
      path: "/api/hub/fleet/events",
      onEvent: (ev) => {
        if (ev.type === "site" && ev.site) {
          sites.set(ev.site.site, ev.site);
          render();
        }
      },
      onState: (s) => {
        $("offline").hidden = s === "open";
        if (s === "open") loadAll();
      },
    });
    // "3 min ago" grows without events.
    ticker = setInterval(render, 15000);
  },
  stop() {
    stream?.stop();
    stream = null;
    clearInterval(ticker);
  },
  relabel: render,
});
