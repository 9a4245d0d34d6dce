/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * audio: the loudspeaker device class — plays one clip of mono signed 16-bit
 * native-endian PCM at a time and returns when it has been heard.
 *
 * The backend (audio_gst.c) builds one GStreamer pipeline per clip:
 * appsrc ! audioconvert ! audioresample ! volume ! SINK, where SINK is
 * autoaudiosink, alsasink (device=…), pulsesink, wavenc ! filesink (the
 * clip saved as wav_dir/LABEL.wav, with a fakesink beside it keeping time)
 * or fakesink.  The wav and none sinks run against the clock like a
 * loudspeaker, so an announcer driving them paces itself as it would in the
 * field; they stand in for the sim backend.
 *
 * Every call blocks and belongs on the announcer's worker thread, never on
 * the main loop; a handle is used by one thread at a time.  play waits on
 * the pipeline's bus for EOS or ERROR (at most the clip's duration + 10 s)
 * instead of a bus watch, since there is no main loop on that thread.
 *
 * Errors are -errno with a GError in HAL_AUDIO_ERROR (code = the errno)
 * that names the part and what to do: -EINVAL a bad config, clip or label;
 * -ENOENT a GStreamer element (plugin package) is missing, or the device
 * does not exist; -ENODEV the auto sink found no sound card or server (where
 * autoaudiosink itself would play into a fakesink and say nothing);
 * -EACCES no permission; -EBUSY the device is taken;
 * -ETIMEDOUT the sink never finished; -ECANCELED the config's cancellable
 * cut it short; -EIO anything else the sink reported.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <gio/gio.h>
#include <glib.h>

enum hal_audio_sink {
	HAL_AUDIO_AUTO,
	HAL_AUDIO_ALSA,
	HAL_AUDIO_PULSE,
	HAL_AUDIO_WAV,
	HAL_AUDIO_NONE,
};

struct hal_audio_config {
	enum hal_audio_sink sink;
	const char *device;  /* ALSA: "hw:0,0" / "default"; NULL = default */
	const char *wav_dir; /* WAV: where each played clip is saved as LABEL.wav */
	double volume;       /* 0.0 – 1.0 (1.0 = unchanged) */
	/* NULL, or a cancellable (owned by the caller, outliving the handle)
	 * that cuts the clip playing short: play returns -ECANCELED within
	 * ~50 ms of it being cancelled (the speech guidance when a headset is
	 * pulled).  Cancelled before play: play returns at once. */
	GCancellable *cancel;
};

struct hal_audio {
	const struct hal_audio_ops *ops;
};

struct hal_audio_ops {
	const char *name;
	int (*open)(const struct hal_audio_config *cfg, struct hal_audio **ret, GError **error);
	/* Blocks until the clip has been played.  @n_samples > 0, @label checked. */
	int (*play)(struct hal_audio *a, const int16_t *pcm, size_t n_samples, unsigned rate,
		    const char *label, GError **error);
	void (*close)(struct hal_audio *a);
};

extern const struct hal_audio_ops hal_audio_gst_ops;

#define HAL_AUDIO_ERROR (hal_audio_error_quark())
GQuark hal_audio_error_quark(void);

/* Checks the config and that every GStreamer element the sink needs is
 * installed, and creates wav_dir; the device itself is first opened by play. */
int hal_audio_open(const struct hal_audio_config *cfg, struct hal_audio **ret, GError **error);
/* Plays @n_samples of mono PCM at @rate Hz and returns when it has been
 * heard (0 samples: returns at once).  @label names the clip in messages
 * and is the wav sink's file name: not empty, no '/', no leading '.'. */
int hal_audio_play(struct hal_audio *a, const int16_t *pcm, size_t n_samples, unsigned rate,
		   const char *label, GError **error);
/* Accepts NULL. */
void hal_audio_close(struct hal_audio *a);
typedef struct hal_audio HalAudio; /* for g_autoptr(HalAudio) only */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HalAudio, hal_audio_close)

/* "auto", "alsa", "pulse", "wav", "none"; "unknown" for anything else. */
const char *hal_audio_sink_name(enum hal_audio_sink s);
/* The reverse, for the config loader: -1 for an unknown name. */
int hal_audio_sink_parse(const char *s);
