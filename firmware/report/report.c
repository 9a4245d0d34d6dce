/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report: the figures of report.h from the visits, tickets, audit and
 * feedback tables.
 *
 * One SELECT per table over the days asked for, each through a covering
 * index of its own (schema v16; tests/unit/test-report.c checks the plans):
 * the visits and tickets in key order, so that what a provider, outcome,
 * channel or category means is worked out once per run of equal values;
 * the audit log's open and close rows alone, in id order; tickets voided
 * are read apart and taken off.  Each row goes into one cell (period ×
 * provider); the site's cells and the whole range's are sums made at the
 * end, so that the row loops stay short, and only the cells of one period
 * and provider keep values: percentiles of the others are picked from
 * theirs (buckets, then quickselect), never sorted.  A year of 250,000
 * visits takes about 75 ms of CPU for report_monthly and 150 ms for every
 * default kind to JSON on the bench (issue 22: 100 and 150).
 */

#include "report.h"
#include "json.h"
#include "report_pilot.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

GQuark report_error_quark(void);
G_DEFINE_QUARK(vuoro - report - error - quark, report_error)

#define DAY_JULIAN_1970    719163 /* g_date julian day of 1970-01-01 */
#define REPORT_MAX_COUNTER 999
#define N_RATINGS          5

static const char *const period_names[REPORT_N_PERIODS] = {
    [REPORT_PERIOD_DAY] = "day",
    [REPORT_PERIOD_WEEK] = "week",
    [REPORT_PERIOD_MONTH] = "month",
};

static const char *const kind_names[REPORT_N_KINDS] = {
    [REPORT_KIND_BILLING] = "billing",   [REPORT_KIND_TIMES] = "times",
    [REPORT_KIND_ARRIVALS] = "arrivals", [REPORT_KIND_IDLE] = "idle",
    [REPORT_KIND_FEEDBACK] = "feedback", [REPORT_KIND_CATEGORIES] = "categories",
    [REPORT_KIND_BOOTHS] = "booths",     [REPORT_KIND_PILOT] = "pilot",
};

