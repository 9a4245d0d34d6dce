// SPDX-License-Identifier: GPL-3.0-or-later
// The manager page's words: manager.* in the message catalogs (ui/i18n/LANG.json).

import { i18n } from "/ui/common/i18n.js";

export const t = await i18n("manager");

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
