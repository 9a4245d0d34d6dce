// SPDX-License-Identifier: GPL-3.0-or-later
// The technician page's words: tech.* in the message catalogs (ui/i18n/LANG.json).  The API's own
// messages (faults, errors) stay in English: they name parts and commands.

import { i18n } from "/ui/common/i18n.js";

export const t = await i18n("tech");

// Role names for the signed-in line and the refusal.
export const roleName = (role) => {
  const name = t("role_" + role);
  return name === "role_" + role ? role : name;
};
