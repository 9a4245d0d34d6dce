// SPDX-License-Identifier: GPL-3.0-or-later
// Bar charts as inline SVG, built with DOM calls (no chart library; the
// page's CSP allows no inline style, so colours are SVG attributes).
//
//   barChart({ id, title, cats, series: [{ name, values }], stacked,
//              horizontal, fmt, unit, integer })
//
// returns a <figure>: the SVG (role="img", its <title> and a <desc> that
// reads out every figure), a legend in plain text, and a caption.  Each bar
// has its own <title> (the tooltip).  Horizontal charts put long names (the
// providers') on the left.  The caller shows the figures as a table too.

import { h } from "/ui/common/dom.js";

const NS = "http://www.w3.org/2000/svg";
// At least 4.5:1 on white (WCAG 1.4.11 needs 3:1 for graphics), told apart
// by lightness too, and separated by white gaps.
export const COLOURS = ["#0b4f8a", "#a4161a", "#1e6b2f", "#8a4b00", "#5b2a86", "#005f73"];

export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// The axis: a step of 1, 2, 2.5 or 5 times a power of ten (whole numbers
// for counts), at most five of them up to the top.
function axis(max, integer) {
  if (!(max > 0)) return { top: integer ? 4 : 1, step: integer ? 1 : 0.25 };
  const raw = max / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  let step = 10 * p;
  for (const m of integer ? [1, 2, 5, 10] : [1, 2, 2.5, 5, 10]) {
    if (m * p >= raw) {
      step = m * p;
      break;
    }
  }
  if (integer) step = Math.max(1, Math.round(step));
  return { top: Math.ceil(max / step - 1e-9) * step, step };
}

// A name cut to fit a label column, the whole name in the tooltip.
function cut(text, n) {
  return text.length > n ? text.slice(0, n - 1) + "…" : text;
}

let serial = 0;

export function barChart({ id, title, cats, series, stacked = false, horizontal = false, fmt = String, unit = "",
  integer = false }) {
  const uid = id || `chart-${++serial}`;
  const val = (s, i) => Math.max(0, Number(s.values[i]) || 0);
  const heights = cats.map((_, i) => (stacked ? series.reduce((a, s) => a + val(s, i), 0)
    : Math.max(0, ...series.map((s) => val(s, i)))));
  const { top, step } = axis(Math.max(0, ...heights), integer);
  const perCat = horizontal ? (stacked || series.length === 1 ? 26 : 14 * series.length + 10) : 0;
  const W = 640;
  const H = horizontal ? 30 + perCat * cats.length + 10 : 250;
  const L = horizontal ? 200 : 52;
  const R = 16;
  const T = horizontal ? 26 : 14;
  const B = horizontal ? 10 : 34;
  const len = horizontal ? W - L - R : H - T - B; // the value axis
  const band = (horizontal ? H - T - B : W - L - R) / Math.max(1, cats.length);
  const pos = (v) => (v / top) * len; // length of a value
  const parts = [];

  // Grid lines and their values.
  for (let v = 0; v <= top + 1e-9; v += step) {
    const text = fmt(v) + (unit && v + step > top + 1e-9 ? ` ${unit}` : "");
    const line = { stroke: v ? "#c7ccd4" : "#4d4d4d", "stroke-width": 1 };
    if (horizontal) {
      parts.push(svg("line", { x1: L + pos(v), x2: L + pos(v), y1: T - 4, y2: H - B, ...line }),
        svg("text", { x: L + pos(v), y: T - 10, "text-anchor": "middle", "font-size": 11, fill: "currentColor" }, text));
    } else {
      const y = T + len - pos(v);
      parts.push(svg("line", { x1: L, x2: W - R, y1: y, y2: y, ...line }),
        svg("text", { x: L - 6, y: y + 4, "text-anchor": "end", "font-size": 11, fill: "currentColor" }, text));
    }
  }
  cats.forEach((cat, i) => {
    const c0 = (horizontal ? T : L) + i * band;
    const inner = band * (stacked || series.length === 1 ? 0.7 : 0.84);
    const start = c0 + (band - inner) / 2;
    let base = 0;
    series.forEach((s, j) => {
      const v = val(s, i);
      const thick = stacked ? inner : inner / series.length;
      const across = stacked ? start : start + j * thick;
      const from = stacked ? base : 0;
      base += v;
      if (!v) return;
      const gap = stacked ? 0 : 1;
      const rect = horizontal
        ? { x: L + pos(from), y: across + gap, width: Math.max(0.5, pos(v)), height: Math.max(1, thick - 2 * gap) }
        : { x: across + gap, y: T + len - pos(from + v), width: Math.max(1, thick - 2 * gap), height: Math.max(0.5, pos(v)) };
      parts.push(svg("rect", { ...rect, fill: COLOURS[j % COLOURS.length], stroke: "#ffffff",
        "stroke-width": stacked ? 1 : 0 },
      svg("title", {}, `${cat} — ${s.name}: ${fmt(v)}${unit ? " " + unit : ""}`)));
    });
    parts.push(horizontal
      ? svg("text", { x: L - 8, y: c0 + band / 2 + 5, "text-anchor": "end", "font-size": 13, fill: "currentColor" },
        svg("title", {}, cat), cut(cat, 27))
      : svg("text", { x: c0 + band / 2, y: H - B + 16, "text-anchor": "middle", "font-size": cats.length > 12 ? 10 : 12,
        fill: "currentColor" }, cat));
  });
  const desc = cats.map((cat, i) => `${cat}: ` + series.map((s) => `${series.length > 1 ? s.name + " " : ""}${fmt(val(s, i))}`)
    .join(", ")).join("; ");
  const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", class: "chart",
    "aria-labelledby": `${uid}-title ${uid}-desc`, id: uid },
  svg("title", { id: `${uid}-title` }, title),
  svg("desc", { id: `${uid}-desc` }, desc),
  parts);
  const legend = series.length > 1
    ? h("ul", { class: "legend", "aria-hidden": "true" }, series.map((s, j) => h("li", {},
      svg("svg", { width: 14, height: 14, viewBox: "0 0 14 14", "aria-hidden": "true" },
        svg("rect", { width: 14, height: 14, fill: COLOURS[j % COLOURS.length] })), " ", s.name)))
    : null;
  return h("figure", { class: "chart-figure" }, chart, legend);
}
