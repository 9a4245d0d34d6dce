// SPDX-License-Identifier: GPL-3.0-or-later
// Today's tickets, all of them: GET /api/queue?day=today gives the whole
// service day from the store, finished tickets too (plain GET /api/queue
// holds only the ones in line or at a counter).  Live events (staff get the
// whole ticket) keep the list current between loads.

import { get } from "/ui/common/api.js";

export function todaysTickets() {
  let day = null;
  const byId = new Map(); // today's tickets and the live ones of other days
  let live = new Set(); // ids in line or at a counter now

  const final = (tk) => ["done", "no_show", "cancelled", "voided"].includes(tk.state);

  function remember(tk) {
    if (tk?.id && (tk.day >= day || live.has(tk.id))) byId.set(tk.id, tk);
  }

  // Reads today's tickets again; `queue` is GET /api/queue's list (tickets in
  // line now, of any day).
  async function load(today, queue) {
    if (today !== day) {
      day = today;
      byId.clear();
    }
    live = new Set(queue.map((tk) => tk.id));
    const all = await get("/api/queue?day=today");
    byId.clear();
    for (const tk of all.tickets || []) remember(tk);
    for (const tk of queue) remember(tk);
  }

  return {
    load,
    // A live event's ticket: today's or one still in line.
    update(tk) {
      if (!tk?.id || day === null) return false;
      if (final(tk)) live.delete(tk.id);
      else live.add(tk.id);
      remember(tk);
      if (tk.day < day && final(tk)) byId.delete(tk.id);
      return true;
    },
    // Every ticket in line now (any day) and every ticket of today.
    all() {
      return [...byId.values()].filter((tk) => tk.day === day || live.has(tk.id));
    },
    day: () => day,
  };
}
