/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench-busy: durable ticket issues while a year's report and a backup run.
 *
 *   bench-busy --url URL --services a,b --user NAME --password-file FILE
 *              [--from 2025-01-01 --to 2026-01-01] [--count 1000] [--rounds 3]
 *              [--only reports|backups]
 *
 * Each round issues --count tickets one after another on a quiet vuorod,
 * then again while two other clients ask, again and again, for every report
 * of the year (GET /api/report, all kinds, by month and by day in turn) and
 * for a backup (GET /api/db/backup) — as a manager's and a technician's pages
 * would; the busy issues go on past --count until two reports and a backup
 * have been answered.  The user must be an admin.
 * Prints the medians over the rounds of the quiet issue p99, the busy issue
 * p99 and their ratio (issue_p99_under_report_ratio, target <= 2), and how
 * many reports and backups ran meanwhile.  Exit 1 when an issue, a report
 * or a backup fails.
 */
#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "common.h"

struct bench_busy {
	const char *url;
	const char *token;
	char **services;
	int n_services;
	const char *from, *to;
	gint stop;    /* atomic: the issues are done */
	gint reports; /* atomic: reports that answered 200 */
	gint backups; /* atomic: backups that answered 200 */
	gint fails;   /* atomic: those that did not */
};

static int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double bench_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), bench_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* @count issues, and while @busy more until two reports and a backup have
 * been answered meanwhile; their latencies in µs.  Returns the failures. */
static int bench_issues(struct bench_busy *b, int count, bool busy, GArray *lat)
{
	struct ctl_client *c = ctl_client_new(b->url, NULL);
	int failures = 0;

	ctl_client_set_keep_alive_posts(c, TRUE);
	for (int i = 0; i < count ||
			(busy && !g_atomic_int_get(&b->fails) &&
			 (g_atomic_int_get(&b->reports) < 2 || g_atomic_int_get(&b->backups) < 1));
	     i++) {
		const char *service = b->services[i % b->n_services];
		g_autoptr(JsonNode) body = ctl_json_object("service", G_TYPE_STRING, service, NULL);
		g_autoptr(GBytes) answer = NULL;
		g_autoptr(GError) error = NULL;
		gint64 t0 = g_get_monotonic_time();
		guint status =
		    ctl_request(c, "POST", "/api/tickets", body, NULL, NULL, &answer, &error);
		gint64 dt = g_get_monotonic_time() - t0;

		if (status != 201) {
			g_autofree char *why =
			    status ? ctl_error_message(status, answer) : g_strdup(error->message);

			if (!failures++)
				fprintf(stderr, "bench-busy: an issue failed: %s\n", why);
			continue;
		}
		g_array_append_val(lat, dt);
	}
	ctl_client_free(c);
	return failures;
}

static void bench_get(struct bench_busy *b, struct ctl_client *c, const char *path, gint *done)
{
	g_autoptr(GBytes) answer = NULL;
	g_autoptr(GError) error = NULL;
	guint status = ctl_request(c, "GET", path, NULL, NULL, NULL, &answer, &error);

	if (status == 200) {
		g_atomic_int_inc(done);
	} else {
		g_autofree char *why =
		    status ? ctl_error_message(status, answer) : g_strdup(error->message);

		if (g_atomic_int_add(&b->fails, 1) == 0)
			fprintf(stderr, "bench-busy: GET %s failed: %s\n", path, why);
	}
}

/* The manager's and the technician's pages run on machines of their own;
 * here their clients share the two cores with vuorod and the measured
 * issues, so they run at the lowest priority (Linux: this thread only) and
 * do not stand in for vuorod's own cost. */
static void bench_load_thread(void)
{
	setpriority(PRIO_PROCESS, 0, 19);
}

static gpointer bench_reports(gpointer data)
{
	struct bench_busy *b = data;
	struct ctl_client *c = ctl_client_new(b->url, b->token);
	g_autofree char *month =
	    g_strdup_printf("/api/report?from=%s&to=%s&period=month", b->from, b->to);
	g_autofree char *day =
	    g_strdup_printf("/api/report?from=%s&to=%s&period=day", b->from, b->to);

	bench_load_thread();

	for (int i = 0; !g_atomic_int_get(&b->stop); i++)
		bench_get(b, c, i % 2 ? day : month, &b->reports);
	ctl_client_free(c);
	return NULL;
}

static gpointer bench_backups(gpointer data)
{
	struct bench_busy *b = data;
	struct ctl_client *c = ctl_client_new(b->url, b->token);

	bench_load_thread();
	while (!g_atomic_int_get(&b->stop))
		bench_get(b, c, "/api/db/backup", &b->backups);
	ctl_client_free(c);
	return NULL;
}

static char *bench_login(const char *url, const char *user, const char *password)
{
	struct ctl_client *c = ctl_client_new(url, NULL);
	g_autoptr(JsonNode) body =
	    ctl_json_object("user", G_TYPE_STRING, user, "password", G_TYPE_STRING, password, NULL);
	g_autoptr(GBytes) answer = NULL;
	g_autoptr(JsonNode) node = NULL;
	char *token = NULL;
	guint status = ctl_request(c, "POST", "/api/login", body, NULL, NULL, &answer, NULL);

	if (status == 200 && (node = ctl_json_parse(answer)) && JSON_NODE_HOLDS_OBJECT(node))
		token = g_strdup(json_object_get_string_member_with_default(
		    json_node_get_object(node), "token", NULL));
	ctl_client_free(c);
	return token;
}

