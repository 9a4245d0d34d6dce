/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report_pilot: the booths' use and the pilot's evaluation figures (issue
 * 17), the report kinds "booths" and "pilot" of report.h, read from the
 * sessions, visits, audit and users tables and the board-config (booths'
 * hours, services' start dates).
 *
 * Definitions (tests/integration/test_pilot_report.py computes the same from
 * the same rows):
 *
 * Booths — one row per period, booth (0 = every booth) and provider ("*" =
 * every provider):
 * - Open time of a booth: its remote-service hours, the union of the hours of
 *   the remote services in its profile (all of its services when none is
 *   remote), on each service day's date in the site's time zone, until now.
 *   A provider's row shows its booth's open time.
 * - Session time: ended_at - created_at of each ended session (sessions.day),
 *   from the call into the booth to the end; occupancy = session time / open
 *   time (percent, 1 decimal; null without open time).
 * - Sessions by end reason: expert_ended counts as served; no_answer,
 *   network_lost, customer_left and error as themselves (error includes a
 *   session closed by a restart).  A session not yet ended counts in
 *   sessions only.
 * - Left before served: visits of remote services (services.kind = remote)
 *   whose outcome is no_show or cancelled; waits: called_at - issued_at of
 *   remote services' visits that were called, median and p90 by nearest rank
 *   as in report.h.  A booth's rows count the visits at that booth
 *   (visits.counter), booth 0 all of them.
 * - The idle report of a booth: open time as above, busy time its session
 *   time, per service day (booths open their counter per session, so the
 *   audit's open time would be the session itself).
 *
 * Pilot — one row per period, provider and service ("*" = all):
 * - Events: service events (report.h) per visits.provider and
 *   visits.service; previous_events: the same over the days just before the
 *   period, as many as the period has in the range; growth = 100 · (events -
 *   previous) / previous (1 decimal; null when previous is 0).
 * - Resolved, referred, follow_up: visits with that outcome; resolved_pct and
 *   referred_pct of the three together (1 decimal; null when none).
 * - Chains: tickets whose service events in the range were given by two or
 *   more providers (a transfer between providers), on the day of the
 *   ticket's first such visit; counted once for the site, once for each of
 *   its providers and for each of its (provider, service) pairs.
 * - Staff time (provider rows, service "*"): counter open time from the
 *   audit log as for idle (report.h), by the provider of the user who opened
 *   the counter (users.provider; "" for the site's own staff).
 * - New services: services whose board-config start-date falls in the
 *   period; a service's row carries its start_date.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "store.h"

/* One period of a report: its label and service days [from, to). */
struct report_span {
	char label[16];
	int32_t from, to;
};

/* What report.c made ready: the range, its periods and days. */
struct report_frame {
	int32_t from_day, to_day;
	const struct report_span *periods; /* the whole range not included */
	guint n_periods;
	const int *period_of;     /* service day - from_day → period */
	const int64_t *day_start; /* [n_days + 1] */
	int n_days;
	int64_t now;
	GTimeZone *tz;
	const struct config *cfg; /* NULL: no booths' hours, no start dates */
	bool visits_scan;         /* the visits of [from - n, to) are most of them */
};

#define REPORT_PILOT_BOOTHS  (1u << 0)
#define REPORT_PILOT_FIGURES (1u << 1)
#define REPORT_PILOT_IDLE    (1u << 2) /* the booths' days only */

struct report_pilot;

int report_pilot_run(struct store *s, const struct report_frame *f, unsigned what,
		     struct report_pilot **ret, GError **error);
void report_pilot_free(struct report_pilot *p);

/* The booths' ids (configured or with sessions), and booth @id's open and
 * in-session seconds per service day of the range; false when @id is no
 * booth. */
GArray *report_pilot_booth_ids(const struct report_pilot *p); /* of int */
bool report_pilot_booth_days(const struct report_pilot *p, int id, const int64_t **ret_open,
			     const int64_t **ret_busy);

/* The rows as elements of the JSON array @b is building, or as CSV with
 * its header line (CRLF line ends). */
void report_pilot_booths_json(const struct report_pilot *p, JsonBuilder *b);
void report_pilot_figures_json(const struct report_pilot *p, JsonBuilder *b);
void report_pilot_booths_csv(const struct report_pilot *p, GString *s);
void report_pilot_figures_csv(const struct report_pilot *p, GString *s);
