/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of firmware/speech.c (espeak-ng voices, the chime) and of the
 * GStreamer audio HAL it feeds (hal/audio.c, hal/audio_gst.c): the wav sink
 * writes a real WAV file in real time, the none sink plays, and labels that
 * are not plain file names are refused. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "audio.h"
#include "speech.h"

#define WPM 160

static double clip_seconds(const GArray *pcm, unsigned rate)
{
	return (double)pcm->len / rate;
}

static double clip_rms(const int16_t *x, size_t n)
{
	double sum = 0.0;

	for (size_t i = 0; i < n; i++)
		sum += (double)x[i] * x[i];
	return n ? sqrt(sum / n) : 0.0;
}

/* The power of @x at @hz (Goertzel). */
static double goertzel(const int16_t *x, size_t n, unsigned rate, double hz)
{
	double c = 2.0 * cos(2.0 * G_PI * hz / rate), s1 = 0.0, s2 = 0.0;

	for (size_t i = 0; i < n; i++) {
		double s0 = x[i] + c * s1 - s2;

		s2 = s1;
		s1 = s0;
	}
	return s1 * s1 + s2 * s2 - c * s1 * s2;
}

/* The strongest frequency of @x between 300 and 1200 Hz, 5 Hz apart. */
static double dominant_hz(const int16_t *x, size_t n, unsigned rate)
{
	double best_hz = 0.0, best = -1.0;

	for (double hz = 300.0; hz <= 1200.0; hz += 5.0) {
		double p = goertzel(x, n, rate, hz);

		if (p > best) {
			best = p;
			best_hz = hz;
		}
	}
	return best_hz;
}

static void test_say_languages(void)
{
	static const struct {
		const char *voice, *text;
	} cases[] = {
	    {"fi", "Vuoronumero A 1 2 3, tiski 4"},
	    {"sv", "Könummer A 1 2 3, disk 4"},
	    {"en", "Ticket number A 1 2 3, desk 4"},
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(Speech) s = speech_new(&error);

	g_assert_no_error(error);
	g_assert_cmpuint(speech_rate(s), ==, 22050);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GArray) pcm = g_array_new(FALSE, FALSE, sizeof(int16_t));
		double secs, rms;

		g_assert_cmpint(speech_say(s, cases[i].voice, WPM, cases[i].text, pcm, &error), ==,
				0);
		g_assert_no_error(error);
		secs = clip_seconds(pcm, speech_rate(s));
		rms = clip_rms((const int16_t *)pcm->data, pcm->len);
		g_test_message("%s: \"%s\" %.2f s, RMS %.0f", cases[i].voice, cases[i].text, secs,
			       rms);
		g_assert_cmpfloat(secs, >=, 0.8);
		g_assert_cmpfloat(secs, <=, 8.0);
		g_assert_cmpfloat(rms, >, 500.0);
	}
}

static void test_say_unknown_voice(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Speech) s = speech_new(&error);
	g_autoptr(GArray) pcm = g_array_new(FALSE, FALSE, sizeof(int16_t));

	g_assert_no_error(error);
	speech_silence(s, 100, pcm);
	g_assert_cmpint(speech_say(s, "xx-nonexistent", WPM, "Hello", pcm, &error), ==, -EINVAL);
	g_assert_error(error, SPEECH_ERROR, EINVAL);
	g_assert_nonnull(strstr(error->message, "xx-nonexistent"));
	g_assert_cmpuint(pcm->len, ==, speech_rate(s) / 10);
	g_clear_error(&error);

	/* The voice before the failure is not kept by mistake. */
	g_assert_cmpint(speech_say(s, "en", WPM, "Desk", pcm, &error), ==, 0);
	g_assert_no_error(error);
	g_assert_cmpint(speech_say(s, "en", 20, "Desk", pcm, &error), ==, -EINVAL);
	g_assert_error(error, SPEECH_ERROR, EINVAL);
}

static void test_one_speech_at_a_time(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Speech) s = speech_new(&error);
	struct speech *second;

	g_assert_no_error(error);
	second = speech_new(&error);
	g_assert_null(second);
	g_assert_error(error, SPEECH_ERROR, EBUSY);
}

/* espeak-ng 1.51 deadlocks when terminated a second time after a re-init;
 * speech keeps it started, so a speech can be made again (a reload). */
