/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fleet: the fleet's API and stream, the follow page's API (see fleet.h).
 */
#include "fleet.h"

#include <errno.h>

#include "expert.h"
#include "json.h"
#include "live.h"
#include "sockets.h"
#include "web.h"

#define FLEET_ROLES  (HUB_ROLE_TECHNICIAN | HUB_ROLE_ADMIN)
#define FLEET_EVENTS "/api/hub/fleet/events"

struct hub_fleet {
	struct hub *hub;
	struct web_sockets *sockets;
};

static void fleet_list(struct web_req *r)
{
	struct hub *hub = hub_of(r);
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	web_json_add_int(b, "silent_after_s", hub->cfg->fleet_silent_s);
	json_builder_set_member_name(b, "sites");
	hub_live_build_fleet(hub->live, b);
	json_builder_end_object(b);
	web_reply_builder(r, 200, b);
}

/* The same words as the site's own answer (firmware/api/tickets.c). */
static void fleet_follow(struct web_req *r)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	if (hub_live_build_follow(hub_of(r)->live, r->seg[2], b) < 0) {
		web_error(r, 404, "not_found", "no such ticket: check the address on your ticket");
		return;
	}
	web_reply_builder(r, 200, b);
}

const struct web_route hub_fleet_routes[] = {
    {"GET", "/api/hub/fleet", FLEET_ROLES, fleet_list, NULL},
    {"GET", "/api/follow/*", 0, fleet_follow, NULL},
};
const size_t hub_fleet_n_routes = G_N_ELEMENTS(hub_fleet_routes);

static void fleet_changed(const char *site, void *data)
{
	struct hub_fleet *f = data;
	g_autoptr(JsonBuilder) b = NULL;

	hub_expert_site_changed(f->hub, site);
	if (!web_sockets_count(f->sockets))
		return;
	b = json_builder_new();
	json_builder_begin_object(b);
	web_json_add_str(b, "type", "site");
	json_builder_set_member_name(b, "site");
	if (!hub_live_build_site(f->hub->live, site, b))
		json_builder_add_null_value(b);
	json_builder_end_object(b);
	web_sockets_send(f->sockets, b, NULL);
}

static void fleet_ws_open(SoupServer *server, SoupServerMessage *msg, const char *path,
			  SoupWebsocketConnection *ws, gpointer data)
{
	struct hub_fleet *f = data;
	struct web_caller caller;

	hub_web_identify_message(f->hub, msg, &caller);
	g_free(caller.user);
	g_free(caller.csrf);
	if (web_foreign_origin(soup_server_message_get_request_headers(msg))) {
		soup_websocket_connection_close(ws, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
						"this page is from another site");
		return;
	}
	if (!(caller.role & FLEET_ROLES)) {
		soup_websocket_connection_close(ws, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
						"the fleet is for technicians and admins: log in");
		return;
	}
	web_sockets_add(f->sockets, ws, false);
}

int hub_fleet_start(struct hub *hub)
{
	struct hub_fleet *f;
	int rc = hub_live_start(hub->cfg, hub->js, &hub->live);

	if (rc < 0)
		return rc;
	f = g_new0(struct hub_fleet, 1);
	f->hub = hub;
	f->sockets = web_sockets_new();
	hub->fleet = f;
	hub_live_set_changed(hub->live, fleet_changed, f);
	soup_server_add_websocket_handler(hub_web_server(hub->web), FLEET_EVENTS, NULL, NULL,
					  fleet_ws_open, f, NULL);
	return 0;
}

void hub_fleet_stop(struct hub *hub)
{
	if (!hub->fleet)
		return;
	soup_server_remove_handler(hub_web_server(hub->web), FLEET_EVENTS);
	hub_live_stop(hub->live);
	hub->live = NULL;
	web_sockets_free(hub->fleet->sockets);
	g_free(hub->fleet);
	hub->fleet = NULL;
}
