/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fleet: /hub/fleet's API and the citizen's follow page at the hub, both
 * from hub/live.c (the sites' live states):
 *
 *   GET /api/hub/fleet            technician, admin: {silent_after_s, sites: […]}
 *   WS  /api/hub/fleet/events     technician, admin: {"type":"site","site":{…}}
 *                                 on each site's change (ui/common/live.js)
 *   GET /api/follow/<site>.<REF>  public: the ticket from <site>'s live state
 *                                 (live.h), 404 "not found" as the site's
 */
#pragma once

#include "hub.h"

extern const struct web_route hub_fleet_routes[];
extern const size_t hub_fleet_n_routes;

/* Watches the bucket (hub->live) and serves the stream; main.c registers
 * the routes. */
int hub_fleet_start(struct hub *hub);
void hub_fleet_stop(struct hub *hub);
