/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api/users: people: log in and out, who am I, users and passwords.
 */
#include "api_internal.h"
#include <errno.h>
#include <string.h>
#include "auth.h"
#include "session.h"
#include "store.h"

#include <sodium.h>

struct api_login {
	struct api *api;
	struct web_exchange *x;
	char *user;
	char *hash; /* NULL when the user does not exist */
	char *role;
	char *host;
};

static void api_login_free(struct api_login *l)
{
	g_free(l->user);
	g_free(l->hash);
	g_free(l->role);
	g_free(l->host);
	g_free(l);
}

static void api_login_done(GObject *source, GAsyncResult *result, gpointer data)
{
	struct api_login *l = data;
	struct api *api = l->api;
	struct web_req r = {.app = api, .x = l->x};
	gboolean ok = auth_pool_verify_finish(result) && l->hash;
	struct queue_time t;

	desk_time(api->desk, &t);
	if (!ok) {
		web_error(&r, 401, "bad_login", "wrong user name or password");
	} else if (store_user_disabled(desk_store(api->desk), l->user) != 0) {
		web_error(&r, 403, "disabled", "this account is disabled: ask an admin");
	} else {
		g_autofree char *token = auth_token_new();
		g_autofree char *digest = auth_token_digest(token);
		g_autoptr(GError) error = NULL;
		int64_t expires = t.now + (int64_t)api->cfg->token_hours * 3600;
		int rc = store_token_put(desk_store(api->desk), digest, l->user, expires, &error);

		if (rc < 0) {
			api_error_gerror(&r, rc, error, NULL);
		} else {
			g_autoptr(JsonBuilder) b = json_builder_new();

			g_autofree char *csrf = auth_csrf_token(token);

			web_logins_succeeded(api->logins, l->host, l->user);
			web_session_set_cookie(&r, token, api->cfg->token_hours * 3600, api->tls);
			json_builder_begin_object(b);
			web_json_add_str(b, "token", token);
			web_json_add_str(b, "csrf", csrf);
			web_json_add_str(b, "user", l->user);
			web_json_add_str(b, "role", l->role);
			web_json_add_int(b, "expires_at", expires);
			json_builder_end_object(b);
			web_reply_builder(&r, 200, b);
		}
	}
	web_exchange_release(l->x);
	api_login_free(l);
}

static void api_login(struct web_req *r)
{
	struct api *api = api_of(r);
	const char *host = web_req_remote(r);
	struct api_login *l;

	if (!web_logins_admit(api->logins, r, web_str(r, "user")))
		return;
	l = g_new0(struct api_login, 1);
	l->api = api;
	l->user = g_strdup(web_str(r, "user"));
	l->host = g_strdup(host ? host : "");
	if (store_user_get(desk_store(api->desk), l->user, &l->role, &l->hash, NULL) < 0) {
		g_clear_pointer(&l->hash, g_free);
		g_clear_pointer(&l->role, g_free);
	}
	/* The check runs on the pool of two (Argon2 holds 64 MiB while it runs). */
	l->x = web_req_hold(r);
	if (auth_pool_verify(api->auth_pool, l->hash, web_str(r, "password"), api_login_done, l) <
	    0) {
		web_error(r, 503, "busy", "too many logins at once: try again in a moment");
		web_exchange_release(l->x);
		api_login_free(l);
	}
}

static void api_logout(struct web_req *r)
{
	g_autofree char *token = web_session_token(r, NULL);
	g_autofree char *digest = token ? auth_token_digest(token) : NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();

	if (digest) {
		store_token_delete(desk_store(api_of(r)->desk), digest, NULL);
		api_devices_end_sockets(api_of(r), digest, NULL, NULL, "logged out");
	}
	web_session_set_cookie(r, NULL, 0, FALSE);
	json_builder_begin_object(b);
	web_json_add_bool(b, "ok", TRUE);
	json_builder_end_object(b);
	web_reply_builder(r, 200, b);
}

static void api_whoami(struct web_req *r)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	web_json_add_str(b, "user", r->caller.user);
	web_json_add_str(b, "role", auth_role_name(r->caller.role));
	if (r->caller.csrf)
		web_json_add_str(b, "csrf", r->caller.csrf);
	json_builder_end_object(b);
	web_reply_builder(r, 200, b);
}

