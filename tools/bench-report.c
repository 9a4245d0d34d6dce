/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench-report: the reports over a year of visits.
 *
 * Generates a deterministic year of 250,000 visits (5 providers, 4
 * channels, realistic waits and service times, some no-shows) in a scratch
 * database made by store_open, then runs report_monthly over the year 7
 * times and prints the median:
 *   BENCH report_250k_ms=X ms
 *   BENCH report_rows=N rows
 * With --db FILE (a year made by tools/gen-visits.py: tickets, visits, the
 * audit log, feedback), also every report (report_run, all kinds, by month,
 * and their JSON) over that year, median of 7:
 *   BENCH report_all_250k_ms=X ms
 * and on stderr what each kind costs alone (median of 7), to see where the
 * time goes.  The reports run on a reader connection (store_open_reader),
 * as GET /api/report's job does.  With --dump DIR, instead of timing, every report of that year
 * (every kind, each period, the whole year, a month and a day; JSON, CSV and
 * the monthly rows) is written into DIR: two builds' dumps of the same
 * database must be byte-identical (a faster report is the same report).
 */
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report.h"
#include "store.h"

#define VISITS     250000
#define YEAR_START 20454 /* 2026-01-01 */

static const char *const providers[] = {"kunta", "vero", "kela", "te", "dvv"};
static const char *const channels[] = {"in_person", "remote_video", "e_service", "paper_form"};

static int fill(struct store *s, GError **error)
{
	g_autoptr(GRand) rand = g_rand_new_with_seed(250000);
	sqlite3 *db = store_db(s);
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(
		    db,
		    "INSERT INTO visits (ticket, day, service, provider, code, "
		    "counter, user, channel, outcome, lang, issued_at, called_at, "
		    "started_at, ended_at) VALUES (?1, ?2, ?3, ?4, 'A001', 1, 'u', "
		    "?5, ?6, 'fi', ?7, ?8, ?9, ?10)",
		    -1, &st, NULL);
	for (int i = 0; rc == SQLITE_OK && i < VISITS; i++) {
		int32_t day = YEAR_START + i * 365 / VISITS;
		int p = g_rand_int_range(rand, 0, G_N_ELEMENTS(providers));
		int ch = g_rand_int_range(rand, 0, 10) < 7 ? 0 : g_rand_int_range(rand, 1, 4);
		bool no_show = g_rand_int_range(rand, 0, 100) < 4;
		int64_t issued = (int64_t)day * 86400 + 6 * 3600 + g_rand_int_range(rand, 0, 30000);
		int64_t called = issued + g_rand_int_range(rand, 10, 2400);
		int64_t started = no_show ? 0 : called + g_rand_int_range(rand, 10, 120);
		int64_t ended =
		    no_show ? called + 120 : started + g_rand_int_range(rand, 120, 1800);

		sqlite3_reset(st);
		sqlite3_bind_int(st, 1, i + 1);
		sqlite3_bind_int(st, 2, day);
		sqlite3_bind_text(st, 3, providers[p], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, providers[p], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, channels[ch], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, no_show ? "no_show" : "resolved", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 7, issued);
		sqlite3_bind_int64(st, 8, called);
		sqlite3_bind_int64(st, 9, started);
		sqlite3_bind_int64(st, 10, ended);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "generating visits: %s",
			    sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median_ms(double ms[7])
{
	qsort(ms, 7, sizeof(double), cmp_double);
	return ms[3];
}

static char *report_json(const struct report *r)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) root = NULL;

	json_builder_begin_object(b);
	report_add_json(r, b);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	return json_to_string(root, TRUE);
}

static int dump_file(const char *dir, const char *name, const char *text, gsize len, GError **error)
{
	g_autofree char *path = g_build_filename(dir, name, NULL);

	return g_file_set_contents(path, text, (gssize)len, error) ? 0 : -EIO;
}

/* Every kind of @q's range and each period, as JSON and CSV, and the monthly
 * rows, into @dir named after @range. */
