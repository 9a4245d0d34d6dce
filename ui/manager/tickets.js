// SPDX-License-Identifier: GPL-3.0-or-later
// Today's tickets, all of them.  GET /api/queue holds only the tickets still
// in line or at a counter; finished ones are read with GET /api/tickets/N.
// Ticket ids grow by one per ticket and never go back a day, so today's are
// one range of ids: its start is found by a binary search on the ticket's
// day, its end by probing past the highest id known.  Finished tickets never
// change again and are kept; live events (staff get the whole ticket) keep
// the rest current without asking again.

import { get } from "/ui/common/api.js";

const PARALLEL = 6;

export function todaysTickets() {
  let day = null;
  let firstId = null; // today's first ticket id (null: none today yet)
  const byId = new Map(); // today's tickets and the live ones of other days
  let live = new Set(); // ids in line or at a counter now

  const final = (tk) => ["done", "no_show", "cancelled", "voided"].includes(tk.state);

  async function ticket(id) {
    try {
      return await get(`/api/tickets/${id}`);
    } catch (e) {
      if (e.status === 404) return null;
      throw e;
    }
  }

  // The highest ticket id there is, starting from one that exists (or 0).
  async function lastId(known) {
    let lo = known; // exists (or 0)
    let step = 1;
    let hi = null; // does not exist
    while (hi === null) {
      const tk = await ticket(lo + step);
      if (tk) {
        remember(tk);
        lo += step;
        step *= 2;
      } else {
        hi = lo + step;
      }
    }
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      const tk = await ticket(mid);
      if (tk) {
        remember(tk);
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  // The first id in [1, last] whose day is today: days never go down.
  async function firstOfDay(last) {
    let lo = 1;
    let hi = last + 1; // answer in [lo, hi]; hi = none today
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const tk = byId.get(mid) || (await ticket(mid));
      if (tk) remember(tk);
      if (!tk || tk.day >= day) hi = mid;
      else lo = mid + 1;
    }
    return lo <= last ? lo : null;
  }

  // Keeps today's tickets (the search also reads older ones: not those).
  function remember(tk) {
    if (tk?.id && (tk.day >= day || live.has(tk.id))) byId.set(tk.id, tk);
  }

  // Reads today's tickets again; `queue` is GET /api/queue's list.
  async function load(today, queue) {
    if (today !== day) {
      day = today;
      firstId = null;
      byId.clear();
    }
    live = new Set(queue.map((tk) => tk.id));
    for (const [id, tk] of byId) if (tk.day < day && !live.has(id)) byId.delete(id);
    for (const tk of queue) remember(tk);
    const known = Math.max(0, ...byId.keys());
    const last = await lastId(byId.has(known) ? known : 0);
    if (!last) return;
    if (firstId === null) firstId = await firstOfDay(last);
    if (firstId === null) return;
    const want = [];
    for (let id = firstId; id <= last; id++) {
      const tk = byId.get(id);
      // Finished ones stay finished; a ticket gone from the queue has moved on.
      if (!tk || (!final(tk) && !live.has(id))) want.push(id);
    }
    for (let i = 0; i < want.length; i += PARALLEL) {
      const got = await Promise.all(want.slice(i, i + PARALLEL).map(ticket));
      got.forEach(remember);
    }
  }

  return {
    load,
    // A live event's ticket: today's or one still in line.
    update(tk) {
      if (!tk?.id || day === null) return false;
      if (tk.day === day && (firstId === null || tk.id < firstId)) firstId = tk.id;
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