int main(int argc, char **argv)
{
	char *url = NULL, *services = NULL, *user = NULL, *password_file = NULL;
	char *from = NULL, *to = NULL, *only = NULL;
	int count = 1000, rounds = 3, failures = 0;
	GOptionEntry entries[] = {
	    {"url", 0, 0, G_OPTION_ARG_STRING, &url, "vuorod's address", "URL"},
	    {"services", 0, 0, G_OPTION_ARG_STRING, &services, "service codes to rotate", "A,B"},
	    {"user", 0, 0, G_OPTION_ARG_STRING, &user, "an admin user", "NAME"},
	    {"password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file,
	     "the file holding the user's password", "FILE"},
	    {"from", 0, 0, G_OPTION_ARG_STRING, &from, "first day of the reports (2025-01-01)",
	     "DAY"},
	    {"to", 0, 0, G_OPTION_ARG_STRING, &to, "day after the reports (2026-01-01)", "DAY"},
	    {"count", 0, 0, G_OPTION_ARG_INT, &count, "issues per phase (1000)", "N"},
	    {"rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "quiet and busy rounds (3)", "N"},
	    {"only", 0, 0, G_OPTION_ARG_STRING, &only,
	     "only reports or only backups (to tell which)", "reports|backups"},
	    {NULL},
	};
	g_autoptr(GOptionContext) ctx =
	    g_option_context_new("- issues under a report and a backup");
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) list = NULL;
	g_autofree char *password = NULL;
	g_autofree char *token = NULL;
	g_autofree double *quiet = NULL, *busy = NULL, *ratio = NULL;
	struct bench_busy b = {0};

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error) || !url || !services || !user ||
	    !password_file || count < 100 || rounds < 1 ||
	    (only && strcmp(only, "reports") != 0 && strcmp(only, "backups") != 0)) {
		fprintf(stderr, "bench-busy: %s\n",
			error ? error->message
			      : "--url, --services, --user and --password-file are needed; "
				"--count at least 100");
		return 2;
	}
	if (!g_file_get_contents(password_file, &password, NULL, &error)) {
		fprintf(stderr, "bench-busy: %s\n", error->message);
		return 2;
	}
	g_strchomp(password);
	token = bench_login(url, user, password);
	if (!token) {
		fprintf(stderr, "bench-busy: %s could not log in to %s: check the password\n", user,
			url);
		return 1;
	}
	list = g_strsplit(services, ",", -1);
	b = (struct bench_busy){.url = url,
				.token = token,
				.services = list,
				.n_services = (int)g_strv_length(list),
				.from = from ? from : "2025-01-01",
				.to = to ? to : "2026-01-01"};
	quiet = g_new0(double, rounds);
	busy = g_new0(double, rounds);
	ratio = g_new0(double, rounds);
	for (int r = 0; r < rounds; r++) {
		g_autoptr(GArray) q = g_array_new(FALSE, FALSE, sizeof(gint64));
		g_autoptr(GArray) l = g_array_new(FALSE, FALSE, sizeof(gint64));
		GThread *reports, *backups;

		failures += bench_issues(&b, count, false, q);
		g_atomic_int_set(&b.stop, 0);
		/* What is not run counts as done. */
		g_atomic_int_set(&b.reports, only && strcmp(only, "backups") == 0 ? 2 : 0);
		g_atomic_int_set(&b.backups, only && strcmp(only, "reports") == 0 ? 1 : 0);
		reports = !only || strcmp(only, "reports") == 0
			      ? g_thread_new("reports", bench_reports, &b)
			      : NULL;
		backups = !only || strcmp(only, "backups") == 0
			      ? g_thread_new("backups", bench_backups, &b)
			      : NULL;
		failures += bench_issues(&b, count, true, l);
		g_atomic_int_set(&b.stop, 1);
		if (reports)
			g_thread_join(reports);
		if (backups)
			g_thread_join(backups);
		quiet[r] = bench_pct_ms(q, 0.99);
		busy[r] = bench_pct_ms(l, 0.99);
		ratio[r] = quiet[r] > 0 ? busy[r] / quiet[r] : 0;
		fprintf(
		    stderr,
		    "bench-busy: round %d: %u quiet issues, p99 %.3f ms (median %.3f); %u busy, "
		    "p99 %.3f ms (median %.3f), while %d reports and %d backups were answered\n",
		    r + 1, q->len, quiet[r], bench_pct_ms(q, 0.5), l->len, busy[r],
		    bench_pct_ms(l, 0.5), g_atomic_int_get(&b.reports),
		    g_atomic_int_get(&b.backups));
	}
	printf("BENCH issue_quiet_p99_ms=%.3f ms\n", bench_median(quiet, rounds));
	printf("BENCH issue_under_report_p99_ms=%.3f ms\n", bench_median(busy, rounds));
	printf("BENCH issue_p99_under_report_ratio=%.2f x\n", bench_median(ratio, rounds));
	if (g_atomic_int_get(&b.fails)) {
		fprintf(stderr, "bench-busy: %d reports or backups failed\n",
			g_atomic_int_get(&b.fails));
		return 1;
	}
	return failures ? 1 : 0;
}
