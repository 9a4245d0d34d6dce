/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report: figures for managers and for billing, read from the visits table.
 *
 * The monthly report groups visits by provider and month (of the service
 * day): service events by channel (the billing basis), no-shows, waiting
 * time (called - issued) and service time (ended - started) as median and
 * p90, and the share called within the target wait.  Read-only SQL on the
 * store's connection; medians are computed here from sorted values.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdint.h>

#include "config.h"
#include "queue.h"
#include "store.h"

struct report_row {
	char *provider;  /* provider code */
	char month[8];   /* "2026-11" */
	unsigned visits; /* service events: visits with an outcome other than no-show/cancel/void */
	unsigned by_channel[QUEUE_N_CHANNELS];
	unsigned no_shows;
	unsigned cancelled;
	int wait_median_s, wait_p90_s;       /* -1 when no value */
	int service_median_s, service_p90_s; /* -1 when no value */
	unsigned within_target;              /* called within target_wait_s */
	unsigned waited;                     /* visits with a wait at all (called) */
};

/* Visits whose service day lies in [@from_day, @to_day) (days since
 * 1970-01-01), grouped by provider and month, sorted by month then provider.
 * @ret_rows gets a GPtrArray of struct report_row * (free with
 * g_ptr_array_unref). */
int report_monthly(struct store *s, int32_t from_day, int32_t to_day, int target_wait_s,
		   GPtrArray **ret_rows, GError **error);
/* The rows as a JSON array of objects. */
JsonNode *report_rows_to_json(GPtrArray *rows);
