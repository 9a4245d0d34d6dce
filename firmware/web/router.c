/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * router: see router.h.
 */
#include "router.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include "web.h"

struct web_table {
	const struct web_route *routes;
	size_t n;
};

struct web_router {
	void *app;
	struct web_router_hooks hooks;
	char *csrf_header;
	GArray *tables; /* of struct web_table */
	gsize max_body;
	int max_depth;
};

struct web_exchange {
	gint ref;
	int holds;
	gboolean corked;        /* web_cork: the answer's writes are held until its end */
	SoupServerMessage *msg; /* NULL: a request without a socket */
	SoupMessageHeaders *req_headers;
	GBytes *req_body;
	char *remote;
	/* The answer of a request without a socket. */
	SoupMessageHeaders *resp_headers;
	guint status;
	GBytes *resp_body;
};

/* ---------------------------------------------------------------------- */
/* Exchanges */

struct web_exchange *web_exchange_new(SoupServerMessage *msg)
{
	struct web_exchange *x = g_new0(struct web_exchange, 1);

	x->ref = 1;
	if (msg) {
		SoupMessageBody *body = soup_server_message_get_request_body(msg);

		x->msg = g_object_ref(msg);
		x->req_headers =
		    soup_message_headers_ref(soup_server_message_get_request_headers(msg));
		x->req_body = body->length ? soup_message_body_flatten(body) : g_bytes_new(NULL, 0);
		x->remote = g_strdup(soup_server_message_get_remote_host(msg));
	} else {
		x->resp_headers = soup_message_headers_new(SOUP_MESSAGE_HEADERS_RESPONSE);
	}
	return x;
}

struct web_exchange *web_exchange_ref(struct web_exchange *x)
{
	g_atomic_int_inc(&x->ref);
	return x;
}

void web_exchange_unref(struct web_exchange *x)
{
	if (!x || !g_atomic_int_dec_and_test(&x->ref))
		return;
	g_clear_object(&x->msg);
	g_clear_pointer(&x->req_headers, soup_message_headers_unref);
	g_clear_pointer(&x->resp_headers, soup_message_headers_unref);
	g_clear_pointer(&x->req_body, g_bytes_unref);
	g_clear_pointer(&x->resp_body, g_bytes_unref);
	g_free(x->remote);
	g_free(x);
}

gboolean web_exchange_finished(const struct web_exchange *x)
{
	return x->status != 0 && x->holds == 0;
}

guint web_exchange_status(const struct web_exchange *x)
{
	return x->msg ? soup_server_message_get_status(x->msg) : x->status;
}

GBytes *web_exchange_body(const struct web_exchange *x)
{
	return x->resp_body;
}

SoupMessageHeaders *web_exchange_response_headers(const struct web_exchange *x)
{
	return x->msg ? soup_server_message_get_response_headers(x->msg) : x->resp_headers;
}

const char *web_exchange_remote(const struct web_exchange *x)
{
	return x->remote;
}

SoupServerMessage *web_exchange_message(const struct web_exchange *x)
{
	return x->msg;
}

struct web_exchange *web_req_hold(struct web_req *r)
{
	r->x->holds++;
	if (r->x->msg)
		soup_server_message_pause(r->x->msg);
	return web_exchange_ref(r->x);
}

void web_exchange_release(struct web_exchange *x)
{
	x->holds--;
	if (x->msg)
		soup_server_message_unpause(x->msg);
	web_exchange_unref(x);
}

/* ---------------------------------------------------------------------- */
/* Answers */

/* A big answer (a backup is the whole database) is handed to libsoup
 * WEB_CHUNK bytes at a time, the next when the last was written: the loop
 * never copies more than that into the socket at once, and what was sent
 * is not kept. */
#define WEB_CHUNK (256 * 1024)

struct web_chunks {
	GBytes *bytes;
	gsize off;
};

static void web_chunks_free(gpointer data)
{
	struct web_chunks *c = data;

	g_bytes_unref(c->bytes);
	g_free(c);
}

static void web_chunks_next(SoupServerMessage *msg, gpointer data)
{
	struct web_chunks *c = data;
	SoupMessageBody *body = soup_server_message_get_response_body(msg);
	gsize n = MIN(WEB_CHUNK, g_bytes_get_size(c->bytes) - c->off);

	if (n) {
		g_autoptr(GBytes) part = g_bytes_new_from_bytes(c->bytes, c->off, n);

		soup_message_body_append_bytes(body, part);
		c->off += n;
	} else {
		soup_message_body_complete(body);
	}
	soup_server_message_unpause(msg);
}

