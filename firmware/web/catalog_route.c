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
	g_autoptr(GBytes) body = NULL;
	g_autofree char *text = NULL;
	gsize len;
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
	text = json_to_string(root, FALSE);
	len = strlen(text);
	/* A page's words are its biggest answer (the kiosk's, 8 kB): gzip
	 * when the client takes it, as the pages' files (web.h). */
	if (web_accepts_gzip(web_req_header(r, "Accept-Encoding")))
		body = web_gzip(text, len, 6);
	if (body) {
		web_reply_header(r, "Content-Encoding", "gzip");
	} else {
		body = g_bytes_new_take(g_steal_pointer(&text), len);
	}
	web_reply_header(r, "Vary", "Accept-Encoding");
	web_reply_header(r, "Cache-Control", "no-store");
	web_reply_bytes(r, 200, "application/json", body);
}