static const char *const weekday_names[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

/* A growing array of ints: waits or service times of one cell, with the
 * smallest and the largest. */
struct ivec {
	int *v;
	guint len, cap;
	int lo, hi;
};

/* Scratch of the percentile picks. */
#define PICK_BUCKETS 4096
#define PICK_SMALL   2048
struct pick {
	int *buf;
	gsize cap;
	guint hist[PICK_BUCKETS];
};

/* The figures of one period and provider (or the site). */
struct cell {
	unsigned rows; /* visits of any outcome */
	unsigned events;
	unsigned by_channel[QUEUE_N_CHANNELS];
	/* Service events of trial services ([site] or [service:CODE] trial):
	 * not in events or by_channel, not billed; shown apart. */
	unsigned trial;
	unsigned trial_by_channel[QUEUE_N_CHANNELS];
	unsigned no_shows, cancelled, voided, reset, interrupted;
	struct ivec waits, services; /* the values of this cell's own rows */
	unsigned waited, served;     /* values counted here, summed ones too */
	unsigned within_target;
	int wait_p50, wait_p90, service_p50, service_p90;
	unsigned tickets;
	unsigned hours[24];
	unsigned weekdays[7]; /* Monday first */
	unsigned fb_count, fb_sum;
	unsigned fb_ratings[N_RATINGS];
	unsigned *cats; /* events per category index */
	guint n_cats;
};

/* struct report_span (report_pilot.h): a period's label and service days,
 * clipped to the report's range. */

/* One counter's open and busy seconds per service day of the range. */
struct counter_days {
	int id;
	int64_t *open, *busy;
};

struct idle_cell {
	int64_t open_s, busy_s, idle_s;
};

struct report {
	struct report_query q; /* q.tz not kept */
	char *tz_name;
	GArray *periods;          /* struct report_span; the whole range not included */
	int *period_of;           /* service day - from_day → index in periods */
	GPtrArray *providers;     /* char *code */
	GPtrArray *cols;          /* per provider: struct cell[n_periods + 1] */
	struct cell *site;        /* [n_periods + 1] */
	guint *order;             /* provider indexes sorted by code */
	GPtrArray *categories;    /* char *name, by index */
	GHashTable *category_idx; /* name → index + 1 */
	guint *cat_order;         /* category indexes sorted by name */
	int64_t *day_start;       /* [n_days + 1]: unix time each service day starts */
	int n_days;
	int counter_idx[REPORT_MAX_COUNTER + 1]; /* counter id → index in counters, -1 */
	GArray *counters;                        /* struct counter_days */
	struct idle_cell *idle;                  /* [n_counters + 1][n_periods + 1], 0 = all */
	guint *counter_order;
	struct report_frame frame;  /* for pilot */
	struct report_pilot *pilot; /* booths, pilot, and the booths' idle */
};

const char *report_period_name(enum report_period p)
{
	return (unsigned)p < REPORT_N_PERIODS ? period_names[p] : "unknown";
}

int report_period_parse(const char *s)
{
	for (int i = 0; s && i < REPORT_N_PERIODS; i++)
		if (strcmp(period_names[i], s) == 0)
			return i;
	return -1;
}

const char *report_kind_name(enum report_kind k)
{
	return (unsigned)k < REPORT_N_KINDS ? kind_names[k] : "unknown";
}

int report_kind_parse(const char *s)
{
	for (int i = 0; s && i < REPORT_N_KINDS; i++)
		if (strcmp(kind_names[i], s) == 0)
			return i;
	return -1;
}

/* ---------------------------------------------------------------------- */
/* Values and percentiles */

static void ivec_push(struct ivec *a, int x)
{
	if (a->len == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 64;
		a->v = g_renew(int, a->v, a->cap);
	}
	if (!a->len || x < a->lo)
		a->lo = x;
	if (!a->len || x > a->hi)
		a->hi = x;
	a->v[a->len++] = x;
}

/* The value that would be at @k if @a[0..n) were sorted; leaves a[<k] <=
 * a[k] <= a[>k] (quickselect, Hoare partition around a median of three). */
static int select_kth(int *a, gssize n, gssize k)
{
	gssize lo = 0, hi = n - 1;

	while (lo < hi) {
		int x = a[lo], y = a[lo + (hi - lo) / 2], z = a[hi];
		int pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
		gssize i = lo, j = hi;

		while (i <= j) {
			while (a[i] < pivot)
				i++;
			while (a[j] > pivot)
				j--;
			if (i <= j) {
				int t = a[i];

				a[i++] = a[j];
				a[j--] = t;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return a[k];
	}
	return a[k];
}

static int *pick_buf(struct pick *pk, gsize n)
{
	if (n > pk->cap) {
		pk->cap = MAX(n, 2 * pk->cap);
		pk->buf = g_renew(int, pk->buf, pk->cap);
	}
	return pk->buf;
}

/* Median and p90 by nearest rank (see report.h) of the values of @n_src
 * arrays taken together; -1 when there are none.  A few values are copied
 * and picked with quickselect; many are first counted into buckets of
 * equal width, and only the values of the two buckets that hold the ranks
 * are copied and picked: two passes, no copy of them all. */
static void percentiles(struct pick *pk, struct ivec *const *src, guint n_src, int *ret_p50,
			int *ret_p90)
{
	gssize n = 0, k50, k90, before50 = 0, before90 = 0, m50 = 0, m90 = 0;
	gint64 lo = G_MAXINT64, hi = G_MININT64;
	guint shift = 0, b50 = 0, b90 = 0;
	int *buf;

	for (guint i = 0; i < n_src; i++) {
		if (!src[i]->len)
			continue;
		n += src[i]->len;
		lo = MIN(lo, src[i]->lo);
		hi = MAX(hi, src[i]->hi);
	}
	if (n == 0) {
		*ret_p50 = *ret_p90 = -1;
		return;
	}
	k50 = (n + 1) / 2 - 1;
	k90 = (9 * n + 9) / 10 - 1;
	if (n <= PICK_SMALL) {
		buf = pick_buf(pk, (gsize)n);
		n = 0;
		for (guint i = 0; i < n_src; i++) {
			if (!src[i]->len)
				continue;
			memcpy(buf + n, src[i]->v, src[i]->len * sizeof(int));
			n += src[i]->len;
		}
		*ret_p50 = select_kth(buf, n, k50);
		*ret_p90 = select_kth(buf + k50, n - k50, k90 - k50);
		return;
	}
	while (((guint64)(hi - lo) >> shift) >= PICK_BUCKETS)
		shift++;
	memset(pk->hist, 0, sizeof(pk->hist));
	for (guint i = 0; i < n_src; i++)
		for (guint j = 0; j < src[i]->len; j++)
			pk->hist[(guint64)(src[i]->v[j] - lo) >> shift]++;
	for (gssize sum = 0; sum + pk->hist[b50] <= k50; b50++)
		sum += pk->hist[b50], before50 = sum;
	for (gssize sum = 0; sum + pk->hist[b90] <= k90; b90++)
		sum += pk->hist[b90], before90 = sum;
	buf = pick_buf(pk, pk->hist[b50] + (b90 != b50 ? pk->hist[b90] : 0));
	for (guint i = 0; i < n_src; i++) {
		for (guint j = 0; j < src[i]->len; j++) {
			int v = src[i]->v[j];
			guint b = (guint)((guint64)(v - lo) >> shift);

			if (b == b50)
				buf[m50++] = v;
			else if (b == b90)
				buf[pk->hist[b50] + m90++] = v;
		}
	}
	*ret_p50 = select_kth(buf, m50, k50 - before50);
	if (b90 == b50)
		*ret_p90 = select_kth(buf, m50, k90 - before50);
	else
		*ret_p90 = select_kth(buf + m50, m90, k90 - before90);
}

/* ---------------------------------------------------------------------- */
/* Cells */

static void cell_clear(struct cell *c)
{
	g_free(c->waits.v);
	g_free(c->services.v);
	g_free(c->cats);
}

static void cell_cat_add(struct cell *c, guint idx, unsigned n)
{
	if (idx >= c->n_cats) {
		c->cats = g_renew(unsigned, c->cats, idx + 1);
		memset(c->cats + c->n_cats, 0, (idx + 1 - c->n_cats) * sizeof(unsigned));
		c->n_cats = idx + 1;
	}
	c->cats[idx] += n;
}

static void cell_add(struct cell *dst, const struct cell *src)
{
	dst->rows += src->rows;
	dst->events += src->events;
	for (int i = 0; i < QUEUE_N_CHANNELS; i++) {
		dst->by_channel[i] += src->by_channel[i];
		dst->trial_by_channel[i] += src->trial_by_channel[i];
	}
	dst->trial += src->trial;
	dst->no_shows += src->no_shows;
	dst->cancelled += src->cancelled;
	dst->voided += src->voided;
	dst->reset += src->reset;
	dst->interrupted += src->interrupted;
	dst->waited += src->waited;
	dst->served += src->served;
	dst->within_target += src->within_target;
	dst->tickets += src->tickets;
	for (int i = 0; i < 24; i++)
		dst->hours[i] += src->hours[i];
	for (int i = 0; i < 7; i++)
		dst->weekdays[i] += src->weekdays[i];
	dst->fb_count += src->fb_count;
	dst->fb_sum += src->fb_sum;
	for (int i = 0; i < N_RATINGS; i++)
		dst->fb_ratings[i] += src->fb_ratings[i];
	for (guint i = src->n_cats; i-- > 0;)
		if (src->cats[i])
			cell_cat_add(dst, i, src->cats[i]);
}

static guint report_n_periods(const struct report *r)
{
	return r->periods->len;
}

void report_free(struct report *r)
{
	guint np;

	if (!r)
		return;
	np = r->periods ? report_n_periods(r) + 1 : 0;
	for (guint i = 0; r->cols && i < r->cols->len; i++) {
		struct cell *col = r->cols->pdata[i];

		for (guint p = 0; p < np; p++)
			cell_clear(&col[p]);
		g_free(col);
	}
	if (r->site)
		for (guint p = 0; p < np; p++)
			cell_clear(&r->site[p]);
	g_free(r->site);
	if (r->cols)
		g_ptr_array_unref(r->cols);
	if (r->providers)
		g_ptr_array_unref(r->providers);
	if (r->categories)
		g_ptr_array_unref(r->categories);
	if (r->category_idx)
		g_hash_table_unref(r->category_idx);
	for (guint i = 0; r->counters && i < r->counters->len; i++) {
		struct counter_days *c = &g_array_index(r->counters, struct counter_days, i);

		g_free(c->open);
		g_free(c->busy);
	}
	if (r->counters)
		g_array_unref(r->counters);
	if (r->periods)
		g_array_unref(r->periods);
	g_free(r->period_of);
	g_free(r->order);
	g_free(r->cat_order);
	g_free(r->counter_order);
	g_free(r->day_start);
	g_free(r->idle);
	g_free(r->tz_name);
	report_pilot_free(r->pilot);
	g_free(r);
}

static int provider_index(struct report *r, const char *code)
{
	guint np = report_n_periods(r) + 1;

	for (guint i = 0; i < r->providers->len; i++)
		if (strcmp(r->providers->pdata[i], code) == 0)
			return (int)i;
	g_ptr_array_add(r->providers, g_strdup(code));
	g_ptr_array_add(r->cols, g_new0(struct cell, np));
	return (int)r->providers->len - 1;
}

static struct cell *report_cell(struct report *r, int provider, guint period)
{
	return &((struct cell *)r->cols->pdata[provider])[period];
}

static guint category_index(struct report *r, const char *name)
{
	gpointer v = g_hash_table_lookup(r->category_idx, name);
	char *copy;

	if (v)
		return GPOINTER_TO_UINT(v) - 1;
	copy = g_strdup(name);
	g_ptr_array_add(r->categories, copy);
	g_hash_table_insert(r->category_idx, copy, GUINT_TO_POINTER(r->categories->len));
	return r->categories->len - 1;
}

static struct counter_days *counter_get(struct report *r, int id)
{
	struct counter_days c;

	if (id <= 0 || id > REPORT_MAX_COUNTER)
		return NULL;
	if (r->counter_idx[id] >= 0)
		return &g_array_index(r->counters, struct counter_days, r->counter_idx[id]);
	c.id = id;
	c.open = g_new0(int64_t, r->n_days);
	c.busy = g_new0(int64_t, r->n_days);
	g_array_append_val(r->counters, c);
	r->counter_idx[id] = (int)r->counters->len - 1;
	return &g_array_index(r->counters, struct counter_days, r->counters->len - 1);
}

/* ---------------------------------------------------------------------- */
/* Days and periods */

static void day_date(int32_t day, GDate *d)
{
	g_date_clear(d, 1);
	g_date_set_julian(d, (guint32)(day + DAY_JULIAN_1970));
}

static int32_t date_day(const GDate *d)
{
	return (int32_t)g_date_get_julian(d) - DAY_JULIAN_1970;
}

static void day_iso(int32_t day, char out[16])
{
	GDate d;

	day_date(day, &d);
	g_snprintf(out, 16, "%04u-%02u-%02u", g_date_get_year(&d), g_date_get_month(&d),
		   g_date_get_day(&d));
}

/* Monday = 0; day 0 (1970-01-01) was a Thursday. */
static int day_weekday(int64_t day)
{
	return (int)(((day + 3) % 7 + 7) % 7);
}

static void report_make_periods(struct report *r)
{
	int32_t from = r->q.from_day, to = r->q.to_day;

	r->period_of = g_new0(int, MAX(to - from, 1));
	for (int32_t d = from; d < to;) {
		struct report_span p = {0};
		int32_t start, end;
		GDate date;

		day_date(d, &date);
		switch (r->q.period) {
		case REPORT_PERIOD_DAY:
			start = d;
			end = d + 1;
			day_iso(d, p.label);
			break;
		case REPORT_PERIOD_WEEK:
			start = d - day_weekday(d);
			end = start + 7;
			day_date(start + 3, &date); /* the Thursday names the ISO year */
			g_snprintf(p.label, sizeof(p.label), "%04u-W%02u", g_date_get_year(&date),
				   g_date_get_iso8601_week_of_year(&date));
			break;
		default:
			g_date_set_day(&date, 1);
			start = date_day(&date);
			g_snprintf(p.label, sizeof(p.label), "%04u-%02u", g_date_get_year(&date),
				   g_date_get_month(&date));
			g_date_add_months(&date, 1);
			end = date_day(&date);
			break;
		}
		p.from = MAX(start, from);
		p.to = MIN(end, to);
		for (int32_t i = p.from; i < p.to; i++)
			r->period_of[i - from] = (int)r->periods->len;
		g_array_append_val(r->periods, p);
		d = p.to;
	}
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* The service day of unix time @t, as the desk reckons it (desk_time,
 * queue_time_make): the local day, less one before the daily reset. */
static int64_t service_day_of(GTimeZone *tz, int reset_min, int64_t t)
{
	int64_t local =
	    t + g_time_zone_get_offset(tz, g_time_zone_find_interval(tz, G_TIME_TYPE_UNIVERSAL, t));
	int64_t day = floor_div(local, 86400);

	return (local - day * 86400) / 60 >= reset_min ? day : day - 1;
}

/* When each service day of the range (and the one after) starts: the first
 * second the desk counts in it.  Searched rather than computed from the
 * local time of the reset, which a change of the clocks may skip or repeat
 * (the first of two 03:00s in October is the start). */
static void report_make_day_starts(struct report *r, GTimeZone *tz)
{
	r->n_days = r->q.to_day - r->q.from_day;
	r->day_start = g_new(int64_t, r->n_days + 1);
	for (int i = 0; i <= r->n_days; i++) {
		int64_t day = (int64_t)r->q.from_day + i;
		int64_t wall = day * 86400 + r->q.reset_min * 60;
		int64_t lo = wall - 86400, hi = wall + 86400; /* service_day(lo) < day <= (hi) */

		while (hi - lo > 1) {
			int64_t mid = lo + (hi - lo) / 2;

			if (service_day_of(tz, r->q.reset_min, mid) >= day)
				hi = mid;
			else
				lo = mid;
		}
		r->day_start[i] = hi;
	}
}

/* ---------------------------------------------------------------------- */
/* Reading */

static int report_prepare(struct store *s, const char *sql, sqlite3_stmt **st, GError **error)
{
	if (sqlite3_prepare_v2(store_db(s), sql, -1, st, NULL) != SQLITE_OK) {
		g_set_error(error, report_error_quark(), EIO, "the report cannot be read: %s",
			    sqlite3_errmsg(store_db(s)));
		return -EIO;
	}
	return 0;
}

/* Whether most rows of @table lie in the days [from, to): then reading the
 * table through beats going through its day index row by row.  Rows are
 * appended about in day order, so the ids where the days start tell. */
static bool report_most_rows(struct store *s, const char *table, int32_t from, int32_t to)
{
	g_autofree char *sql =
	    g_strdup_printf("SELECT (SELECT min(id) FROM %s), (SELECT max(id) FROM %s), "
			    "(SELECT id FROM %s WHERE day >= ?1 ORDER BY day LIMIT 1), "
			    "(SELECT id FROM %s WHERE day >= ?2 ORDER BY day LIMIT 1)",
			    table, table, table, table);
	sqlite3_stmt *st = NULL;
	bool most = false;

	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_int(st, 1, from);
	sqlite3_bind_int(st, 2, to);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 2) != SQLITE_NULL) {
		int64_t max = sqlite3_column_int64(st, 1);
		int64_t total = max - sqlite3_column_int64(st, 0) + 1;
		int64_t end = sqlite3_column_type(st, 3) == SQLITE_NULL
				  ? max + 1
				  : sqlite3_column_int64(st, 3);

		most = 2 * (end - sqlite3_column_int64(st, 2)) > total;
	}
	sqlite3_finalize(st);
	return most;
}

static int report_done(struct store *s, sqlite3_stmt *st, int rc, GError **error)
{
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		g_set_error(error, report_error_quark(), EIO, "the report cannot be read: %s",
			    sqlite3_errmsg(store_db(s)));
		return -EIO;
	}
	return 0;
}

static int report_read_providers(struct report *r, struct store *s, GHashTable *services,
				 GError **error)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = report_prepare(s, "SELECT code FROM providers ORDER BY code", &st, error);
	if (rc < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		provider_index(r, (const char *)sqlite3_column_text(st, 0));
	rc = report_done(s, st, rc, error);
	if (rc < 0 || !services)
		return rc;
	rc = report_prepare(s, "SELECT code, provider FROM services", &st, error);
	if (rc < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int p = provider_index(r, (const char *)sqlite3_column_text(st, 1));

		g_hash_table_insert(services, g_strdup((const char *)sqlite3_column_text(st, 0)),
				    GINT_TO_POINTER(p + 1));
	}
	return report_done(s, st, rc, error);
}

/* What an outcome counts as. */
enum visit_class {
	VISIT_EVENT = 0,
	VISIT_NO_SHOW,
	VISIT_CANCELLED,
	VISIT_VOIDED,
	VISIT_RESET,
	VISIT_INTERRUPTED,
};

static enum visit_class visit_class_of(const char *outcome)
{
	static const char *const names[] = {
	    [VISIT_NO_SHOW] = "no_show",         [VISIT_CANCELLED] = "cancelled",
	    [VISIT_VOIDED] = "voided",           [VISIT_RESET] = "reset",
	    [VISIT_INTERRUPTED] = "interrupted",
	};

	for (int i = VISIT_NO_SHOW; i < (int)G_N_ELEMENTS(names); i++)
		if (strcmp(outcome, names[i]) == 0)
			return (enum visit_class)i;
	return VISIT_EVENT;
}

/* A text column of the rows read in an index's key order, where equal
 * values come together: the previous row's value is kept, so that what a
 * value means (a provider's index, a channel) is worked out once per run of
 * equal values, not per row. */
struct run_text {
	char *v; /* NULL: none yet, or SQL NULL */
	bool set;
};

/* Whether column @i of @st starts a new run (then kept in @t). */
static bool run_text_changed(struct run_text *t, sqlite3_stmt *st, int i)
{
	const char *v = (const char *)sqlite3_column_text(st, i);

	if (t->set && (v && t->v ? strcmp(v, t->v) == 0 : v == t->v))
		return false;
	g_free(t->v);
	t->v = g_strdup(v);
	t->set = true;
	return true;
}

static void run_text_clear(struct run_text *t)
{
	g_clear_pointer(&t->v, g_free);
	t->set = false;
}

/* The visits through the covering index visits_report: a provider's
 * visits of one day come together, by outcome, channel, trial and category.
 * Only the columns a report needs are asked for (each costs every row);
 * the category and counter come last, for categories and idle. */
#define REPORT_VISITS_COLUMNS                                                                      \
	"day, provider, outcome, channel, trial, issued_at, called_at, started_at, ended_at"
#define REPORT_VISITS_SQL                                                                          \
	"SELECT " REPORT_VISITS_COLUMNS " FROM visits WHERE day >= ?1 AND day < ?2"
#define REPORT_VISITS_ALL_SQL                                                                      \
	"SELECT " REPORT_VISITS_COLUMNS ", category, counter FROM visits "                         \
	"WHERE day >= ?1 AND day < ?2"
/* Every ticket, through the covering index tickets_arrivals; then the
 * voided ones, through the partial index tickets_voided, are taken off (no
 * index holds the state of every ticket: it changes at every call). */
#define REPORT_TICKETS_SQL                                                                         \
	"SELECT day, service, issued_at FROM tickets WHERE day >= ?1 AND day < ?2"
#define REPORT_VOIDED_SQL                                                                          \
	"SELECT day, service, issued_at FROM tickets WHERE day >= ?1 AND day < ?2 AND "            \
	"state = 'voided'"
/* The ratings through the covering index feedback_report. */
#define REPORT_FEEDBACK_SQL                                                                        \
	"SELECT day, ticket, provider, rating FROM feedback WHERE day >= ?1 AND day < ?2"
/* The counters' open and close rows in id order, through the covering
 * partial index audit_open_close: no other row of the log is read. */
#define REPORT_AUDIT_SQL                                                                           \
	"SELECT at, command = 'open', CASE WHEN json_valid(detail) THEN "                          \
	"json_extract(detail, '$.counter') END FROM audit "                                        \
	"WHERE command IN ('open', 'close') AND at < ?1 ORDER BY id"

const char *report_sql_text(enum report_sql q)
{
	static const char *const texts[REPORT_N_SQL] = {
	    [REPORT_SQL_VISITS] = REPORT_VISITS_SQL,
	    [REPORT_SQL_VISITS_ALL] = REPORT_VISITS_ALL_SQL,
	    [REPORT_SQL_TICKETS] = REPORT_TICKETS_SQL,
	    [REPORT_SQL_VOIDED] = REPORT_VOIDED_SQL,
	    [REPORT_SQL_FEEDBACK] = REPORT_FEEDBACK_SQL,
	    [REPORT_SQL_AUDIT] = REPORT_AUDIT_SQL,
	};

	return (unsigned)q < REPORT_N_SQL ? texts[q] : NULL;
}

static int report_prepare_range(struct report *r, struct store *s, const char *sql,
				sqlite3_stmt **st, GError **error)
{
	int rc = report_prepare(s, sql, st, error);

	if (rc < 0)
		return rc;
	sqlite3_bind_int(*st, 1, r->q.from_day);
	sqlite3_bind_int(*st, 2, r->q.to_day);
	return 0;
}

static int report_read_visits(struct report *r, struct store *s, GError **error)
{
	bool idle = r->q.kinds & (1u << REPORT_KIND_IDLE);
	bool cats = r->q.kinds & (1u << REPORT_KIND_CATEGORIES);
	int target = r->q.target_wait_s;
	struct run_text provider = {0}, outcome = {0}, channel = {0}, category = {0};
	sqlite3_stmt *st = NULL;
	int last_day = -1, p = -1, ch = -1;
	enum visit_class class = VISIT_EVENT;
	guint cat = 0;
	struct cell *c = NULL;
	int rc;

	rc = report_prepare_range(r, s, idle || cats ? REPORT_VISITS_ALL_SQL : REPORT_VISITS_SQL,
				  &st, error);
	if (rc < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int day = sqlite3_column_int(st, 0) - r->q.from_day;
		int64_t called = sqlite3_column_int64(st, 6);
		int64_t started = 0, ended = 0;
		bool cell_moved = day != last_day;

		if (run_text_changed(&provider, st, 1)) {
			p = provider_index(r, provider.v ? provider.v : "");
			cell_moved = true;
		}
		if (cell_moved) {
			c = report_cell(r, p, (guint)r->period_of[day]);
			last_day = day;
		}
		if (run_text_changed(&outcome, st, 2))
			class = visit_class_of(outcome.v ? outcome.v : "");
		c->rows++;
		switch (class) {
		case VISIT_NO_SHOW:
			c->no_shows++;
			break;
		case VISIT_CANCELLED:
			c->cancelled++;
			break;
		case VISIT_VOIDED:
			c->voided++;
			break;
		case VISIT_RESET:
			c->reset++;
			break;
		case VISIT_INTERRUPTED:
			c->interrupted++;
			break;
		case VISIT_EVENT:
			if (run_text_changed(&channel, st, 3))
				ch = queue_channel_parse(channel.v);
			if (sqlite3_column_int(st, 4)) {
				c->trial++;
				if (ch >= 0)
					c->trial_by_channel[ch]++;
			} else {
				c->events++;
				if (ch >= 0)
					c->by_channel[ch]++;
			}
			started = sqlite3_column_int64(st, 7);
			if (started > 0) {
				ended = sqlite3_column_int64(st, 8);
				ivec_push(&c->services, (int)(ended - started));
				c->served++;
			}
			if (cats) {
				if (run_text_changed(&category, st, 9))
					cat = category_index(r, category.v ? category.v
									   : "uncategorised");
				cell_cat_add(c, cat, 1);
			}
			break;
		}
		if (called > 0) {
			int wait = (int)(called - sqlite3_column_int64(st, 5));

			ivec_push(&c->waits, wait);
			c->waited++;
			c->within_target += wait <= target;
		}
		if (idle) {
			int64_t begin;
			struct counter_days *cd;

			if (class != VISIT_EVENT)
				started = sqlite3_column_int64(st, 7);
			if (!ended)
				ended = sqlite3_column_int64(st, 8);
			begin = called > 0 ? called : started;
			if (begin > 0 && ended > begin &&
			    (cd = counter_get(r, sqlite3_column_int(st, 10))))
				cd->busy[day] += ended - begin;
		}
	}
	run_text_clear(&provider);
	run_text_clear(&outcome);
	run_text_clear(&channel);
	run_text_clear(&category);
	return report_done(s, st, rc, error);
}

/* The UTC offset at @t, remembered per UTC hour: zone changes fall on the
 * hour (or on the half hour somewhere far away, which is good enough for an
 * hour-of-day histogram of one site). */
struct tz_cache {
	GTimeZone *tz;
	int64_t hour;
	int32_t offset;
};

static int32_t tz_offset(struct tz_cache *c, int64_t t)
{
	int64_t hour = t >= 0 ? t / 3600 : (t - 3599) / 3600;

	if (hour != c->hour) {
		c->hour = hour;
		c->offset =
		    c->tz ? g_time_zone_get_offset(
				c->tz, g_time_zone_find_interval(c->tz, G_TIME_TYPE_UNIVERSAL, t))
			  : 0;
	}
	return c->offset;
}

/* Adds @n (1, or -1 for the voided) for each ticket @sql gives. */
static int report_read_tickets_sql(struct report *r, struct store *s, GHashTable *services,
				   GTimeZone *tz, const char *sql, unsigned n, GError **error)
{
	struct tz_cache cache = {.tz = tz, .hour = INT64_MIN};
	struct run_text service = {0};
	sqlite3_stmt *st = NULL;
	int provider = -1;
	int rc;

	rc = report_prepare_range(r, s, sql, &st, error);
	if (rc < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		guint period = (guint)r->period_of[sqlite3_column_int(st, 0) - r->q.from_day];
		int64_t issued = sqlite3_column_int64(st, 2);
		int64_t local = issued + tz_offset(&cache, issued);
		int64_t local_day = local >= 0 ? local / 86400 : (local - 86399) / 86400;
		struct cell *c;

		if (run_text_changed(&service, st, 1))
			provider =
			    GPOINTER_TO_INT(service.v ? g_hash_table_lookup(services, service.v)
						      : NULL) -
			    1;
		c = provider >= 0 ? report_cell(r, provider, period) : &r->site[period];
		c->tickets += n;
		c->hours[(local - local_day * 86400) / 3600] += n;
		c->weekdays[day_weekday(local_day)] += n;
	}
	run_text_clear(&service);
	return report_done(s, st, rc, error);
}

/* The tickets not voided: all of them, less the voided (unsigned counts:
 * the voided were counted first, so nothing goes below 0). */
static int report_read_tickets(struct report *r, struct store *s, GHashTable *services,
			       GTimeZone *tz, GError **error)
{
	int rc = report_read_tickets_sql(r, s, services, tz, REPORT_TICKETS_SQL, 1, error);

	if (rc == 0)
		rc = report_read_tickets_sql(r, s, services, tz, REPORT_VOIDED_SQL, (unsigned)-1,
					     error);
	return rc;
}

static int report_read_feedback(struct report *r, struct store *s, GError **error)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = report_prepare_range(r, s, REPORT_FEEDBACK_SQL, &st, error);
	if (rc < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		guint period = (guint)r->period_of[sqlite3_column_int(st, 0) - r->q.from_day];
		const char *provider = (const char *)sqlite3_column_text(st, 2);
		int rating = sqlite3_column_int(st, 3);
		struct cell *c;

		if (rating < 1 || rating > N_RATINGS)
			continue;
		if (sqlite3_column_int64(st, 1) != 0 && provider)
			c = report_cell(r, provider_index(r, provider), period);
		else
			c = &r->site[period];
		c->fb_count++;
		c->fb_sum += (unsigned)rating;
		c->fb_ratings[rating - 1]++;
	}
	return report_done(s, st, rc, error);
}

