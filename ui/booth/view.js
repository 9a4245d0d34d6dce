// SPDX-License-Identifier: GPL-3.0-or-later
// Which screen the booth shows for a booth object of GET /api/booths/N (or a
// "booth" event), without any DOM: booth.js renders it, tests import it in
// Node (or read the screen's data-view attribute in the browser).
//
//   viewOf(booth, { now, endedMs, seen }) → {
//     view: "idle" | "calling" | "live" | "ended" | "fault",
//     phase: "calling" | "connecting"      (calling),
//     reconnecting: bool                     (live),
//     reason: expert_ended | customer_left | network_lost | no_answer | error | null (ended),
//     code, lang,                            the customer's ticket and language (or null)
//     session,                               the session object (calling, live)
//     kept,                                  fault: a ticket that just ended here keeps its place
//   }
//
// A session that ended stays on the screen as "ended" for endedMs after it
// ended (last.at, the board's clock) or after this page saw it end (seen, ms;
// the later of the two), then the booth is idle — or out of order.

export const ENDED_MS = 15000;

const PLACE_KEPT = new Set(["network_lost", "no_answer", "error"]);

export function viewOf(b, { now = Date.now(), endedMs = ENDED_MS, seen = 0 } = {}) {
  const s = b?.session;
  if (s) {
    const base = { code: s.code, lang: s.lang || null, session: s };
    if (s.state === "waiting" || s.state === "ringing") return { view: "calling", phase: "calling", ...base };
    if (s.state === "connecting" && !s.reconnecting) return { view: "calling", phase: "connecting", ...base };
    if (s.state === "connecting" || s.state === "live") {
      return { view: "live", reconnecting: Boolean(s.reconnecting), ...base };
    }
    // "ended": only for the moment before the booth turns idle.
    // The session says why it ended; the booth's "last" too, once it turns idle.
    const reason = b.last?.session === s.id ? b.last.reason : s.reason || null;
    return { view: "ended", reason, ...base };
  }
  const last = b?.last;
  const recent = last && now < Math.max((last.at || 0) * 1000, seen || 0) + endedMs;
  if (b?.state === "fault") {
    return { view: "fault", code: null, lang: null, kept: recent && PLACE_KEPT.has(last.reason) ? last.code : null };
  }
  if (recent) return { view: "ended", reason: last.reason || null, code: last.code, lang: last.lang || null };
  return { view: "idle", code: null, lang: null };
}

// When the ended screen of @b should give way (ms), or 0 when none shows.
export function endedUntil(b, { endedMs = ENDED_MS, seen = 0 } = {}) {
  if (b?.session || !b?.last) return 0;
  return Math.max((b.last.at || 0) * 1000, seen || 0) + endedMs;
}

// The expert's message as the customer reads it: a template in the page's
// language, or the expert's own words as they are.
export function messageText(t, m) {
  if (!m) return "";
  if (m.template) return t("msg_" + m.template);
  return m.text || "";
}

// The ended screen's title and text keys for a reason.
export function endedKeys(reason) {
  switch (reason) {
    case "network_lost":
      return { title: "ended_title_lost", text: "ended_network_lost" };
    case "no_answer":
      return { title: "ended_title_no_answer", text: "ended_no_answer" };
    case "error":
      return { title: "ended_title_error", text: "ended_error" };
    case "customer_left":
      return { title: "ended_title_thanks", text: "ended_customer_left" };
    default:
      return { title: "ended_title_thanks", text: "ended_expert_ended" };
  }
}