static void test_new_after_free(void)
{
	g_autoptr(GArray) pcm = g_array_new(FALSE, FALSE, sizeof(int16_t));
	g_autoptr(GError) error = NULL;

	for (int i = 0; i < 3; i++) {
		g_autoptr(Speech) s = speech_new(&error);

		g_assert_no_error(error);
		g_array_set_size(pcm, 0);
		g_assert_cmpint(speech_say(s, i % 2 ? "sv" : "fi", WPM, "A 1", pcm, &error), ==, 0);
		g_assert_no_error(error);
		g_assert_cmpuint(pcm->len, >, speech_rate(s) / 4);
	}
}

static void test_chime(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Speech) s = speech_new(&error);
	g_autoptr(GArray) pcm = g_array_new(FALSE, FALSE, sizeof(int16_t));
	const int16_t *x;
	unsigned rate;
	size_t n300, peak = 0;
	double p660, p550, p1000, hz;

	g_assert_no_error(error);
	rate = speech_rate(s);
	speech_chime(s, pcm);
	x = (const int16_t *)pcm->data;
	g_assert_cmpfloat(fabs(clip_seconds(pcm, rate) - 0.7), <, 0.01);
	/* Soft edges: nothing clicks at the start, the seam or the end. */
	g_assert_cmpint(abs(x[0]), <, 200);
	g_assert_cmpint(abs(x[pcm->len / 2]), <, 200);
	g_assert_cmpint(abs(x[pcm->len - 1]), <, 200);
	for (guint i = 0; i < pcm->len; i++)
		peak = MAX(peak, (size_t)abs(x[i]));
	g_assert_cmpuint(peak, >, 0.35 * INT16_MAX);
	g_assert_cmpuint(peak, <, 0.45 * INT16_MAX);

	n300 = rate * 300 / 1000;
	p660 = goertzel(x, n300, rate, 660.0);
	p550 = goertzel(x, n300, rate, 550.0);
	p1000 = goertzel(x, n300, rate, 1000.0);
	g_assert_cmpfloat(p660, >, 10.0 * p550);
	g_assert_cmpfloat(p660, >, 10.0 * p1000);
	hz = dominant_hz(x, n300, rate);
	g_test_message("chime: %.2f s, first 300 ms peaks at %.0f Hz", clip_seconds(pcm, rate), hz);
	g_assert_cmpfloat(fabs(hz - 660.0), <=, 20.0);
	/* And the dong: the last 300 ms. */
	hz = dominant_hz(x + pcm->len - n300, n300, rate);
	g_assert_cmpfloat(fabs(hz - 550.0), <=, 20.0);
}

static guint32 le32(const guint8 *p)
{
	return (guint32)p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 | (guint32)p[3] << 24;
}

static guint16 le16(const guint8 *p)
{
	return (guint16)(p[0] | p[1] << 8);
}

/* The seconds of sound in a RIFF/WAVE file of mono 16-bit PCM, from its
 * fmt and data chunks; @ret_data points at the samples. */
static double wav_seconds(const guint8 *wav, size_t len, const guint8 **ret_data,
			  size_t *ret_data_len)
{
	guint32 byte_rate = 0, data_len = 0;
	gboolean have_data = FALSE;
	size_t at = 12;

	g_assert_cmpuint(len, >=, 44);
	g_assert_cmpmem(wav, 4, "RIFF", 4);
	g_assert_cmpmem(wav + 8, 4, "WAVE", 4);
	while (at + 8 <= len && !have_data) {
		guint32 size = le32(wav + at + 4);

		if (memcmp(wav + at, "fmt ", 4) == 0) {
			g_assert_cmpuint(le16(wav + at + 8), ==, 1);  /* PCM */
			g_assert_cmpuint(le16(wav + at + 10), ==, 1); /* mono */
			g_assert_cmpuint(le16(wav + at + 22), ==, 16);
			byte_rate = le32(wav + at + 16);
		} else if (memcmp(wav + at, "data", 4) == 0) {
			data_len = size;
			have_data = TRUE;
			g_assert_cmpuint(at + 8 + data_len, <=, len);
			*ret_data = wav + at + 8;
			*ret_data_len = data_len;
		}
		at += 8 + size + (size & 1);
	}
	g_assert_true(have_data);
	g_assert_cmpuint(byte_rate, >, 0);
	return (double)data_len / byte_rate;
}