static void web_chunks_done(SoupServerMessage *msg, gpointer data)
{
	g_signal_handlers_disconnect_by_func(msg, web_chunks_next,
					     g_object_get_data(G_OBJECT(msg), "web-chunks"));
	g_signal_handlers_disconnect_by_func(msg, web_chunks_done, NULL);
	g_object_set_data(G_OBJECT(msg), "web-chunks", NULL);
}

static void web_reply_chunks(SoupServerMessage *msg, guint status, const char *content_type,
			     GBytes *bytes)
{
	SoupMessageHeaders *headers = soup_server_message_get_response_headers(msg);
	struct web_chunks *c = g_new0(struct web_chunks, 1);

	c->bytes = g_bytes_ref(bytes);
	g_object_set_data_full(G_OBJECT(msg), "web-chunks", c, web_chunks_free);
	soup_server_message_set_status(msg, status, NULL);
	soup_message_headers_set_content_type(headers, content_type, NULL);
	soup_message_headers_set_content_length(headers, (goffset)g_bytes_get_size(bytes));
	soup_message_body_set_accumulate(soup_server_message_get_response_body(msg), FALSE);
	g_signal_connect(msg, "wrote-chunk", G_CALLBACK(web_chunks_next), c);
	/* Let go of the bytes when the answer is done, not when the message is
	 * (the transport guard keeps a connection's last message while idle). */
	g_signal_connect(msg, "finished", G_CALLBACK(web_chunks_done), NULL);
	web_chunks_next(msg, c);
}

/* An answer whole in memory leaves in one TCP segment, not two: libsoup
 * writes the headers and the body with a send each, and on loopback each
 * send is a full pass through both TCP stacks (an issued ticket's answer
 * cost two; the client woke twice).  Corked from here until libsoup has
 * written the body ("wrote-body"), where uncorking sends what was held at
 * once; a socket that is not TCP (TCP_CORK refused) is left as it is. */
static int web_cork_set(GSocket *sock, int on)
{
	return setsockopt(g_socket_get_fd(sock), IPPROTO_TCP, TCP_CORK, &on, sizeof(on));
}

static void web_uncork(SoupServerMessage *msg, gpointer data)
{
	GSocket *sock = soup_server_message_get_socket(msg);

	g_signal_handlers_disconnect_by_func(msg, web_uncork, data);
	if (sock)
		web_cork_set(sock, 0);
}

static void web_cork(SoupServerMessage *msg)
{
	GSocket *sock = soup_server_message_get_socket(msg);

	if (!sock || web_cork_set(sock, 1) < 0)
		return;
	g_signal_connect(msg, "wrote-body", G_CALLBACK(web_uncork), NULL);
	g_signal_connect(msg, "finished", G_CALLBACK(web_uncork), NULL);
}

void web_reply_bytes(struct web_req *r, guint status, const char *content_type, GBytes *body)
{
	struct web_exchange *x = r->x;
	gsize len = body ? g_bytes_get_size(body) : 0;

	if (x->msg && len > WEB_CHUNK) {
		web_reply_chunks(x->msg, status, content_type, body);
		return;
	}
	if (x->msg) {
		/* The body is referenced, not copied. */
		soup_server_message_set_status(x->msg, status, NULL);
		soup_server_message_set_response(x->msg, content_type, SOUP_MEMORY_STATIC, NULL, 0);
		if (!x->corked) {
			web_cork(x->msg);
			x->corked = TRUE;
		}
		if (len)
			soup_message_body_append_bytes(
			    soup_server_message_get_response_body(x->msg), body);
		return;
	}
	x->status = status;
	soup_message_headers_replace(x->resp_headers, "Content-Type", content_type);
	g_clear_pointer(&x->resp_body, g_bytes_unref);
	x->resp_body = body ? g_bytes_ref(body) : g_bytes_new(NULL, 0);
}

void web_reply_header(struct web_req *r, const char *name, const char *value)
{
	soup_message_headers_append(web_exchange_response_headers(r->x), name, value);
}

