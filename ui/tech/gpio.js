// SPDX-License-Identifier: GPL-3.0-or-later
// Buttons and lamps: the lines (GET /api/gpio), read every 500 ms while the
// card is on screen and "watch inputs" is ticked; lamps switched on and off
// (POST /api/gpio/lamp); on the sim board a press per button (POST
// /api/gpio/sim) — the press buttons go away once the API says not_sim.

import { get, post } from "/ui/common/api.js";
import { h, clear } from "/ui/common/dom.js";
import { t } from "./strings.js";
import { act, session } from "./util.js";

const POLL_MS = 500;
const NUMERIC = ["line", "presses", "ignored"];

export function gpioCard(root) {
  let lines = [];
  let error = null;
  let real = false; // the API said not_sim: no press buttons
  let watching = true; // the "watch inputs" box
  let enabled = false; // logged in, page shown
  let onScreen = false;
  let timer = null;
  let busy = false;
  let rows = new Map();
  const body = h("div", { class: "scroll", id: "gpio-table", tabindex: "0", role: "region", "aria-labelledby": "gpio-title" });
  const note = h("div");

  function render() {
    clear(root);
    const box = h("input", { type: "checkbox", id: "gpio-watch", checked: watching });
    box.addEventListener("change", () => {
      watching = box.checked;
      schedule();
    });
    root.append(
      h("div", { class: "card-head" }, h("h2", { id: "gpio-title" }, t("gpio")),
        h("div", { class: "check" }, box, h("label", { for: "gpio-watch" }, t("watch")))),
      note, body);
    rows = new Map();
    paint();
  }

  function valueText(l) {
    if (l.kind === "lamp") return l.value ? t("lamp_on") : t("lamp_off");
    return l.value ? t("pressed") : t("released");
  }

  function row(l) {
    const out = h("span", { class: "out" });
    const cells = { value: h("td", { dataset: { col: "value" } }), presses: h("td", { class: "num", dataset: { col: "presses" } }),
      ignored: h("td", { class: "num", dataset: { col: "ignored" } }) };
    let button;
    if (l.kind === "lamp") {
      button = h("button", { type: "button", class: "secondary", dataset: { lamp: l.name } });
      button.addEventListener("click", () => {
        const on = !(lines.find((x) => x.name === l.name)?.value);
        act(button, out, async () => {
          await post("/api/gpio/lamp", { name: l.name, on });
          await load();
          return on ? t("lamp_set_on") : t("lamp_set_off");
        });
      });
    } else {
      button = h("button", { type: "button", class: "secondary press", dataset: { press: l.name },
        "aria-label": t("press_n", { name: l.name }), hidden: real }, t("press"));
      button.addEventListener("click", () => act(button, out, async () => {
        try {
          await post("/api/gpio/sim", { name: l.name, hold_ms: 100 });
        } catch (e) {
          if (e.code !== "not_sim") throw e;
          real = true;
          paintNote();
          root.querySelectorAll("button.press").forEach((b) => (b.hidden = true));
          return "";
        }
        return t("pressed_ok");
      }));
    }
    const tr = h("tr", {},
      h("th", { scope: "row" }, l.name),
      h("td", {}, t(l.kind)),
      h("td", { class: "num" }, String(l.line)),
      cells.value, cells.presses, cells.ignored,
      h("td", {}, h("div", { class: "action" }, button, out)));
    return { tr, cells, button };
  }

  // Refills the changing cells; flags a value that changed since last time.
  function fill(r, l, before) {
    const v = valueText(l);
    if (r.cells.value.textContent !== v) {
      r.cells.value.textContent = v;
      r.cells.value.classList.toggle("active", !!l.value);
    }
    r.cells.presses.textContent = l.kind === "lamp" ? "—" : String(l.presses);
    r.cells.ignored.textContent = l.kind === "lamp" ? "—" : String(l.ignored);
    if (before && l.kind === "button" && before.presses !== l.presses) {
      r.cells.presses.classList.remove("flash");
      void r.cells.presses.offsetWidth; // restart the animation
      r.cells.presses.classList.add("flash");
    }
    if (l.kind === "lamp") {
      r.button.textContent = l.value ? t("switch_off") : t("switch_on");
      r.button.setAttribute("aria-label", t(l.value ? "switch_off_n" : "switch_on_n", { name: l.name }));
    }
  }

  function paintNote() {
    clear(note);
    if (real) note.append(h("p", { class: "notice" }, t("real_gpio")));
    if (error) note.append(h("p", { role: "alert", class: "error" }, error));
  }

  function paint(previous = []) {
    paintNote();
    const names = lines.map((l) => l.name).join();
    if (names !== [...rows.keys()].join() || !body.firstChild) {
      clear(body);
      rows = new Map();
      if (!lines.length) return;
      const tbody = h("tbody");
      for (const l of lines) {
        const r = row(l);
        rows.set(l.name, r);
        tbody.append(r.tr);
      }
      body.append(h("table", {},
        h("thead", {}, h("tr", {}, ["name", "kind", "line", "value", "presses", "ignored", "action"]
          .map((k) => h("th", { scope: "col", class: NUMERIC.includes(k) ? "num" : null }, t(k))))),
        tbody));
    }
    const old = new Map(previous.map((l) => [l.name, l]));
    for (const l of lines) fill(rows.get(l.name), l, old.get(l.name));
  }

  async function load() {
    if (busy) return;
    busy = true;
    try {
      const r = await get("/api/gpio");
      const previous = lines;
      lines = r.lines || [];
      error = null;
      paint(previous);
    } catch (e) {
      if (e.status === 401) {
        enabled = false;
        session.expired();
      }
      error = e.code === "no_gpio" ? t("no_gpio", { msg: e.message }) : e.message;
      lines = [];
      paint();
    } finally {
      busy = false;
    }
  }

  // Poll only while someone can see it: on screen, tab visible, box ticked.
  function schedule() {
    clearTimeout(timer);
    timer = null;
    if (!enabled || !watching || !onScreen || document.hidden) return;
    timer = setTimeout(async () => {
      await load();
      schedule();
    }, POLL_MS);
  }

  new IntersectionObserver((entries) => {
    onScreen = entries.some((e) => e.isIntersecting);
    schedule();
  }).observe(root);
  document.addEventListener("visibilitychange", schedule);

  return {
    render,
    load,
    stop() {
      enabled = false;
      schedule();
    },
    start() {
      enabled = true;
      schedule();
    },
  };
}
