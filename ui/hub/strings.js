// SPDX-License-Identifier: GPL-3.0-or-later
// The hub's pages' words: hub.* in the message catalogs (ui/i18n/LANG.json),
// shared by /hub and its pages (/hub/reports, /hub/billing, /hub/fleet).

import { i18n } from "/ui/common/i18n.js";

// @more: the namespaces a page reads besides hub.* (its own first).
export async function hubWords(...more) {
  return i18n(more.length ? [...more, "hub"] : "hub", "vuoro-hub-lang");
}

// "provider-manager" → the hub.role_provider_manager text.
export const roleNameOf = (t) => (role) => {
  const key = "hub.role_" + String(role).replace(/-/g, "_");
  const name = t(key);
  return name === key ? role : name;
};

// The hub's pages and who may open them (the routes check it again).
export const HUB_PAGES = [
  { path: "/hub/reports", key: "reports", roles: ["admin", "manager", "provider-manager"] },
  { path: "/hub/billing", key: "billing", roles: ["admin", "manager", "provider-manager"] },
  { path: "/hub/fleet", key: "fleet", roles: ["admin", "manager", "technician"] },
  { path: "/hub/expert", key: "expert", roles: ["expert"] },
];