/* A JSON answer of a few kB (a page's status, its words) is gzipped for a
 * client that takes gzip, as the pages' files are (web.h): the kiosk's first
 * load is counted in bytes (issue 22).  Small ones (a ticket's answer) gain
 * nothing; big ones (a year's report) would hold the loop while zlib runs. */
#define WEB_GZIP_MIN 1024
#define WEB_GZIP_MAX (64 * 1024)

void web_reply_json_text(struct web_req *r, guint status, char *text, gsize len)
{
	g_autoptr(GBytes) body = NULL;
	SoupMessageHeaders *h = web_exchange_response_headers(r->x);

	if (len >= WEB_GZIP_MIN) {
		soup_message_headers_replace(h, "Vary", "Accept-Encoding");
		if (len <= WEB_GZIP_MAX && web_accepts_gzip(web_req_header(r, "Accept-Encoding")))
			body = web_gzip(text, len, 6);
	}
	if (body) {
		soup_message_headers_replace(h, "Content-Encoding", "gzip");
		g_free(text);
	} else {
		body = g_bytes_new_take(text, len);
	}
	soup_message_headers_replace(h, "Cache-Control", "no-store");
	web_reply_bytes(r, status, "application/json", body);
}

void web_reply(struct web_req *r, guint status, JsonNode *node)
{
	char *text = json_to_string(node, FALSE);

	web_reply_json_text(r, status, text, strlen(text));
}

void web_reply_builder(struct web_req *r, guint status, JsonBuilder *b)
{
	g_autoptr(JsonNode) node = json_builder_get_root(b);

	web_reply(r, status, node);
}

void web_reply_ok(struct web_req *r, guint status)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	web_json_add_bool(b, "ok", TRUE);
	json_builder_end_object(b);
	web_reply_builder(r, status, b);
}

void G_GNUC_PRINTF(4, 5)
    web_error(struct web_req *r, guint status, const char *code, const char *fmt, ...)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autofree char *message = NULL;
	va_list ap;

	va_start(ap, fmt);
	message = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	json_builder_begin_object(b);
	web_json_add_str(b, "error", code);
	web_json_add_str(b, "message", message);
	json_builder_end_object(b);
	web_reply_builder(r, status, b);
}

/* ---------------------------------------------------------------------- */
/* The request */

const char *web_req_header(const struct web_req *r, const char *name)
{
	return r->x->req_headers ? soup_message_headers_get_one(r->x->req_headers, name) : NULL;
}

const char *web_req_remote(const struct web_req *r)
{
	return r->x->remote;
}

GBytes *web_req_body(const struct web_req *r)
{
	return r->x->req_body;
}

char *web_req_cookie(const struct web_req *r, const char *name)
{
	const char *h = web_req_header(r, "Cookie");
	GHashTable *pairs;
	char *value;

	if (!h)
		return NULL;
	pairs = soup_header_parse_semi_param_list(h);
	value = g_strdup(g_hash_table_lookup(pairs, name));
	soup_header_free_param_list(pairs);
	if (value && !*value)
		g_clear_pointer(&value, g_free);
	return value;
}

const char *web_str(const struct web_req *r, const char *name)
{
	return web_has(r, name) ? json_object_get_string_member(r->body, name) : NULL;
}

gboolean web_has(const struct web_req *r, const char *name)
{
	return r->body && json_object_has_member(r->body, name);
}

int64_t web_int(const struct web_req *r, const char *name, int64_t fallback)
{
	return web_has(r, name) ? json_object_get_int_member(r->body, name) : fallback;
}

gboolean web_bool(const struct web_req *r, const char *name, gboolean fallback)
{
	return web_has(r, name) ? json_object_get_boolean_member(r->body, name) : fallback;
}

gboolean web_seg_id(struct web_req *r, int i, int64_t max, int64_t *ret)
{
	guint64 v;

	if (!g_ascii_string_to_unsigned(r->seg[i], 10, 1, (guint64)max, &v, NULL)) {
		web_error(r, 404, "not_found", "\"%s\" is not a number from 1 to %" G_GINT64_FORMAT,
			  r->seg[i], max);
		return FALSE;
	}
	*ret = (int64_t)v;
	return TRUE;
}

