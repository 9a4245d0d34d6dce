/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * announcer: a chime and the spoken call — "Vuoronumero A 123,
 * palvelupiste 4." in Finnish, Swedish and English ([announcer] languages) —
 * on every call and recall.
 *
 * Announcements wait in a first-in first-out queue and one worker thread
 * speaks them (espeak-ng, firmware/speech) and plays them through GStreamer
 * (hal/audio), one at a time: two calls in quick succession are both
 * spoken, one after the other, never over each other and never dropped.
 * A sound card that fails marks that announcement failed with a message that
 * names the part; the next one tries again, and nothing else waits for audio.
 *
 * Bus topic "announcer.played" with a const struct announcer_item * when an
 * announcement ends (played or failed).
 */
#pragma once

#include <glib.h>

#include "bus.h"
#include "catalog.h"
#include "config.h"

enum announcer_state {
	ANNOUNCER_QUEUED,
	ANNOUNCER_PLAYING,
	ANNOUNCER_PLAYED,
	ANNOUNCER_FAILED,
};

struct announcer_item {
	guint id;                     /* 1, 2, …: the sim's recording is announce-ID.wav */
	const char *kind;             /* "call", "recall", "test-tone", "test-speech" */
	char ticket[8];               /* "A123"; empty for tests */
	int counter;                  /* 0 for tests */
	char *text[CONFIG_LANGS_MAX]; /* by site language: what is said, NULL if not */
	enum announcer_state state;
	gint64 queued_us, started_us, ended_us; /* g_get_real_time(); 0 = not yet */
	double audio_s;                         /* length of the clip */
	char *error;                            /* FAILED: what went wrong, what to do */
};

struct announcer;

struct announcer *announcer_new(const struct config *cfg, const struct catalog *catalog,
				struct bus *bus);
/* Stops after the clip that is playing; the queue is dropped. */
void announcer_free(struct announcer *a);
typedef struct announcer Announcer; /* for g_autoptr(Announcer) only */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Announcer, announcer_free)

/* Queues a technician's test: "tone" (the chime) or "speech" (a sentence in
 * @lang, or in every configured language when NULL).  Returns the id, or
 * -EINVAL for an unknown kind or language. */
int announcer_test(struct announcer *a, const char *kind, const char *lang);

/* The last announcements, oldest first (at most 32). */
size_t announcer_n_recent(const struct announcer *a);
const struct announcer_item *announcer_recent(const struct announcer *a, size_t i);
/* Waiting or playing now. */
unsigned announcer_pending(const struct announcer *a);
/* The error of the last announcement when it failed; before any, the
 * self-test's (the sound device is opened at start); else NULL. */
const char *announcer_fault(const struct announcer *a);
const char *announcer_state_str(enum announcer_state s);
const char *announcer_sink_name(const struct announcer *a);
