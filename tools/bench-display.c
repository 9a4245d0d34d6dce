/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench-display: how fast a call reaches a number display, through
 * firmware/display_bus exactly as vuorod drives it.  Prints
 *   BENCH display_bus_roundtrip_median_ms=… ms
 *   BENCH display_bus_roundtrip_p99_ms=… ms
 *       from display_bus_show_call() on the main loop to the result back on
 *       the main loop, i.e. until the slave's FC16 response has returned: an
 *       upper bound of "frame received by the display" (it adds the 8-byte
 *       response and one main-loop hop).  --device is a pty straight to a
 *       pymodbus slave (no baud-rate pacing).  (The API call → display
 *       figure, call_to_display_*, is tools/bench-frontdesk.py's.)
 *   BENCH display_wire_ratio=… x
 *       measured time of --wire-count sequential FC16 writes of 16 registers
 *       through a byte-pacing relay (--paced-device) divided by their wire
 *       time: (41 request + 8 response bytes) × 10 bits / baud each.
 * tools/bench-display.sh sets up socat, pymodbus and the relay.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "display_bus.h"

struct run {
	GMainLoop *loop;
	struct display_bus *bus;
	GArray *lat_ms; /* double */
	unsigned left;
	unsigned errors;
	gint64 started_us;
	gint64 ended_us;
	bool raw; /* wire mode: raw FC16 of 16 registers */
	unsigned seq;
};

static void next(struct run *r);

static void on_result(const struct display_bus_result *res, gpointer data)
{
	struct run *r = data;
	double ms = (double)(res->done_us - res->submitted_us) / 1000.0;

	if (res->error) {
		r->errors++;
		fprintf(stderr, "bench-display: %s\n", res->message);
	} else {
		g_array_append_val(r->lat_ms, ms);
	}
	r->ended_us = g_get_monotonic_time();
	next(r);
}

/* One call at a time: queued calls for one display would be coalesced. */
static void next(struct run *r)
{
	char ticket[16];
	struct display_call call = {.ticket = ticket, .counter = r->seq % 20 + 1};
	uint16_t regs[16];

	if (r->left == 0) {
		g_main_loop_quit(r->loop);
		return;
	}
	r->left--;
	r->seq++;
	if (r->raw) {
		for (size_t i = 0; i < G_N_ELEMENTS(regs); i++)
			regs[i] = (uint16_t)(r->seq + i);
		display_bus_write(r->bus, 1, 0, regs, G_N_ELEMENTS(regs), on_result, r);
	} else {
		snprintf(ticket, sizeof(ticket), "A%03u", r->seq % 1000);
		display_bus_show_call(r->bus, 1, &call, 1, on_result, r);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double percentile(GArray *a, double p)
{
	size_t i;

	if (a->len == 0)
		return NAN;
	qsort(a->data, a->len, sizeof(double), cmp_double);
	i = (size_t)ceil(p * (double)a->len) - 1;
	return g_array_index(a, double, MIN(i, a->len - 1));
}

static int run_bus(const char *device, int baud, const char *maps_dir, unsigned count, bool raw,
		   struct run *r)
{
	struct display_bus_config cfg = {
	    .name = "bench",
	    .hw = {.transport = HAL_DISPLAY_RTU,
		   .device = device,
		   .baud = baud,
		   .parity = 'N',
		   .data_bits = 8,
		   .stop_bits = 1,
		   .response_timeout_ms = 1000},
	    .blink_ms = 600000, /* no blink clears in the middle of the figures */
	};
	g_autoptr(GError) error = NULL;
	g_autofree char *path = g_strdup_printf("%s/counter.map", maps_dir);
	struct display_map map;

	if (display_map_load(path, &map, &error) < 0) {
		fprintf(stderr, "bench-display: %s\n", error->message);
		return -1;
	}
	r->bus = display_bus_new(&cfg, NULL, &error);
	if (!r->bus) {
		fprintf(stderr, "bench-display: %s\n", error->message);
		return -1;
	}
	display_bus_add_display(r->bus, 1, NULL, 1, &map);
	r->loop = g_main_loop_new(NULL, FALSE);
	r->lat_ms = g_array_new(FALSE, FALSE, sizeof(double));
	r->raw = raw;
	/* one warm-up write opens the device */
	r->left = 1;
	next(r);
	g_main_loop_run(r->loop);
	g_array_set_size(r->lat_ms, 0);
	r->errors = 0;
	r->left = count;
	r->started_us = g_get_monotonic_time();
	next(r);
	g_main_loop_run(r->loop);
	display_bus_free(r->bus);
	g_main_loop_unref(r->loop);
	return r->errors ? -1 : 0;
}

int main(int argc, char **argv)
{
	g_autofree char *device = NULL, *paced = NULL, *maps_dir = NULL;
	gint count = 200, wire_count = 50, baud = 19200;
	gboolean version = FALSE;
	GOptionEntry entries[] = {
	    {"device", 0, 0, G_OPTION_ARG_FILENAME, &device,
	     "pty straight to a pymodbus slave (unit 1)", "PATH"},
	    {"paced-device", 0, 0, G_OPTION_ARG_FILENAME, &paced,
	     "pty through the byte-pacing relay to a slave (unit 1)", "PATH"},
	    {"count", 0, 0, G_OPTION_ARG_INT, &count, "calls for the latency figures (200)", "N"},
	    {"wire-count", 0, 0, G_OPTION_ARG_INT, &wire_count, "FC16 writes for the ratio (50)",
	     "N"},
	    {"baud", 0, 0, G_OPTION_ARG_INT, &baud, "the relay's baud rate (19200)", "N"},
	    {"maps-dir", 0, 0, G_OPTION_ARG_FILENAME, &maps_dir, "board-config/displays", "DIR"},
	    {"version", 0, 0, G_OPTION_ARG_NONE, &version, "print the version", NULL},
	    {NULL},
	};
	g_autoptr(GOptionContext) octx = g_option_context_new("- display bus figures");
	g_autoptr(GError) error = NULL;
	struct run lat = {0}, wire = {0};
	int ret = 0;

	g_option_context_add_main_entries(octx, entries, NULL);
	if (!g_option_context_parse(octx, &argc, &argv, &error)) {
		fprintf(stderr, "bench-display: %s (see --help)\n", error->message);
		return 2;
	}
	if (version) {
		printf("bench-display %s\n", VUORO_VERSION);
		return 0;
	}
	if (!device && !paced) {
		fprintf(stderr, "bench-display: give --device and/or --paced-device; "
				"tools/bench-display.sh sets them up\n");
		return 2;
	}
	if (!maps_dir)
		maps_dir = g_strdup("board-config/displays");
	if (device) {
		if (run_bus(device, baud, maps_dir, (unsigned)MAX(count, 1), false, &lat) < 0) {
			ret = 1;
		} else {
			printf("BENCH display_bus_roundtrip_median_ms=%.2f ms\n",
			       percentile(lat.lat_ms, 0.5));
			printf("BENCH display_bus_roundtrip_p99_ms=%.2f ms\n",
			       percentile(lat.lat_ms, 0.99));
		}
		g_array_free(lat.lat_ms, TRUE);
	}
	if (paced) {
		if (run_bus(paced, baud, maps_dir, (unsigned)MAX(wire_count, 1), true, &wire) < 0) {
			ret = 1;
		} else {
			/* FC16, 16 registers: 1 unit + 1 fc + 2 addr + 2 qty + 1 count
			 * + 32 data + 2 crc = 41 bytes; response 8 bytes. */
			double per = (41.0 + 8.0) * 10.0 / (double)baud * 1000.0;
			double measured = (double)(wire.ended_us - wire.started_us) / 1000.0;

			printf("BENCH display_fc16_paced_ms=%.2f ms\n", measured / wire_count);
			printf("BENCH display_wire_ratio=%.3f x\n", measured / (per * wire_count));
		}
		g_array_free(wire.lat_ms, TRUE);
	}
	return ret;
}
