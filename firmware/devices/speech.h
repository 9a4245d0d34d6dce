/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * speech: text to PCM for the announcer — espeak-ng's voices, silences and
 * the call chime, all appended to one GArray of int16_t mono samples at
 * speech_rate() Hz, ready for hal_audio_play().
 *
 * espeak-ng keeps its state in globals (voice, rate, the synth callback),
 * so only one struct speech may exist per process — a second speech_new()
 * fails with -EBUSY while the first lives — and every call on it must come
 * from one thread, the announcer's worker.  speech_silence() and
 * speech_chime() touch no espeak state.
 *
 * espeak-ng itself is started by the first speech_new() and kept until the
 * process exits: speech_free() does not call espeak_Terminate(), because
 * espeak-ng 1.51 deadlocks in the second espeak_Terminate() of a process
 * that initialised it, terminated it and initialised it again.  So a
 * speech can be freed and made anew (a config reload), and the first
 * speech_new() pays the start-up (reading espeak-ng-data) for all.
 *
 * Errors are -errno with a GError in SPEECH_ERROR (code = the errno):
 * -EINVAL an unknown voice or a rate out of range; -EBUSY a second speech;
 * -EIO espeak-ng could not start or synthesise.
 */
#pragma once

#include <glib.h>

/* espeakRATE_MINIMUM, espeakRATE_MAXIMUM */
#define SPEECH_WPM_MIN 80
#define SPEECH_WPM_MAX 450

struct speech;

#define SPEECH_ERROR (speech_error_quark())
GQuark speech_error_quark(void);

/* Starts espeak-ng (the first time) with synchronous output. */
struct speech *speech_new(GError **error);
/* Accepts NULL. */
void speech_free(struct speech *s);
typedef struct speech Speech; /* for g_autoptr(Speech) only */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Speech, speech_free)

/* Samples per second of everything below appends (22050 for espeak-ng). */
unsigned speech_rate(const struct speech *s);

/* Appends the speech of @text (UTF-8) in @voice ("fi", "sv", "en" …, any
 * espeak-ng voice name) at @wpm words per minute (SPEECH_WPM_MIN …
 * SPEECH_WPM_MAX) to @pcm, a GArray of int16_t.  No pause is added after
 * the text; use speech_silence().  On error @pcm is left as it was. */
int speech_say(struct speech *s, const char *voice, int wpm, const char *text, GArray *pcm,
	       GError **error);
/* Appends @ms of silence. */
void speech_silence(const struct speech *s, unsigned ms, GArray *pcm);
/* Appends the call chime: a soft "ding-dong", 660 Hz then 550 Hz, 350 ms
 * each, about 40% of full scale, faded in and out so that nothing clicks. */
void speech_chime(const struct speech *s, GArray *pcm);
