/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report: figures for managers and for billing, read from the store.
 *
 * Every report covers the service days [from, to) and groups them by day,
 * ISO week or month (of the service day); each figure comes per provider,
 * for the whole site (provider "*"), per period and for the whole range
 * (period "total").  Read-only SQL on the connection given (a reader's, off
 * the loop: report_run_async): one SELECT per table, through a covering
 * index (report_sql_text); grouping and
 * percentiles are done here.
 *
 * Definitions (the independent check, tests/integration/test_report.py,
 * computes the same from the same tables):
 *
 * - Service event (the billing basis): a visit whose outcome is none of
 *   no_show, cancelled, voided, reset (still waiting at the daily reset) and
 *   interrupted (a remote video session lost before service).  Counted per
 *   visit, by visits.channel; a transferred ticket makes one event per visit.
 *   (So service events can outnumber the tickets served: /manager shows both.)
 *   A visit recorded without a ticket (visits.manual: a phone call, a
 *   citizen who walked straight up, the provider's own staff) is a visit like
 *   any other.  A visit marked trial (visits.trial: its service or the site
 *   was on trial, board-config trial = yes) is no billed event: billing shows
 *   it apart as trial.events and trial.channels (the CSV's trial_events).
 * - No-show: a visit whose outcome is no_show, the ticket given up after its
 *   last call.  A missed call that put the ticket back in line writes no
 *   visit: a ticket that missed a call and was served later is one event and
 *   no no-show (tests/integration/test_report.py).
 * - Waiting time: called_at - issued_at of every visit that was called
 *   (called_at > 0), no-shows included.  Within target: waiting time <=
 *   target.  Service time: ended_at - started_at of service events that were
 *   started (started_at > 0).
 * - Percentiles by nearest rank on the sorted values: p = the value at rank
 *   ceil(p·n) (1-based), with integer arithmetic: median rank (n + 1) / 2 (so
 *   the lower middle value of an even count), p90 rank (9n + 9) / 10.  -1
 *   (JSON null, CSV empty) when there are no values.
 * - Arrivals: tickets of the period (tickets.day) that were not voided, by the
 *   hour of the day and the weekday (Monday first) of issued_at in the site's
 *   time zone; per provider through the ticket's service (services table; a
 *   service unknown there counts for the site only).
 * - Idle time, per counter: open time minus busy time, per counter and
 *   service day, never below 0; a period's idle time is the sum of its days'.
 *   Open time comes from the audit log: an "open" row of the counter
 *   (detail {"counter": N}) starts an interval, its next "close" ends it (an
 *   open while open and a close while closed are ignored, as the engine
 *   refuses them); an interval still open ends at @now.  Intervals are cut at
 *   service-day boundaries (the daily reset in the site's time zone) and at
 *   the ends of the report, so a counter left open overnight counts as open
 *   (and idle) through the night.  Busy time: ended_at - called_at (started_at
 *   when never called) of every visit at that counter on that service day
 *   (visits.day), no-shows and interrupted ones included: the counter is busy
 *   from the call.  Counter 0 stands for every counter together.
 * - Feedback: rows of the feedback table with a rating 1..5, by feedback.day;
 *   count, sum, mean (rounded to 2 decimals) and the count of each rating.  A
 *   row tied to a ticket counts for its provider (feedback.provider) and for
 *   the site; a row not tied to a ticket (ticket 0) or without a provider
 *   counts for the site only.
 * - Categories: service events per visits.category; NULL is
 *   "uncategorised".  Only non-zero counts are listed.
 * - Booths and pilot: report_pilot.h.  The idle time of a booth (a counter
 *   of kind expert) is its remote-service hours less its time in session,
 *   not the audit's open time (a booth opens its counter per session).
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdint.h>

#include "config.h"
#include "queue.h"
#include "store.h"

/* The site-wide rows' provider. */
#define REPORT_SITE "*"
/* The whole range's period. */
#define REPORT_TOTAL "total"
/* The longest range a report covers, in days. */
#define REPORT_MAX_DAYS 3700

enum report_period {
	REPORT_PERIOD_DAY = 0, /* "2026-11-23" */
	REPORT_PERIOD_WEEK,    /* ISO week: "2026-W48" */
	REPORT_PERIOD_MONTH,   /* "2026-11" */
	REPORT_N_PERIODS,
};

enum report_kind {
	REPORT_KIND_BILLING = 0,
	REPORT_KIND_TIMES,
	REPORT_KIND_ARRIVALS,
	REPORT_KIND_IDLE,
	REPORT_KIND_FEEDBACK,
	REPORT_KIND_CATEGORIES,
	REPORT_KIND_BOOTHS, /* report_pilot.h */
	REPORT_KIND_PILOT,  /* report_pilot.h */
	REPORT_N_KINDS,
};
#define REPORT_KINDS_ALL ((1u << REPORT_N_KINDS) - 1)
/* What a query without kinds gets: every kind but booths and pilot, which
 * read the sessions, audit and users tables besides the visits and double
 * the cost of the year's report; they are asked for by name. */
#define REPORT_KINDS_DEFAULT                                                                       \
	(REPORT_KINDS_ALL & ~((1u << REPORT_KIND_BOOTHS) | (1u << REPORT_KIND_PILOT)))

const char *report_period_name(enum report_period p);
int report_period_parse(const char *s); /* -1 when unknown */
const char *report_kind_name(enum report_kind k);
int report_kind_parse(const char *s); /* -1 when unknown */

struct report_query {
	int32_t from_day, to_day; /* service days (local days since 1970-01-01) [from, to) */
	enum report_period period;
	int target_wait_s;
	unsigned kinds; /* bits (1 << enum report_kind); 0 = REPORT_KINDS_DEFAULT */
	GTimeZone *tz;  /* the site's time zone (config timezone); NULL = UTC */
	int reset_min;  /* the service day starts at this local minute */
	int64_t now;    /* a counter still open counts as open until now */
	/* The board-config, read-only for the program's life: booths' hours
	 * (booths, and idle of a booth), services' start dates; NULL: none. */
	const struct config *cfg;
};

struct report;

/* Every report of @q in one go.  -EINVAL (and @error) for a range that is
 * reversed or longer than REPORT_MAX_DAYS, -EIO when the store cannot be
 * read. */
int report_run(struct store *s, const struct report_query *q, struct report **ret, GError **error);
void report_free(struct report *r);
typedef struct report Report; /* for g_autoptr(Report) only */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Report, report_free)

/* Adds the members from, to, period, timezone, periods, providers, and one
 * array per kind computed (billing, times, arrivals, idle, feedback,
 * categories) to the object @b is building. */
void report_add_json(const struct report *r, JsonBuilder *b);
/* Appends text field @v as the reports' CSV has it (RFC 4180 quoting; a
 * formula's first character defused with '); the hub's reports too. */
void report_csv_field(GString *s, const char *v);
/* One kind as CSV (header line, CRLF line ends); NULL if not computed. */
char *report_to_csv(const struct report *r, enum report_kind kind, gsize *ret_len);

/* GET /api/report's body, read and made as a job on a worker thread with a
 * read-only connection of its own (store_job_run): the reports of @q
 * (REPORT_JOB_REPORTS), the monthly rows (REPORT_JOB_MONTHLY: from those
 * reports when their period is month, else by report_monthly), or both;
 * as JSON (an object: "monthly" with the rows, "target_wait_min", then the
 * members of report_add_json) or with REPORT_JOB_CSV as CSV (the monthly
 * rows when asked, else the one kind of @q->kinds).  @done runs on the
 * caller's main context; report_run_finish gives the body. */
#define REPORT_JOB_REPORTS (1u << 0)
#define REPORT_JOB_MONTHLY (1u << 1)
#define REPORT_JOB_CSV     (1u << 2)
void report_run_async(struct store *s, const struct report_query *q, unsigned what,
		      GAsyncReadyCallback done, gpointer data);
int report_run_finish(GAsyncResult *result, char **ret_text, gsize *ret_len, GError **error);

/* The reports' queries over the big tables, each read through a covering
 * index of its own (schema v16): tests/unit/test-report.c checks their
 * EXPLAIN QUERY PLAN, so that an index cannot silently go unused. */
enum report_sql {
	REPORT_SQL_VISITS = 0, /* billing and times */
	REPORT_SQL_VISITS_ALL, /* with categories or idle */
	REPORT_SQL_TICKETS,    /* arrivals: every ticket */
	REPORT_SQL_VOIDED,     /* arrivals: less the voided */
	REPORT_SQL_FEEDBACK,
	REPORT_SQL_AUDIT, /* idle: the counters' open and close */
	REPORT_N_SQL,
};
const char *report_sql_text(enum report_sql q);

/* The first report of vuoro, kept as it was: per provider and month. */
struct report_row {
	char *provider;  /* provider code */
	char month[8];   /* "2026-11" */
	unsigned visits; /* service events (see above) */
	unsigned by_channel[QUEUE_N_CHANNELS];
	unsigned no_shows;
	unsigned cancelled;
	int wait_median_s, wait_p90_s;       /* -1 when no value */
	int service_median_s, service_p90_s; /* -1 when no value */
	unsigned within_target;              /* called within target_wait_s */
	unsigned waited;                     /* visits with a wait at all (called) */
};

/* Visits whose service day lies in [@from_day, @to_day) (days since
 * 1970-01-01), grouped by provider and month, sorted by month then provider;
 * a provider appears in a month when it has a visit there.  @ret_rows gets a
 * GPtrArray of struct report_row * (free with g_ptr_array_unref). */
int report_monthly(struct store *s, int32_t from_day, int32_t to_day, int target_wait_s,
		   GPtrArray **ret_rows, GError **error);
/* The same rows from a report of period month (NULL for other periods). */
GPtrArray *report_monthly_rows(const struct report *r);
/* The rows as a JSON array of objects. */
JsonNode *report_rows_to_json(GPtrArray *rows);
/* The rows as the CSV of GET /api/report?format=csv (without kind). */
char *report_rows_to_csv(GPtrArray *rows, gsize *ret_len);
