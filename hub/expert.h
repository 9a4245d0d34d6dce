/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * expert: the experts' workplace at the hub (issue 16,
 * /work/wt/briefs/experts-contract.md "Hub: experts").  An expert (role
 * expert, one provider) serves the remote-service booths of their provider
 * at every site from /hub/expert:
 *
 *   GET  /api/hub/expert             the provider's sites, booths, waiting
 *                                    tickets (longest waiting first) and the
 *                                    expert's sessions, from the live state
 *   WS   /api/hub/expert/socket      hello {client, ice_servers}, {"type":
 *                                    "queue"} when the provider's part of the
 *                                    live state changed, every signalling
 *                                    message of the expert's sessions (with
 *                                    "site"); the browser's answer/ice/resume
 *                                    … go to the site as command signal
 *   POST /api/hub/expert/call        {client, site?, booth?, ticket?} → 201
 *   POST /api/hub/sessions/<site>/<id>/end|message|document|consent|
 *        ask-identity                the site's /api/sessions/N/… bodies
 *
 * Commands go to a site by NATS request on vuoro.site.<site>.cmd.<verb>
 * (3 s) on a worker thread; the HTTP request waits (held) and is answered
 * on the main loop.  The sites' signalling arrives on
 * vuoro.hub.<site>.sig.<client>.  Presence ({"v":1,"at","providers"}) is
 * published on vuoro.hub.presence at each change and every 15 s.  TURN
 * credentials ([turn], coturn's use-auth-secret) go into the hello and
 * each call.
 */
#pragma once

#include "hub.h"

extern const struct web_route hub_expert_routes[];
extern const size_t hub_expert_n_routes;

int hub_expert_start(struct hub *hub);
void hub_expert_stop(struct hub *hub);
/* The live state of @site changed (hub/fleet.c passes it on). */
void hub_expert_site_changed(struct hub *hub, const char *site);
/* The TURN entries for @user, in the browser's RTCIceServer form, as an
 * array added to @b (empty without [turn]). */
void hub_expert_ice_servers(const struct hub_config *cfg, const char *user, int64_t now,
			    JsonBuilder *b);
