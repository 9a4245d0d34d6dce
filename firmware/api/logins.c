/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api_logins: the policy around passwords — throttled guesses, the old
 * password to change one's own, disabled users — and the routes that
 * disable and enable a user.
 *
 * Every login is counted for its address and for the user name it tries
 * before its password is checked (auth_throttle: growing delays after
 * AUTH_THROTTLE_FREE failures, no lock-out).  A login that succeeds takes
 * back its own count and nothing else: logging in as oneself between
 * guesses does not clear the address's count, nor another user's.
 */

#include <errno.h>
#include <string.h>

#include "api_internal.h"
#include "auth.h"
#include "desk.h"
#include "store.h"

struct api_logins {
	struct auth_throttle *throttle; /* "addr:HOST" and "user:NAME" */
};

struct api_logins *api_logins_new(void)
{
	struct api_logins *l = g_new0(struct api_logins, 1);

	l->throttle = auth_throttle_new();
	return l;
}

void api_logins_free(struct api_logins *l)
{
	if (!l)
		return;
	auth_throttle_free(l->throttle);
	g_free(l);
}

/* "user:NAME": a name longer than any user's is cut, so that guesses under
 * long names cannot make the throttle hold much memory. */
static char *api_logins_key(const char *kind, const char *value)
{
	return g_strdup_printf("%s:%.*s", kind, QUEUE_USER_LEN, value ? value : "");
}

static void api_logins_refuse(struct web_req *r, int retry_s)
{
	g_autofree char *after = g_strdup_printf("%d", retry_s);

	web_reply_header(r, "Retry-After", after);
	web_error(r, 429, "too_many_logins",
		  "too many failed logins: wait %d s before trying again", retry_s);
}

gboolean api_logins_admit(struct web_req *r, const char *user)
{
	struct api_logins *l = api_of(r)->logins;
	g_autofree char *addr = api_logins_key("addr", web_req_remote(r));
	g_autofree char *name = api_logins_key("user", user);
	int64_t now = g_get_monotonic_time();
	int retry_s = 0;

	if (auth_throttle_attempt(l->throttle, addr, now, &retry_s) < 0) {
		api_logins_refuse(r, retry_s);
		return FALSE;
	}
	if (auth_throttle_attempt(l->throttle, name, now, &retry_s) < 0) {
		auth_throttle_succeeded(l->throttle, addr, FALSE); /* not checked: not counted */
		api_logins_refuse(r, retry_s);
		return FALSE;
	}
	return TRUE;
}

void api_logins_succeeded(struct api *api, const char *host, const char *user)
{
	g_autofree char *addr = api_logins_key("addr", host);
	g_autofree char *name = api_logins_key("user", user);

	auth_throttle_succeeded(api->logins->throttle, addr, FALSE);
	auth_throttle_succeeded(api->logins->throttle, name, FALSE);
}

gboolean api_logins_may_change_password(struct web_req *r, const char *name, gboolean *ret_own)
{
	*ret_own = g_strcmp0(name, r->caller.user) == 0;
	if (!*ret_own) {
		if (r->caller.role & AUTH_ROLE_ADMIN)
			return TRUE; /* an admin resets another's password */
		web_error(r, 403, "forbidden", "only an admin may change another user's password");
		return FALSE;
	}
	if (!web_str(r, "old")) {
		web_error(r, 400, "old_password_required",
			  "give your current password as \"old\" to change it");
		return FALSE;
	}
	/* Counted like a login before the old password is checked. */
	return api_logins_admit(r, name);
}

/* A user's password changed, or the user was disabled: their sessions end
 * (the store forgot their tokens) and so do their sockets. */
void api_logins_ended(struct api *api, const char *user, const char *why)
{
	api_devices_end_sockets(api, NULL, user, NULL, why);
}

static void api_users_able(struct web_req *r, gboolean disable)
{
	const char *name = r->seg[2];
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	int rc;

	if (disable && g_strcmp0(name, r->caller.user) == 0) {
		web_error(r, 409, "own_account", "you cannot disable your own account");
		return;
	}
	rc = store_user_set_disabled(desk_store(api_of(r)->desk), name, disable, &error);
	if (rc < 0) {
		api_error_gerror(r, rc, error, NULL);
		return;
	}
	if (disable)
		api_logins_ended(api_of(r), name, "this user was disabled");
	json_builder_begin_object(b);
	web_json_add_str(b, "name", name);
	web_json_add_bool(b, "disabled", disable);
	json_builder_end_object(b);
	web_reply_builder(r, 200, b);
}

static void api_users_disable(struct web_req *r)
{
	api_users_able(r, TRUE);
}

static void api_users_enable(struct web_req *r)
{
	api_users_able(r, FALSE);
}

const struct web_route api_logins_routes[] = {
    {"POST", "/api/users/*/disable", AUTH_ROLE_ADMIN, api_users_disable, api_no_fields},
    {"POST", "/api/users/*/enable", AUTH_ROLE_ADMIN, api_users_enable, api_no_fields},
};
const size_t api_logins_n_routes = G_N_ELEMENTS(api_logins_routes);
