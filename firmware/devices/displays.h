/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * displays: the site's number displays — what each shows, kept in step with
 * the queue.
 *
 * One display_bus (a worker thread) per [bus:NAME]; every [display:NAME] is a
 * unit on one.  A counter display ([display] counter = N) shows the ticket
 * called at counter N; a main display shows the last calls of every counter,
 * latest first, as many as its map has lines.  Calls and recalls blink
 * (display_bus does the blinking); a closed counter's display goes blank; the
 * day reset blanks them all.  At start every display shows what the queue
 * says is being called now.
 *
 * Nothing here waits on a wire: updates are queued to the bus workers and
 * their results come back on the main loop.  A bus that cannot open (a
 * missing serial device) or a display that does not answer is marked failed
 * with a message naming it and what to check; the others keep working.
 *
 * Bus topic "display.state" with a const struct displays_info * whenever a
 * display's state changes.
 */
#pragma once

#include <glib.h>
#include <stdint.h>

#include "bus.h"
#include "config.h"
#include "display_bus.h"
#include "queue.h"

struct displays;

struct displays_info {
	const char *name; /* [display:NAME] */
	const char *bus;  /* [bus:NAME] */
	const char *wire; /* "/dev/ttyS1", "10.0.0.5:502" or "sim" */
	int unit;
	const char *map;
	int counter; /* 0: a main display */
	enum display_state state;
	const char *message; /* what is wrong and what to do; NULL when fine */
	char showing[8][16]; /* the calls on it now, latest first ("A123 → 4") */
	unsigned n_showing;
	gint64 updated_us;       /* last good write, g_get_real_time(); 0 never */
	gint64 last_latency_us;  /* queued → written, of the last good write */
	uint64_t writes, errors; /* good writes; failed or skipped ones */
};

struct displays *displays_new(const struct config *cfg, struct bus *bus, const struct queue *queue);
void displays_free(struct displays *ds);
typedef struct displays Displays; /* for g_autoptr(Displays) only */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Displays, displays_free)

size_t displays_count(const struct displays *ds);
/* NULL past the end. */
const struct displays_info *displays_get(const struct displays *ds, size_t i);
/* -1 when there is no such display. */
int displays_find(const struct displays *ds, const char *name);
/* How many displays are failed or refusing writes (for health). */
unsigned displays_faults(const struct displays *ds);

/* Diagnostics.  Results come back on the main loop through @fn:
 * @error is NULL on success, else one line naming the display and what to
 * check.  Both return -ENOENT for an unknown display / bus, or -EIO when its
 * bus did not open. */
typedef void (*displays_done_fn)(const char *error, gpointer data);
/* Lights every field: "8888" and counter 88 on each line, blinking.  The
 * display shows the queue again after @hold_ms (0: 5000). */
int displays_test_pattern(struct displays *ds, const char *name, unsigned hold_ms,
			  displays_done_fn fn, gpointer data);

/* Asks units @from…@to of bus @bus_name (one FC03 read each, one try) and
 * reports the ones that answer. */
typedef void (*displays_scan_fn)(const int *units, size_t n_units, const char *error,
				 gpointer data);
int displays_scan(struct displays *ds, const char *bus_name, int from, int to, displays_scan_fn fn,
		  gpointer data);