static void test_play_wav(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Speech) s = speech_new(&error);
	g_autoptr(GArray) pcm = g_array_new(FALSE, FALSE, sizeof(int16_t));
	g_autofree char *dir = g_dir_make_tmp("vuoro-audio-XXXXXX", &error);
	g_autofree char *wav_dir = NULL, *path = NULL, *wav = NULL;
	g_autoptr(HalAudio) audio = NULL;
	struct hal_audio_config cfg = {.sink = HAL_AUDIO_WAV, .volume = 1.0};
	double clip, saved, took;
	const guint8 *data = NULL;
	size_t data_len = 0;
	gint64 t0;
	gsize len;

	g_assert_no_error(error);
	/* A directory that does not exist yet: open makes it. */
	wav_dir = g_build_filename(dir, "clips", NULL);
	cfg.wav_dir = wav_dir;
	g_assert_cmpint(hal_audio_open(&cfg, &audio, &error), ==, 0);
	g_assert_no_error(error);

	speech_chime(s, pcm);
	speech_silence(s, 200, pcm);
	g_assert_cmpint(speech_say(s, "fi", WPM, "A 1 2 3", pcm, &error), ==, 0);
	g_assert_no_error(error);
	clip = clip_seconds(pcm, speech_rate(s));

	t0 = g_get_monotonic_time();
	g_assert_cmpint(hal_audio_play(audio, (const int16_t *)pcm->data, pcm->len, speech_rate(s),
				       "call-A123", &error),
			==, 0);
	g_assert_no_error(error);
	took = (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC;

	path = g_build_filename(wav_dir, "call-A123.wav", NULL);
	g_assert_true(g_file_get_contents(path, &wav, &len, &error));
	g_assert_no_error(error);
	saved = wav_seconds((const guint8 *)wav, len, &data, &data_len);
	g_test_message("wav: clip %.3f s, file holds %.3f s, play took %.3f s", clip, saved, took);
	g_assert_cmpfloat(fabs(saved - clip), <=, 0.05 * clip);
	g_assert_cmpfloat(took, >=, 0.9 * clip);
	/* Same rate, volume 1.0: every sample arrives untouched (WAV is
	 * little-endian). */
	if (G_BYTE_ORDER == G_LITTLE_ENDIAN)
		g_assert_cmpmem(data, data_len, pcm->data, pcm->len * sizeof(int16_t));

	g_assert_cmpint(g_remove(path), ==, 0);
	g_assert_cmpint(g_rmdir(wav_dir), ==, 0);
	g_assert_cmpint(g_rmdir(dir), ==, 0);
}

static void test_play_none(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Speech) s = speech_new(&error);
	g_autoptr(GArray) pcm = g_array_new(FALSE, FALSE, sizeof(int16_t));
	g_autoptr(HalAudio) audio = NULL;
	struct hal_audio_config cfg = {.sink = HAL_AUDIO_NONE, .volume = 0.5};
	double clip, took;
	gint64 t0;

	g_assert_no_error(error);
	g_assert_cmpint(hal_audio_open(&cfg, &audio, &error), ==, 0);
	g_assert_no_error(error);
	speech_chime(s, pcm);
	clip = clip_seconds(pcm, speech_rate(s));

	t0 = g_get_monotonic_time();
	g_assert_cmpint(hal_audio_play(audio, (const int16_t *)pcm->data, pcm->len, speech_rate(s),
				       "chime", &error),
			==, 0);
	g_assert_no_error(error);
	took = (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC;
	g_test_message("none: clip %.3f s, play took %.3f s", clip, took);
	g_assert_cmpfloat(took, >=, 0.9 * clip);

	/* Nothing to play is no error and takes no time. */
	g_assert_cmpint(hal_audio_play(audio, NULL, 0, speech_rate(s), "empty", &error), ==, 0);
	g_assert_no_error(error);
}

static void test_play_refuses_label(void)
{
	static const char *const bad[] = {"../x", "a/b", ".hidden", ""};
	static const int16_t pcm[64];
	g_autoptr(GError) error = NULL;
	g_autoptr(HalAudio) audio = NULL;
	struct hal_audio_config cfg = {.sink = HAL_AUDIO_NONE, .volume = 1.0};

	g_assert_cmpint(hal_audio_open(&cfg, &audio, &error), ==, 0);
	g_assert_no_error(error);
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_assert_cmpint(
		    hal_audio_play(audio, pcm, G_N_ELEMENTS(pcm), 22050, bad[i], &error), ==,
		    -EINVAL);
		g_assert_error(error, HAL_AUDIO_ERROR, EINVAL);
		g_clear_error(&error);
	}
	g_assert_cmpint(hal_audio_play(audio, pcm, G_N_ELEMENTS(pcm), 22050, NULL, &error), ==,
			-EINVAL);
	g_assert_error(error, HAL_AUDIO_ERROR, EINVAL);
}

