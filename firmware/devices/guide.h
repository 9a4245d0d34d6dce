/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * guide: the kiosk's speech-guided, tactile path to a ticket (issue 20,
 * EN 301 549 5.1.3) — one owner of what a blind citizen hears.
 *
 * A "speech" key, any key of the tactile keypad or a headset plugged into
 * the jack starts the guidance: a welcome, then the services one at a time
 * (up, down), each spoken with how many wait; select draws the ticket and
 * prints it as a touch would, and the whole ticket is spoken — number,
 * service, people ahead, estimated wait, where to go — and again on
 * "repeat"; back returns to the services, done ends; "volume" steps the
 * loudness, "language" the site's languages that have a voice.
 *
 * Where it is heard: with a headset in, only on the headset's output
 * (announcer ANNOUNCER_HEADSET), never on the room's speaker; without one,
 * on the kiosk's (the room's, [audio]).  Pulling the headset or
 * [kiosk] guide-idle-seconds without a key stops the speech and sets the
 * volume and language back; with a headset in, the ticket stays (repeat
 * says it) until the headset is pulled or the citizen presses back or done.
 *
 * The button-only dispenser (item 2): guide_button_issue() says the
 * service chosen, draws and prints, then says the ticket.
 *
 * Everything runs on the main loop; "guide.state" is published (a const
 * struct guide_state *) on every change, for the API and tests.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "announcer.h"
#include "bus.h"
#include "catalog.h"
#include "config.h"
#include "desk.h"
#include "dispenser.h"

enum guide_mode {
	GUIDE_OFF,
	GUIDE_MENU,    /* choosing a service */
	GUIDE_DRAWING, /* select pressed: the ticket is being drawn and printed */
	GUIDE_TICKET,  /* the ticket is told; repeat says it again */
};

struct guide_state {
	enum guide_mode mode;
	bool headset;
	int lang;    /* site language index */
	int volume;  /* percent */
	int service; /* the service spoken last (MENU) */
	uint32_t ticket;
};

struct guide;

struct guide *guide_new(const struct config *cfg, const struct catalog *catalog, struct desk *desk,
			struct dispenser *dispenser, struct announcer *announcer, struct bus *bus);
void guide_free(struct guide *g);
typedef struct guide Guide; /* for g_autoptr(Guide) only */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Guide, guide_free)

/* A key of the tactile keypad. */
void guide_key(struct guide *g, enum config_guide_key key);
/* The headset jack: @in true when a plug went in. */
void guide_headset(struct guide *g, bool in);
/* A service button of the button-only dispenser: says the service, draws
 * and prints the ticket (voided when the print fails) and says it. */
void guide_button_issue(struct guide *g, int service, const char *user);
void guide_state(const struct guide *g, struct guide_state *ret);
const char *guide_mode_str(enum guide_mode m);
