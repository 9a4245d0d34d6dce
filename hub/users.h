/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hub_users: the hub's staff (hub_users, hub_sessions in PostgreSQL) —
 * POST /api/login, POST /api/logout, GET /api/whoami with vuorod's paths,
 * cookie, CSRF header and login throttle (firmware/web/session.h), who
 * calls (for the router), and `vuoro-hub --add-user`.
 */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

#include "hub.h"

extern const struct web_route hub_users_routes[];
extern const size_t hub_users_n_routes;

/* Fills @ret for the session whose token has @digest (nothing when there
 * is none, it expired or its user is disabled); a cookie's session
 * (@from_cookie) must send its CSRF token. */
void hub_users_identify(struct hub *hub, PGconn *conn, const char *digest, gboolean from_cookie,
			struct web_caller *ret);

/* Adds user @name (or replaces its role, provider and password, which ends
 * its sessions); @provider only for a provider-manager.  0, or -EINVAL /
 * -EIO with @error saying what to do. */
int hub_users_add(struct hub_db *db, const char *name, const char *role, const char *provider,
		  const char *password, GError **error);