/* The audit log's part: the counters' open seconds per service day, from
 * the open and close rows alone (the covering index audit_open_close:
 * some tens of thousands of rows a year, a few ms). */
struct audit_pass {
	sqlite3 *db;
	const int64_t *day_start; /* [n_days + 1] */
	int n_days;
	int64_t now;
	int64_t *open[REPORT_MAX_COUNTER + 1]; /* per counter id: [n_days], or NULL */
	int rc;                                /* SQLite's */
	char *message;
};

static void audit_pass_free(struct audit_pass *j)
{
	if (!j)
		return;
	for (int id = 0; id <= REPORT_MAX_COUNTER; id++)
		g_free(j->open[id]);
	g_free(j->message);
	g_free(j);
}

/* [start, end) of counter @id, cut at the range's ends, at now and at the
 * service days' starts. */
static void audit_add_open(struct audit_pass *j, int id, int64_t start, int64_t end)
{
	int lo = 0, hi = j->n_days;

	if (!j->open[id])
		j->open[id] = g_new0(int64_t, j->n_days);
	start = MAX(start, j->day_start[0]);
	end = MIN(MIN(end, j->day_start[j->n_days]), j->now);
	if (end <= start)
		return;
	/* The last day starting at or before start. */
	while (hi - lo > 1) {
		int mid = (lo + hi) / 2;

		if (j->day_start[mid] <= start)
			lo = mid;
		else
			hi = mid;
	}
	for (int d = lo; start < end; d++) {
		int64_t seg_end = MIN(end, j->day_start[d + 1]);

		j->open[id][d] += seg_end - start;
		start = seg_end;
	}
}

