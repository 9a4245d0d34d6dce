/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sockets: a live event stream's WebSockets (see sockets.h).
 */
#include "sockets.h"

#define PUBLIC_KEY "vuoro-public"
#define ROLES_KEY  "vuoro-roles"

struct web_sockets {
	GPtrArray *all; /* of SoupWebsocketConnection *, a ref each */
};

struct web_sockets *web_sockets_new(void)
{
	struct web_sockets *s = g_new0(struct web_sockets, 1);

	s->all = g_ptr_array_new_with_free_func(g_object_unref);
	return s;
}

void web_sockets_free(struct web_sockets *s)
{
	if (!s)
		return;
	for (guint i = 0; i < s->all->len; i++)
		g_signal_handlers_disconnect_by_data(g_ptr_array_index(s->all, i), s);
	g_ptr_array_unref(s->all);
	g_free(s);
}

static void sockets_closed(SoupWebsocketConnection *ws, gpointer data)
{
	struct web_sockets *s = data;

	g_signal_handlers_disconnect_by_data(ws, s);
	g_ptr_array_remove(s->all, ws);
}

void web_sockets_add(struct web_sockets *s, SoupWebsocketConnection *ws, bool public_only)
{
	if (public_only)
		g_object_set_data(G_OBJECT(ws), PUBLIC_KEY, GINT_TO_POINTER(1));
	g_ptr_array_add(s->all, g_object_ref(ws));
	g_signal_connect(ws, "closed", G_CALLBACK(sockets_closed), s);
	soup_websocket_connection_send_text(ws, "{\"type\":\"hello\"}");
}

void web_sockets_add_roles(struct web_sockets *s, SoupWebsocketConnection *ws, unsigned roles)
{
	g_object_set_data(G_OBJECT(ws), ROLES_KEY, GUINT_TO_POINTER(roles));
	web_sockets_add(s, ws, roles == 0);
}

guint web_sockets_count(const struct web_sockets *s)
{
	return s->all->len;
}

static char *sockets_text(JsonBuilder *b)
{
	g_autoptr(JsonNode) node = b ? json_builder_get_root(b) : NULL;

	return node ? json_to_string(node, FALSE) : NULL;
}

void web_sockets_send(struct web_sockets *s, JsonBuilder *b, JsonBuilder *pub)
{
	g_autofree char *text = sockets_text(b);
	g_autofree char *pub_text = sockets_text(pub);

	for (guint i = 0; i < s->all->len; i++) {
		SoupWebsocketConnection *ws = g_ptr_array_index(s->all, i);
		const char *t = g_object_get_data(G_OBJECT(ws), PUBLIC_KEY) ? pub_text : text;

		if (t && soup_websocket_connection_get_state(ws) == SOUP_WEBSOCKET_STATE_OPEN)
			soup_websocket_connection_send_text(ws, t);
	}
}

void web_sockets_send_tagged(struct web_sockets *s, const char *key, const char *value,
			     JsonBuilder *b)
{
	g_autofree char *text = sockets_text(b);

	for (guint i = 0; text && value && i < s->all->len; i++) {
		SoupWebsocketConnection *ws = g_ptr_array_index(s->all, i);
		const char *have = g_object_get_data(G_OBJECT(ws), key);

		if (have && g_ascii_strcasecmp(have, value) == 0 &&
		    soup_websocket_connection_get_state(ws) == SOUP_WEBSOCKET_STATE_OPEN)
			soup_websocket_connection_send_text(ws, text);
	}
}

void web_sockets_send_roles(struct web_sockets *s, JsonBuilder *b, unsigned roles)
{
	g_autofree char *text = sockets_text(b);

	for (guint i = 0; text && i < s->all->len; i++) {
		SoupWebsocketConnection *ws = g_ptr_array_index(s->all, i);
		unsigned has = GPOINTER_TO_UINT(g_object_get_data(G_OBJECT(ws), ROLES_KEY));

		if ((has & roles) &&
		    soup_websocket_connection_get_state(ws) == SOUP_WEBSOCKET_STATE_OPEN)
			soup_websocket_connection_send_text(ws, text);
	}
}
