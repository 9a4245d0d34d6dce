/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * audio: sink names, the checks every backend shares and the thin dispatch
 * over struct hal_audio_ops.  The backend lives in audio_gst.c.
 *
 * The label check lives here, not in a backend: a label becomes a file name
 * under wav_dir, so "../x" or ".hidden" must never reach one.
 */

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <glib.h>

#include "audio.h"

G_DEFINE_QUARK(vuoro - hal - audio - error - quark, hal_audio_error)

static const char *const sink_names[] = {
    [HAL_AUDIO_AUTO] = "auto", [HAL_AUDIO_ALSA] = "alsa", [HAL_AUDIO_PULSE] = "pulse",
    [HAL_AUDIO_WAV] = "wav",   [HAL_AUDIO_NONE] = "none",
};

const char *hal_audio_sink_name(enum hal_audio_sink s)
{
	if ((unsigned)s < G_N_ELEMENTS(sink_names))
		return sink_names[s];
	return "unknown";
}

int hal_audio_sink_parse(const char *s)
{
	for (size_t i = 0; i < G_N_ELEMENTS(sink_names); i++)
		if (g_strcmp0(s, sink_names[i]) == 0)
			return (int)i;
	return -1;
}

int hal_audio_open(const struct hal_audio_config *cfg, struct hal_audio **ret, GError **error)
{
	const struct hal_audio_ops *ops = &hal_audio_gst_ops;
	struct hal_audio *a = NULL;
	int r;

	if ((unsigned)cfg->sink >= G_N_ELEMENTS(sink_names)) {
		g_set_error(error, HAL_AUDIO_ERROR, EINVAL,
			    "audio: unknown sink %d; check [audio] sink", (int)cfg->sink);
		return -EINVAL;
	}
	/* Written as a negated range so that NaN is refused too. */
	if (!(cfg->volume >= 0.0 && cfg->volume <= 1.0)) {
		g_set_error(error, HAL_AUDIO_ERROR, EINVAL,
			    "audio: volume %g is outside 0.0–1.0; check [audio] volume",
			    cfg->volume);
		return -EINVAL;
	}
	if (cfg->sink == HAL_AUDIO_WAV && !(cfg->wav_dir && *cfg->wav_dir)) {
		g_set_error(error, HAL_AUDIO_ERROR, EINVAL,
			    "audio: the wav sink needs a directory; set [audio] wav_dir");
		return -EINVAL;
	}
	r = ops->open(cfg, &a, error);
	if (r < 0)
		return r;
	a->ops = ops;
	*ret = a;
	return 0;
}

static bool label_is_safe(const char *label)
{
	return label && *label && label[0] != '.' && !strchr(label, '/');
}

int hal_audio_play(struct hal_audio *a, const int16_t *pcm, size_t n_samples, unsigned rate,
		   const char *label, GError **error)
{
	if (!label_is_safe(label)) {
		g_set_error(error, HAL_AUDIO_ERROR, EINVAL,
			    "audio: clip label \"%s\" is not a plain file name (empty, a '/' or a "
			    "leading '.')",
			    label ? label : "(null)");
		return -EINVAL;
	}
	if (rate == 0) {
		g_set_error(error, HAL_AUDIO_ERROR, EINVAL, "audio: clip %s has a sample rate of 0",
			    label);
		return -EINVAL;
	}
	if (n_samples == 0)
		return 0;
	return a->ops->play(a, pcm, n_samples, rate, label, error);
}

void hal_audio_close(struct hal_audio *a)
{
	if (a)
		a->ops->close(a);
}