gboolean web_foreign_origin(SoupMessageHeaders *h)
{
	const char *origin = soup_message_headers_get_one(h, "Origin");
	const char *host = soup_message_headers_get_one(h, "Host");
	g_autoptr(GUri) uri = NULL;
	g_autofree char *origin_host = NULL;

	if (!origin)
		return FALSE;
	uri = g_uri_parse(origin, G_URI_FLAGS_NONE, NULL);
	if (!uri || !host || !g_uri_get_host(uri))
		return TRUE;
	origin_host = g_uri_get_port(uri) > 0
			  ? g_strdup_printf("%s:%d", g_uri_get_host(uri), g_uri_get_port(uri))
			  : g_strdup(g_uri_get_host(uri));
	return g_ascii_strcasecmp(origin_host, host) != 0;
}

/* ---------------------------------------------------------------------- */
/* Body checks */

static const char *web_type_name(enum web_type type)
{
	switch (type) {
	case WEB_STRING:
		return "a string";
	case WEB_INT:
		return "an integer";
	case WEB_BOOL:
		return "true or false";
	}
	return "?";
}

static gboolean web_value_is(JsonNode *node, enum web_type type)
{
	if (!JSON_NODE_HOLDS_VALUE(node))
		return FALSE;
	switch (type) {
	case WEB_STRING:
		return json_node_get_value_type(node) == G_TYPE_STRING;
	case WEB_INT:
		return json_node_get_value_type(node) == G_TYPE_INT64;
	case WEB_BOOL:
		return json_node_get_value_type(node) == G_TYPE_BOOLEAN;
	}
	return FALSE;
}

/* The field's value within its bounds; replies and returns FALSE if not. */
static gboolean web_field_in_bounds(struct web_req *r, const struct web_field *f, JsonNode *node)
{
	if (f->type == WEB_INT) {
		int64_t v = json_node_get_int(node);

		if (v < f->min || v > f->max) {
			web_error(r, 400, "out_of_range",
				  "field \"%s\" must be from %" G_GINT64_FORMAT
				  " to %" G_GINT64_FORMAT ", got %" G_GINT64_FORMAT,
				  f->name, f->min, f->max, v);
			return FALSE;
		}
	} else if (f->type == WEB_STRING) {
		size_t len = strlen(json_node_get_string(node));
		int64_t max = f->max > 0 ? f->max : WEB_STRING_MAX_DEFAULT;

		if ((int64_t)len > max || (int64_t)len < f->min) {
			web_error(r, 400, "out_of_range",
				  "field \"%s\" must be %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT
				  " bytes long, got %zu",
				  f->name, f->min, max, len);
			return FALSE;
		}
	}
	return TRUE;
}

/* Parses and checks the body against @fields; replies and returns FALSE on
 * any problem. */
static gboolean web_parse_body(struct web_req *r, const struct web_field *fields, int max_depth)
{
	g_autoptr(JsonParser) parser = NULL;
	g_autoptr(GError) error = NULL;
	gsize len;
	const char *data = g_bytes_get_data(r->x->req_body, &len);
	JsonNode *root;
	GList *members;

	if (len == 0) {
		/* An empty body is an empty object: commands without arguments. */
		r->body = json_object_new();
	} else {
		int rc = web_json_check(data, len, max_depth, &error);

		if (rc < 0) {
			web_error(r, 400, rc == -E2BIG ? "too_deep" : "malformed_json",
				  "the body is refused: %s", error->message);
			return FALSE;
		}
		parser = json_parser_new_immutable();
		if (!json_parser_load_from_data(parser, data, (gssize)len, &error)) {
			web_error(r, 400, "malformed_json", "the body is not valid JSON: %s",
				  error->message);
			return FALSE;
		}
		root = json_parser_get_root(parser);
		if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
			web_error(r, 400, "malformed_json", "the body must be a JSON object");
			return FALSE;
		}
		r->body = json_object_ref(json_node_get_object(root));
	}
	members = json_object_get_members(r->body);
	for (GList *l = members; l; l = l->next) {
		const struct web_field *f = fields;
		JsonNode *node;

		while (f->name && strcmp(f->name, l->data) != 0)
			f++;
		if (!f->name) {
			web_error(r, 400, "unknown_field", "unknown field \"%s\"",
				  (const char *)l->data);
			g_list_free(members);
			return FALSE;
		}
		node = json_object_get_member(r->body, f->name);
		if (!web_value_is(node, f->type)) {
			web_error(r, 400, "wrong_type", "field \"%s\" must be %s", f->name,
				  web_type_name(f->type));
			g_list_free(members);
			return FALSE;
		}
		if (!web_field_in_bounds(r, f, node)) {
			g_list_free(members);
			return FALSE;
		}
	}
	g_list_free(members);
	for (const struct web_field *f = fields; f->name; f++) {
		if (f->required && !json_object_has_member(r->body, f->name)) {
			web_error(r, 400, "missing_field", "field \"%s\" is required (%s)", f->name,
				  web_type_name(f->type));
			return FALSE;
		}
	}
	return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Dispatch */

