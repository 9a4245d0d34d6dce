/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * display_bus: one worker thread per display bus (a serial line or a TCP
 * endpoint) so that the GLib main loop never waits on the wire.
 *
 * The main loop submits work (show a call, raw write, probe); the worker
 * talks Modbus through hal/display and hands every result back to the main
 * context (an idle source: g_main_context_invoke() from another thread, never
 * inline).  Rules the worker keeps:
 *   - coalescing: of several calls queued for one display only the latest is
 *     written; the older ones complete with -ECANCELED;
 *   - retries: timeouts, CRC errors, wire errors and "busy" exceptions are
 *     tried again (default 3 tries, back-off 50, 100, 200 ms) while other
 *     displays on the bus are served in between;
 *   - a display whose tries all time out is marked failed: its updates are
 *     skipped at once (result .skipped) and it is probed again later with the
 *     latest frame (5 s, doubling to 60 s), so it never delays the others;
 *   - blocks: a call is written as its map's call frame (display_map.h): one
 *     FC16 per block (one FC06 per register for a map with write = fc06);
 *     the settings frame (brightness …) goes once, after the first call
 *     frame that reaches the display and again after it comes back from
 *     failed;
 *   - blink: a call sets the map's blink register in the same frame; the
 *     worker clears it (FC06) blink_ms later unless a newer call came; on a
 *     map with software-blink (a display without a blink register) the
 *     worker writes the latest call off and on every 500 ms for blink_ms;
 *   - frame_delay_ms: the worker keeps that much quiet on the wire between
 *     two requests, for units that need time after answering.
 * Results run on the main context only while the bus exists: after
 * display_bus_free() no callback runs.  All functions but the callbacks are
 * for the thread that owns @context.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "display.h"
#include "display_map.h"

struct display_bus;

enum display_state {
	DISPLAY_STATE_UNKNOWN, /* nothing written yet */
	DISPLAY_STATE_OK,
	DISPLAY_STATE_ERROR,  /* answers, but refused the last write (exception) */
	DISPLAY_STATE_FAILED, /* no (sane) answer: skipped, probed again later */
};

struct display_bus_result {
	guint display_id; /* 0 for a unit without a configured display */
	int unit;
	int error;         /* 0 or -errno (see hal/display.h) */
	uint8_t exception; /* the Modbus exception code when error == -EPROTO */
	bool skipped;      /* not tried: the display is marked failed */
	unsigned tries;
	gint64 submitted_us; /* g_get_monotonic_time() */
	gint64 done_us;
	const char *message;  /* what went wrong and what to do; NULL on success */
	const uint16_t *regs; /* display_bus_read(): the registers read */
	size_t n_regs;
};

typedef void (*display_bus_result_fn)(const struct display_bus_result *res, gpointer data);
/* A display changed state (for diagnostics and the event bus). */
typedef void (*display_bus_state_fn)(guint display_id, int unit, enum display_state state,
				     const char *message, gpointer data);

struct display_bus_config {
	const char *name; /* "rs485-1": the [bus:NAME] it came from */
	struct hal_display_config hw;
	unsigned tries;          /* 0 = 3 */
	unsigned backoff_ms;     /* before the 2nd try; doubles; 0 = 50 */
	unsigned probe_ms;       /* first probe of a failed display; doubles to 60 s; 0 = 5000 */
	unsigned blink_ms;       /* 0 = 5000 */
	unsigned frame_delay_ms; /* quiet time between two frames on the wire (slow units) */
	display_bus_state_fn state_changed;
	gpointer state_data;
};

struct display_status {
	enum display_state state;
	int error;
	uint8_t exception;
	char message[256];
};

/* Starts the worker.  @context NULL means the global default context. */
struct display_bus *display_bus_new(const struct display_bus_config *cfg, GMainContext *context,
				    GError **error);
/* Stops the worker (waiting for the frame on the wire, not for retries) and
 * drops queued work.  Accepts NULL. */
void display_bus_free(struct display_bus *bus);
typedef struct display_bus DisplayBus; /* for g_autoptr(DisplayBus) only */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DisplayBus, display_bus_free)

/* Declares display @display_id at @unit with @map (copied); @name (may be
 * NULL) names it in messages.  -EEXIST when the unit is taken, -EINVAL for a
 * bad unit or map. */
int display_bus_add_display(struct display_bus *bus, guint display_id, const char *name, int unit,
			    const struct display_map *map);

/* Shows @calls (latest first) on the display at @unit: its map's call frame.  Returns 0 (the result
 * comes later through @fn, which may be NULL), -ENOENT for an unknown unit or an encoding error. */
int display_bus_show_call(struct display_bus *bus, int unit, const struct display_call *calls,
			  size_t n_calls, display_bus_result_fn fn, gpointer data);

/* Raw FC16 (FC06 for one register) write to any unit, with retries; not
 * coalesced.  For test patterns. */
int display_bus_write(struct display_bus *bus, int unit, uint16_t addr, const uint16_t *regs,
		      size_t n, display_bus_result_fn fn, gpointer data);

/* FC03 read of @n registers, one try: scanning for units. */
int display_bus_read(struct display_bus *bus, int unit, uint16_t addr, size_t n,
		     display_bus_result_fn fn, gpointer data);

/* The display's state as diagnostics show it.  -ENOENT for an unknown unit. */
int display_bus_get_status(struct display_bus *bus, int unit, struct display_status *ret);

const char *display_state_str(enum display_state state);