static void audit_pass_run(struct audit_pass *j)
{
	static const char sql[] = REPORT_AUDIT_SQL;
	g_autofree int64_t *open_at = g_new0(int64_t, REPORT_MAX_COUNTER + 1);
	sqlite3_stmt *st = NULL;

	j->rc = sqlite3_prepare_v2(j->db, sql, -1, &st, NULL);
	if (j->rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, j->day_start[j->n_days]);
		while ((j->rc = sqlite3_step(st)) == SQLITE_ROW) {
			int64_t at = sqlite3_column_int64(st, 0);
			int id = sqlite3_column_int(st, 2);

			if (id <= 0 || id > REPORT_MAX_COUNTER)
				continue;
			if (sqlite3_column_int(st, 1)) {
				if (!open_at[id])
					open_at[id] = at;
			} else if (open_at[id]) {
				audit_add_open(j, id, open_at[id], at);
				open_at[id] = 0;
			}
		}
	}
	if (j->rc == SQLITE_DONE)
		for (int id = 1; id <= REPORT_MAX_COUNTER; id++)
			if (open_at[id])
				audit_add_open(j, id, open_at[id], j->now);
	if (j->rc != SQLITE_DONE)
		j->message = g_strdup(sqlite3_errmsg(j->db));
	sqlite3_finalize(st);
}

