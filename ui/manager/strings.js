// SPDX-License-Identifier: GPL-3.0-or-later
// The manager page's words: manager.* in the message catalogs (ui/i18n/LANG.json).

import { i18n } from "/ui/common/i18n.js";

export const t = await i18n(["manager", "alarm"]);

export const roleName = (role) => {
  const name = t("role_" + role);
  return name === "role_" + role ? role : name;
};

// "3 min 5 s", "45 s", "1 h 2 min"; "—" when there is nothing to show.
export function duration(s) {
  if (s == null || !Number.isFinite(s)) return "—";
  s = Math.round(s);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

// Dates in the page's language (Intl.DateTimeFormat), never ISO.  A service
// day is a UTC day number (days since 1970-01-01), so it is formatted in UTC.
const LOCALES = { fi: "fi-FI", sv: "sv-FI", en: "en-GB" };
export const locale = () => LOCALES[t.lang()] || t.lang();
const fmt = (opts) => new Intl.DateTimeFormat(locale(), { timeZone: "UTC", ...opts });

// "3. joulukuuta 2026", "3 december 2026", "3 December 2026".
export const dayText = (day) => fmt({ day: "numeric", month: "long", year: "numeric" }).format(new Date(day * 86400000));

// A report's period label: "2026-12" → "joulukuu 2026", "2026-12-03" → "3.12.2026",
// "2026-W49" → "viikko 49 / 2026"; anything else as it came.
export function periodText(label) {
  let m = /^(\d{4})-(\d\d)$/.exec(label || "");
  if (m) return fmt({ month: "long", year: "numeric" }).format(Date.UTC(+m[1], +m[2] - 1, 1));
  m = /^(\d{4})-(\d\d)-(\d\d)$/.exec(label || "");
  if (m) return fmt({ day: "numeric", month: "numeric", year: "numeric" }).format(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  m = /^(\d{4})-W(\d\d)$/.exec(label || "");
  if (m) return t("week_of", { n: Number(m[2]), year: m[1] });
  return label;
}
