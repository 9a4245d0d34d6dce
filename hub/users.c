/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hub_users: see users.h.
 */
#include "users.h"

#include <errno.h>
#include <string.h>

#include "auth.h"
#include "json.h"
#include "session.h"

void hub_users_identify(struct hub *hub, PGconn *conn, const char *digest, gboolean from_cookie,
			struct web_caller *ret)
{
	g_autofree char *hours = g_strdup_printf("%d", hub->cfg->web_session_hours);
	const char *params[2] = {digest, hours};
	PGresult *res =
	    PQexecParams(conn,
			 "UPDATE hub_sessions s SET last_seen = now() FROM hub_users u "
			 "WHERE s.token_digest = $1 AND u.name = s.user_name AND NOT u.disabled "
			 "AND s.created > now() - make_interval(hours => $2::int) "
			 "RETURNING u.name, u.role, coalesce(u.provider, ''), s.csrf",
			 2, NULL, params, NULL, NULL, 0);

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		g_warning("web: who calls: %s", PQresultErrorMessage(res));
	else if (PQntuples(res) == 1) {
		ret->role = hub_role_parse(PQgetvalue(res, 0, 1));
		ret->user = g_strdup(PQgetvalue(res, 0, 0));
		g_strlcpy(ret->provider, PQgetvalue(res, 0, 2), sizeof(ret->provider));
		g_strlcpy(ret->session, digest, sizeof(ret->session));
		if (from_cookie)
			ret->csrf = g_strdup(PQgetvalue(res, 0, 3));
	}
	PQclear(res);
}

/* ---------------------------------------------------------------------- */
/* POST /api/login */

struct hub_login {
	struct hub *hub;
	struct web_exchange *x;
	char *user;
	char *host;
	char *role;
	char *provider;
	char *hash; /* NULL when the user does not exist */
	gboolean disabled;
};

static void hub_login_free(struct hub_login *l)
{
	g_free(l->user);
	g_free(l->host);
	g_free(l->role);
	g_free(l->provider);
	g_free(l->hash);
	g_free(l);
}

static void hub_login_session(struct web_req *r, struct hub_login *l)
{
	struct hub *hub = l->hub;
	g_autofree char *token = auth_token_new();
	g_autofree char *digest = auth_token_digest(token);
	g_autofree char *csrf = auth_token_new();
	g_autofree char *hours = g_strdup_printf("%d", hub->cfg->web_session_hours);
	const char *params[4] = {digest, l->user, csrf, hours};
	g_autoptr(JsonBuilder) b = json_builder_new();
	int max_age = hub->cfg->web_session_hours * 3600;
	PGresult *res = hub_query(
	    r,
	    "WITH gone AS (DELETE FROM hub_sessions WHERE created < now() - "
	    "make_interval(hours => $4::int)) "
	    "INSERT INTO hub_sessions (token_digest, user_name, csrf) VALUES ($1, $2, $3) "
	    "RETURNING extract(epoch FROM created)::bigint + $4::int * 3600",
	    4, params);

	if (!res)
		return;
	web_logins_succeeded(hub->logins, l->host, l->user);
	web_session_set_cookie(r, token, max_age, hub->cfg->web_secure_cookies);
	json_builder_begin_object(b);
	web_json_add_str(b, "token", token);
	web_json_add_str(b, "csrf", csrf);
	web_json_add_str(b, "user", l->user);
	web_json_add_str(b, "role", l->role);
	web_json_add_str(b, "provider", l->provider);
	web_json_add_int(b, "expires_at", g_ascii_strtoll(PQgetvalue(res, 0, 0), NULL, 10));
	json_builder_end_object(b);
	PQclear(res);
	web_reply_builder(r, 200, b);
}

static void hub_login_done(GObject *source, GAsyncResult *result, gpointer data)
{
	struct hub_login *l = data;
	struct web_req r = {.app = l->hub, .x = l->x};
	gboolean ok = auth_pool_verify_finish(result) && l->hash;

	if (!ok)
		web_error(&r, 401, "bad_login", "wrong user name or password");
	else if (l->disabled)
		web_error(&r, 403, "disabled", "this account is disabled: ask an admin");
	else
		hub_login_session(&r, l);
	web_exchange_release(l->x);
	hub_login_free(l);
}