/* ---------------------------------------------------------------------- */
/* Users */

static void api_user_name(const char *name, const char *role, void *data)
{
	JsonBuilder *b = data;

	json_builder_begin_object(b);
	web_json_add_str(b, "name", name);
	web_json_add_str(b, "role", role);
	json_builder_end_object(b);
}

static void api_users_list(struct web_req *r)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(GError) error = NULL;
	int rc;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "users");
	json_builder_begin_array(b);
	rc = store_user_foreach(desk_store(api_of(r)->desk), api_user_name, b, &error);
	json_builder_end_array(b);
	json_builder_end_object(b);
	if (rc < 0)
		api_error_gerror(r, rc, error, NULL);
	else
		web_reply_builder(r, 200, b);
}

static gboolean api_user_name_ok(const char *name)
{
	size_t len = strlen(name);

	if (len < 1 || len >= QUEUE_USER_LEN)
		return FALSE;
	for (const char *c = name; *c; c++)
		if (!g_ascii_isalnum(*c) && *c != '.' && *c != '-' && *c != '_')
			return FALSE;
	return TRUE;
}

/* A user added or a password changed: the hash is made on the auth pool,
 * the user stored when it is done; one's own password is first checked
 * there against the old one. */
struct api_user_job {
	struct api *api;
	struct web_exchange *x;
	char *name, *role, *provider; /* role NULL: a password change */
	char *password;               /* the new one, while the old is checked */
};

static void api_user_job_free(struct api_user_job *j)
{
	web_exchange_release(j->x);
	g_free(j->name);
	g_free(j->role);
	g_free(j->provider);
	if (j->password)
		sodium_memzero(j->password, strlen(j->password));
	g_free(j->password);
	g_free(j);
}

static void api_user_job_done(GObject *source, GAsyncResult *result, gpointer data)
{
	struct api_user_job *j = data;
	struct web_req r = {.app = j->api, .x = j->x};
	struct store *store = desk_store(j->api->desk);
	g_autoptr(GError) error = NULL;
	g_autofree char *hash = auth_pool_hash_finish(result, &error);
	g_autoptr(JsonBuilder) b = json_builder_new();
	struct queue_time t;
	int rc = hash ? 0 : -ENOMEM;

	desk_time(j->api->desk, &t);
	if (rc == 0 && j->role)
		rc = store_user_put(store, j->name, j->role, hash, t.now, &error);
	else if (rc == 0)
		rc = store_user_set_hash(store, j->name, hash, &error);
	if (rc >= 0 && j->role && j->provider)
		rc = store_user_set_provider(store, j->name, j->provider, &error);
	if (rc < 0) {
		api_error_gerror(&r, rc, error, NULL);
	} else {
		if (!j->role)
			api_logins_ended(j->api, j->name, "the password changed: log in again");
		json_builder_begin_object(b);
		web_json_add_str(b, "name", j->name);
		if (j->role) {
			web_json_add_str(b, "role", j->role);
			web_json_add_str(b, "provider", j->provider);
		} else {
			web_json_add_bool(b, "ok", TRUE);
		}
		json_builder_end_object(b);
		web_reply_builder(&r, j->role ? 201 : 200, b);
	}
	api_user_job_free(j);
}

/* Hashes @password on the pool for @j; answers and frees @j when it cannot. */
static void api_user_job_hash(struct api_user_job *j, const char *password)
{
	struct web_req r = {.app = j->api, .x = j->x};
	g_autoptr(GError) error = NULL;
	int rc = auth_pool_hash(j->api->auth_pool, password, api_user_job_done, j, &error);

	if (rc < 0) {
		if (rc == -EBUSY)
			web_error(&r, 503, "busy", "too many password checks at once: try again");
		else
			api_error_gerror(&r, rc, error, NULL);
		api_user_job_free(j);
	}
}

static struct api_user_job *api_user_job_new(struct web_req *r, const char *name, const char *role,
					     const char *provider)
{
	struct api_user_job *j = g_new0(struct api_user_job, 1);

	j->api = api_of(r);
	j->x = web_req_hold(r);
	j->name = g_strdup(name);
	j->role = g_strdup(role);
	j->provider = g_strdup(provider);
	return j;
}

