/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * catalog_route: see catalog_route.h.
 */
#include "catalog_route.h"

#include <string.h>

void web_catalog_reply(struct web_req *r, const struct catalog *c)
{
	const char *lang = r->query ? g_hash_table_lookup(r->query, "lang") : NULL;
	const char *ns = r->query ? g_hash_table_lookup(r->query, "ns") : NULL;
	g_auto(GStrv) namespaces = ns ? g_strsplit(ns, ",", 33) : NULL;
	g_autoptr(JsonBuilder) b = json_builder_new_immutable();
	int l = catalog_lang(c, lang);

	for (char **p = namespaces; p && *p; p++) {
		bool ok = **p && strlen(*p) <= 32;

		for (const char *q = *p; ok && *q; q++)
			ok = g_ascii_islower(*q) || *q == '_';
		if (!ok || p - namespaces >= 32) {
			web_error(r, 400, "invalid",
				  "ns must be up to 32 namespaces like \"kiosk,identity\" "
				  "(lowercase letters), not \"%s\"",
				  ns);
			return;
		}
	}
	catalog_add_json(b, c, l < 0 ? 0 : l, namespaces);
	web_reply_builder(r, 200, b);
}
