/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz: what the libFuzzer harnesses (tests/fuzz/fuzz-*.c) share.
 *
 * Each harness feeds one parser or request shape of the firmware with
 * libFuzzer's bytes, under ASan and UBSan (make fuzz, tests/fuzz/run).
 * They run from the source tree's top (the run script changes there), so
 * that the sim board's config and the UI's catalogs are found where the
 * daemon finds them.  A GLib critical is a crash: it means the firmware
 * passed something it should have refused.
 */
#pragma once

#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"

/* Debug, info, messages and warnings are the parsers' own refusals: kept
 * quiet, millions of them would only slow the run.  Criticals and errors
 * go out and abort. */
static GLogWriterOutput fuzz_log_writer(GLogLevelFlags level, const GLogField *fields,
					gsize n_fields, gpointer data)
{
	if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
		return g_log_writer_standard_streams(level, fields, n_fields, data);
	return G_LOG_WRITER_HANDLED;
}

static inline void fuzz_quiet(void)
{
	static gboolean done;

	if (done)
		return;
	done = TRUE;
	g_log_set_always_fatal(G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL);
	g_log_set_writer_func(fuzz_log_writer, NULL, NULL);
}

/* The sim board's config (board-config/sim.conf), loaded once: the
 * parsers that need a site (services, time zone) get it. */
static inline struct config *fuzz_config(void)
{
	static struct config *cfg;
	GError *error = NULL;

	if (cfg)
		return cfg;
	cfg = config_load("board-config/sim.conf", &error);
	if (!cfg) {
		fprintf(stderr,
			"fuzz: board-config/sim.conf: %s (run from the source tree's top)\n",
			error->message);
		exit(2);
	}
	return cfg;
}

/* libFuzzer's bytes as a NUL-terminated string (free with g_free). */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	return g_strndup((const char *)data, size);
}

/* An importer's parse (a booking system's export, hours from iCalendar):
 * @data as the route's raw body gives it.  A refusal always says why. */
typedef int (*fuzz_import_fn)(const struct config *cfg, const char *data, gsize len,
			      GPtrArray **ret_list, GError **error);

static inline int fuzz_import(fuzz_import_fn parse, const uint8_t *data, size_t size)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) list = NULL;

	fuzz_quiet();
	if (parse(fuzz_config(), (const char *)data, size, &list, &error) < 0 && !error)
		abort();
	return 0;
}