static gboolean cancel_later(gpointer data)
{
	g_cancellable_cancel(data);
	return G_SOURCE_REMOVE;
}

static gpointer cancel_thread(gpointer data)
{
	g_usleep(300 * 1000);
	cancel_later(data);
	return NULL;
}

/* A clip cut short (the headset pulled): -ECANCELED soon after the cancel,
 * long before its end; cancelled before play, at once. */
static void test_play_cancel(void)
{
	g_autoptr(GCancellable) cancel = g_cancellable_new();
	struct hal_audio_config cfg = {.sink = HAL_AUDIO_NONE, .volume = 1.0, .cancel = cancel};
	g_autoptr(GError) error = NULL;
	g_autoptr(HalAudio) audio = NULL;
	g_autofree int16_t *pcm = g_new0(int16_t, 22050 * 5); /* 5 s of silence */
	GThread *t;
	gint64 t0;
	double took;

	g_assert_cmpint(hal_audio_open(&cfg, &audio, &error), ==, 0);
	t = g_thread_new("cancel", cancel_thread, cancel);
	t0 = g_get_monotonic_time();
	g_assert_cmpint(hal_audio_play(audio, pcm, 22050 * 5, 22050, "cut", &error), ==,
			-ECANCELED);
	g_assert_error(error, HAL_AUDIO_ERROR, ECANCELED);
	took = (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC;
	g_test_message("cut after 0.3 s: play took %.3f s of a 5 s clip", took);
	g_assert_cmpfloat(took, >=, 0.25);
	g_assert_cmpfloat(took, <, 2.0);
	g_thread_join(t);
	g_clear_error(&error);

	t0 = g_get_monotonic_time();
	g_assert_cmpint(hal_audio_play(audio, pcm, 22050 * 5, 22050, "cut", &error), ==,
			-ECANCELED);
	g_assert_cmpfloat((double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC, <, 1.0);
	g_clear_error(&error);

	g_cancellable_reset(cancel);
	g_assert_cmpint(hal_audio_play(audio, pcm, 2205, 22050, "whole", &error), ==, 0);
	g_assert_no_error(error);
}

static void test_open_refuses_config(void)
{
	struct hal_audio_config cfg = {.sink = HAL_AUDIO_NONE, .volume = 1.5};
	g_autoptr(GError) error = NULL;
	struct hal_audio *audio = NULL;

	g_assert_cmpint(hal_audio_open(&cfg, &audio, &error), ==, -EINVAL);
	g_assert_error(error, HAL_AUDIO_ERROR, EINVAL);
	g_assert_null(audio);
	g_clear_error(&error);

	cfg = (struct hal_audio_config){.sink = HAL_AUDIO_WAV, .volume = 1.0};
	g_assert_cmpint(hal_audio_open(&cfg, &audio, &error), ==, -EINVAL);
	g_assert_error(error, HAL_AUDIO_ERROR, EINVAL);
	g_assert_null(audio);
}

static void test_sink_names(void)
{
	for (int i = HAL_AUDIO_AUTO; i <= HAL_AUDIO_NONE; i++)
		g_assert_cmpint(hal_audio_sink_parse(hal_audio_sink_name(i)), ==, i);
	g_assert_cmpint(hal_audio_sink_parse("oss"), ==, -1);
	g_assert_cmpstr(hal_audio_sink_name(99), ==, "unknown");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/speech/say-languages", test_say_languages);
	g_test_add_func("/speech/say-unknown-voice", test_say_unknown_voice);
	g_test_add_func("/speech/one-at-a-time", test_one_speech_at_a_time);
	g_test_add_func("/speech/new-after-free", test_new_after_free);
	g_test_add_func("/speech/chime", test_chime);
	g_test_add_func("/audio/play-wav", test_play_wav);
	g_test_add_func("/audio/play-none", test_play_none);
	g_test_add_func("/audio/play-refuses-label", test_play_refuses_label);
	g_test_add_func("/audio/play-cancel", test_play_cancel);
	g_test_add_func("/audio/open-refuses-config", test_open_refuses_config);
	g_test_add_func("/audio/sink-names", test_sink_names);
	return g_test_run();
}
