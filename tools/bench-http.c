/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench-http: durable ticket issues over HTTP on loopback.
 *
 *   bench-http --url URL --services a,b,c [--count 2000] [--clients 4] [--seconds 10]
 *
 * Phase 1: one client issues --count tickets one after another and prints
 * issue_http_median_ms / issue_http_p99_ms.  Phase 2 (unless --clients 0):
 * --clients threads (one libsoup session each, keep-alive) issue for
 * --seconds and print issue_Nclients_per_s / issue_Nclients_p99_ms.  make
 * bench takes phase 2 from wrk (tools/bench-wrk.lua), whose client costs a
 * fifth of the CPU of these.  Every answer must be 201: a refused issue
 * counts as a failure and the tool exits 1.
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

struct bench_worker {
	const char *url;
	char **services;
	int n_services;
	int offset;
	int count;          /* issues to make, or 0: until deadline */
	gint64 deadline_us; /* monotonic */
	GArray *lat_us;     /* of gint64 */
	int failures;
	char *first_error;
};

static gpointer bench_worker_run(gpointer data)
{
	struct bench_worker *w = data;
	struct ctl_client *c = ctl_client_new(w->url, NULL);

	ctl_client_set_keep_alive_posts(c, TRUE);

	for (int i = 0; w->count ? i < w->count : g_get_monotonic_time() < w->deadline_us; i++) {
		const char *service = w->services[(i + w->offset) % w->n_services];
		g_autoptr(JsonNode) body = ctl_json_object("service", G_TYPE_STRING, service, NULL);
		g_autoptr(GBytes) answer = NULL;
		g_autoptr(GError) error = NULL;
		gint64 t0 = g_get_monotonic_time();
		guint status =
		    ctl_request(c, "POST", "/api/tickets", body, NULL, NULL, &answer, &error);
		gint64 dt = g_get_monotonic_time() - t0;

		if (status != 201) {
			w->failures++;
			if (!w->first_error)
				w->first_error = status ? ctl_error_message(status, answer)
							: g_strdup(error->message);
			continue;
		}
		g_array_append_val(w->lat_us, dt);
	}
	ctl_client_free(c);
	return NULL;
}

int main(int argc, char **argv)
{
	char *url = NULL, *services = NULL;
	int count = 2000, clients = 4, seconds = 10;
	GOptionEntry entries[] = {
	    {"url", 0, 0, G_OPTION_ARG_STRING, &url, "vuorod's address", "URL"},
	    {"services", 0, 0, G_OPTION_ARG_STRING, &services, "service codes to rotate", "A,B"},
	    {"count", 0, 0, G_OPTION_ARG_INT, &count, "sequential issues (2000)", "N"},
	    {"clients", 0, 0, G_OPTION_ARG_INT, &clients, "concurrent clients (4; 0: none)", "N"},
	    {"seconds", 0, 0, G_OPTION_ARG_INT, &seconds, "concurrent phase length (10)", "S"},
	    {NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- ticket issue benchmark");
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) list = NULL;
	struct bench_worker one = {0};
	struct bench_worker *many;
	g_autoptr(GArray) all = g_array_new(FALSE, FALSE, sizeof(gint64));
	GThread **threads;
	gint64 t0, elapsed;
	int failures = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error) || !url || !services) {
		fprintf(stderr, "bench-http: %s\n",
			error ? error->message : "--url and --services");
		return 2;
	}
	list = g_strsplit(services, ",", -1);
	if (!list[0] || !*list[0]) {
		fprintf(stderr, "bench-http: --services names no service (are any open?)\n");
		return 2;
	}

	one = (struct bench_worker){.url = url,
				    .services = list,
				    .n_services = (int)g_strv_length(list),
				    .count = count,
				    .lat_us = g_array_new(FALSE, FALSE, sizeof(gint64))};
	bench_worker_run(&one);
	if (one.failures)
		fprintf(stderr, "bench-http: %d issues failed: %s\n", one.failures,
			one.first_error);
	printf("BENCH issue_http_median_ms=%.3f ms\n", bench_pct_ms(one.lat_us, 0.5));
	printf("BENCH issue_http_p99_ms=%.3f ms\n", bench_pct_ms(one.lat_us, 0.99));
	fflush(stdout);
	failures += one.failures;
	if (clients <= 0)
		return failures ? 1 : 0;

	many = g_new0(struct bench_worker, clients);
	threads = g_new0(GThread *, clients);
	t0 = g_get_monotonic_time();
	for (int i = 0; i < clients; i++) {
		many[i] =
		    (struct bench_worker){.url = url,
					  .services = list,
					  .n_services = (int)g_strv_length(list),
					  .offset = i,
					  .deadline_us = t0 + (gint64)seconds * G_USEC_PER_SEC,
					  .lat_us = g_array_new(FALSE, FALSE, sizeof(gint64))};
		threads[i] = g_thread_new("client", bench_worker_run, &many[i]);
	}
	for (int i = 0; i < clients; i++) {
		g_thread_join(threads[i]);
		g_array_append_vals(all, many[i].lat_us->data, many[i].lat_us->len);
		if (many[i].failures)
			fprintf(stderr, "bench-http: client %d: %d issues failed: %s\n", i,
				many[i].failures, many[i].first_error);
		failures += many[i].failures;
	}
	elapsed = g_get_monotonic_time() - t0;
	printf("BENCH issue_%dclients_per_s=%.0f tickets/s\n", clients,
	       (double)all->len / ((double)elapsed / G_USEC_PER_SEC));
	printf("BENCH issue_%dclients_p99_ms=%.3f ms\n", clients, bench_pct_ms(all, 0.99));
	return failures ? 1 : 0;
}
