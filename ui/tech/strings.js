// SPDX-License-Identifier: GPL-3.0-or-later
// The technician page's words: tech.* in the message catalogs (ui/i18n/LANG.json).  The API's own
// messages (faults, errors) stay in English: they name parts and commands.

import { i18n } from "/ui/common/i18n.js";

export const t = await i18n(["tech", "alarm"]);

// A state or kind the API names in English ("recall", "test-tone"), in the page's language:
// tech.PREFIX_VALUE ("-" as "_"), or the API's word when the catalog has none yet.
export const word = (prefix, value) => {
  if (value == null || value === "") return "";
  const key = prefix + String(value).replace(/-/g, "_");
  const w = t(key);
  return w === key ? String(value) : w;
};

// Role names for the signed-in line and the refusal.
export const roleName = (role) => {
  const name = t("role_" + role);
  return name === "role_" + role ? role : name;
};
