// SPDX-License-Identifier: GPL-3.0-or-later
// /hub/billing: a provider's statement for a month (GET
// /api/hub/billing/statements), its CSV, printing on A4, and closing an
// ended month (an admin).  A provider's manager sees its own provider only.

import { get, post } from "/ui/common/api.js";
import { h, clear } from "/ui/common/dom.js";
import { staffPage, say } from "/ui/common/staff.js";
import { hubWords, roleNameOf } from "/ui/hub/strings.js";

const words = await hubWords();
// The shell's "title" is this page's.
const t = Object.assign((id, vars) => words(id === "title" ? "billing_title" : id, vars), words);
const $ = (id) => document.getElementById(id);
let me = null;
let periods = null;
let shown = null;

const LOCALES = { fi: "fi-FI", sv: "sv-FI", en: "en-GB" };
const locale = () => LOCALES[t.lang()] || t.lang();
const money = (cents, currency) =>
  cents == null ? "—" : new Intl.NumberFormat(locale(), { style: "currency", currency }).format(cents / 100);
const count = (n) => new Intl.NumberFormat(locale()).format(n);
const monthText = (p) => {
  const m = /^(\d{4})-(\d\d)$/.exec(p || "");
  return m ? new Intl.DateTimeFormat(locale(), { month: "long", year: "numeric", timeZone: "UTC" })
    .format(Date.UTC(+m[1], +m[2] - 1, 1)) : p;
};
const timeText = (iso) => new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short" })
  .format(new Date(iso));
const channelText = (c) => {
  const k = "billing_channel_" + c;
  const s = t(k);
  return s === k ? c : s;
};

function labels() {
  for (const [id, key] of [["provider-label", "billing_provider"], ["period-label", "billing_period"],
    ["show", "billing_show"], ["print", "billing_print"], ["csv", "billing_csv"], ["close", "billing_close"]]) {
    $(id).textContent = t(key);
  }
}

function fillPickers() {
  const prov = $("provider");
  const keep = prov.value;
  clear(prov);
  for (const p of periods.providers) prov.append(h("option", { value: p }, p));
  if (periods.providers.includes(keep)) prov.value = keep;
  prov.disabled = me.role === "provider-manager";
  const per = $("period");
  const keepPeriod = per.value || periods.current;
  clear(per);
  for (const p of periods.periods) {
    per.append(h("option", { value: p.period },
      `${monthText(p.period)} — ${t(p.state === "closed" ? "billing_state_closed" : "billing_state_open")}`));
  }
  per.value = keepPeriod;
}

function table(head, rows, numeric) {
  return h("table", {},
    h("thead", {}, h("tr", {}, ...head.map((x, i) => h("th", { scope: "col", class: numeric.includes(i) ? "num" : "" }, x)))),
    h("tbody", {}, ...rows.map((r) => h("tr", { class: r.cls || "" },
      ...r.cells.map((x, i) => h("td", { class: numeric.includes(i) ? "num" : "" }, x))))));
}

