/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hub_nats: the hub's connection to the region's NATS cluster, and what it
 * makes there at start (idempotent, whichever hub starts first): the records
 * stream, the live-state bucket, the durable pull consumer (fleet-contract.md).
 */
#pragma once

#include <nats/nats.h>

#include "hub_config.h"

#define HUB_NATS_SUBJECTS "vuoro.rec.>"
#define HUB_NATS_BUCKET   "vuoro-sites"

/* Connects (reconnecting for ever after) as the hub's certificate user. */
int hub_nats_connect(const struct hub_config *cfg, natsConnection **ret);
/* Stream, bucket and consumer exist afterwards, as configured. */
int hub_nats_ensure(const struct hub_config *cfg, jsCtx *js);
/* A pull subscription bound to the durable consumer. */
int hub_nats_subscribe(const struct hub_config *cfg, jsCtx *js, natsSubscription **ret);
