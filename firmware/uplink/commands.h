/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * commands: the hub's commands to the site's booths (issue 16; the experts'
 * contract), on NATS request/reply vuoro.site.<site>.cmd.<verb>.
 *
 * The hub's experts reach the booths through these, as the site's own
 * experts through /api/expert/call, /api/sessions/N/… and /api/signal:
 *
 *   call {expert, provider, client, booth?, ticket?, ice_servers}
 *   end {expert, session, outcome?, category?}
 *   message {expert, session, template?, text?}
 *   document {expert, session, on}
 *   consent {expert, session}
 *   ask-identity {expert, session, ask}
 *   signal {expert, client, msg}
 *   peer-gone {client}
 *
 * The reply is {"ok":true, …} or {"ok":false, status, error, message}.  The
 * site trusts the hub's word for who the expert is (only the hub may publish
 * on these subjects) and checks the rest as for its own experts.
 *
 * An expert's browser connection at the hub ("client") is a hub peer: the
 * booth's signalling to it is published on vuoro.hub.<site>.sig.<client>.
 * A hub peer lives while one of its sessions runs (or until peer-gone).
 * Everything here runs on the main loop.
 */
#pragma once

#include <glib.h>

#include "api.h"
#include "config.h"

struct commands;

/* Publishes @data on @subject (core NATS) without blocking; takes both. */
typedef void (*commands_publish_fn)(char *subject, char *data, gpointer user_data);

struct commands *commands_new(const struct config *cfg, struct api *api,
			      commands_publish_fn publish, gpointer publish_data);
void commands_free(struct commands *c);

/* Runs command @verb with the JSON body @body (@len bytes); returns the
 * reply's JSON text. */
char *commands_run(struct commands *c, const char *verb, const char *body, gsize len);

/* When @peer is one of our hub peers: publishes @json to its client and
 * returns TRUE; FALSE (nothing done) for any other peer. */
gboolean commands_signal_send(struct commands *c, gpointer peer, const char *json);
