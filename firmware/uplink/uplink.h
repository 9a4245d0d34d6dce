/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * uplink: the site's way to its region's hub (issue 15; the fleet's
 * contract), over NATS JetStream with libnats.
 *
 * Only with [uplink].  Connects over TLS with the site's client
 * certificate to the servers of [uplink] servers, and reconnects for ever;
 * its inbox prefix is _INBOX_<site>.  Publishes the outbox's rows in seq
 * order on vuoro.rec.<site>.<kind> with the message id
 * <site>-<epoch>-<seq> (the stream drops a duplicate inside its window),
 * at most UPLINK_IN_FLIGHT unacknowledged; a row is marked sent only after
 * the stream's acknowledgement (a Duplicate one too).  A failed or missing
 * acknowledgement: a pause (1 s, doubling up to [uplink] retry-max-seconds),
 * then again from the oldest unacknowledged row.  Writes the site's live
 * state to the KV bucket vuoro-sites (key: the site) on a change (at once
 * after a quiet period, then at most once every UPLINK_LIVE_MIN_MS), and
 * every UPLINK_HEARTBEAT_S.  Hears the hub's commands to the booths on
 * vuoro.site.<site>.cmd.> (commands.c) and publishes the booths' signalling
 * to the hub's experts on vuoro.hub.<site>.sig.<client>.  Records a fault.raised /
 * fault.cleared for every change of the site's fault list, and raises its
 * own fault (uplink / backlog) when the oldest unsent row is older than
 * [uplink] alarm-minutes.
 *
 * libnats calls back on its own threads: those callbacks only queue an
 * event; the main loop does the rest (the store, the counts, the JSON).
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "api.h"
#include "bus.h"
#include "config.h"
#include "store.h"

#define UPLINK_IN_FLIGHT   256
#define UPLINK_ACK_WAIT_MS 10000
#define UPLINK_HEARTBEAT_S 30
#define UPLINK_TICK_S      5
#define UPLINK_FLUSH_MS    1000
#define UPLINK_LIVE_MIN_MS 200

struct uplink;

/* NULL (and nothing to do) without [uplink].  Never blocks on the network:
 * the first connection is made on a thread of its own. */
struct uplink *uplink_new(const struct config *cfg, struct store *store, struct bus *bus,
			  struct api *api);
/* Waits at most UPLINK_FLUSH_MS for the acknowledgements in flight. */
void uplink_free(struct uplink *u);
typedef struct uplink Uplink; /* for g_autoptr(Uplink) only */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Uplink, uplink_free)

/* GET /api/uplink's members, into an open object. */
void uplink_build(struct uplink *u, JsonBuilder *b);
/* booths_send_fn's part for the hub: when @peer is a hub peer (an expert
 * at the hub), publishes @json to it and returns TRUE; FALSE otherwise. */
gboolean uplink_signal_send(struct uplink *u, gpointer peer, const char *json);
/* The backlog alarm in words that say what to do, or NULL. */
const char *uplink_fault(const struct uplink *u);
/* The hub's presence of experts (presence.h); NULL without [uplink]. */
struct presence *uplink_presence(struct uplink *u);
