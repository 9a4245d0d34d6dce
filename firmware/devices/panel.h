/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * panel: the buttons, keypads, door inputs and lamps of board-config's
 * [gpio], [button:NAME] and [lamp:NAME] — debounced presses out, lamp
 * states in.  It knows GPIO and time, nothing of queues: its owner maps a
 * press to a command and a state change to panel_lamps_follow().
 *
 * Debounce reacts on the first edge and ignores the bounces after it for
 * debounce-ms (the citizen waits for nothing); when the window closes the
 * line is read again, so a bounce that ends on the other level is not lost.
 * A button with a long action acts on release, or on the long action once
 * held long-press-ms.  After an action the button ignores presses for
 * cooldown-ms (someone hammering or holding the ticket button cannot empty
 * the paper roll).  A door input reports both levels and has no cooldown.
 * Every fd is a GSource on the thread-default main context.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "config.h"
#include "gpio.h"

struct panel;

struct panel_press {
	const struct config_button *button;
	struct config_button_do what; /* the press or the long-press action */
	bool long_press;
	int level;      /* door: 1 occupied, 0 free; buttons: 1 */
	gint64 edge_us; /* monotonic time of the edge that decided it */
};

typedef void (*panel_press_fn)(const struct panel_press *press, gpointer data);
/* Should a lamp following @follows (with @arg) be lit now? */
typedef bool (*panel_fact_fn)(enum config_lamp_follow follows, int arg, gpointer data);

struct panel_line_state {
	const char *name;
	int line;
	bool lamp;
	int value; /* logical */
	unsigned presses, ignored;
};

/* Opens the chip and requests every line.  Fails with the part named:
 * "gpio: line 5 ([button:tax]) on gpiochip0: Device or resource busy — …". */
struct panel *panel_new(const struct config *cfg, panel_press_fn fn, gpointer data, GError **error);
void panel_free(struct panel *p);
typedef struct panel Panel; /* for g_autoptr(Panel) only */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Panel, panel_free)

/* Sets every lamp to what @fact says. */
void panel_lamps_follow(struct panel *p, panel_fact_fn fact, gpointer data);
/* A technician's toggle; the next panel_lamps_follow() sets it back. */
int panel_lamp_set(struct panel *p, const char *name, int value);

/* The lines for diagnostics: buttons first, then lamps.  Caller frees the
 * array (the names belong to the config). */
GArray *panel_lines(struct panel *p);

/* The GPIO chip, for the sim's hardware side (hal_gpio_sim_*). */
struct hal_gpio *panel_gpio(struct panel *p);
/* The line of button or lamp @name, or -1. */
int panel_line_of(struct panel *p, const char *name, bool *ret_active_low);