static int report_read_audit(struct report *r, struct store *s, GError **error)
{
	struct audit_pass *j = g_new0(struct audit_pass, 1);
	int rc = 0;

	j->day_start = r->day_start;
	j->n_days = r->n_days;
	j->now = r->q.now;
	j->db = store_db(s);
	audit_pass_run(j);
	if (j->rc != SQLITE_DONE) {
		g_set_error(error, report_error_quark(), EIO, "the report cannot be read: %s",
			    j->message);
		rc = -EIO;
	}
	for (int id = 1; rc == 0 && id <= REPORT_MAX_COUNTER; id++) {
		struct counter_days *c;

		if (!j->open[id])
			continue;
		c = counter_get(r, id);
		for (int d = 0; d < r->n_days; d++)
			c->open[d] += j->open[id][d];
	}
	audit_pass_free(j);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Sums, percentiles, order */

static int cmp_str_idx(gconstpointer a, gconstpointer b, gpointer data)
{
	GPtrArray *names = data;

	return strcmp(names->pdata[*(const guint *)a], names->pdata[*(const guint *)b]);
}

static int cmp_counter_idx(gconstpointer a, gconstpointer b, gpointer data)
{
	GArray *counters = data;
	int x = g_array_index(counters, struct counter_days, *(const guint *)a).id;
	int y = g_array_index(counters, struct counter_days, *(const guint *)b).id;

	return (x > y) - (x < y);
}

static guint *sorted_order(guint n, GCompareDataFunc cmp, gpointer data)
{
	guint *order = g_new(guint, MAX(n, 1));

	for (guint i = 0; i < n; i++)
		order[i] = i;
	g_qsort_with_data(order, (gint)n, sizeof(guint), cmp, data);
	return order;
}

static void cell_percentiles(struct cell *c, struct pick *pk, struct ivec **waits,
			     struct ivec **services, guint n)
{
	percentiles(pk, waits, n, &c->wait_p50, &c->wait_p90);
	percentiles(pk, services, n, &c->service_p50, &c->service_p90);
}

/* Only the cells of a provider and a period hold values: the others pick
 * from theirs. */
static void report_finish_percentiles(struct report *r)
{
	guint np = report_n_periods(r), nv = r->providers->len, n;
	g_autofree struct ivec **waits = g_new(struct ivec *, MAX(nv * np, 1));
	g_autofree struct ivec **services = g_new(struct ivec *, MAX(nv * np, 1));
	g_autofree struct pick *pk = g_new0(struct pick, 1);

	for (guint v = 0; v < nv; v++) {
		struct cell *col = r->cols->pdata[v];

		for (guint p = 0; p < np; p++) {
			waits[p] = &col[p].waits;
			services[p] = &col[p].services;
			cell_percentiles(&col[p], pk, &waits[p], &services[p], 1);
		}
		cell_percentiles(&col[np], pk, waits, services, np);
	}
	for (guint p = 0; p < np; p++) {
		for (guint v = 0; v < nv; v++) {
			waits[v] = &((struct cell *)r->cols->pdata[v])[p].waits;
			services[v] = &((struct cell *)r->cols->pdata[v])[p].services;
		}
		cell_percentiles(&r->site[p], pk, waits, services, nv);
	}
	n = 0;
	for (guint v = 0; v < nv; v++) {
		for (guint p = 0; p < np; p++, n++) {
			waits[n] = &((struct cell *)r->cols->pdata[v])[p].waits;
			services[n] = &((struct cell *)r->cols->pdata[v])[p].services;
		}
	}
	cell_percentiles(&r->site[np], pk, waits, services, n);
	g_free(pk->buf);
}

/* A booth's idle: its remote-service hours and its time in session
 * (report_pilot.h), in place of the audit's open time and the visits. */
static void report_finish_booths(struct report *r)
{
	g_autoptr(GArray) ids = NULL;

	if (!r->pilot || !(r->q.kinds & (1u << REPORT_KIND_IDLE)))
		return;
	ids = report_pilot_booth_ids(r->pilot);
	for (guint i = 0; i < ids->len; i++) {
		struct counter_days *c = counter_get(r, g_array_index(ids, int, i));
		const int64_t *open, *busy;

		if (c && r->n_days > 0 && report_pilot_booth_days(r->pilot, c->id, &open, &busy)) {
			memcpy(c->open, open, r->n_days * sizeof(int64_t));
			memcpy(c->busy, busy, r->n_days * sizeof(int64_t));
		}
	}
}

static void report_finish(struct report *r)
{
	guint np = report_n_periods(r), nc;

	for (guint v = 0; v < r->providers->len; v++) {
		struct cell *col = r->cols->pdata[v];

		for (guint p = 0; p < np; p++) {
			cell_add(&col[np], &col[p]);
			cell_add(&r->site[p], &col[p]);
		}
	}
	for (guint p = 0; p < np; p++)
		cell_add(&r->site[np], &r->site[p]);
	report_finish_percentiles(r);
	r->order = sorted_order(r->providers->len, cmp_str_idx, r->providers);
	r->cat_order = sorted_order(r->categories->len, cmp_str_idx, r->categories);
	report_finish_booths(r);
	nc = r->counters->len;
	r->counter_order = sorted_order(nc, cmp_counter_idx, r->counters);
	/* Idle: per counter (1..nc, 0 = all) and period (np = total). */
	r->idle = g_new0(struct idle_cell, (nc + 1) * (np + 1));
	for (guint i = 0; i < nc; i++) {
		const struct counter_days *c = &g_array_index(r->counters, struct counter_days, i);

		for (int d = 0; d < r->n_days; d++) {
			guint p = (guint)r->period_of[d];
			int64_t idle = MAX(c->open[d] - c->busy[d], 0);
			struct idle_cell *cells[] = {
			    &r->idle[(i + 1) * (np + 1) + p],
			    &r->idle[(i + 1) * (np + 1) + np],
			    &r->idle[p],
			    &r->idle[np],
			};

			for (size_t k = 0; k < G_N_ELEMENTS(cells); k++) {
				cells[k]->open_s += c->open[d];
				cells[k]->busy_s += c->busy[d];
				cells[k]->idle_s += idle;
			}
		}
	}
}

static int report_run_pilot(struct report *r, struct store *s, GTimeZone *tz, GError **error)
{
	unsigned what = 0;
	int rc;

	if (r->q.kinds & (1u << REPORT_KIND_BOOTHS))
		what |= REPORT_PILOT_BOOTHS;
	if (r->q.kinds & (1u << REPORT_KIND_PILOT))
		what |= REPORT_PILOT_FIGURES;
	if (r->q.kinds & (1u << REPORT_KIND_IDLE))
		what |= REPORT_PILOT_IDLE;
	if (!what)
		return 0;
	r->frame = (struct report_frame){
	    .from_day = r->q.from_day,
	    .to_day = r->q.to_day,
	    .periods = (const struct report_span *)(void *)r->periods->data,
	    .n_periods = report_n_periods(r),
	    .period_of = r->period_of,
	    .day_start = r->day_start,
	    .n_days = r->n_days,
	    .now = r->q.now,
	    .tz = tz,
	    .cfg = r->q.cfg,
	    .visits_scan =
		report_most_rows(s, "visits", 2 * r->q.from_day - r->q.to_day, r->q.to_day),
	};
	rc = report_pilot_run(s, &r->frame, what, &r->pilot, error);
	r->frame.tz = NULL; /* not kept */
	return rc;
}

int report_run(struct store *s, const struct report_query *q, struct report **ret, GError **error)
{
	g_autoptr(GHashTable) services = NULL;
	g_autoptr(Report) r = NULL;
	GTimeZone *tz = q->tz;
	g_autoptr(GTimeZone) utc = NULL;
	int rc = 0;

	if (q->to_day < q->from_day || q->to_day - q->from_day > REPORT_MAX_DAYS) {
		g_set_error(error, report_error_quark(), EINVAL,
			    "a report covers 0 to %d days, from a day to a later one",
			    REPORT_MAX_DAYS);
		return -EINVAL;
	}
	if (!tz)
		tz = utc = g_time_zone_new_utc();
	r = g_new0(struct report, 1);
	r->q = *q;
	r->q.tz = NULL;
	if (!r->q.kinds)
		r->q.kinds = REPORT_KINDS_DEFAULT;
	if ((unsigned)r->q.period >= REPORT_N_PERIODS)
		r->q.period = REPORT_PERIOD_MONTH;
	r->tz_name = g_strdup(g_time_zone_get_identifier(tz));
	r->periods = g_array_new(FALSE, FALSE, sizeof(struct report_span));
	report_make_periods(r);
	report_make_day_starts(r, tz);
	r->providers = g_ptr_array_new_with_free_func(g_free);
	r->cols = g_ptr_array_new();
	r->site = g_new0(struct cell, report_n_periods(r) + 1);
	r->categories = g_ptr_array_new_with_free_func(g_free);
	r->category_idx = g_hash_table_new(g_str_hash, g_str_equal);
	r->counters = g_array_new(FALSE, FALSE, sizeof(struct counter_days));
	memset(r->counter_idx, 0xff, sizeof(r->counter_idx));
	if (r->q.kinds & (1u << REPORT_KIND_ARRIVALS))
		services = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	rc = report_read_providers(r, s, services, error);
	if (rc == 0 && r->n_days > 0) {
		if (r->q.kinds & (1u << REPORT_KIND_IDLE))
			rc = report_read_audit(r, s, error);
		if (rc == 0 &&
		    r->q.kinds & ((1u << REPORT_KIND_BILLING) | (1u << REPORT_KIND_TIMES) |
				  (1u << REPORT_KIND_IDLE) | (1u << REPORT_KIND_CATEGORIES)))
			rc = report_read_visits(r, s, error);
		if (rc == 0 && services)
			rc = report_read_tickets(r, s, services, tz, error);
		if (rc == 0 && (r->q.kinds & (1u << REPORT_KIND_FEEDBACK)))
			rc = report_read_feedback(r, s, error);
		if (rc == 0)
			rc = report_run_pilot(r, s, tz, error);
	}
	if (rc < 0)
		return rc;
	report_finish(r);
	*ret = g_steal_pointer(&r);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* JSON */

static void add_int_or_null(JsonBuilder *b, const char *name, int v)
{
	json_builder_set_member_name(b, name);
	if (v < 0)
		json_builder_add_null_value(b);
	else
		json_builder_add_int_value(b, v);
}

/* round(scale · num / den) / scale, or null without a denominator. */
static void add_ratio(JsonBuilder *b, const char *name, double num, double den, double scale)
{
	json_builder_set_member_name(b, name);
	if (den > 0)
		json_builder_add_double_value(b, round(scale * num / den) / scale);
	else
		json_builder_add_null_value(b);
}

static void add_counts(JsonBuilder *b, const char *name, const unsigned *v, int n)
{
	json_builder_set_member_name(b, name);
	json_builder_begin_array(b);
	for (int i = 0; i < n; i++)
		json_builder_add_int_value(b, v[i]);
	json_builder_end_array(b);
}

static const char *period_label(const struct report *r, guint p)
{
	return p < report_n_periods(r) ? g_array_index(r->periods, struct report_span, p).label
				       : REPORT_TOTAL;
}

/* Calls @fn for every (period, provider) pair in output order: periods in
 * time order then the total; providers by code, then the site. */
typedef void (*cell_fn)(const struct report *r, const char *period, const char *provider,
			const struct cell *c, gpointer data);

static void report_foreach_cell(const struct report *r, cell_fn fn, gpointer data)
{
	guint np = report_n_periods(r);

	for (guint p = 0; p <= np; p++) {
		for (guint k = 0; k < r->providers->len; k++) {
			guint v = r->order[k];

			fn(r, period_label(r, p), r->providers->pdata[v],
			   &((struct cell *)r->cols->pdata[v])[p], data);
		}
		fn(r, period_label(r, p), REPORT_SITE, &r->site[p], data);
	}
}

static void json_billing(const struct report *r, const char *period, const char *provider,
			 const struct cell *c, gpointer data)
{
	JsonBuilder *b = data;

	json_builder_begin_object(b);
	web_json_add_str(b, "period", period);
	web_json_add_str(b, "provider", provider);
	web_json_add_int(b, "events", c->events);
	json_builder_set_member_name(b, "channels");
	json_builder_begin_object(b);
	for (int ch = 0; ch < QUEUE_N_CHANNELS; ch++)
		web_json_add_int(b, queue_channel_name(ch), c->by_channel[ch]);
	json_builder_end_object(b);
	web_json_add_int(b, "no_shows", c->no_shows);
	web_json_add_int(b, "cancelled", c->cancelled);
	web_json_add_int(b, "voided", c->voided);
	web_json_add_int(b, "reset", c->reset);
	web_json_add_int(b, "interrupted", c->interrupted);
	json_builder_set_member_name(b, "trial");
	json_builder_begin_object(b);
	web_json_add_int(b, "events", c->trial);
	json_builder_set_member_name(b, "channels");
	json_builder_begin_object(b);
	for (int ch = 0; ch < QUEUE_N_CHANNELS; ch++)
		web_json_add_int(b, queue_channel_name(ch), c->trial_by_channel[ch]);
	json_builder_end_object(b);
	json_builder_end_object(b);
	json_builder_end_object(b);
}

static void json_times(const struct report *r, const char *period, const char *provider,
		       const struct cell *c, gpointer data)
{
	JsonBuilder *b = data;

	json_builder_begin_object(b);
	web_json_add_str(b, "period", period);
	web_json_add_str(b, "provider", provider);
	web_json_add_int(b, "waited", c->waited);
	add_int_or_null(b, "wait_median_s", c->wait_p50);
	add_int_or_null(b, "wait_p90_s", c->wait_p90);
	web_json_add_int(b, "within_target", c->within_target);
	add_ratio(b, "within_target_pct", 100.0 * c->within_target, c->waited, 10.0);
	web_json_add_int(b, "served", c->served);
	add_int_or_null(b, "service_median_s", c->service_p50);
	add_int_or_null(b, "service_p90_s", c->service_p90);
	web_json_add_int(b, "no_shows", c->no_shows);
	json_builder_end_object(b);
}

static void json_arrivals(const struct report *r, const char *period, const char *provider,
			  const struct cell *c, gpointer data)
{
	JsonBuilder *b = data;

	json_builder_begin_object(b);
	web_json_add_str(b, "period", period);
	web_json_add_str(b, "provider", provider);
	web_json_add_int(b, "tickets", c->tickets);
	add_counts(b, "hours", c->hours, 24);
	add_counts(b, "weekdays", c->weekdays, 7);
	json_builder_end_object(b);
}

static void json_feedback(const struct report *r, const char *period, const char *provider,
			  const struct cell *c, gpointer data)
{
	JsonBuilder *b = data;

	json_builder_begin_object(b);
	web_json_add_str(b, "period", period);
	web_json_add_str(b, "provider", provider);
	web_json_add_int(b, "count", c->fb_count);
	web_json_add_int(b, "sum", c->fb_sum);
	add_ratio(b, "mean", c->fb_sum, c->fb_count, 100.0);
	add_counts(b, "ratings", c->fb_ratings, N_RATINGS);
	json_builder_end_object(b);
}

static void json_categories(const struct report *r, const char *period, const char *provider,
			    const struct cell *c, gpointer data)
{
	JsonBuilder *b = data;

	for (guint k = 0; k < r->categories->len; k++) {
		guint i = r->cat_order[k];

		if (i >= c->n_cats || !c->cats[i])
			continue;
		json_builder_begin_object(b);
		web_json_add_str(b, "period", period);
		web_json_add_str(b, "provider", provider);
		web_json_add_str(b, "category", r->categories->pdata[i]);
		web_json_add_int(b, "events", c->cats[i]);
		json_builder_end_object(b);
	}
}

/* Calls @fn for every (period, counter) pair: counters by id, then 0 = all. */
typedef void (*idle_fn)(const char *period, int counter, const struct idle_cell *c, gpointer data);

static void report_foreach_idle(const struct report *r, idle_fn fn, gpointer data)
{
	guint np = report_n_periods(r), nc = r->counters->len;

	for (guint p = 0; p <= np; p++) {
		for (guint k = 0; k < nc; k++) {
			guint i = r->counter_order[k];

			fn(period_label(r, p),
			   g_array_index(r->counters, struct counter_days, i).id,
			   &r->idle[(i + 1) * (np + 1) + p], data);
		}
		fn(period_label(r, p), 0, &r->idle[p], data);
	}
}

static void json_idle(const char *period, int counter, const struct idle_cell *c, gpointer data)
{
	JsonBuilder *b = data;

	json_builder_begin_object(b);
	web_json_add_str(b, "period", period);
	web_json_add_int(b, "counter", counter);
	web_json_add_int(b, "open_s", c->open_s);
	web_json_add_int(b, "busy_s", c->busy_s);
	web_json_add_int(b, "idle_s", c->idle_s);
	add_ratio(b, "idle_pct", 100.0 * (double)c->idle_s, (double)c->open_s, 10.0);
	json_builder_end_object(b);
}

void report_add_json(const struct report *r, JsonBuilder *b)
{
	static const cell_fn cell_fns[REPORT_N_KINDS] = {
	    [REPORT_KIND_BILLING] = json_billing,       [REPORT_KIND_TIMES] = json_times,
	    [REPORT_KIND_ARRIVALS] = json_arrivals,     [REPORT_KIND_FEEDBACK] = json_feedback,
	    [REPORT_KIND_CATEGORIES] = json_categories,
	};
	char day[16];

	day_iso(r->q.from_day, day);
	web_json_add_str(b, "from", day);
	day_iso(r->q.to_day, day);
	web_json_add_str(b, "to", day);
	web_json_add_str(b, "period", report_period_name(r->q.period));
	web_json_add_str(b, "timezone", r->tz_name);
	json_builder_set_member_name(b, "periods");
	json_builder_begin_array(b);
	for (guint p = 0; p < report_n_periods(r); p++) {
		const struct report_span *pd = &g_array_index(r->periods, struct report_span, p);

		json_builder_begin_object(b);
		web_json_add_str(b, "period", pd->label);
		day_iso(pd->from, day);
		web_json_add_str(b, "from", day);
		day_iso(pd->to, day);
		web_json_add_str(b, "to", day);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "providers");
	json_builder_begin_array(b);
	for (guint k = 0; k < r->providers->len; k++)
		json_builder_add_string_value(b, r->providers->pdata[r->order[k]]);
	json_builder_end_array(b);
	for (int k = 0; k < REPORT_N_KINDS; k++) {
		if (!(r->q.kinds & (1u << k)))
			continue;
		json_builder_set_member_name(b, kind_names[k]);
		json_builder_begin_array(b);
		if (k == REPORT_KIND_IDLE)
			report_foreach_idle(r, json_idle, b);
		else if (k == REPORT_KIND_BOOTHS && r->pilot)
			report_pilot_booths_json(r->pilot, b);
		else if (k == REPORT_KIND_PILOT && r->pilot)
			report_pilot_figures_json(r->pilot, b);
		else if (cell_fns[k])
			report_foreach_cell(r, cell_fns[k], b);
		json_builder_end_array(b);
	}
}

/* ---------------------------------------------------------------------- */
/* CSV */

/* A text field as RFC 4180 wants it: quoted when it holds a comma, a quote
 * or a line end, quotes doubled.  Text that a spreadsheet would run as a
 * formula (it starts with =, +, -, @, a tab or a CR: OWASP's "CSV
 * injection"; advisors type categories) gets a ' in front, and is quoted.
 * Numbers never come here: they are printed as numbers, so -1 stays -1. */
void report_csv_field(GString *s, const char *v)
{
	bool formula = v[0] && strchr("=+-@\t\r", v[0]);

	if (!formula && !strpbrk(v, ",\"\r\n")) {
		g_string_append(s, v);
		return;
	}
	g_string_append_c(s, '"');
	if (formula)
		g_string_append_c(s, '\'');
	for (const char *p = v; *p; p++) {
		if (*p == '"')
			g_string_append_c(s, '"');
		g_string_append_c(s, *p);
	}
	g_string_append_c(s, '"');
}

static void csv_keys(GString *s, const char *period, const char *provider)
{
	report_csv_field(s, period);
	g_string_append_c(s, ',');
	report_csv_field(s, provider);
}

static void csv_int_or_empty(GString *s, int v)
{
	if (v >= 0)
		g_string_append_printf(s, ",%d", v);
	else
		g_string_append_c(s, ',');
}

/* ",round(scale · num / den) / scale" with as many decimals as scale has
 * zeros (10 → 1, 100 → 2); "," without a denominator. */
static void csv_ratio(GString *s, double num, double den, double scale)
{
	if (den > 0)
		g_string_append_printf(s, ",%.*f", scale > 10 ? 2 : 1,
				       round(scale * num / den) / scale);
	else
		g_string_append_c(s, ',');
}

static void csv_billing(const struct report *r, const char *period, const char *provider,
			const struct cell *c, gpointer data)
{
	GString *s = data;

	csv_keys(s, period, provider);
	g_string_append_printf(s, ",%u", c->events);
	for (int ch = 0; ch < QUEUE_N_CHANNELS; ch++)
		g_string_append_printf(s, ",%u", c->by_channel[ch]);
	g_string_append_printf(s, ",%u,%u,%u,%u,%u,%u\r\n", c->no_shows, c->cancelled, c->voided,
			       c->reset, c->interrupted, c->trial);
}

static void csv_times(const struct report *r, const char *period, const char *provider,
		      const struct cell *c, gpointer data)
{
	GString *s = data;

	csv_keys(s, period, provider);
	g_string_append_printf(s, ",%u", c->waited);
	csv_int_or_empty(s, c->wait_p50);
	csv_int_or_empty(s, c->wait_p90);
	g_string_append_printf(s, ",%u", c->within_target);
	csv_ratio(s, 100.0 * c->within_target, c->waited, 10.0);
	g_string_append_printf(s, ",%u", c->served);
	csv_int_or_empty(s, c->service_p50);
	csv_int_or_empty(s, c->service_p90);
	g_string_append_printf(s, ",%u\r\n", c->no_shows);
}

static void csv_arrivals(const struct report *r, const char *period, const char *provider,
			 const struct cell *c, gpointer data)
{
	GString *s = data;

	csv_keys(s, period, provider);
	g_string_append_printf(s, ",%u", c->tickets);
	for (int i = 0; i < 24; i++)
		g_string_append_printf(s, ",%u", c->hours[i]);
	for (int i = 0; i < 7; i++)
		g_string_append_printf(s, ",%u", c->weekdays[i]);
	g_string_append(s, "\r\n");
}

static void csv_feedback(const struct report *r, const char *period, const char *provider,
			 const struct cell *c, gpointer data)
{
	GString *s = data;

	csv_keys(s, period, provider);
	g_string_append_printf(s, ",%u,%u", c->fb_count, c->fb_sum);
	csv_ratio(s, c->fb_sum, c->fb_count, 100.0);
	for (int i = 0; i < N_RATINGS; i++)
		g_string_append_printf(s, ",%u", c->fb_ratings[i]);
	g_string_append(s, "\r\n");
}

static void csv_categories(const struct report *r, const char *period, const char *provider,
			   const struct cell *c, gpointer data)
{
	GString *s = data;

	for (guint k = 0; k < r->categories->len; k++) {
		guint i = r->cat_order[k];

		if (i >= c->n_cats || !c->cats[i])
			continue;
		csv_keys(s, period, provider);
		g_string_append_c(s, ',');
		report_csv_field(s, r->categories->pdata[i]);
		g_string_append_printf(s, ",%u\r\n", c->cats[i]);
	}
}

static void csv_idle(const char *period, int counter, const struct idle_cell *c, gpointer data)
{
	GString *s = data;

	report_csv_field(s, period);
	g_string_append_printf(s, ",%d,%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT,
			       counter, c->open_s, c->busy_s, c->idle_s);
	csv_ratio(s, 100.0 * (double)c->idle_s, (double)c->open_s, 10.0);
	g_string_append(s, "\r\n");
}

char *report_to_csv(const struct report *r, enum report_kind kind, gsize *ret_len)
{
	static const cell_fn cell_fns[REPORT_N_KINDS] = {
	    [REPORT_KIND_BILLING] = csv_billing,       [REPORT_KIND_TIMES] = csv_times,
	    [REPORT_KIND_ARRIVALS] = csv_arrivals,     [REPORT_KIND_FEEDBACK] = csv_feedback,
	    [REPORT_KIND_CATEGORIES] = csv_categories,
	};
	GString *s;

	if ((unsigned)kind >= REPORT_N_KINDS || !(r->q.kinds & (1u << kind)))
		return NULL;
	s = g_string_new(NULL);
	switch (kind) {
	case REPORT_KIND_BILLING:
		g_string_append(s, "period,provider,events");
		for (int ch = 0; ch < QUEUE_N_CHANNELS; ch++)
			g_string_append_printf(s, ",%s", queue_channel_name(ch));
		g_string_append(s, ",no_shows,cancelled,voided,reset,interrupted,trial_events\r\n");
		break;
	case REPORT_KIND_TIMES:
		g_string_append(s, "period,provider,waited,wait_median_s,wait_p90_s,within_target,"
				   "within_target_pct,served,service_median_s,service_p90_s,"
				   "no_shows\r\n");
		break;
	case REPORT_KIND_ARRIVALS:
		g_string_append(s, "period,provider,tickets");
		for (int i = 0; i < 24; i++)
			g_string_append_printf(s, ",h%02d", i);
		for (int i = 0; i < 7; i++)
			g_string_append_printf(s, ",%s", weekday_names[i]);
		g_string_append(s, "\r\n");
		break;
	case REPORT_KIND_IDLE:
		g_string_append(s, "period,counter,open_s,busy_s,idle_s,idle_pct\r\n");
		report_foreach_idle(r, csv_idle, s);
		break;
	case REPORT_KIND_FEEDBACK:
		g_string_append(s, "period,provider,count,sum,mean,r1,r2,r3,r4,r5\r\n");
		break;
	case REPORT_KIND_CATEGORIES:
		g_string_append(s, "period,provider,category,events\r\n");
		break;
	case REPORT_KIND_BOOTHS:
		if (r->pilot)
			report_pilot_booths_csv(r->pilot, s);
		break;
	case REPORT_KIND_PILOT:
		if (r->pilot)
			report_pilot_figures_csv(r->pilot, s);
		break;
	default:
		break;
	}
	if (cell_fns[kind])
		report_foreach_cell(r, cell_fns[kind], s);
	*ret_len = s->len;
	return g_string_free(s, FALSE);
}

/* ---------------------------------------------------------------------- */
/* The monthly report of old */

static void report_row_free(gpointer p)
{
	struct report_row *r = p;

	g_free(r->provider);
	g_free(r);
}

GPtrArray *report_monthly_rows(const struct report *r)
{
	GPtrArray *rows;

	if (r->q.period != REPORT_PERIOD_MONTH)
		return NULL;
	rows = g_ptr_array_new_with_free_func(report_row_free);
	for (guint p = 0; p < report_n_periods(r); p++) {
		for (guint k = 0; k < r->providers->len; k++) {
			guint v = r->order[k];
			const struct cell *c = &((struct cell *)r->cols->pdata[v])[p];
			struct report_row *row;

			if (!c->rows)
				continue;
			row = g_new0(struct report_row, 1);
			row->provider = g_strdup(r->providers->pdata[v]);
			g_strlcpy(row->month, period_label(r, p), sizeof(row->month));
			row->visits = c->events;
			memcpy(row->by_channel, c->by_channel, sizeof(row->by_channel));
			row->no_shows = c->no_shows;
			row->cancelled = c->cancelled;
			row->wait_median_s = c->wait_p50;
			row->wait_p90_s = c->wait_p90;
			row->service_median_s = c->service_p50;
			row->service_p90_s = c->service_p90;
			row->within_target = c->within_target;
			row->waited = c->waited;
			g_ptr_array_add(rows, row);
		}
	}
	return rows;
}

int report_monthly(struct store *s, int32_t from_day, int32_t to_day, int target_wait_s,
		   GPtrArray **ret_rows, GError **error)
{
	const struct report_query q = {
	    .from_day = from_day,
	    .to_day = to_day,
	    .period = REPORT_PERIOD_MONTH,
	    .target_wait_s = target_wait_s,
	    .kinds = (1u << REPORT_KIND_BILLING) | (1u << REPORT_KIND_TIMES),
	};
	g_autoptr(Report) r = NULL;
	int rc = report_run(s, &q, &r, error);

	if (rc < 0)
		return rc;
	*ret_rows = report_monthly_rows(r);
	return 0;
}

JsonNode *report_rows_to_json(GPtrArray *rows)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_array(b);
	for (guint i = 0; i < rows->len; i++) {
		const struct report_row *r = g_ptr_array_index(rows, i);

		json_builder_begin_object(b);
		web_json_add_str(b, "provider", r->provider);
		web_json_add_str(b, "month", r->month);
		web_json_add_int(b, "visits", r->visits);
		json_builder_set_member_name(b, "channels");
		json_builder_begin_object(b);
		for (int c = 0; c < QUEUE_N_CHANNELS; c++)
			web_json_add_int(b, queue_channel_name(c), r->by_channel[c]);
		json_builder_end_object(b);
		web_json_add_int(b, "no_shows", r->no_shows);
		web_json_add_int(b, "cancelled", r->cancelled);
		add_int_or_null(b, "wait_median_s", r->wait_median_s);
		add_int_or_null(b, "wait_p90_s", r->wait_p90_s);
		add_int_or_null(b, "service_median_s", r->service_median_s);
		add_int_or_null(b, "service_p90_s", r->service_p90_s);
		web_json_add_int(b, "within_target", r->within_target);
		web_json_add_int(b, "waited", r->waited);
		add_ratio(b, "within_target_pct", 100.0 * r->within_target, r->waited, 10.0);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	return json_builder_get_root(b);
}

char *report_rows_to_csv(GPtrArray *rows, gsize *ret_len)
{
	GString *csv = g_string_new("provider,month,visits,in_person,remote_video,"
				    "e_service,paper_form,no_shows,cancelled,"
				    "wait_median_s,wait_p90_s,service_median_s,"
				    "service_p90_s,within_target,waited\r\n");

	for (guint i = 0; i < rows->len; i++) {
		const struct report_row *row = g_ptr_array_index(rows, i);

		report_csv_field(csv, row->provider);
		g_string_append_c(csv, ',');
		report_csv_field(csv, row->month);
		g_string_append_printf(
		    csv, ",%u,%u,%u,%u,%u,%u,%u,%d,%d,%d,%d,%u,%u\r\n", row->visits,
		    row->by_channel[0], row->by_channel[1], row->by_channel[2], row->by_channel[3],
		    row->no_shows, row->cancelled, row->wait_median_s, row->wait_p90_s,
		    row->service_median_s, row->service_p90_s, row->within_target, row->waited);
	}
	*ret_len = csv->len;
	return g_string_free(csv, FALSE);
}

/* ---------------------------------------------------------------------- */
/* On a worker thread */

struct report_job {
	struct report_query q; /* q.tz: a reference of the job's own */
	unsigned what;
	char *text;
	gsize len;
};

static void report_job_free(gpointer data)
{
	struct report_job *j = data;

	g_clear_pointer(&j->q.tz, g_time_zone_unref);
	g_free(j->text);
	g_free(j);
}

/* The body of GET /api/report, made here too: a year by day is megabytes of
 * JSON, 0.1 s and more to build. */
static void report_job_answer(struct report_job *j, struct report *rep, GPtrArray *rows)
{
	g_autoptr(JsonBuilder) b = NULL;
	g_autoptr(JsonNode) root = NULL;

	if (j->what & REPORT_JOB_CSV) {
		j->text = rows ? report_rows_to_csv(rows, &j->len)
			       : report_to_csv(rep, (enum report_kind)g_bit_nth_lsf(j->q.kinds, -1),
					       &j->len);
		return;
	}
	b = json_builder_new();
	json_builder_begin_object(b);
	if (rows) {
		json_builder_set_member_name(b, "monthly");
		json_builder_add_value(b, report_rows_to_json(rows));
	}
	json_builder_set_member_name(b, "target_wait_min");
	json_builder_add_int_value(b, j->q.target_wait_s / 60);
	report_add_json(rep, b);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	j->text = json_to_string(root, FALSE);
	j->len = strlen(j->text);
}

static int report_job_run(struct store *reader, gpointer data, GError **error)
{
	struct report_job *j = data;
	g_autoptr(Report) rep = NULL;
	g_autoptr(GPtrArray) rows = NULL;
	int rc = 0;

	if (j->what & REPORT_JOB_REPORTS)
		rc = report_run(reader, &j->q, &rep, error);
	if (rc == 0 && (j->what & REPORT_JOB_MONTHLY)) {
		rows = rep ? report_monthly_rows(rep) : NULL;
		if (!rows)
			rc = report_monthly(reader, j->q.from_day, j->q.to_day, j->q.target_wait_s,
					    &rows, error);
	}
	if (rc == 0)
		report_job_answer(j, rep, rows);
	return rc;
}

void report_run_async(struct store *s, const struct report_query *q, unsigned what,
		      GAsyncReadyCallback done, gpointer data)
{
	struct report_job *j = g_new0(struct report_job, 1);

	j->q = *q;
	if (j->q.tz)
		g_time_zone_ref(j->q.tz);
	j->what = what;
	store_job_run(s, report_job_run, j, report_job_free, done, data);
}

int report_run_finish(GAsyncResult *result, char **ret_text, gsize *ret_len, GError **error)
{
	struct report_job *j;
	int rc = store_job_finish(result, (gpointer *)&j, error);

	if (rc < 0)
		return rc;
	*ret_len = j->len;
	*ret_text = g_steal_pointer(&j->text);
	return 0;
}
