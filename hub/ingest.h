/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ingest: the worker thread that moves records from the durable consumer
 * into PostgreSQL.  The main loop only starts and stops it.
 *
 * A batch (up to [nats] batch messages, or what came in batch-ms) is read,
 * each message checked (record.h), and stored in ONE transaction (hub_db):
 * the rejects, the ledger, the new records.  Only after COMMIT is every
 * message of the batch acked.  A crash before the acks redelivers the batch
 * after ack-wait; the ledger stores it once.  PostgreSQL down: the batch is
 * kept (and the server told it is still in progress, so it is not redelivered
 * meanwhile), the thread reconnects with back-off and retries it.  A record
 * PostgreSQL refuses fails its batch: the batch is then stored one record at
 * a time and the refused one becomes a reject.  Nothing blocks the stream.
 */
#pragma once

#include <glib.h>
#include <nats/nats.h>
#include <stdint.h>

#include "hub_config.h"

struct ingest;

/* Starts the thread (its own PostgreSQL connection); @sub is the pull
 * subscription, used by the thread only. */
int ingest_start(const struct hub_config *cfg, natsSubscription *sub, struct ingest **ret);
/* Stops after the batch in hand; joins; frees. */
void ingest_stop(struct ingest *in);
