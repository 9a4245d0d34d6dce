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
 */
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Every report over the year of @path: the service days with visits, by
 * month, all kinds, to JSON as GET /api/report does. */
static int bench_all(const char *path, const char *timezone, int reset_min, GError **error)
{
	g_autoptr(Store) s = store_open(path, NULL, error);
	g_autoptr(GTimeZone) tz = NULL;
	struct report_query q = {
	    .period = REPORT_PERIOD_MONTH,
	    .target_wait_s = 15 * 60,
	    .reset_min = reset_min,
	};
	sqlite3_stmt *st = NULL;
	double ms[7];
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
	for (int i = 0; i < 7; i++) {
		g_autoptr(Report) r = NULL;
		g_autoptr(JsonBuilder) b = json_builder_new();
		g_autoptr(JsonNode) root = NULL;
		g_autofree char *text = NULL;
		gint64 t0 = g_get_monotonic_time();

		if (report_run(s, &q, &r, error) < 0)
			return -EIO;
		json_builder_begin_object(b);
		report_add_json(r, b);
		json_builder_end_object(b);
		root = json_builder_get_root(b);
		text = json_to_string(root, FALSE);
		ms[i] = (g_get_monotonic_time() - t0) / 1000.0;
		bytes = strlen(text);
	}
	qsort(ms, 7, sizeof(double), cmp_double);
	fprintf(stderr, "bench-report: every report: %" G_GSIZE_FORMAT " bytes of JSON\n", bytes);
	printf("BENCH report_all_250k_ms=%.1f ms\n", ms[3]);
	return 0;
}

int main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = NULL;
	g_autofree char *path = NULL;
	g_autoptr(Store) s = NULL;
	g_autofree char *db = NULL;
	g_autofree char *timezone = NULL;
	gboolean only_all = FALSE;
	int reset_min = 180;
	double ms[7];
	unsigned rows = 0;
	GOptionEntry entries[] = {
	    {"db", 0, 0, G_OPTION_ARG_FILENAME, &db,
	     "also every report over this year (tools/gen-visits.py)", "FILE"},
	    {"timezone", 0, 0, G_OPTION_ARG_STRING, &timezone,
	     "the site's time zone (default Europe/Helsinki)", "ZONE"},
	    {"reset-min", 0, 0, G_OPTION_ARG_INT, &reset_min,
	     "the daily reset, minutes after midnight (default 180)", "MIN"},
	    {"only-all", 0, 0, G_OPTION_ARG_NONE, &only_all, "only report_all_250k_ms", NULL},
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
	if (db && bench_all(db, timezone ? timezone : "Europe/Helsinki", reset_min, &error) < 0) {
		fprintf(stderr, "bench-report: %s\n", error ? error->message : "failed");
		return 1;
	}
	if (only_all)
		return 0;
	dir = g_dir_make_tmp("vuoro-bench-report-XXXXXX", &error);
	if (!dir) {
		fprintf(stderr, "bench-report: %s\n", error->message);
		return 1;
	}
	path = g_build_filename(dir, "report.db", NULL);
	s = store_open(path, NULL, &error);
	if (!s || fill(s, &error) < 0) {
		fprintf(stderr, "bench-report: %s\n", error->message);
		return 1;
	}
	for (int r = 0; r < 7; r++) {
		g_autoptr(GPtrArray) out = NULL;
		gint64 t0 = g_get_monotonic_time();

		if (report_monthly(s, YEAR_START, YEAR_START + 365, 900, &out, &error) < 0) {
			fprintf(stderr, "bench-report: %s\n", error->message);
			return 1;
		}
		ms[r] = (g_get_monotonic_time() - t0) / 1000.0;
		rows = out->len;
	}
	qsort(ms, 7, sizeof(double), cmp_double);
	printf("BENCH report_250k_ms=%.1f ms\n", ms[3]);
	printf("BENCH report_rows=%u rows\n", rows);
	g_clear_pointer(&s, store_free);
	for (int i = 0; i < 3; i++) {
		static const char *const suffix[] = {"", "-wal", "-shm"};
		g_autofree char *f = g_strconcat(path, suffix[i], NULL);

		g_unlink(f);
	}
	g_rmdir(dir);
	return 0;
}
