/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hub_web: see web.h (and hub.h for the request's PostgreSQL scope).
 */
#include "web.h"

#include <errno.h>
#include <string.h>

#include "auth.h"
#include "catalog_route.h"
#include "firmware/web/web.h"
#include "http_guard.h"
#include "session.h"
#include "users.h"

struct hub_web {
	struct hub *hub;
	SoupServer *server;
	struct http_guard *guard;
	struct web_router *router;
	struct web *pages;
	GArray *tables; /* struct hub_web_table */
	int port;
};

struct hub_web_table {
	const struct web_route *routes;
	size_t n;
};

static const struct web_page hub_web_pages[] = {
    {"/hub", "hub/index.html"},
    {"/hub/reports", "hub/reports/index.html"},
    {"/hub/billing", "hub/billing/index.html"},
    {"/hub/fleet", "hub/fleet/index.html"},
    {"/hub/expert", "hub/expert.html"},
    {"/t/*", "follow/index.html"},
};

static const struct {
	unsigned role;
	const char *name;
} hub_roles[] = {
    {HUB_ROLE_ADMIN, "admin"},           {HUB_ROLE_MANAGER, "manager"},
    {HUB_ROLE_TECHNICIAN, "technician"}, {HUB_ROLE_PROVIDER, "provider-manager"},
    {HUB_ROLE_EXPERT, "expert"},
};

unsigned hub_role_parse(const char *name)
{
	for (size_t i = 0; name && i < G_N_ELEMENTS(hub_roles); i++)
		if (strcmp(hub_roles[i].name, name) == 0)
			return hub_roles[i].role;
	return 0;
}

const char *hub_role_name(unsigned role)
{
	for (size_t i = 0; i < G_N_ELEMENTS(hub_roles); i++)
		if (hub_roles[i].role == role)
			return hub_roles[i].name;
	return role ? "caller" : "anonymous";
}

/* ---------------------------------------------------------------------- */
/* PostgreSQL, one scope per request */

/* The web's connection, reconnected when it was lost; NULL when
 * PostgreSQL cannot be reached. */
static PGconn *hub_web_conn(struct hub *hub)
{
	PGconn *conn = hub_db_conn(hub->db);

	if (PQstatus(conn) != CONNECTION_OK && hub_db_reset(hub->db) < 0) {
		g_warning("web: PostgreSQL: %s", hub_db_error(hub->db));
		return NULL;
	}
	if (PQtransactionStatus(conn) != PQTRANS_IDLE)
		PQclear(PQexec(conn, "ROLLBACK")); /* a scope left open by mistake */
	return conn;
}

void hub_pg_error(struct web_req *r, PGresult *res, const char *what)
{
	PGconn *conn = hub_db_conn(hub_of(r)->db);
	const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(conn);

	g_warning("web: %s: %s", what, msg && *msg ? msg : PQerrorMessage(conn));
	PQclear(res);
	if (PQstatus(conn) != CONNECTION_OK)
		web_error(r, 503, "database",
			  "the hub's database cannot be reached: try again in a moment");
	else
		web_error(r, 500, "internal", "%s failed: see the hub's log", what);
}

int hub_pg_scope(PGconn *conn, const struct web_caller *caller)
{
	const char *scope =
	    caller->role & (HUB_ROLE_ADMIN | HUB_ROLE_MANAGER | HUB_ROLE_TECHNICIAN) ? "all" : "";
	const char *params[2] = {caller->provider, scope};
	PGresult *res = PQexec(conn, "BEGIN");
	int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : -EIO;

	PQclear(res);
	if (rc < 0)
		return rc;
	res = PQexecParams(conn,
			   "SELECT set_config('vuoro.provider', $1, true), "
			   "set_config('vuoro.scope', $2, true)",
			   2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		g_warning("web: the request's scope: %s", PQresultErrorMessage(res));
		rc = -EIO;
	}
	PQclear(res);
	if (rc < 0)
		PQclear(PQexec(conn, "ROLLBACK"));
	return rc;
}

PGconn *hub_scope_begin(struct web_req *r)
{
	PGconn *conn = hub_web_conn(hub_of(r));

	if (!conn || hub_pg_scope(conn, &r->caller) < 0) {
		hub_pg_error(r, NULL, "the request's scope");
		return NULL;
	}
	return conn;
}

int hub_scope_end(struct web_req *r, bool commit)
{
	PGconn *conn = hub_db_conn(hub_of(r)->db);
	PGresult *res = PQexec(conn, commit ? "COMMIT" : "ROLLBACK");
	int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : -EIO;

	if (rc < 0)
		g_warning("web: %s: %s", commit ? "COMMIT" : "ROLLBACK", PQresultErrorMessage(res));
	PQclear(res);
	return rc;
}

PGresult *hub_query(struct web_req *r, const char *sql, int n_params, const char *const *params)
{
	PGconn *conn = hub_scope_begin(r);
	PGresult *res;

	if (!conn)
		return NULL;
	res = PQexecParams(conn, sql, n_params, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK && PQresultStatus(res) != PGRES_COMMAND_OK) {
		hub_pg_error(r, res, "a query");
		hub_scope_end(r, false);
		return NULL;
	}
	if (hub_scope_end(r, true) < 0) {
		PQclear(res);
		hub_pg_error(r, NULL, "COMMIT");
		return NULL;
	}
	return res;
}

/* ---------------------------------------------------------------------- */
/* The router's hooks */

static void hub_web_identify(void *app, struct web_req *r, struct web_caller *ret)
{
	struct hub *hub = app;
	gboolean from_cookie = FALSE;
	g_autofree char *token = web_session_token(r, &from_cookie);
	g_autofree char *digest = NULL;
	PGconn *conn;

	memset(ret, 0, sizeof(*ret));
	if (!token)
		return;
	digest = auth_token_digest(token);
	conn = hub_web_conn(hub);
	if (conn)
		hub_users_identify(hub, conn, digest, from_cookie, ret);
	/* PostgreSQL restarted since the last request: libpq learns it from
	 * this first query; reconnect and ask again. */
	if (conn && PQstatus(conn) != CONNECTION_OK) {
		conn = hub_web_conn(hub);
		if (conn)
			hub_users_identify(hub, conn, digest, from_cookie, ret);
	}
}

static const struct web_router_hooks hub_web_hooks = {
    .identify = hub_web_identify,
    .role_name = hub_role_name,
};

/* ---------------------------------------------------------------------- */

static void hub_web_catalog(struct web_req *r)
{
	web_catalog_reply(r, hub_of(r)->catalog);
}

static const struct web_route hub_web_routes[] = {
    {"GET", "/api/catalog", 0, hub_web_catalog, NULL},
};

void hub_web_add_routes(struct hub_web *w, const struct web_route *routes, size_t n)
{
	struct hub_web_table t = {routes, n};

	g_array_append_val(w->tables, t);
	web_router_add(w->router, routes, n);
}

void hub_web_foreach_base_route(void (*fn)(const struct web_route *route, void *data), void *data)
{
	for (size_t i = 0; i < G_N_ELEMENTS(hub_web_routes); i++)
		fn(&hub_web_routes[i], data);
	for (size_t i = 0; i < hub_users_n_routes; i++)
		fn(&hub_users_routes[i], data);
}

void hub_web_foreach_route(const struct hub_web *w,
			   void (*fn)(const struct web_route *route, void *data), void *data)
{
	GArray *tables = w->tables;

	for (guint t = 0; t < tables->len; t++) {
		const struct hub_web_table *tab = &g_array_index(tables, struct hub_web_table, t);

		for (size_t i = 0; i < tab->n; i++)
			fn(&tab->routes[i], data);
	}
}

int hub_web_port(const struct hub_web *w)
{
	return w->port;
}

static int hub_web_listen(struct hub_web *w, const char *listen, GError **error)
{
	const char *colon = strrchr(listen, ':');
	g_autofree char *host = g_strndup(listen, (gsize)(colon - listen));
	g_autoptr(GInetAddress) inet = NULL;
	g_autoptr(GSocketAddress) addr = NULL;
	GSList *uris;

	if (host[0] == '[' && g_str_has_suffix(host, "]")) {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	inet = g_inet_address_new_from_string(host);
	if (!inet) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "[web] listen: \"%s\" is not an IP address (give HOST:PORT like "
			    "127.0.0.1:8090)",
			    host);
		return -EINVAL;
	}
	addr = g_inet_socket_address_new(inet, (guint16)atoi(colon + 1));
	if (http_guard_listen(w->guard, addr, 0, error) < 0)
		return -EADDRINUSE;
	uris = soup_server_get_uris(w->server);
	w->port = uris ? g_uri_get_port(uris->data) : atoi(colon + 1);
	g_slist_free_full(uris, (GDestroyNotify)g_uri_unref);
	return 0;
}

