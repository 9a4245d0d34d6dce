/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api/users: people: log in and out, who am I, users and passwords.
 */
#include "api_internal.h"
#include <errno.h>
#include <string.h>
#include "auth.h"
#include "store.h"

struct api_login {
	struct api *api;
	struct web_exchange *x;
	char *user;
	char *password;
	char *hash; /* NULL when the user does not exist */
	char *role;
	char *host;
};

static void api_login_free(struct api_login *l)
{
	g_free(l->user);
	if (l->password)
		memset(l->password, 0, strlen(l->password));
	g_free(l->password);
	g_free(l->hash);
	g_free(l->role);
	g_free(l->host);
	g_free(l);
}

/* A hash of a password nobody has: checking against it costs the same as a
 * real check, so a missing user cannot be told from a wrong password. */
static const char api_dummy_hash[] = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
				     "n1cHb0tTjvn6uQeaQbBw8Pw8wuX6rS0Q2l9dfB2cT0I";

static void api_login_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancel)
{
	struct api_login *l = data;
	gboolean ok = auth_password_verify(l->hash ? l->hash : api_dummy_hash, l->password);

	g_task_return_boolean(task, ok && l->hash);
}

static void api_login_done(GObject *source, GAsyncResult *result, gpointer data)
{
	struct api_login *l = data;
	struct api *api = l->api;
	struct web_req r = {.app = api, .x = l->x};
	gboolean ok = g_task_propagate_boolean(G_TASK(result), NULL);
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
			g_autofree char *cookie = g_strdup_printf(
			    API_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s",
			    token, api->cfg->token_hours * 3600, api->tls ? "; Secure" : "");

			api_logins_succeeded(api, l->host, l->user);
			web_reply_header(&r, "Set-Cookie", cookie);
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
	g_autoptr(GTask) task = NULL;

	if (!api_logins_admit(r, web_str(r, "user")))
		return;
	l = g_new0(struct api_login, 1);
	l->api = api;
	l->user = g_strdup(web_str(r, "user"));
	l->password = g_strdup(web_str(r, "password"));
	l->host = g_strdup(host ? host : "");
	if (store_user_get(desk_store(api->desk), l->user, &l->role, &l->hash, NULL) < 0) {
		g_clear_pointer(&l->hash, g_free);
		g_clear_pointer(&l->role, g_free);
	}
	l->x = web_req_hold(r);
	task = g_task_new(NULL, NULL, api_login_done, l);
	g_task_set_task_data(task, l, NULL);
	g_task_run_in_thread(task, api_login_thread);
}

static void api_logout(struct web_req *r)
{
	g_autofree char *cookie = web_req_cookie(r, API_COOKIE);
	const char *token = api_bearer(r) ? api_bearer(r) : cookie;
	g_autofree char *digest = token ? auth_token_digest(token) : NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();

	if (digest) {
		store_token_delete(desk_store(api_of(r)->desk), digest, NULL);
		api_devices_end_sockets(api_of(r), digest, NULL, NULL, "logged out");
	}
	web_reply_header(r, "Set-Cookie",
			 API_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
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

static void api_users_add(struct web_req *r)
{
	const char *name = web_str(r, "name");
	const char *role = web_str(r, "role");
	g_autofree char *hash = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	struct queue_time t;
	int rc;

	if (!api_user_name_ok(name)) {
		web_error(r, 400, "invalid",
			  "a user name is 1 to %d letters, digits, '.', '-' or '_'",
			  QUEUE_USER_LEN - 1);
		return;
	}
	if (!auth_role_parse(role)) {
		web_error(r, 400, "invalid",
			  "role must be advisor, expert, technician, manager or admin");
		return;
	}
	/* About 0.1 s on the loop: adding users is rare and admin-only. */
	rc = auth_password_hash(web_str(r, "password"), &hash, &error);
	if (rc < 0) {
		api_error_gerror(r, rc, error, NULL);
		return;
	}
	desk_time(api_of(r)->desk, &t);
	if (web_str(r, "provider") &&
	    !config_provider_known(api_of(r)->cfg, web_str(r, "provider"))) {
		web_error(r, 400, "invalid", "provider \"%s\" is not in board-config",
			  web_str(r, "provider"));
		return;
	}
	rc = store_user_put(desk_store(api_of(r)->desk), name, role, hash, t.now, &error);
	if (rc >= 0 && web_str(r, "provider"))
		rc = store_user_set_provider(desk_store(api_of(r)->desk), name,
					     web_str(r, "provider"), &error);
	if (rc < 0) {
		api_error_gerror(r, rc, error, NULL);
		return;
	}
	json_builder_begin_object(b);
	web_json_add_str(b, "name", name);
	web_json_add_str(b, "role", role);
	web_json_add_str(b, "provider", web_str(r, "provider"));
	json_builder_end_object(b);
	web_reply_builder(r, 201, b);
}

static void api_users_passwd(struct web_req *r)
{
	const char *name = r->seg[2];
	g_autofree char *hash = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	int rc;

	if (!api_logins_may_change_password(r, name))
		return;
	rc = auth_password_hash(web_str(r, "password"), &hash, &error);
	if (rc == 0)
		rc = store_user_set_hash(desk_store(api_of(r)->desk), name, hash, &error);
	if (rc < 0) {
		api_error_gerror(r, rc, error, NULL);
		return;
	}
	api_logins_ended(api_of(r), name, "the password changed: log in again");
	json_builder_begin_object(b);
	web_json_add_str(b, "name", name);
	web_json_add_bool(b, "ok", TRUE);
	json_builder_end_object(b);
	web_reply_builder(r, 200, b);
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
    {"POST", "/api/logout", AUTH_STAFF, api_logout, api_no_fields},
    {"GET", "/api/whoami", AUTH_STAFF | AUTH_ROLE_KIOSK, api_whoami, NULL},
    {"GET", "/api/users", AUTH_ROLE_ADMIN, api_users_list, NULL},
    {"POST", "/api/users", AUTH_ROLE_ADMIN, api_users_add, api_user_fields},
    {"POST", "/api/users/*/password", AUTH_STAFF, api_users_passwd, api_passwd_fields},
};
const size_t api_users_n_routes = G_N_ELEMENTS(api_users_routes);
