/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hub_web: vuoro-hub's web server — a SoupServer on [web] listen, guarded by
 * firmware/web/http_guard like vuorod's, the generic router under /api
 * (hooks: who calls from hub_sessions, roles from hub.h), and the pages of
 * ui/ (firmware/web/web.c with the hub's page list):
 *
 *   /hub            ui/hub/index.html: log in, links to the role's pages
 *   /hub/reports    ui/hub/reports/index.html
 *   /hub/billing    ui/hub/billing/index.html
 *   /hub/fleet      ui/hub/fleet/index.html
 *   /t/REF          ui/follow/index.html (a ticket followed through the hub)
 *   /ui/PATH        ui/PATH;  /  → /hub
 *
 * The base's own routes: POST /api/login, POST /api/logout, GET /api/whoami
 * (hub/users.c): the same paths, cookie, CSRF header and login throttle
 * as vuorod's (firmware/web/session.h).
 */
#pragma once

#include <glib.h>
#include <stddef.h>

#include "hub.h"
#include "router.h"

/* Starts serving on [web] listen with the base's routes.  NULL with @error
 * (the address in use, the pages folder missing). */
struct hub_web *hub_web_new(struct hub *hub, GError **error);
void hub_web_free(struct hub_web *w);
/* Registers a part's route table (kept, not copied: static tables). */
void hub_web_add_routes(struct hub_web *w, const struct web_route *routes, size_t n);
/* The port it listens on (when [web] listen says :0, the one it got). */
int hub_web_port(const struct hub_web *w);
/* The base's own routes (catalog, login, logout, whoami), without a
 * server: vuoro-hub --list-routes. */
void hub_web_foreach_base_route(void (*fn)(const struct web_route *route, void *data), void *data);
/* Every route, in table order. */
void hub_web_foreach_route(const struct hub_web *w,
			   void (*fn)(const struct web_route *route, void *data), void *data);
