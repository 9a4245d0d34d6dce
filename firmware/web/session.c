/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * session: see session.h.
 */

#include "session.h"

#include "auth.h"
#include "http_guard.h"

const char *web_session_bearer(struct web_req *r)
{
	const char *h = web_req_header(r, "Authorization");
	SoupServerMessage *msg = web_exchange_message(r->x);

	if (h && g_ascii_strncasecmp(h, "Bearer ", 7) == 0)
		return h + 7;
	return r->query && msg && http_guard_is_upgrade(msg)
		   ? g_hash_table_lookup(r->query, "token")
		   : NULL;
}

char *web_session_token(struct web_req *r, gboolean *ret_cookie)
{
	const char *bearer = web_session_bearer(r);

	if (ret_cookie)
		*ret_cookie = !bearer;
	return bearer ? g_strdup(bearer) : web_req_cookie(r, WEB_SESSION_COOKIE);
}

void web_session_set_cookie(struct web_req *r, const char *token, int max_age_s, gboolean secure)
{
	g_autofree char *cookie =
	    g_strdup_printf(WEB_SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; "
					       "Max-Age=%d%s",
			    token ? token : "", token ? max_age_s : 0, secure ? "; Secure" : "");

	web_reply_header(r, "Set-Cookie", cookie);
}

struct web_logins {
	struct auth_throttle *throttle; /* "addr:HOST" and "user:NAME" */
};

struct web_logins *web_logins_new(void)
{
	struct web_logins *l = g_new0(struct web_logins, 1);

	l->throttle = auth_throttle_new();
	return l;
}

void web_logins_free(struct web_logins *l)
{
	if (!l)
		return;
	auth_throttle_free(l->throttle);
	g_free(l);
}

/* "user:NAME": a name longer than any user's is cut, so that guesses under
 * long names cannot make the throttle hold much memory. */
static char *web_logins_key(const char *kind, const char *value)
{
	return g_strdup_printf("%s:%.*s", kind, WEB_USER_NAME_MAX, value ? value : "");
}

static void web_logins_refuse(struct web_req *r, int retry_s)
{
	g_autofree char *after = g_strdup_printf("%d", retry_s);

	web_reply_header(r, "Retry-After", after);
	web_error(r, 429, "too_many_logins",
		  "too many failed logins: wait %d s before trying again", retry_s);
}

gboolean web_logins_admit(struct web_logins *l, struct web_req *r, const char *user)
{
	g_autofree char *addr = web_logins_key("addr", web_req_remote(r));
	g_autofree char *name = web_logins_key("user", user);
	int64_t now = g_get_monotonic_time();
	int retry_s = 0;

	if (auth_throttle_attempt(l->throttle, addr, now, &retry_s) < 0) {
		web_logins_refuse(r, retry_s);
		return FALSE;
	}
	if (auth_throttle_attempt(l->throttle, name, now, &retry_s) < 0) {
		auth_throttle_succeeded(l->throttle, addr, FALSE); /* not checked: not counted */
		web_logins_refuse(r, retry_s);
		return FALSE;
	}
	return TRUE;
}

void web_logins_succeeded(struct web_logins *l, const char *host, const char *user)
{
	g_autofree char *addr = web_logins_key("addr", host);
	g_autofree char *name = web_logins_key("user", user);

	auth_throttle_succeeded(l->throttle, addr, FALSE);
	auth_throttle_succeeded(l->throttle, name, FALSE);
}