static gboolean web_route_match(const struct web_route *route, char **seg)
{
	const char *p = route->path + 1;
	guint i = 0;

	/* Walk the pattern's segments without allocating: this runs for every
	 * route on every request. */
	for (; seg[i]; i++) {
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (!*p && !end)
			return FALSE; /* the pattern ended first */
		if (!(n == 1 && *p == '*') && (strlen(seg[i]) != n || memcmp(seg[i], p, n) != 0))
			return FALSE;
		if (!end) {
			p += n;
			i++;
			break;
		}
		p = end + 1;
	}
	return !seg[i] && !*p;
}

static void web_router_dispatch(struct web_router *router, struct web_exchange *x,
				const char *method, const char *path, GHashTable *query)
{
	g_auto(GStrv) seg = g_strsplit(path + 1, "/", WEB_MAX_SEGMENTS + 1);
	const struct web_route *route = NULL;
	gboolean path_known = FALSE;
	struct web_req r = {
	    .app = router->app, .x = x, .method = method, .path = path, .seg = seg, .query = query};

	/* Drop a trailing empty segment: "/api/status/" is "/api/status". */
	for (guint n = g_strv_length(seg); n > 0 && !*seg[n - 1]; n--)
		g_clear_pointer(&seg[n - 1], g_free);
	for (guint t = 0; t < router->tables->len && !route; t++) {
		const struct web_table *table = &g_array_index(router->tables, struct web_table, t);

		for (size_t i = 0; i < table->n && !route; i++) {
			const struct web_route *candidate = &table->routes[i];

			if (!web_route_match(candidate, seg))
				continue;
			path_known = TRUE;
			if (strcmp(candidate->method, method) == 0)
				route = candidate;
		}
	}
	if (!route) {
		if (path_known)
			web_error(&r, 405, "method_not_allowed", "%s is not allowed on %s", method,
				  path);
		else
			web_error(&r, 404, "not_found", "no such API path: %s", path);
		return;
	}
	r.route = route;
	if (router->max_body && g_bytes_get_size(x->req_body) > router->max_body) {
		web_error(&r, 413, "too_large", "the body is larger than %" G_GSIZE_FORMAT " KiB",
			  router->max_body / 1024);
		return;
	}
	router->hooks.identify(router->app, &r, &r.caller);
	if (strcmp(method, "GET") != 0 && x->req_headers && web_foreign_origin(x->req_headers)) {
		web_error(&r, 403, "bad_origin", "this request came from another site's page");
		goto out;
	}
	if (strcmp(method, "GET") != 0 && r.caller.csrf && r.caller.role &&
	    g_strcmp0(web_req_header(&r, router->csrf_header), r.caller.csrf) != 0) {
		web_error(&r, 403, "csrf",
			  "send the session's CSRF token in %s (GET /api/whoami gives it)",
			  router->csrf_header);
		goto out;
	}
	if (route->roles && !(route->roles & r.caller.role)) {
		if (!r.caller.user) /* anonymous, or a device asking for more */
			web_error(&r, 401, "login_required", "log in first (POST /api/login)");
		else
			web_error(&r, 403, "forbidden", "a %s may not do this",
				  router->hooks.role_name ? router->hooks.role_name(r.caller.role)
							  : "caller");
		goto out;
	}
	if (route->fields && !web_parse_body(&r, route->fields, router->max_depth))
		goto out;
	if (router->hooks.admit && !router->hooks.admit(router->app, &r))
		goto out;
	route->fn(&r);
out:
	if (r.body)
		json_object_unref(r.body);
	g_free(r.caller.user);
	g_free(r.caller.csrf);
}

static void web_router_handle(SoupServer *server, SoupServerMessage *msg, const char *path,
			      GHashTable *query, gpointer data)
{
	struct web_router *router = data;
	struct web_exchange *x = web_exchange_new(msg);

	web_router_dispatch(router, x, soup_server_message_get_method(msg), path, query);
	web_exchange_unref(x);
}

