// SPDX-License-Identifier: GPL-3.0-or-later
// The expert page's words: expert.* in the message catalogs (ui/i18n/LANG.json).  The API's own
// messages stay in English: they say what to do.

import { i18n } from "/ui/common/i18n.js";

export const t = await i18n(["expert", "alarm"]);

export const roleName = (role) => {
  const name = t("role_" + role);
  return name === "role_" + role ? role : name;
};
export const TEMPLATES = ["", "show_id", "show_document", "use_card", "wait", "speak_louder", "thanks"];
export const OUTCOMES = ["resolved", "referred", "follow_up"];
export const DOCUMENTS = ["passport", "id_card", "driving_licence", "residence_permit", "other"];
