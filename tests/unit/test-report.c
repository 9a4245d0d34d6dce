/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of firmware/report.c on visits written with SQLite directly: counts
 * per provider, month and channel, medians and p90 by nearest rank, the
 * month boundary, no-shows, the target share, the JSON form. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "report.h"

#define OCT31 20757 /* 2026-10-31 */
#define NOV01 20758 /* 2026-11-01 */

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

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/report/counts-percentiles", struct fixture, NULL, setup,
		   test_counts_and_percentiles, teardown);
	g_test_add("/report/empty", struct fixture, NULL, setup, test_empty, teardown);
	return g_test_run();
}
