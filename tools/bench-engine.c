/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench-engine: commands per second of the pure queue engine, in memory.
 *
 * A busy day on the board-config given (default board-config/sim.conf):
 * every counter open, tickets drawn for every service, counters calling,
 * starting and ending visits, with a no-show now and then, so the line holds
 * a few dozen tickets as at a real front desk.  Prints
 *   BENCH engine_cmds_per_s=N cmds/s   (median of 5 runs)
 */
#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "queue.h"

static unsigned bench_run(const struct config *cfg, unsigned target, double *ret_s)
{
	g_autoptr(Queue) q = queue_new(cfg);
	struct queue_result res;
	struct queue_time t;
	unsigned done = 0, n_services = cfg->services->len, n_counters = cfg->counters->len;
	g_autoptr(GTimer) timer = g_timer_new();
	char ref[24];

	queue_result_init(&res);
	queue_time_make(&t, 1795420800, 20780, 0, 9 * 60, 180);
	for (unsigned i = 0; i < n_counters; i++) {
		struct queue_cmd open = {.type = QUEUE_CMD_OPEN,
					 .counter = (int16_t)config_counter_get(cfg, (int)i)->id,
					 .user = "bench"};

		queue_exec(q, &open, &t, &res);
	}
	g_timer_start(timer);
	while (done < target) {
		/* Two tickets in, then each counter moves one step. */
		for (int k = 0; k < 2; k++) {
			struct queue_cmd issue = {.type = QUEUE_CMD_ISSUE,
						  .service = (int16_t)(done % n_services),
						  .handed_out = true,
						  .ref = ref};

			g_snprintf(ref, sizeof(ref), "r%u", done);
			queue_exec(q, &issue, &t, &res);
			done++;
		}
		for (unsigned i = 0; i < n_counters; i++) {
			const struct queue_counter *c =
			    queue_counter_get(q, (int16_t)config_counter_get(cfg, (int)i)->id);
			const struct queue_ticket *tk =
			    c->ticket ? queue_ticket_get(q, c->ticket) : NULL;
			struct queue_cmd cmd = {
			    .counter = c->id, .service = -1, .channel = -1, .outcome = -1};

			if (!tk)
				cmd.type = QUEUE_CMD_CALL;
			else if (tk->state == QUEUE_CALLED)
				cmd.type = done % 17 == 0 ? QUEUE_CMD_NO_SHOW : QUEUE_CMD_START;
			else
				cmd.type = QUEUE_CMD_END;
			queue_exec(q, &cmd, &t, &res);
			done++;
		}
		t.now++;
		if (t.now % 3600 == 0) /* keep the minute moving but inside opening hours */
			t.minute = (uint16_t)(9 * 60 + (t.now / 60) % 480);
	}
	*ret_s = g_timer_elapsed(timer, NULL);
	queue_result_free(&res);
	return done;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "board-config/sim.conf";
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) cfg = NULL;
	double rates[5];

	if (argc > 1 && (g_str_equal(argv[1], "--help") || g_str_equal(argv[1], "-h"))) {
		printf("usage: bench-engine [BOARD-CONFIG]\n"
		       "Prints BENCH engine_cmds_per_s=N cmds/s (median of 5 runs).\n");
		return 0;
	}
	cfg = config_load(path, &error);
	if (!cfg) {
		fprintf(stderr, "bench-engine: %s\n", error->message);
		return 1;
	}
	for (int r = 0; r < 5; r++) {
		double s;
		unsigned n = bench_run(cfg, 1000000, &s);

		rates[r] = n / s;
	}
	qsort(rates, 5, sizeof(double), cmp_double);
	printf("BENCH engine_cmds_per_s=%.0f cmds/s\n", rates[2]);
	return 0;
}
