/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * catalog_route: see catalog_route.h.
 */
#include "catalog_route.h"

#include <string.h>

#include "web.h"

void web_catalog_reply(struct web_req *r, const struct catalog *c)
{
	const char *lang = r->query ? g_hash_table_lookup(r->query, "lang") : NULL;
	const char *ns = r->query ? g_hash_table_lookup(r->query, "ns") : NULL;
	g_auto(GStrv) namespaces = ns ? g_strsplit(ns, ",", 33) : NULL;
	g_autoptr(JsonBuilder) b = json_builder_new_immutable();
	g_autoptr(JsonNode) root = NULL;
	char *text;
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
	root = json_builder_get_root(b);
	/* A page's words are its biggest answer (the kiosk's, 8 kB): gzipped
	 * for a client that takes it (web_reply_json_text). */
	text = json_to_string(root, FALSE);
	web_reply_json_text(r, 200, text, strlen(text));
}
