// SPDX-License-Identifier: GPL-3.0-or-later
// The staff alarm (issue 17) on every staff page (/advisor, /expert,
// /manager, /tech): a red band at the top of the page while an alarm is
// open, naming the counter and who or what raised it, with a button to
// acknowledge it (which also puts the lamp out).  It reads GET /api/alarms
// after login and on reconnect, and follows the "alarm" event, which vuorod
// sends to staff sockets only: the waiting room never sees it.
//
//   const alarm = staffAlarm(t);   // t: the page's words, "alarm" namespace loaded
//   alarm.load(); alarm.event(ev); alarm.clear(); alarm.render();

import { get, post } from "/ui/common/api.js";
import { h, clear } from "/ui/common/dom.js";
import { siteNameIn } from "/ui/common/i18n.js";

export function staffAlarm(t, { onError = () => {} } = {}) {
  const open = new Map(); // id → alarm
  const box = h("section", { id: "staff-alarm", class: "staff-alarm", "aria-labelledby": "staff-alarm-h",
    hidden: true });
  const live = h("div", { role: "alert", class: "visually-hidden" });
  document.body.prepend(box, live);

  const raisedBy = (a) => (a.source === "gpio" ? t("alarm.by_button") : t("alarm.by_key", { user: a.raised_by || "?" }));
  const when = (a) => new Date(a.raised_at * 1000).toLocaleTimeString(t.lang(), { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

  async function acknowledge(a, button) {
    button.disabled = true;
    try {
      await post(`/api/alarms/${a.id}/acknowledge`);
    } catch (e) {
      if (e.status !== 404) onError(e); // 404: someone else acknowledged it first
    }
    open.delete(a.id);
    render();
  }

  function render() {
    clear(box);
    box.hidden = open.size === 0;
    if (!open.size) return;
    box.append(h("h2", { id: "staff-alarm-h" }, t("alarm.title")));
    const list = h("ul", {});
    for (const a of open.values()) {
      const name = a.counter_name ? siteNameIn(a.counter_name, t) : t("alarm.counter_n", { n: a.counter });
      const button = h("button", { type: "button", class: "ack" }, t("alarm.acknowledge"));
      button.setAttribute("aria-label", `${t("alarm.acknowledge")}: ${name}`); // the visible words first
      button.addEventListener("click", () => acknowledge(a, button));
      list.append(h("li", { dataset: { alarm: String(a.id) } },
        h("strong", { class: "where" }, name),
        h("span", {}, " · " + raisedBy(a) + " · " + when(a) + " "), button));
    }
    box.append(list);
  }

  return {
    async load() {
      try {
        const r = await get("/api/alarms");
        open.clear();
        for (const a of r.alarms) if (a.open) open.set(a.id, a);
        render();
      } catch (e) {
        onError(e);
      }
    },
    event(ev) {
      if (ev.type !== "alarm") return;
      const a = ev.alarm;
      if (a.open) {
        open.set(a.id, a);
        live.textContent = t("alarm.said", { counter: a.counter_name ? siteNameIn(a.counter_name, t) : a.counter });
      } else {
        open.delete(a.id);
      }
      render();
    },
    clear() {
      open.clear();
      render();
    },
    render,
  };
}
