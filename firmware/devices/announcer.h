/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * announcer: a chime and the spoken call — "Vuoronumero A 123,
 * palvelupiste 4." — on every call and recall, in the site's main language
 * and the ticket's own when it is another (a language espeak-ng has no voice
 * for: the main one only), then in any [announcer] languages not said yet.
 *
 * One worker thread speaks (espeak-ng, firmware/speech) and plays (GStreamer,
 * hal/audio) one sentence at a time, never two over each other.  What it
 * says next is decided on the main loop when the loudspeaker is free:
 * - first the main-language sentence of the oldest call not yet started,
 *   after a chime when the loudspeaker had been quiet for 2 s: a new call
 *   waits for the sentence that is playing and the new calls before it, not
 *   for other languages of older calls;
 * - when every call has been started, the next language of the oldest;
 * - a call that is no longer current is dropped (state "dropped", with the
 *   reason) when not started, or says no more languages: its ticket was
 *   recalled or called again (the newer announcement replaces it), started,
 *   ended, marked no-show, transferred, parked, cancelled or voided.
 * So when calls come faster than they can be said, the ticket's language of
 * older calls gives way first, and what is said is current.  The wav sink
 * records each sentence as announce-ID.wav (the chime and the main
 * language) and announce-ID-LANG.wav.
 * The kiosk's speech guidance (announcer_say) goes through the same worker,
 * to the room's loudspeaker or to the headset's output, never both.
 * A sound card that fails marks that announcement failed with a message that
 * names the part; the next one tries again, and nothing else waits for audio.
 *
 * Bus topic "announcer.played" with a const struct announcer_item * when an
 * announcement ends (played or failed).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "bus.h"
#include "catalog.h"
#include "config.h"

enum announcer_state {
	ANNOUNCER_QUEUED,
	ANNOUNCER_PLAYING,
	ANNOUNCER_PLAYED,
	ANNOUNCER_FAILED,
	ANNOUNCER_DROPPED, /* no longer current when its turn came: see reason */
};

/* Where a sentence is played: the room's loudspeaker ([audio]) or the
 * kiosk's headset jack ([kiosk] headset-*). */
enum announcer_output {
	ANNOUNCER_ROOM,
	ANNOUNCER_HEADSET,
};

struct announcer_item {
	guint id;                     /* 1, 2, …: the sim's recording is announce-ID.wav */
	const char *kind;             /* "call", "recall", "test-tone", "test-speech", "guide" */
	enum announcer_output output; /* calls and tests: the room */
	int volume;                   /* guide: percent of the output's volume */
	char ticket[8];               /* "A123"; empty for tests */
	uint32_t ticket_id;           /* the queue's; 0 for tests */
	int counter;                  /* 0 for tests */
	char *text[CONFIG_LANGS_MAX]; /* by site language: what is said, NULL if not */
	int langs[CONFIG_LANGS_MAX];  /* the languages of text[] in speaking order */
	int n_langs;
	enum announcer_state state;
	gint64 queued_us, started_us, ended_us; /* g_get_real_time(); 0 = not yet */
	double audio_s;                         /* seconds of sound, every sentence */
	char *error;                            /* FAILED: what went wrong, what to do */
	int n_said;                             /* of langs[], said so far */
	const char *reason; /* no longer current: "recalled", "started", "ended",
			     * "no-show", …; DROPPED, or PLAYED without the
			     * languages that were still to come */
};

struct announcer;

/* @selftest_exe: the vuorod program that runs the sink's self-test at start
 * in a child (`--check-audio`, announcer_check_sink), or NULL to run it here
 * (a program that is not vuorod: the fuzz harnesses). */
struct announcer *announcer_new(const struct config *cfg, const struct catalog *catalog,
				struct bus *bus, const char *selftest_exe);
/* Stops after the clip that is playing; the queue is dropped. */
void announcer_free(struct announcer *a);
/* The self-test of @cfg's loudspeaker sink: every element it needs is there
 * and its folder can be made.  `vuorod --config FILE --check-audio` runs it
 * for the announcer, in a process of its own, so that an idle vuorod does
 * not carry GStreamer until it first plays (issue 22).  Returns 0 or
 * -errno with @error set. */
int announcer_check_sink(const struct config *cfg, GError **error);
typedef struct announcer Announcer; /* for g_autoptr(Announcer) only */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Announcer, announcer_free)

/* Queues a technician's test: "tone" (the chime) or "speech" (a sentence in
 * @lang, or in every configured language when NULL).  Returns the id, or
 * -EINVAL for an unknown kind or language. */
int announcer_test(struct announcer *a, const char *kind, const char *lang);

/* Queues the kiosk's guidance (issue 20): @text in site language @lang
 * (the main language's voice when @lang has none) on @output at @volume
 * percent.  With @replace, guidance not yet started is dropped and the
 * guidance playing is cut short (a key pressed: the new prompt now, as a
 * screen reader does); without, it is said after them (the ticket after
 * "tax chosen").  Calls are never cut; guidance waits for the call playing.  The wav sink records
 * it as guide-ID.wav in that output's folder.  Returns the id. */
guint announcer_say(struct announcer *a, int lang, const char *text, enum announcer_output output,
		    int volume, bool replace);
/* Drops the guidance not yet started, for @reason ("headset pulled",
 * "idle"), and with @cut cuts the guidance playing short (within ~50 ms:
 * it ends "played" with @reason); a call playing is never cut. */
void announcer_hush(struct announcer *a, const char *reason, bool cut);

/* The last announcements, oldest first (at most 32). */
size_t announcer_n_recent(const struct announcer *a);
const struct announcer_item *announcer_recent(const struct announcer *a, size_t i);
/* Announcements not yet said whole (waiting or playing). */
unsigned announcer_pending(const struct announcer *a);
/* The error of the last announcement when it failed; before any, the
 * self-test's (the sound device is opened at start); else NULL. */
const char *announcer_fault(const struct announcer *a);
const char *announcer_state_str(enum announcer_state s);
const char *announcer_sink_name(const struct announcer *a);
