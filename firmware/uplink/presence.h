/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * presence: which providers have an expert online at the hub, and free
 * (issue 16; the experts' contract, "Presence").
 *
 * The hub publishes {"v":1,"at":<unix s>,"providers":{"kela":{"online":2,
 * "free":1},…}} on vuoro.hub.presence at each change and at least every
 * 15 s; a provider not listed has 0/0.  The site holds the last one valid
 * for [uplink] presence-valid-s (default PRESENCE_VALID_S) after it arrived
 * (monotonic).  Without valid presence the site goes by its booths alone.
 *
 * libnats delivers on its own threads: the message's text is posted to the
 * main loop (post_to_loop), where everything else happens.  Every change of
 * what it says (a provider's figures, or the presence becoming valid or
 * stale) is published on the bus as PRESENCE_TOPIC.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <nats/nats.h>
#include <stdbool.h>

#include "bus.h"

#define PRESENCE_SUBJECT "vuoro.hub.presence"
#define PRESENCE_VALID_S 45
#define PRESENCE_TOPIC   "presence.changed"

struct presence;

/* @valid_s: how long a message holds (> 0).  @bus: where changes go. */
struct presence *presence_new(int valid_s, struct bus *bus);
/* Before the connection is closed: no message is taken after it. */
void presence_unsubscribe(struct presence *p);
/* After libnats's threads ended (nats_CloseAndWait). */
void presence_free(struct presence *p);
/* Subscribes PRESENCE_SUBJECT on @nc (libnats keeps it across reconnects).
 * 0 or -EIO. */
int presence_subscribe(struct presence *p, natsConnection *nc);
/* Takes one message's text, as if it arrived now (main loop).  0, or
 * -EINVAL for a body that is not presence v1 (then nothing changes). */
int presence_take(struct presence *p, const char *text);
/* A message arrived less than valid_s ago. */
bool presence_valid(const struct presence *p);
/* @provider's figures (0/0 when not listed); false without valid presence. */
bool presence_of(const struct presence *p, const char *provider, int *online, int *free);
/* GET /api/uplink's "presence" member's value: null, or {age_s, valid_s,
 * providers}. */
void presence_build(const struct presence *p, JsonBuilder *b);
