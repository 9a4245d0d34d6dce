/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * session: what a program with staff logins shares (vuorod, vuoro-hub): the
 * session cookie, the CSRF header, where a request's token is, and the
 * login throttle's policy.
 *
 * - A browser keeps its login in the HttpOnly, SameSite=Strict cookie
 *   WEB_SESSION_COOKIE (Secure over HTTPS) and sends its CSRF token in the
 *   header WEB_CSRF_HEADER (the router refuses a cookie's write without it);
 *   a script sends Authorization: Bearer TOKEN, or ?token= on a WebSocket's
 *   upgrade only (a URL is logged and shared, so nowhere else).
 * - Every login is counted for its address and for the user name it tries
 *   before its password is checked (auth_throttle: growing delays after
 *   AUTH_THROTTLE_FREE failures, no lock-out).  A login that succeeds takes
 *   back its own count and nothing else: logging in as oneself between
 *   guesses does not clear the address's count, nor another user's.
 */
#pragma once

#include <glib.h>

#include "router.h"

#define WEB_SESSION_COOKIE "vuoro_session"
#define WEB_CSRF_HEADER    "X-CSRF-Token"
/* A user name's longest length (longer names are cut in throttle keys). */
#define WEB_USER_NAME_MAX 64

/* A script's token (Bearer, or ?token= on a WebSocket upgrade); NULL when
 * the request has none.  Points into the request. */
const char *web_session_bearer(struct web_req *r);
/* The request's login token: the bearer, else the session cookie
 * (*@ret_cookie TRUE, may be NULL).  Caller frees; NULL when none. */
char *web_session_token(struct web_req *r, gboolean *ret_cookie);
/* Sets the session cookie to @token for @max_age_s seconds (Secure when
 * @secure), or clears it when @token is NULL. */
void web_session_set_cookie(struct web_req *r, const char *token, int max_age_s, gboolean secure);

struct web_logins;
struct web_logins *web_logins_new(void);
void web_logins_free(struct web_logins *l);
typedef struct web_logins WebLogins; /* for g_autoptr(WebLogins) only */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(WebLogins, web_logins_free)
/* Counts a login of @user from @r's address before its password is
 * checked; FALSE when it answered 429 (Retry-After) instead. */
gboolean web_logins_admit(struct web_logins *l, struct web_req *r, const char *user);
/* The login of @user from @host was right: its own count is taken back. */
void web_logins_succeeded(struct web_logins *l, const char *host, const char *user);