struct hub_web *hub_web_new(struct hub *hub, GError **error)
{
	const struct hub_config *cfg = hub->cfg;
	g_auto(GStrv) hosts = cfg->web_hosts ? g_strsplit(cfg->web_hosts, ";", -1) : NULL;
	const struct http_guard_limits limits = {
	    .header_timeout_s = 10,
	    .idle_timeout_s = 60,
	    .max_conns_per_addr = 64,
	    .max_body_kb = cfg->web_max_body_kb,
	    .json_max_depth = WEB_JSON_MAX_DEPTH,
	    .backlog = 128,
	    .hosts = hosts,
	};
	struct hub_web *w = g_new0(struct hub_web, 1);
	const char *ui_dir = cfg->web_ui_dir ? cfg->web_ui_dir : web_default_dir();
	g_autofree char *timeout =
	    g_strdup_printf("SET statement_timeout = %d", cfg->web_statement_timeout_ms);

	w->hub = hub;
	w->tables = g_array_new(FALSE, FALSE, sizeof(struct hub_web_table));
	PQclear(PQexec(hub_db_conn(hub->db), timeout));
	w->server = soup_server_new("server-header", "vuoro-hub/" VUORO_VERSION " ", NULL);
	w->guard = http_guard_new(w->server, &limits);
	w->router = web_router_new(hub, &hub_web_hooks, WEB_CSRF_HEADER);
	web_router_set_max_body(w->router, (gsize)cfg->web_max_body_kb * 1024);
	web_router_attach(w->router, w->server, "/api");
	hub_web_add_routes(w, hub_web_routes, G_N_ELEMENTS(hub_web_routes));
	hub_web_add_routes(w, hub_users_routes, hub_users_n_routes);
	w->pages = web_new_pages(w->server, ui_dir, hub_web_pages, G_N_ELEMENTS(hub_web_pages),
				 "/hub", error);
	if (w->pages && !hub->catalog) {
		g_autofree char *dir = catalog_default_dir(ui_dir);
		g_auto(GStrv) langs = g_strsplit(cfg->web_languages, ";", -1);

		hub->catalog = catalog_load(dir, langs, error);
	}
	if (!w->pages || !hub->catalog || hub_web_listen(w, cfg->web_listen, error) < 0) {
		hub_web_free(w);
		return NULL;
	}
	return w;
}

void hub_web_free(struct hub_web *w)
{
	if (!w)
		return;
	web_free(w->pages);
	http_guard_free(w->guard);
	soup_server_disconnect(w->server);
	g_object_unref(w->server);
	web_router_free(w->router);
	g_array_unref(w->tables);
	g_free(w);
}

SoupServer *hub_web_server(const struct hub_web *w)
{
	return w->server;
}

void hub_web_identify_message(struct hub *hub, SoupServerMessage *msg, struct web_caller *ret)
{
	g_autoptr(web_exchange) x = web_exchange_new(msg);
	GUri *uri = soup_server_message_get_uri(msg);
	g_autoptr(GHashTable) query = NULL;
	struct web_req r = {.app = hub, .x = x};

	if (g_uri_get_query(uri))
		query = g_uri_parse_params(g_uri_get_query(uri), -1, "&", G_URI_PARAMS_NONE, NULL);
	r.query = query;
	hub_web_identify(hub, &r, ret);
}
