// SPDX-License-Identifier: GPL-3.0-or-later
// Health at the top (GET /api/health: status, faults, version, uptime) and
// the disk-and-database card, which reads the same answer.

import { get } from "/ui/common/api.js";
import { h, clear } from "/ui/common/dom.js";
import { t } from "./strings.js";
import { act, action, facts, megabytes, uptime, clock, session } from "./util.js";

export function healthCard(root, { onData } = {}) {
  let data = null;
  let error = null;
  let at = null;
  const body = h("div", { class: "health-body" });
  const out = h("span", { class: "out" });

  function render() {
    clear(root);
    const refresh = h("button", { type: "button", class: "secondary" }, t("refresh"));
    refresh.addEventListener("click", () => act(refresh, out, async () => { await load(); return ""; }));
    root.append(
      h("div", { class: "card-head" }, h("h2", { id: "health-title" }, t("health")),
        h("div", { class: "action" }, refresh, out)),
      body);
    paint();
  }

  function paint() {
    clear(body);
    if (error) body.append(h("p", { role: "alert", class: "error" }, error));
    if (!data) return;
    const ok = data.status === "ok";
    body.append(
      h("p", { class: "overall " + (ok ? "good" : "bad"), id: "overall" },
        h("span", { class: "badge", "aria-hidden": "true" }, ok ? "✓" : "!"),
        ok ? t("status_ok") : t("status_degraded")),
      h("h3", {}, t("faults")),
      data.faults?.length
        ? h("ul", { class: "faults", id: "faults" }, data.faults.map((f) => h("li", {}, f)))
        : h("p", { class: "muted", id: "faults" }, t("no_faults")),
      facts([
        [t("version"), data.version],
        [t("uptime"), uptime(data.uptime_s)],
        [t("site"), data.site],
      ]),
      h("p", { class: "muted small" }, t("updated", { time: clock(at) })));
  }

  async function load() {
    try {
      const answer = await get("/api/health");
      // Without a session the answer carries the status only: log in again.
      if (!("faults" in answer)) { session.expired(); return; }
      data = answer;
      error = null;
      at = new Date();
      onData?.(data);
    } catch (e) {
      if (e.status === 401) session.expired();
      error = e.message;
    }
    paint();
  }

  return { render, load };
}

// Disk figures come from the health answer; the actions are the database's.
export function diskCard(root) {
  let disk = null;
  const state = h("div");

  function render() {
    clear(root);
    const check = action(t("db_check"), (b, out) => act(b, out, dbCheck), { id: "db-check" });
    const stamp = new Date().toISOString().slice(0, 10);
    root.append(
      h("h2", { id: "disk-title" }, t("disk")),
      state,
      h("div", { class: "actions" },
        check.row,
        h("div", { class: "action" },
          h("a", { class: "button secondary", id: "backup", href: "/api/db/backup",
            download: `vuoro-backup-${stamp}.db` }, t("backup")),
          h("span", { class: "muted small" }, t("backup_hint")))));
    paint();
  }

  function paint() {
    clear(state);
    if (!disk) return;
    state.append(facts([
      [t("free"), t("free_of", { free: megabytes(disk.free_mb), total: megabytes(disk.total_mb) }),
        disk.ok ? null : "bad"],
      [t("read_only"), disk.read_only ? t("yes") : t("no"), disk.read_only ? "bad" : null],
      [t("path"), disk.path],
      disk.message && [t("message"), disk.message, "bad"],
    ]));
  }

  return {
    render,
    set(d) {
      disk = d;
      paint();
    },
  };
}

// GET /api/db/check by hand: a damaged database answers 500 with the
// integrity report in the body, which ApiError would not carry.
async function dbCheck() {
  let res;
  try {
    res = await fetch("/api/db/check", { credentials: "same-origin", cache: "no-store" });
  } catch (e) {
    throw Object.assign(new Error("vuorod cannot be reached: " + e.message), { status: 0 });
  }
  const r = await res.json().catch(() => ({}));
  if (res.ok && r.ok) return t("db_ok", { report: r.integrity });
  if (r.integrity) return { error: t("db_bad", { report: r.integrity }) };
  throw Object.assign(new Error(r.message || `GET /api/db/check: HTTP ${res.status}`), { status: res.status });
}