struct web_exchange *web_router_call(struct web_router *router, const char *method,
				     const char *path, SoupMessageHeaders *headers, GBytes *body,
				     const char *remote)
{
	struct web_exchange *x = web_exchange_new(NULL);
	const char *q = strchr(path, '?');
	g_autofree char *bare = q ? g_strndup(path, (gsize)(q - path)) : g_strdup(path);
	g_autoptr(GHashTable) query =
	    q ? g_uri_parse_params(q + 1, -1, "&", G_URI_PARAMS_NONE, NULL) : NULL;

	x->req_headers = headers ? soup_message_headers_ref(headers)
				 : soup_message_headers_new(SOUP_MESSAGE_HEADERS_REQUEST);
	x->req_body = body ? g_bytes_ref(body) : g_bytes_new(NULL, 0);
	x->remote = g_strdup(remote);
	if (*bare != '/') {
		struct web_req r = {.app = router->app, .x = x};

		web_error(&r, 400, "bad_path", "a path starts with /");
		return x;
	}
	web_router_dispatch(router, x, method, bare, query);
	return x;
}

/* ---------------------------------------------------------------------- */

struct web_router *web_router_new(void *app, const struct web_router_hooks *hooks,
				  const char *csrf_header)
{
	struct web_router *router = g_new0(struct web_router, 1);

	router->app = app;
	router->hooks = *hooks;
	router->csrf_header = g_strdup(csrf_header);
	router->tables = g_array_new(FALSE, FALSE, sizeof(struct web_table));
	router->max_depth = WEB_JSON_MAX_DEPTH;
	return router;
}

void web_router_free(struct web_router *router)
{
	if (!router)
		return;
	g_array_unref(router->tables);
	g_free(router->csrf_header);
	g_free(router);
}

void web_router_add(struct web_router *router, const struct web_route *routes, size_t n)
{
	struct web_table t = {routes, n};

	g_array_append_val(router->tables, t);
}

void web_router_set_max_body(struct web_router *router, gsize bytes)
{
	router->max_body = bytes;
}

void web_router_set_max_depth(struct web_router *router, int depth)
{
	router->max_depth = depth > 0 ? depth : WEB_JSON_MAX_DEPTH;
}

void web_router_attach(struct web_router *router, SoupServer *server, const char *prefix)
{
	soup_server_add_handler(server, prefix, web_router_handle, router, NULL);
}

void web_router_foreach(const struct web_router *router,
			void (*fn)(const struct web_route *route, void *data), void *data)
{
	for (guint t = 0; t < router->tables->len; t++) {
		const struct web_table *table = &g_array_index(router->tables, struct web_table, t);

		for (size_t i = 0; i < table->n; i++)
			fn(&table->routes[i], data);
	}
}

void web_route_add_json(JsonBuilder *b, const struct web_route *route, const unsigned *roles,
			size_t n_roles, const char *(*role_name)(unsigned role))
{
	static const char *const types[] = {
	    [WEB_STRING] = "string", [WEB_INT] = "int", [WEB_BOOL] = "bool"};

	web_json_add_str(b, "method", route->method);
	web_json_add_str(b, "path", route->path);
	json_builder_set_member_name(b, "roles");
	json_builder_begin_array(b);
	for (size_t i = 0; i < n_roles; i++)
		if (route->roles & roles[i])
			json_builder_add_string_value(b, role_name(roles[i]));
	json_builder_end_array(b);
	web_json_add_bool(b, "anybody", route->roles == 0);
	web_json_add_bool(b, "raw_body", (route->flags & WEB_ROUTE_RAW_BODY) != 0);
	json_builder_set_member_name(b, "fields");
	if (!route->fields) {
		json_builder_add_null_value(b);
		return;
	}
	json_builder_begin_array(b);
	for (const struct web_field *f = route->fields; f->name; f++) {
		json_builder_begin_object(b);
		web_json_add_str(b, "name", f->name);
		web_json_add_str(b, "type", types[f->type]);
		web_json_add_bool(b, "required", f->required);
		if (f->type != WEB_BOOL) {
			web_json_add_int(b, "min", f->min);
			web_json_add_int(b, "max", f->max);
		}
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}
