// SPDX-License-Identifier: GPL-3.0-or-later
// Number displays: what each shows and its state (GET /api/displays), a test
// pattern per display and a scan of a bus for the Modbus units that answer.

import { get, post } from "/ui/common/api.js";
import { h, clear } from "/ui/common/dom.js";
import { t, word } from "./strings.js";
import { act, session } from "./util.js";

export function displaysCard(root, { changed } = {}) {
  let list = [];
  let error = null;
  const table = h("div", { class: "scroll", id: "displays-table", tabindex: "0", role: "region", "aria-labelledby": "displays-title" });
  const scanBox = h("div");

  function render() {
    clear(root);
    root.append(h("h2", { id: "displays-title" }, t("displays")), table, scanBox);
    paint();
  }

  function stateCell(d) {
    const bad = d.state === "failed" || d.state === "error";
    return [h("span", { class: "pill " + (bad ? "bad" : d.state === "ok" ? "good" : "warn"), dataset: { state: d.state } },
      word("disp_st_", d.state)),
      d.message ? h("div", { class: "small" }, d.message) : null];
  }

  // A row's cells are refilled in place, so a focused button keeps focus.
  function fill(r, d) {
    const cells = [
      `${d.bus} · ${d.wire} · ${t("unit_n", { n: d.unit })}`,
      `${d.map} · ${d.counter ? t("counter_n", { n: d.counter }) : t("all_calls")}`,
      stateCell(d),
      d.showing?.length ? d.showing.join(", ") : h("span", { class: "muted" }, t("nothing_shown")),
      `${d.writes} / ${d.errors}`,
      d.latency_ms == null ? "—" : `${d.latency_ms.toFixed(1)} ms`,
    ];
    cells.forEach((c, i) => {
      clear(r.cells[i]);
      r.cells[i].append(...[c].flat().filter(Boolean));
    });
  }

  function row(d) {
    const out = h("span", { class: "out" });
    const button = h("button", { type: "button", class: "secondary", "aria-label": t("test_pattern_on", { name: d.name }),
      dataset: { display: d.name } }, t("test_pattern"));
    button.addEventListener("click", () => act(button, out, async () => {
      const r = await post(`/api/displays/${encodeURIComponent(d.name)}/test`, { hold_ms: 5000 });
      if (r.display) {
        list = list.map((x) => (x.name === d.name ? r.display : x));
        paintTable();
      }
      changed?.();
      return r.ok ? t("pattern_ok") : { error: r.error };
    }));
    const cells = [0, 1, 2, 3, 4, 5].map((i) => h("td", { class: i >= 4 ? "num" : null }));
    const tr = h("tr", {}, h("th", { scope: "row" }, d.name), cells, h("td", {}, h("div", { class: "action" }, button, out)));
    return { tr, cells };
  }

  let rows = new Map();
  let tbody = null;

  function paintTable() {
    const names = list.map((d) => d.name).join();
    if (tbody && names === [...rows.keys()].join() && !error) {
      list.forEach((d) => fill(rows.get(d.name), d));
      return;
    }
    clear(table);
    rows = new Map();
    tbody = null;
    if (error) table.append(h("p", { role: "alert", class: "error" }, error));
    if (!list.length) {
      if (!error) table.append(h("p", { class: "muted" }, t("no_displays")));
      return;
    }
    tbody = h("tbody");
    for (const d of list) {
      const r = row(d);
      rows.set(d.name, r);
      fill(r, d);
      tbody.append(r.tr);
    }
    table.append(h("table", {},
      h("thead", {}, h("tr", {}, ["display", "where", "map", "state", "showing", "traffic", "latency", "test"]
        .map((k) => h("th", { scope: "col", class: k === "traffic" || k === "latency" ? "num" : null }, t(k))))),
      tbody));
  }

  // The scan form: bus from the displays' buses, a unit range.
  function paintScan() {
    const buses = [...new Set(list.map((d) => d.bus))];
    const keep = scanBox.querySelector("#scan-bus")?.value;
    clear(scanBox);
    if (!buses.length) return;
    const bus = h("select", { id: "scan-bus" }, buses.map((b) => h("option", { value: b, selected: b === keep }, b)));
    const from = h("input", { id: "scan-from", type: "number", min: "1", max: "247", value: "1", inputmode: "numeric" });
    const to = h("input", { id: "scan-to", type: "number", min: "1", max: "247", value: "16", inputmode: "numeric" });
    const go = h("button", { type: "submit", id: "scan-go" }, t("scan_go"));
    const out = h("div", { class: "out", id: "scan-out" });
    const form = h("form", { class: "scan", "aria-labelledby": "scan-title" },
      h("h3", { id: "scan-title" }, t("scan")),
      h("div", { class: "row" },
        h("div", { class: "field" }, h("label", { for: "scan-bus" }, t("bus")), bus),
        h("div", { class: "field" }, h("label", { for: "scan-from" }, t("from")), from),
        h("div", { class: "field" }, h("label", { for: "scan-to" }, t("to")), to),
        h("div", { class: "field end" }, go)),
      out);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const f = Number(from.value), tt = Number(to.value);
      act(go, out, async () => {
        const r = await post("/api/displays/scan", { bus: bus.value, from: f, to: tt });
        if (r.error) return { error: r.error };
        return r.units.length
          ? t("scan_found", { bus: bus.value, units: r.units.join(", ") })
          : { error: t("scan_none", { bus: bus.value, from: f, to: tt }) };
      });
    });
    scanBox.append(form);
  }

  function paint() {
    paintTable();
    if (!scanBox.firstChild) paintScan();
  }

  async function load() {
    try {
      const r = await get("/api/displays");
      const busesBefore = list.map((d) => d.bus).join();
      list = r.displays || [];
      error = null;
      paintTable();
      if (busesBefore !== list.map((d) => d.bus).join()) paintScan();
    } catch (e) {
      if (e.status === 401) session.expired();
      error = e.message;
      paintTable();
    }
  }

  return {
    render() {
      clear(scanBox);
      tbody = null; // new words: build the table again
      render();
    },
    load,
  };
}
