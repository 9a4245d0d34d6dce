/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * frontdesk: what the panel's buttons do and what its lamps show.
 *
 * A service button draws and prints a ticket (a failed print voids it: a
 * button-only dispenser has no screen to show the number on); a counter's
 * keypad calls next, recalls, marks a no-show or ends the visit as the user
 * who opened that counter (a closed counter's keypad does nothing but say
 * so); feedback buttons publish "panel.feedback"; a booth's door input is
 * published as "booth.door".  Lamps follow the queue, the doors and the
 * printer: they are set again after every queue or printer event.
 *
 * A GPIO chip that cannot be opened does not stop vuorod: the panel is
 * marked failed with the reason (health and diagnostics show it) and
 * everything else keeps serving.
 */
#pragma once

#include <glib.h>

#include "bus.h"
#include "config.h"
#include "desk.h"
#include "dispenser.h"
#include "guide.h"
#include "panel.h"

struct frontdesk;

/* "panel.press": published for every press (tests, diagnostics), with a
 * const struct frontdesk_press *. */
struct frontdesk_press {
	const char *button;
	const char *action; /* "issue", "next" … */
	int arg;
	int level;
	const char *result; /* NULL: done; else why nothing happened */
};

/* @guide (may be NULL) hears the guidance keypad and the headset jack, and
 * speaks a service button's ticket when [kiosk] button-speech is on. */
struct frontdesk *frontdesk_new(const struct config *cfg, struct desk *desk,
				struct dispenser *dispenser, struct guide *guide, struct bus *bus);
void frontdesk_free(struct frontdesk *f);
typedef struct frontdesk Frontdesk; /* for g_autoptr(Frontdesk) only */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Frontdesk, frontdesk_free)

/* NULL when the GPIO chip could not be opened; then *ret_error says why. */
struct panel *frontdesk_panel(struct frontdesk *f, const char **ret_error);
/* Whether booth (counter) @id's door input says occupied. */
bool frontdesk_door_occupied(struct frontdesk *f, int id);
