/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * speech: espeak-ng in synchronous mode, its samples collected into the
 * caller's GArray, plus the chime and silences the announcer strings
 * between sentences.
 *
 * In synchronous mode espeak_ng_Synthesize() calls the synth callback on
 * the calling thread, chunk by chunk, before it returns; the GArray rides
 * along as the synthesis's user_data, so no state is kept between calls
 * but the voice last set.  The two statics below mirror espeak-ng's own
 * globals: whether (and how) it was started, and whether a struct speech
 * currently owns it.  See speech.h for why espeak-ng is never terminated.
 *
 * espeak-ng is not linked: it is opened (dlopen) at the first speech_new(),
 * which the announcer calls at its first announcement.  Linked, the library
 * and what it pulls in (PulseAudio, D-Bus, ALSA, sonic, pcaudio) cost some
 * 2.5 MB of every idle vuorod (issue 22, tools/bench-idle-rss.sh); its voice
 * data are read only by espeak_ng_Initialize() in any case.
 */

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <espeak-ng/espeak_ng.h>
#include <espeak-ng/speak_lib.h>
#include <glib.h>

#include "lazylib.h"
#include "speech.h"

#define CHIME_HIGH_HZ   660.0
#define CHIME_LOW_HZ    550.0
#define CHIME_TONE_MS   350
#define CHIME_FADE_MS   20
#define CHIME_AMPLITUDE (0.4 * INT16_MAX)

struct speech {
	unsigned rate;
	char *voice; /* last set with espeak_ng_SetVoiceByName(), NULL for none */
};

G_DEFINE_QUARK(vuoro - speech - error - quark, speech_error)

#define SPEECH_LIBRARY "libespeak-ng.so.1"

/* Set by the one speech alive; espeak-ng's globals are not ours to share. */
static gint speech_in_use;

/* espeak-ng's functions (lazylib.h): all espeak_ng_ but one. */
#define SPEECH_ESPEAK_NG(X, t, p)                                                                  \
	X(t, p, GetStatusCodeMessage)                                                              \
	X(t, p, InitializePath)                                                                    \
	X(t, p, Initialize)                                                                        \
	X(t, p, InitializeOutput)                                                                  \
	X(t, p, GetSampleRate)                                                                     \
	X(t, p, ClearErrorContext)                                                                 \
	X(t, p, SetVoiceByName)                                                                    \
	X(t, p, SetParameter)                                                                      \
	X(t, p, Synthesize)
#define SPEECH_ESPEAK(X, t, p) X(t, p, SetSynthCallback)

struct speech_espeak {
	SPEECH_ESPEAK_NG(LAZYLIB_FIELD, _, espeak_ng_)
	SPEECH_ESPEAK(LAZYLIB_FIELD, _, espeak_)
};

/* Filled once per process by espeak_start() (lazylib.h).  Never closed:
 * espeak-ng is never terminated (speech.h). */
static struct speech_espeak ng;
static struct lazylib_once ng_once;

static const struct lazylib speech_libs[] = {
    LAZYLIB(SPEECH_LIBRARY, SPEECH_ESPEAK_NG, struct speech_espeak, espeak_ng_),
    LAZYLIB(SPEECH_LIBRARY, SPEECH_ESPEAK, struct speech_espeak, espeak_),
};

static char *status_message(espeak_ng_STATUS status)
{
	char buf[256];

	ng.GetStatusCodeMessage(status, buf, sizeof(buf));
	return g_strdup(buf);
}

/* Loads and starts espeak-ng once per process.  Returns its sample rate, or
 * 0 and why not: @ret_why when the library could not be loaded, else the
 * status that stopped it. */
static int espeak_start(espeak_ng_STATUS *ret_status, const char **ret_why)
{
	static gsize started;
	static espeak_ng_STATUS status;
	static const char *why;
	static int rate;

	if (g_once_init_enter(&started)) {
		espeak_ng_ERROR_CONTEXT context = NULL;

		why = lazylib_open_once(&ng_once, speech_libs, G_N_ELEMENTS(speech_libs), &ng);
		if (!why) {
			ng.InitializePath(NULL);
			status = ng.Initialize(&context);
			if (status == ENS_OK)
				status = ng.InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, 0, NULL);
			if (status == ENS_OK)
				rate = ng.GetSampleRate();
			ng.ClearErrorContext(&context);
		}
		g_once_init_leave(&started, 1);
	}
	*ret_status = status;
	*ret_why = why;
	return !why && status == ENS_OK ? rate : 0;
}

/* Called by espeak_ng_Synthesize() on our thread for every chunk, and once
 * more with @wav NULL at the end. */
static int speech_collect(short *wav, int n_samples, espeak_EVENT *events)
{
	GArray *pcm = events ? events->user_data : NULL;

	if (wav && n_samples > 0 && pcm)
		g_array_append_vals(pcm, wav, (guint)n_samples);
	return 0; /* go on */
}

