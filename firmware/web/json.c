/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * json: see json.h.
 */
#include "json.h"

#include <errno.h>
#include <gio/gio.h>

void web_json_add_int(JsonBuilder *b, const char *name, int64_t v)
{
	json_builder_set_member_name(b, name);
	json_builder_add_int_value(b, v);
}

const char *web_json_str(JsonObject *o, const char *name, const char *fallback)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;

	if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
		return fallback;
	return json_node_get_string(n);
}

void web_json_add_str(JsonBuilder *b, const char *name, const char *v)
{
	json_builder_set_member_name(b, name);
	if (v)
		json_builder_add_string_value(b, v);
	else
		json_builder_add_null_value(b);
}

void web_json_add_bool(JsonBuilder *b, const char *name, gboolean v)
{
	json_builder_set_member_name(b, name);
	json_builder_add_boolean_value(b, v);
}

void web_json_add_time(JsonBuilder *b, const char *name, int64_t v)
{
	json_builder_set_member_name(b, name);
	if (v)
		json_builder_add_int_value(b, v);
	else
		json_builder_add_null_value(b);
}

void web_json_add_double(JsonBuilder *b, const char *name, double v)
{
	json_builder_set_member_name(b, name);
	json_builder_add_double_value(b, v);
}

/* One flat pass: the depth, and (@nul_too) the escape \u0000. */
static int web_json_scan(const char *text, size_t len, int max_depth, gboolean nul_too,
			 GError **error)
{
	int depth = 0;
	gboolean in_string = FALSE;

	for (size_t i = 0; i < len; i++) {
		char c = text[i];

		if (in_string) {
			if (c == '"') {
				in_string = FALSE;
			} else if (c == '\\' && i + 1 < len) {
				/* \u0000 arrives as a NUL inside a C string. */
				if (nul_too && text[i + 1] == 'u' && i + 5 < len &&
				    text[i + 2] == '0' && text[i + 3] == '0' &&
				    text[i + 4] == '0' && text[i + 5] == '0') {
					g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
						    "a string holds the character U+0000");
					return -EINVAL;
				}
				i++; /* the escaped character */
			}
			continue;
		}
		switch (c) {
		case '"':
			in_string = TRUE;
			break;
		case '{':
		case '[':
			if (++depth > max_depth) {
				g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
					    "objects and arrays nest more than %d deep", max_depth);
				return -E2BIG;
			}
			break;
		case '}':
		case ']':
			if (depth > 0)
				depth--;
			break;
		default:
			break;
		}
	}
	return 0;
}

int web_json_check(const char *text, size_t len, int max_depth, GError **error)
{
	return web_json_scan(text, len, max_depth, TRUE, error);
}

int web_json_depth(const char *text, size_t len, int max_depth)
{
	return web_json_scan(text, len, max_depth, FALSE, NULL);
}

char *web_json_text(JsonBuilder *b)
{
	g_autoptr(JsonNode) node = json_builder_get_root(b);

	return json_to_string(node, FALSE);
}
