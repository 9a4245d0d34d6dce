// SPDX-License-Identifier: GPL-3.0-or-later
// The kiosk's words are kiosk.* in the message catalogs (ui/i18n/LANG.json).
// The refusal names (refusal_*) are queue_refusal_name() in firmware/queue.c;
// the check-in errors (checkin_*) are the error codes POST /api/checkin
// answers with (firmware/desk.c desk_checkin, mapped to HTTP in api.c).

import { pick } from "/ui/common/i18n.js";

// A minute of the day (opens_min, closes_min from /api/status) as people
// write it: "08.00" in Finnish, Swedish and Northern Sámi, "08:00" elsewhere.
const DOT_CLOCK = ["fi", "sv", "se"];
export function clock(min, lang = "en") {
  const h = Math.floor(min / 60);
  const m = min % 60;
  return String(h).padStart(2, "0") + (DOT_CLOCK.includes(lang) ? "." : ":") + String(m).padStart(2, "0");
}

// The words for a service that cannot be drawn now (s: a service of
// GET /api/status, or the same names after a refused POST).
export function refusalText(t, refusal, s = {}) {
  const lang = t.lang();
  const known = (m) => Number.isInteger(m) && m >= 0;
  switch (refusal) {
    // A remote service nobody can answer now (the hub's presence: no expert
    // of its provider online; or every booth out of order): what else to do.
    case "no_expert":
    case "no_booth":
      return (refusal === "no_expert" ? t("refusal_no_expert") : t("refusal_no_booth")) + ". " + (s.instead
        ? t("instead_counter", { service: pick(s.instead.names, lang) || s.instead.code })
        : t("instead_booking"));
    case "closed_today":
      // A holiday or closed day (opening-hour exceptions): with its reason.
      return s.exception?.closed
        ? t("hours_closed_reason", { reason: pick(s.exception.names, lang) })
        : t("refusal_closed_today");
    case "not_yet_open":
      return known(s.opens_min) ? t("refusal_not_yet_open", { time: clock(s.opens_min, lang) })
        : t("refusal_not_yet_open_any");
    case "closed_for_day":
      return t("refusal_closed_for_day");
    case "last_ticket":
      return known(s.closes_min) && known(s.last_ticket_min)
        ? t("refusal_last_ticket", {
          min: s.last_ticket_min,
          time: clock(s.closes_min - s.last_ticket_min, lang),
        })
        : t("refusal_last_ticket_any");
    case "full":
      return t("refusal_full");
    default:
      return t("refusal_refused");
  }
}

// A date of /api/status ("2026-12-07") as the citizen's language writes a
// weekday and a date; the ISO date where the browser lacks the language.
function dayText(iso, lang) {
  try {
    return new Intl.DateTimeFormat(lang, { weekday: "long", day: "numeric", month: "numeric", timeZone: "UTC" })
      .format(new Date(iso + "T12:00:00Z"));
  } catch {
    return iso;
  }
}

// When a closed service opens next (s.next_open of /api/status), "" unknown.
export function nextOpenText(t, s = {}) {
  const n = s.next_open;
  if (!n || s.open) return "";
  const lang = t.lang();
  return t("hours_next_open", { date: dayText(n.date, lang), time: clock(n.min, lang) });
}

// Today's special hours (an evening opening), "" when the week's hold.
export function specialHoursText(t, s = {}) {
  const e = s.exception;
  if (!e || e.closed) return "";
  const lang = t.lang();
  return t("hours_special", { from: clock(e.opens_min, lang), to: clock(e.closes_min, lang),
    reason: pick(e.names, lang) });
}