static void hub_login(struct web_req *r)
{
	struct hub *hub = hub_of(r);
	const char *host = web_req_remote(r);
	const char *params[1] = {web_str(r, "user")};
	struct hub_login *l;
	PGresult *res;

	if (!web_logins_admit(hub->logins, r, params[0]))
		return;
	res =
	    hub_query(r, "SELECT role, provider, password, disabled FROM hub_users WHERE name = $1",
		      1, params);
	if (!res)
		return;
	l = g_new0(struct hub_login, 1);
	l->hub = hub;
	l->user = g_strdup(params[0]);
	l->host = g_strdup(host ? host : "");
	if (PQntuples(res) == 1) {
		l->role = g_strdup(PQgetvalue(res, 0, 0));
		l->provider = PQgetisnull(res, 0, 1) ? NULL : g_strdup(PQgetvalue(res, 0, 1));
		l->hash = g_strdup(PQgetvalue(res, 0, 2));
		l->disabled = strcmp(PQgetvalue(res, 0, 3), "t") == 0;
	}
	PQclear(res);
	/* The check runs on the pool (Argon2 holds 64 MiB while it runs). */
	l->x = web_req_hold(r);
	if (auth_pool_verify(hub->auth_pool, l->hash, web_str(r, "password"), hub_login_done, l) <
	    0) {
		web_error(r, 503, "busy", "too many logins at once: try again in a moment");
		web_exchange_release(l->x);
		hub_login_free(l);
	}
}

static void hub_logout(struct web_req *r)
{
	const char *params[1] = {r->caller.session};
	g_autoptr(JsonBuilder) b = json_builder_new();
	PGresult *res = hub_query(r, "DELETE FROM hub_sessions WHERE token_digest = $1", 1, params);

	if (!res)
		return;
	PQclear(res);
	web_session_set_cookie(r, NULL, 0, FALSE);
	json_builder_begin_object(b);
	web_json_add_bool(b, "ok", TRUE);
	json_builder_end_object(b);
	web_reply_builder(r, 200, b);
}

static void hub_whoami(struct web_req *r)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	web_json_add_str(b, "user", r->caller.user);
	web_json_add_str(b, "role", hub_role_name(r->caller.role));
	web_json_add_str(b, "provider", r->caller.provider[0] ? r->caller.provider : NULL);
	if (r->caller.csrf)
		web_json_add_str(b, "csrf", r->caller.csrf);
	json_builder_end_object(b);
	web_reply_builder(r, 200, b);
}

static const struct web_field hub_login_fields[] = {
    WEB_FIELD_STR("user", TRUE, WEB_USER_NAME_MAX),
    WEB_FIELD_STR("password", TRUE, AUTH_PASSWORD_MAX), WEB_FIELDS_END};
static const struct web_field hub_no_fields[] = {WEB_FIELDS_END};

const struct web_route hub_users_routes[] = {
    {"POST", "/api/login", 0, hub_login, hub_login_fields},
    {"POST", "/api/logout", HUB_STAFF, hub_logout, hub_no_fields},
    {"GET", "/api/whoami", HUB_STAFF, hub_whoami, NULL},
};
const size_t hub_users_n_routes = G_N_ELEMENTS(hub_users_routes);

/* ---------------------------------------------------------------------- */
/* vuoro-hub --add-user */

int hub_users_add(struct hub_db *db, const char *name, const char *role, const char *provider,
		  const char *password, GError **error)
{
	g_autofree char *hash = NULL;
	const char *params[4];
	PGresult *res;
	int rc;

	if (!name || !*name || strlen(name) > WEB_USER_NAME_MAX) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "give the user a name of 1 to %d characters", WEB_USER_NAME_MAX);
		return -EINVAL;
	}
	if (!hub_role_parse(role)) {
		g_set_error(
		    error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
		    "--role must be admin, manager, technician, provider-manager or expert, "
		    "not \"%s\"",
		    role ? role : "");
		return -EINVAL;
	}
	if (!!(hub_role_parse(role) & (HUB_ROLE_PROVIDER | HUB_ROLE_EXPERT)) !=
	    (provider != NULL)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s",
			    provider ? "--provider is for a provider-manager or an expert only"
				     : "a provider-manager or an expert needs --provider CODE (the "
				       "provider whose figures they see or whose customers they "
				       "serve, e.g. kela)");
		return -EINVAL;
	}
	if (provider && (!*provider || strlen(provider) > WEB_PROVIDER_MAX)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "--provider must be a provider code of 1 to %d characters",
			    WEB_PROVIDER_MAX);
		return -EINVAL;
	}
	rc = auth_password_hash(password, &hash, error);
	if (rc < 0)
		return rc;
	params[0] = name;
	params[1] = role;
	params[2] = provider;
	params[3] = hash;
	res = PQexecParams(
	    hub_db_conn(db),
	    "WITH u AS (INSERT INTO hub_users (name, role, provider, password) "
	    "VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO UPDATE SET "
	    "role = $2, provider = $3, password = $4, disabled = false RETURNING name) "
	    "DELETE FROM hub_sessions WHERE user_name = $1",
	    4, NULL, params, NULL, NULL, 0);
	rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : -EIO;
	if (rc < 0)
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "PostgreSQL refused the user: %s",
			    PQresultErrorMessage(res));
	PQclear(res);
	return rc;
}
