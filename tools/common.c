/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * common: the HTTP client of vuoroctl and the bench tools.
 *
 * Synchronous libsoup3 calls: a SoupSession belongs to the thread that made
 * it, so each thread of a bench makes its own client.
 */

#include "common.h"

#include <stdlib.h>

#include <libsoup/soup.h>
#include <string.h>

struct ctl_client {
	SoupSession *session;
	char *base;
	char *token;
	gboolean keep_alive_posts;
};

struct ctl_client *ctl_client_new(const char *base, const char *token)
{
	struct ctl_client *c = g_new0(struct ctl_client, 1);
	gsize len = strlen(base);

	c->session = soup_session_new_with_options("timeout", 30, "max-conns-per-host", 4, NULL);
	while (len > 0 && base[len - 1] == '/')
		len--;
	c->base = g_strndup(base, len);
	c->token = g_strdup(token);
	return c;
}

void ctl_client_free(struct ctl_client *c)
{
	if (!c)
		return;
	g_object_unref(c->session);
	g_free(c->base);
	g_free(c->token);
	g_free(c);
}

void ctl_client_set_token(struct ctl_client *c, const char *token)
{
	g_free(c->token);
	c->token = g_strdup(token);
}

void ctl_client_set_keep_alive_posts(struct ctl_client *c, gboolean on)
{
	c->keep_alive_posts = on;
}

const char *ctl_client_base(const struct ctl_client *c)
{
	return c->base;
}

guint ctl_request(struct ctl_client *c, const char *method, const char *path, JsonNode *json,
		  GBytes *raw, const char *content_type, GBytes **ret_body, GError **error)
{
	g_autofree char *url = g_strconcat(c->base, path, NULL);
	g_autoptr(SoupMessage) msg = soup_message_new(method, url);
	g_autoptr(GBytes) body = NULL;

	if (!msg) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "not a URL: %s", url);
		return 0;
	}
	/* libsoup opens a new connection for every POST unless told it may
	 * reuse one (a browser does); the catch is that it may then resend a
	 * POST whose connection died, so only the benchmarks ask for it. */
	if (c->keep_alive_posts)
		soup_message_add_flags(msg, SOUP_MESSAGE_IDEMPOTENT);
	if (c->token) {
		g_autofree char *auth = g_strdup_printf("Bearer %s", c->token);

		soup_message_headers_replace(soup_message_get_request_headers(msg), "Authorization",
					     auth);
	}
	if (json) {
		gsize len;
		char *text = json_to_string(json, FALSE);

		len = strlen(text);
		g_autoptr(GBytes) bytes = g_bytes_new_take(text, len);
		soup_message_set_request_body_from_bytes(msg, "application/json", bytes);
	} else if (raw) {
		soup_message_set_request_body_from_bytes(msg, content_type, raw);
	}
	body = soup_session_send_and_read(c->session, msg, NULL, error);
	if (!body)
		return 0;
	if (ret_body)
		*ret_body = g_steal_pointer(&body);
	return soup_message_get_status(msg);
}

JsonNode *ctl_json_parse(GBytes *body)
{
	g_autoptr(JsonParser) p = json_parser_new();
	gsize len = 0;
	const char *data = body ? g_bytes_get_data(body, &len) : NULL;

	if (!data || !json_parser_load_from_data(p, data, (gssize)len, NULL))
		return NULL;
	return json_node_copy(json_parser_get_root(p));
}

char *ctl_error_message(guint status, GBytes *body)
{
	g_autoptr(JsonNode) node = ctl_json_parse(body);

	if (node && JSON_NODE_HOLDS_OBJECT(node)) {
		JsonObject *o = json_node_get_object(node);

		if (json_object_has_member(o, "message"))
			return g_strdup(json_object_get_string_member(o, "message"));
	}
	return g_strdup_printf("vuorod answered HTTP %u", status);
}

JsonNode *ctl_json_object(const char *first_name, ...)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	va_list ap;

	json_builder_begin_object(b);
	va_start(ap, first_name);
	for (const char *name = first_name; name; name = va_arg(ap, const char *)) {
		GType type = va_arg(ap, GType);

		if (type == G_TYPE_STRING) {
			const char *v = va_arg(ap, const char *);

			if (v) {
				json_builder_set_member_name(b, name);
				json_builder_add_string_value(b, v);
			}
		} else if (type == G_TYPE_INT64) {
			gint64 v = va_arg(ap, gint64);

			json_builder_set_member_name(b, name);
			json_builder_add_int_value(b, v);
		} else if (type == G_TYPE_BOOLEAN) {
			gboolean v = va_arg(ap, gboolean);

			json_builder_set_member_name(b, name);
			json_builder_add_boolean_value(b, v);
		}
	}
	va_end(ap);
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

static int bench_cmp_i64(const void *a, const void *b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

	return x < y ? -1 : x > y;
}

double bench_pct_ms(GArray *lat, double p)
{
	size_t idx;

	if (!lat->len)
		return 0;
	qsort(lat->data, lat->len, sizeof(gint64), bench_cmp_i64);
	idx = (size_t)(p * (double)(lat->len - 1) + 0.5);
	return (double)g_array_index(lat, gint64, idx) / 1000.0;
}
