/* SPDX-License-Identifier: GPL-3.0-or-later */
/* For the unit tests of the desk and what sits on it: the sim board's
 * config, a real SQLite store in a temporary directory, a bus and a desk on
 * a fixed clock (MON_1000).  Run from the repository root (reads
 * board-config/sim.conf). */
#ifndef VUORO_TESTS_DESK_SITE_H
#define VUORO_TESTS_DESK_SITE_H

#include <glib.h>
#include <glib/gstdio.h>

#include "desk.h"

#define MON_1000 1795420800 /* 2026-11-23 10:00 in Helsinki: the sim site is open */

struct desk_site {
	char *dir, *path; /* the temporary directory, its vuoro.db */
	struct config *cfg;
	struct store *store;
	struct bus *bus;
	struct desk *desk; /* may be freed and set NULL by a test */
};

static inline int64_t desk_site_clock(gpointer data)
{
	return MON_1000;
}

static inline void desk_site_open(struct desk_site *s, const char *name)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *tmpl = g_strdup_printf("vuoro-test-%s-XXXXXX", name);

	s->dir = g_dir_make_tmp(tmpl, &error);
	g_assert_no_error(error);
	s->path = g_build_filename(s->dir, "vuoro.db", NULL);
	s->cfg = config_load("board-config/sim.conf", &error);
	g_assert_no_error(error);
	s->store = store_open(s->path, s->cfg, &error);
	g_assert_no_error(error);
	s->bus = bus_new();
	s->desk = desk_new(s->cfg, s->store, s->bus, &error);
	g_assert_no_error(error);
	desk_set_clock(s->desk, desk_site_clock, NULL);
}

/* The desk first (it answers what is pending), then the rest, and the
 * directory with what SQLite left in it. */
static inline void desk_site_close(struct desk_site *s)
{
	g_autoptr(GDir) d = g_dir_open(s->dir, 0, NULL);
	const char *name;

	desk_free(s->desk);
	bus_free(s->bus);
	store_free(s->store);
	config_free(s->cfg);
	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *p = g_build_filename(s->dir, name, NULL);

		g_unlink(p);
	}
	g_rmdir(s->dir);
	g_free(s->dir);
	g_free(s->path);
}

#endif