static int dump_range(struct store *s, const struct report_query *base, const char *range,
		      const char *dir, GError **error)
{
	for (int p = 0; p < REPORT_N_PERIODS; p++) {
		struct report_query q = *base;
		g_autoptr(Report) r = NULL;
		g_autofree char *json = NULL;
		g_autofree char *name = NULL;

		q.period = p;
		q.kinds = REPORT_KINDS_ALL;
		if (report_run(s, &q, &r, error) < 0)
			return -EIO;
		json = report_json(r);
		name = g_strdup_printf("%s-%s.json", range, report_period_name(p));
		if (dump_file(dir, name, json, strlen(json), error) < 0)
			return -EIO;
		for (int k = 0; k < REPORT_N_KINDS; k++) {
			gsize len = 0;
			g_autofree char *csv = report_to_csv(r, k, &len);
			g_autofree char *cname = NULL;

			if (!csv)
				continue;
			cname = g_strdup_printf("%s-%s-%s.csv", range, report_period_name(p),
						report_kind_name(k));
			if (dump_file(dir, cname, csv, len, error) < 0)
				return -EIO;
		}
	}
	{
		g_autoptr(GPtrArray) rows = NULL;
		g_autoptr(JsonNode) node = NULL;
		g_autofree char *json = NULL;
		g_autofree char *name = g_strdup_printf("%s-monthly.json", range);

		if (report_monthly(s, base->from_day, base->to_day, base->target_wait_s, &rows,
				   error) < 0)
			return -EIO;
		node = report_rows_to_json(rows);
		json = json_to_string(node, TRUE);
		if (dump_file(dir, name, json, strlen(json), error) < 0)
			return -EIO;
	}
	return 0;
}

/* The whole year, its busiest month's first 31 days from the middle, and
 * one day: the first reads the tables through, the others by index. */
static int dump_all(struct store *s, const struct report_query *year, const char *dir,
		    GError **error)
{
	int32_t mid = year->from_day + (year->to_day - year->from_day) / 2;
	struct report_query month = *year, day = *year;

	if (g_mkdir_with_parents(dir, 0755) < 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: %s", dir,
			    g_strerror(errno));
		return -EIO;
	}
	month.from_day = mid;
	month.to_day = mid + 31;
	day.from_day = mid + 2;
	day.to_day = mid + 3;
	if (dump_range(s, year, "year", dir, error) < 0 ||
	    dump_range(s, &month, "month", dir, error) < 0 ||
	    dump_range(s, &day, "day", dir, error) < 0)
		return -EIO;
	fprintf(stderr, "bench-report: the reports written into %s\n", dir);
	return 0;
}

/* CPU time of the process (every thread), in ms: on a loaded machine it
 * tells more than the wall clock. */
static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* Each default kind alone, median of 7 (wall and CPU), on stderr. */
static int bench_kinds(struct store *s, const struct report_query *base, GError **error)
{
	for (int k = 0; k < REPORT_N_KINDS; k++) {
		struct report_query q = *base;
		double ms[7], cpu[7];

		if (!(REPORT_KINDS_DEFAULT & (1u << k)))
			continue;
		q.kinds = 1u << k;
		for (int i = 0; i < 7; i++) {
			g_autoptr(Report) r = NULL;
			gint64 t0 = g_get_monotonic_time();
			double c0 = cpu_ms();

			if (report_run(s, &q, &r, error) < 0)
				return -EIO;
			ms[i] = (g_get_monotonic_time() - t0) / 1000.0;
			cpu[i] = cpu_ms() - c0;
		}
		fprintf(stderr, "bench-report: %s alone: %.1f ms (CPU %.1f ms)\n",
			report_kind_name(k), median_ms(ms), median_ms(cpu));
	}
	return 0;
}

/* Every report over the year of @path: the service days with visits, by
 * month, all kinds, to JSON as GET /api/report does. */
static int bench_all(const char *path, const char *timezone, int reset_min, const char *dump,
		     GError **error)
{
	g_autoptr(Store) w = store_open(path, NULL, error);
	g_autoptr(Store) s = w ? store_open_reader(w, error) : NULL;
	g_autoptr(GTimeZone) tz = NULL;
	struct report_query q = {
	    .period = REPORT_PERIOD_MONTH,
	    .target_wait_s = 15 * 60,
	    .reset_min = reset_min,
	};
	sqlite3_stmt *st = NULL;
	double ms[7], cpu[7];
	gsize bytes = 0;

	if (!s)
		return -EIO;
	tz = g_time_zone_new_identifier(timezone);
	if (!tz) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "unknown time zone %s",
			    timezone);
		return -EINVAL;
	}
	q.tz = tz;
	if (sqlite3_prepare_v2(store_db(s), "SELECT min(day), max(day), count(*) FROM visits", -1,
			       &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW || sqlite3_column_int(st, 2) == 0) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s has no visits", path);
		sqlite3_finalize(st);
		return -EINVAL;
	}
	q.from_day = sqlite3_column_int(st, 0);
	q.to_day = sqlite3_column_int(st, 1) + 1;
	fprintf(stderr, "bench-report: %s: %d visits over %d days\n", path,
		sqlite3_column_int(st, 2), q.to_day - q.from_day);
	sqlite3_finalize(st);
	q.now = (int64_t)(q.to_day + 1) * 86400;
	if (dump)
		return dump_all(s, &q, dump, error);
	for (int i = 0; i < 7; i++) {
		g_autoptr(Report) r = NULL;
		g_autoptr(JsonBuilder) b = json_builder_new();
		g_autoptr(JsonNode) root = NULL;
		g_autofree char *text = NULL;
		gint64 t0 = g_get_monotonic_time();
		double c0 = cpu_ms();

		if (report_run(s, &q, &r, error) < 0)
			return -EIO;
		json_builder_begin_object(b);
		report_add_json(r, b);
		json_builder_end_object(b);
		root = json_builder_get_root(b);
		text = json_to_string(root, FALSE);
		ms[i] = (g_get_monotonic_time() - t0) / 1000.0;
		cpu[i] = cpu_ms() - c0;
		bytes = strlen(text);
	}
	fprintf(stderr,
		"bench-report: every report: %" G_GSIZE_FORMAT " bytes of JSON, CPU %.1f ms\n",
		bytes, median_ms(cpu));
	printf("BENCH report_all_250k_ms=%.1f ms\n", median_ms(ms));
	fflush(stdout);
	return bench_kinds(s, &q, error);
}

