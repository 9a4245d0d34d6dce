// SPDX-License-Identifier: GPL-3.0-or-later
// The reception page's words: reception.* in the message catalogs (ui/i18n/LANG.json).

import { i18n } from "/ui/common/i18n.js";

export const t = await i18n(["reception", "alarm"]);

export const roleName = (role) => {
  const name = t("role_" + role);
  return name === "role_" + role ? role : name;
};