static void api_users_add(struct web_req *r)
{
	const char *name = web_str(r, "name");
	const char *role = web_str(r, "role");

	if (!api_user_name_ok(name)) {
		web_error(r, 400, "invalid",
			  "a user name is 1 to %d letters, digits, '.', '-' or '_'",
			  QUEUE_USER_LEN - 1);
		return;
	}
	if (!auth_role_parse(role)) {
		web_error(r, 400, "invalid",
			  "role must be advisor, expert, technician, manager, admin or reception");
		return;
	}
	if (web_str(r, "provider") &&
	    !config_provider_known(api_of(r)->cfg, web_str(r, "provider"))) {
		web_error(r, 400, "invalid", "provider \"%s\" is not in board-config",
			  web_str(r, "provider"));
		return;
	}
	api_user_job_hash(api_user_job_new(r, name, role, web_str(r, "provider")),
			  web_str(r, "password"));
}

/* The old password was checked on the pool: on to the new one's hash. */
static void api_user_old_checked(GObject *source, GAsyncResult *result, gpointer data)
{
	struct api_user_job *j = data;
	struct web_req r = {.app = j->api, .x = j->x};
	char *password = g_steal_pointer(&j->password);

	if (!auth_pool_verify_finish(result)) {
		web_error(&r, 403, "wrong_password", "the current password is wrong");
		api_user_job_free(j);
	} else {
		web_logins_succeeded(j->api->logins, web_exchange_remote(j->x), j->name);
		api_user_job_hash(j, password);
	}
	sodium_memzero(password, strlen(password));
	g_free(password);
}

static void api_users_passwd(struct web_req *r)
{
	const char *name = r->seg[2];
	g_autofree char *hash = NULL;
	struct api_user_job *j;
	gboolean own;

	if (!api_logins_may_change_password(r, name, &own))
		return;
	j = api_user_job_new(r, name, NULL, NULL);
	if (!own) { /* an admin resets another's password */
		api_user_job_hash(j, web_str(r, "password"));
		return;
	}
	j->password = g_strdup(web_str(r, "password"));
	if (store_user_get(desk_store(api_of(r)->desk), name, NULL, &hash, NULL) < 0)
		g_clear_pointer(&hash, g_free);
	if (auth_pool_verify(api_of(r)->auth_pool, hash, web_str(r, "old"), api_user_old_checked,
			     j) < 0) {
		web_error(r, 503, "busy", "too many password checks at once: try again");
		api_user_job_free(j);
	}
}

static const struct web_field api_login_fields[] = {
    WEB_FIELD_STR("user", TRUE, 64), WEB_FIELD_STR("password", TRUE, AUTH_PASSWORD_MAX),
    WEB_FIELDS_END};
static const struct web_field api_user_fields[] = {
    WEB_FIELD_STR("name", TRUE, 64), WEB_FIELD_STR("role", TRUE, 16),
    WEB_FIELD_STR("password", TRUE, AUTH_PASSWORD_MAX),
    WEB_FIELD_STR("provider", FALSE, 32), /* an expert's provider */
    WEB_FIELDS_END};
static const struct web_field api_passwd_fields[] = {
    WEB_FIELD_STR("password", TRUE, AUTH_PASSWORD_MAX),
    WEB_FIELD_STR("old", FALSE, AUTH_PASSWORD_MAX), WEB_FIELDS_END};

const struct web_route api_users_routes[] = {
    {"POST", "/api/login", 0, api_login, api_login_fields},
    {"POST", "/api/logout", AUTH_PEOPLE, api_logout, api_no_fields},
    {"GET", "/api/whoami", AUTH_PEOPLE | AUTH_ROLE_KIOSK, api_whoami, NULL},
    {"GET", "/api/users", AUTH_ROLE_ADMIN, api_users_list, NULL},
    {"POST", "/api/users", AUTH_ROLE_ADMIN, api_users_add, api_user_fields},
    {"POST", "/api/users/*/password", AUTH_PEOPLE, api_users_passwd, api_passwd_fields},
};
const size_t api_users_n_routes = G_N_ELEMENTS(api_users_routes);