int main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = NULL;
	g_autofree char *path = NULL;
	g_autoptr(Store) s = NULL;
	g_autoptr(Store) reader = NULL;
	g_autofree char *db = NULL;
	g_autofree char *timezone = NULL;
	g_autofree char *dump = NULL;
	gboolean only_all = FALSE;
	int reset_min = 180;
	double ms[7], cpu[7];
	unsigned rows = 0;
	GOptionEntry entries[] = {
	    {"db", 0, 0, G_OPTION_ARG_FILENAME, &db,
	     "also every report over this year (tools/gen-visits.py)", "FILE"},
	    {"timezone", 0, 0, G_OPTION_ARG_STRING, &timezone,
	     "the site's time zone (default Europe/Helsinki)", "ZONE"},
	    {"reset-min", 0, 0, G_OPTION_ARG_INT, &reset_min,
	     "the daily reset, minutes after midnight (default 180)", "MIN"},
	    {"only-all", 0, 0, G_OPTION_ARG_NONE, &only_all, "only report_all_250k_ms", NULL},
	    {"dump", 0, 0, G_OPTION_ARG_FILENAME, &dump,
	     "write every report of --db into this folder instead of timing", "DIR"},
	    {NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_summary(ctx, "Prints BENCH report_250k_ms (median of 7) over a "
					  "generated year, and with --db report_all_250k_ms.");
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "bench-report: %s\n", error->message);
		return 2;
	}
	if (dump && !db) {
		fprintf(stderr, "bench-report: --dump needs --db\n");
		return 2;
	}
	if (db &&
	    bench_all(db, timezone ? timezone : "Europe/Helsinki", reset_min, dump, &error) < 0) {
		fprintf(stderr, "bench-report: %s\n", error ? error->message : "failed");
		return 1;
	}
	if (only_all || dump)
		return 0;
	dir = g_dir_make_tmp("vuoro-bench-report-XXXXXX", &error);
	if (!dir) {
		fprintf(stderr, "bench-report: %s\n", error->message);
		return 1;
	}
	path = g_build_filename(dir, "report.db", NULL);
	s = store_open(path, NULL, &error);
	if (!s || fill(s, &error) < 0 || !(reader = store_open_reader(s, &error))) {
		fprintf(stderr, "bench-report: %s\n", error->message);
		return 1;
	}
	for (int r = 0; r < 7; r++) {
		g_autoptr(GPtrArray) out = NULL;
		gint64 t0 = g_get_monotonic_time();
		double c0 = cpu_ms();

		if (report_monthly(reader, YEAR_START, YEAR_START + 365, 900, &out, &error) < 0) {
			fprintf(stderr, "bench-report: %s\n", error->message);
			return 1;
		}
		ms[r] = (g_get_monotonic_time() - t0) / 1000.0;
		cpu[r] = cpu_ms() - c0;
		rows = out->len;
	}
	fprintf(stderr, "bench-report: report_monthly: CPU %.1f ms\n", median_ms(cpu));
	printf("BENCH report_250k_ms=%.1f ms\n", median_ms(ms));
	printf("BENCH report_rows=%u rows\n", rows);
	g_clear_pointer(&reader, store_free);
	g_clear_pointer(&s, store_free);
	for (int i = 0; i < 3; i++) {
		static const char *const suffix[] = {"", "-wal", "-shm"};
		g_autofree char *f = g_strconcat(path, suffix[i], NULL);

		g_unlink(f);
	}
	g_rmdir(dir);
	return 0;
}
