/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * live: every site's latest live state (fleet-contract.md "Live state"), kept
 * in memory from the KV bucket vuoro-sites.  A thread watches the bucket
 * (kvStore_WatchAll: the values present at start, then every put) and hands
 * each entry to the main loop; everything else runs on the loop.  A site
 * whose last value is older than [fleet] silent-minutes is marked silent
 * (a timer at the next deadline, no polling).  The hub serves /hub/fleet and
 * the citizen's /t/<site>.<REF> from here.
 */
#pragma once

#include <json-glib/json-glib.h>
#include <nats/nats.h>
#include <stdbool.h>

#include "hub_config.h"

struct hub_live;

/* Called on the loop after a site's state or its silence changed. */
typedef void (*hub_live_changed_fn)(const char *site, void *data);

/* Watches cfg's bucket through @js (the hub's connection). */
int hub_live_start(const struct hub_config *cfg, jsCtx *js, struct hub_live **ret);
void hub_live_stop(struct hub_live *l);
void hub_live_set_changed(struct hub_live *l, hub_live_changed_fn fn, void *data);

/* The fleet's view: an array of {site, name, languages, version, epoch, at,
 * seen, silent, removed, silent_after_s, faults, backlog, booths, waiting},
 * sorted by site id. */
void hub_live_build_fleet(struct hub_live *l, JsonBuilder *b);
/* One site's view as in the array; false when the hub has no such site. */
bool hub_live_build_site(struct hub_live *l, const char *site, JsonBuilder *b);
/* The site's latest live-state object (borrowed, valid until the loop runs
 * again), NULL when unknown. */
JsonObject *hub_live_state(struct hub_live *l, const char *site);
/* The sites' ids, sorted (NULL-terminated; free with g_free, not the
 * strings: they are borrowed until the loop runs again). */
const char **hub_live_site_ids(struct hub_live *l);
/* Whether @site is silent now. */
bool hub_live_silent(struct hub_live *l, const char *site);
/* The citizen's follow page at the hub: GET /api/follow/<site>.<REF>
 * answered from the site's live state (the ticket by the first 32 hex digits
 * of SHA-256 of REF), with "status" (the site's name, languages, lines'
 * names, counters' kinds).  -ENOENT for a malformed or unknown reference. */
int hub_live_build_follow(struct hub_live *l, const char *full, JsonBuilder *b);