function render() {
  labels();
  const out = $("statement");
  clear(out);
  if (!shown) return;
  const st = shown;
  const cur = st.currency;
  const closable = me.role === "admin" && st.state === "open" && st.period < periods.current;
  $("close").hidden = !closable;
  $("csv").href = `/api/hub/billing/statements?provider=${encodeURIComponent(st.provider)}&period=${st.period}&format=csv`;
  out.append(h("h2", { id: "statement-title" }, t("billing_statement_of", { provider: st.provider, period: monthText(st.period) })));
  out.append(h("p", { class: "state", id: "statement-state" }, st.state === "closed"
    ? t("billing_closed", { at: timeText(st.closed_at), user: st.closed_by })
    : t("billing_open")));
  if (st.unpriced.length) {
    out.append(h("p", { class: "warn", role: "alert" }, t("billing_unpriced", { keys: st.unpriced.join(", ") })));
  }
  // Visits of services (or sites) on trial: counted here, never billed.
  const trial = () => {
    if (!st.trial?.length) return;
    out.append(h("h3", { id: "trial-h" }, t("billing_trial")));
    out.append(h("p", { class: "muted" }, t("billing_trial_def")));
    out.append(table([t("billing_site"), t("billing_service"), t("billing_channel"), t("billing_events")],
      st.trial.map((x) => ({ cells: [x.site, x.service, channelText(x.channel), count(x.events)] })), [3]));
  };
  if (!st.lines.length) {
    out.append(h("p", { id: "statement-none" }, t("billing_none")));
    trial();
    return;
  }
  out.append(h("h3", {}, t("billing_lines")));
  out.append(table(
    [t("billing_site"), t("billing_service"), t("billing_channel"), t("billing_events"), t("billing_unit"), t("billing_amount")],
    st.lines.map((l) => ({
      cls: l.adjustment ? "adjustment" : "",
      cells: [l.adjustment ? `${l.site} — ${t("billing_adjustment", { period: monthText(l.belongs_to) })}` : l.site,
        l.service, channelText(l.channel), count(l.events), money(l.unit_cents, cur), money(l.amount_cents, cur)],
    })), [3, 4, 5]));
  out.append(h("h3", {}, t("billing_by_service")));
  out.append(table(
    [t("billing_service"), t("billing_channel"), t("billing_events"), t("billing_amount")],
    st.services.map((s) => ({ cells: [s.service, channelText(s.channel), count(s.events), money(s.amount_cents, cur)] })),
    [2, 3]));
  out.append(h("h3", {}, t("billing_by_site")));
  const tot = st.total;
  out.append(table(
    [t("billing_site"), t("billing_events"), t("billing_adjustments_total"), t("billing_amount")],
    [...st.sites.map((s) => ({ cells: [s.site, count(s.events), money(s.adjustment_cents, cur), money(s.amount_cents, cur)] })),
      { cls: "sum", cells: [t("billing_total"), count(tot.events), money(tot.adjustment_cents, cur), money(tot.amount_cents, cur)] }],
    [1, 2, 3]));
  trial();
}

async function show() {
  const provider = $("provider").value;
  const period = $("period").value;
  if (!provider) {
    say($("out"), t("billing_no_provider"), "error");
    return;
  }
  try {
    shown = await get(`/api/hub/billing/statements?provider=${encodeURIComponent(provider)}&period=${period}`);
    say($("out"), "");
  } catch (e) {
    if (e.status === 401) return page.expired();
    shown = null;
    say($("out"), t("billing_failed", { msg: e.message }), "error");
  }
  render();
}

async function load() {
  try {
    periods = await get("/api/hub/billing/periods");
  } catch (e) {
    if (e.status === 401) return page.expired();
    say($("out"), t("billing_failed", { msg: e.message }), "error");
    return;
  }
  fillPickers();
  await show();
}

$("pick").addEventListener("submit", (e) => {
  e.preventDefault();
  show();
});
$("print").addEventListener("click", () => window.print());
$("close").addEventListener("click", async () => {
  const period = shown?.period;
  if (!period || !window.confirm(t("billing_close_confirm", { period: monthText(period) }))) return;
  say($("out"), t("billing_closing"), "busy");
  try {
    await post(`/api/hub/billing/periods/${period}/close`);
    periods = await get("/api/hub/billing/periods");
    fillPickers();
    await show();
    say($("out"), t("billing_closed_ok", { period: monthText(period) }));
  } catch (e) {
    if (e.status === 401) return page.expired();
    say($("out"), e.message, "error");
  }
});

const page = staffPage({
  roles: ["admin", "manager", "provider-manager"],
  t,
  roleName: roleNameOf(t),
  start(who) {
    me = who;
    labels();
    load();
  },
  stop() {
    me = null;
    shown = null;
  },
  relabel() {
    if (periods) fillPickers();
    render();
  },
});
