/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api_logins: the policy around passwords — throttled guesses (the policy
 * is web/session.c's, shared with the hub), the old password to change
 * one's own, disabled users — and the routes that disable and enable a user.
 */

#include <errno.h>
#include <string.h>

#include "api_internal.h"
#include "auth.h"
#include "desk.h"
#include "session.h"
#include "store.h"

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
	return web_logins_admit(api_of(r)->logins, r, name);
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
