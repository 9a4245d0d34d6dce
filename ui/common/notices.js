// SPDX-License-Identifier: GPL-3.0-or-later
// Notices for the citizens' pages (/display, /kiosk): GET /api/notices/current
// lists the notices shown now, each with its text in every site language
// ("shown": the main language stands in for one not written) and the texts
// as written ("texts").  A page re-reads on the "notices" event, when its
// socket opens, and when the next notice starts or ends (next_change_in_s):
// a notice appears and goes away on time without an event.
//
//   const n = noticeFeed(() => render());
//   n.list()            [{id, texts, shown, start, end}]
//   n.load()            re-read now (on "notices", on open)

import { get } from "/ui/common/api.js";

export function noticeFeed(onChange) {
  let list = [];
  let timer = null;
  let seq = 0;

  async function load() {
    const mine = ++seq;
    let r;
    try {
      r = await get("/api/notices/current");
    } catch {
      return; // the page's offline banner says it; the socket's reconnect loads again
    }
    if (mine !== seq) return; // a newer read is under way
    list = r.notices || [];
    clearTimeout(timer);
    // A second after the change: vuorod's clock decides, not the browser's.
    if (r.next_change_in_s != null) timer = setTimeout(load, Math.min(r.next_change_in_s + 1, 86400) * 1000);
    onChange(list);
  }

  return { load, list: () => list };
}