struct speech *speech_new(GError **error)
{
	espeak_ng_STATUS status;
	const char *why;
	struct speech *s;
	int rate;

	if (!g_atomic_int_compare_and_exchange(&speech_in_use, 0, 1)) {
		g_set_error(
		    error, SPEECH_ERROR, EBUSY,
		    "speech: espeak-ng is already in use by another speech in this process");
		return NULL;
	}
	rate = espeak_start(&status, &why);
	if (rate <= 0 && why) {
		g_set_error(error, SPEECH_ERROR, ENOENT,
			    "speech: espeak-ng could not be loaded: %s; install libespeak-ng1",
			    why);
		g_atomic_int_set(&speech_in_use, 0);
		return NULL;
	}
	if (rate <= 0) {
		g_autofree char *msg = status_message(status);

		g_set_error(error, SPEECH_ERROR, EIO,
			    "speech: espeak-ng could not start: %s; check that espeak-ng-data is "
			    "installed",
			    msg);
		g_atomic_int_set(&speech_in_use, 0);
		return NULL;
	}
	ng.SetSynthCallback(speech_collect);

	s = g_new0(struct speech, 1);
	s->rate = (unsigned)rate;
	return s;
}

void speech_free(struct speech *s)
{
	if (!s)
		return;
	g_free(s->voice);
	g_free(s);
	g_atomic_int_set(&speech_in_use, 0);
}

unsigned speech_rate(const struct speech *s)
{
	return s->rate;
}

static int speech_voice_set(struct speech *s, const char *voice, GError **error)
{
	espeak_ng_STATUS status;

	if (s->voice && strcmp(s->voice, voice) == 0)
		return 0;
	status = ng.SetVoiceByName(voice);
	if (status != ENS_OK) {
		g_autofree char *msg = status_message(status);

		/* A failed change may leave espeak-ng between voices. */
		g_clear_pointer(&s->voice, g_free);
		g_set_error(error, SPEECH_ERROR, EINVAL,
			    "speech: no espeak-ng voice \"%s\" (%s); use fi, sv, en or another "
			    "name from `espeak-ng --voices`",
			    voice, msg);
		return -EINVAL;
	}
	g_free(s->voice);
	s->voice = g_strdup(voice);
	return 0;
}

int speech_say(struct speech *s, const char *voice, int wpm, const char *text, GArray *pcm,
	       GError **error)
{
	guint len = pcm->len;
	espeak_ng_STATUS status;
	int r;

	g_return_val_if_fail(g_array_get_element_size(pcm) == sizeof(int16_t), -EINVAL);
	if (wpm < SPEECH_WPM_MIN || wpm > SPEECH_WPM_MAX) {
		g_set_error(error, SPEECH_ERROR, EINVAL,
			    "speech: a rate of %d words per minute is outside %d–%d", wpm,
			    SPEECH_WPM_MIN, SPEECH_WPM_MAX);
		return -EINVAL;
	}
	r = speech_voice_set(s, voice ? voice : "", error);
	if (r < 0)
		return r;
	/* After the voice: a voice may bring its own speed. */
	ng.SetParameter(espeakRATE, wpm, 0);
	if (!text || !*text)
		return 0;

	status =
	    ng.Synthesize(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, NULL, pcm);
	if (status != ENS_OK) {
		g_autofree char *msg = status_message(status);

		g_array_set_size(pcm, len);
		g_set_error(error, SPEECH_ERROR, EIO, "speech: espeak-ng could not say \"%s\": %s",
			    text, msg);
		return -EIO;
	}
	return 0;
}

void speech_silence(const struct speech *s, unsigned ms, GArray *pcm)
{
	guint len = pcm->len;
	guint n = (guint)((guint64)ms * s->rate / 1000);

	g_array_set_size(pcm, len + n);
	memset(&g_array_index(pcm, int16_t, len), 0, (size_t)n * sizeof(int16_t));
}

/* One sine tone with raised-cosine edges, so it starts and ends at zero. */
static void chime_tone(unsigned rate, double hz, GArray *pcm)
{
	guint n = CHIME_TONE_MS * rate / 1000, fade = CHIME_FADE_MS * rate / 1000;
	guint len = pcm->len;

	g_array_set_size(pcm, len + n);
	for (guint i = 0; i < n; i++) {
		double gain = 1.0, edge = MIN(i, n - 1 - i);

		if (edge < fade)
			gain = 0.5 - 0.5 * cos(G_PI * edge / fade);
		g_array_index(pcm, int16_t, len + i) =
		    (int16_t)lrint(CHIME_AMPLITUDE * gain * sin(2.0 * G_PI * hz * i / rate));
	}
}

void speech_chime(const struct speech *s, GArray *pcm)
{
	chime_tone(s->rate, CHIME_HIGH_HZ, pcm);
	chime_tone(s->rate, CHIME_LOW_HZ, pcm);
}
