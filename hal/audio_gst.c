/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * audio_gst: the loudspeaker through GStreamer — one pipeline per clip,
 *   appsrc ! audioconvert ! audioresample ! volume ! SINK
 * built, played to end-of-stream and torn down inside one blocking play.
 *
 * A fresh pipeline per clip costs a few milliseconds against clips of
 * seconds, and leaves nothing open between announcements: a sound server
 * that restarted, or a USB card plugged back in, is simply found again by
 * the next clip.
 *
 * The whole clip goes in as one timestamped buffer followed by EOS.  The
 * sinks run against the pipeline clock, so play returns only once the last
 * sample is due — for fakesink and filesink (sync=TRUE) too, which is what
 * lets the wav and none sinks stand in for a loudspeaker.  The worker
 * thread has no main loop, so instead of a bus watch play pops EOS or ERROR
 * off the bus with gst_bus_timed_pop_filtered(), bounded by the clip's
 * duration plus PLAY_SLACK.
 */

#include <errno.h>
#include <string.h>

#include <glib.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>

#include "audio.h"

/* Beyond the clip's own duration: pipeline start-up, a sound server waking
 * up, the ALSA ring buffer draining. */
#define PLAY_SLACK (10 * GST_SECOND)

/* At most this many of a sink's elements can fail (wavenc, filesink,
 * fakesink), plus the NULL that ends them. */
#define SINK_PARTS 4

struct audio_gst {
	struct hal_audio base;
	enum hal_audio_sink sink;
	char *device;
	char *wav_dir;
	double volume;
	GCancellable *cancel; /* the config's; may be NULL */
};

/* Which Debian package brings each element, for "install …" messages. */
static const struct element_package {
	const char *element;
	const char *package;
} element_packages[] = {
    {"appsrc", "gstreamer1.0-plugins-base"},
    {"audioconvert", "gstreamer1.0-plugins-base"},
    {"audioresample", "gstreamer1.0-plugins-base"},
    {"volume", "gstreamer1.0-plugins-base"},
    {"autoaudiosink", "gstreamer1.0-plugins-good"},
    {"alsasink", "gstreamer1.0-alsa"},
    {"pulsesink", "gstreamer1.0-plugins-good"},
    {"wavenc", "gstreamer1.0-plugins-good"},
    {"tee", "libgstreamer1.0-0"},
    {"queue", "libgstreamer1.0-0"},
    {"filesink", "libgstreamer1.0-0"},
    {"fakesink", "libgstreamer1.0-0"},
};

static const char *const common_elements[] = {"appsrc", "audioconvert", "audioresample", "volume"};

/* The sink's own elements, in pipeline order. */
static const char *const *sink_elements(enum hal_audio_sink sink, size_t *ret_n)
{
	static const char *const autos[] = {"autoaudiosink"};
	static const char *const alsa[] = {"alsasink"};
	static const char *const pulse[] = {"pulsesink"};
	static const char *const wav[] = {"tee", "queue", "wavenc", "filesink", "fakesink"};
	static const char *const none[] = {"fakesink"};

	switch (sink) {
	case HAL_AUDIO_ALSA:
		*ret_n = G_N_ELEMENTS(alsa);
		return alsa;
	case HAL_AUDIO_PULSE:
		*ret_n = G_N_ELEMENTS(pulse);
		return pulse;
	case HAL_AUDIO_WAV:
		*ret_n = G_N_ELEMENTS(wav);
		return wav;
	case HAL_AUDIO_NONE:
		*ret_n = G_N_ELEMENTS(none);
		return none;
	case HAL_AUDIO_AUTO:
		break;
	}
	*ret_n = G_N_ELEMENTS(autos);
	return autos;
}

/* What to look at when the sink fails. */
static const char *sink_advice(enum hal_audio_sink sink)
{
	switch (sink) {
	case HAL_AUDIO_ALSA:
		return "check [audio] device and that the sound card is present";
	case HAL_AUDIO_PULSE:
		return "check that PulseAudio or PipeWire runs for this user";
	case HAL_AUDIO_WAV:
		return "check [audio] wav_dir, its permissions and the free space";
	case HAL_AUDIO_NONE:
		return "the none sink should never fail; please report it";
	case HAL_AUDIO_AUTO:
		break;
	}
	return "check that a sound card or sound server is present, or set [audio] sink";
}

static const char *element_package(const char *element)
{
	for (size_t i = 0; i < G_N_ELEMENTS(element_packages); i++)
		if (strcmp(element_packages[i].element, element) == 0)
			return element_packages[i].package;
	return "the GStreamer plugin that provides it";
}

static int element_missing(const char *element, GError **error)
{
	g_set_error(error, HAL_AUDIO_ERROR, ENOENT,
		    "audio: GStreamer element %s is missing; install %s", element,
		    element_package(element));
	return -ENOENT;
}

static int element_check(const char *element, GError **error)
{
	GstElementFactory *f = gst_element_factory_find(element);

	if (!f)
		return element_missing(element, error);
	gst_object_unref(f);
	return 0;
}

/* Makes @element and puts it into @bin, which then owns it. */
static GstElement *element_add(GstBin *bin, const char *element, const char *name, GError **error)
{
	GstElement *e = gst_element_factory_make(element, name);

	if (!e) {
		element_missing(element, error);
		return NULL;
	}
	gst_bin_add(bin, e);
	return e;
}

static int errno_from_gst(const GError *e)
{
	if (e->domain == GST_RESOURCE_ERROR) {
		switch (e->code) {
		case GST_RESOURCE_ERROR_NOT_FOUND:
			return ENOENT;
		case GST_RESOURCE_ERROR_BUSY:
			return EBUSY;
		case GST_RESOURCE_ERROR_NOT_AUTHORIZED:
			return EACCES;
		case GST_RESOURCE_ERROR_NO_SPACE_LEFT:
			return ENOSPC;
		default:
			break;
		}
	}
	if (e->domain == GST_CORE_ERROR && e->code == GST_CORE_ERROR_MISSING_PLUGIN)
		return ENOENT;
	return EIO;
}

static int gst_audio_open(const struct hal_audio_config *cfg, struct hal_audio **ret,
			  GError **error)
{
	const char *const *elements;
	struct audio_gst *a;
	GError *init_error = NULL;
	size_t n;
	int r;

	/* Safe to call again and from any thread: GStreamer guards it. */
	if (!gst_init_check(NULL, NULL, &init_error)) {
		g_set_error(error, HAL_AUDIO_ERROR, EIO, "audio: GStreamer could not start: %s",
			    init_error->message);
		g_error_free(init_error);
		return -EIO;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(common_elements); i++) {
		r = element_check(common_elements[i], error);
		if (r < 0)
			return r;
	}
	elements = sink_elements(cfg->sink, &n);
	for (size_t i = 0; i < n; i++) {
		r = element_check(elements[i], error);
		if (r < 0)
			return r;
	}
	if (cfg->sink == HAL_AUDIO_WAV && g_mkdir_with_parents(cfg->wav_dir, 0755) < 0) {
		r = -errno;
		g_set_error(error, HAL_AUDIO_ERROR, -r, "audio: cannot create %s: %s; %s",
			    cfg->wav_dir, g_strerror(-r), sink_advice(cfg->sink));
		return r;
	}

	a = g_new0(struct audio_gst, 1);
	a->sink = cfg->sink;
	a->device = g_strdup(cfg->device);
	a->wav_dir = g_strdup(cfg->wav_dir);
	a->volume = cfg->volume;
	a->cancel = cfg->cancel;
	*ret = &a->base;
	return 0;
}

/* The wav sink: the clip goes to a file through wavenc, and to a fakesink
 * that keeps the time.  filesink cannot keep it however it syncs: wavenc
 * sends a byte segment and, at EOS, seeks back to rewrite the header, so
 * filesink's EOS has no running time to wait for.  The pipeline posts EOS
 * only once both sinks have, that is once the fakesink reached the end of
 * the clip.  The queues give each branch its thread, so neither sink blocks
 * the other's preroll. */
static int wav_sink_add(GstBin *bin, const char *path, GstElement **ret_first,
			GstElement *parts[SINK_PARTS], GError **error)
{
	GstElement *tee, *file_queue, *enc, *file, *clock_queue, *clock;

	if (!(tee = element_add(bin, "tee", "sink-tee", error)) ||
	    !(file_queue = element_add(bin, "queue", "sink-file-queue", error)) ||
	    !(enc = element_add(bin, "wavenc", "sink-wavenc", error)) ||
	    !(file = element_add(bin, "filesink", "sink-file", error)) ||
	    !(clock_queue = element_add(bin, "queue", "sink-clock-queue", error)) ||
	    !(clock = element_add(bin, "fakesink", "sink-clock", error)))
		return -ENOENT;
	g_object_set(file, "location", path, NULL);
	g_object_set(clock, "sync", TRUE, NULL);
	if (!gst_element_link_many(tee, file_queue, enc, file, NULL) ||
	    !gst_element_link_many(tee, clock_queue, clock, NULL))
		return -EIO;
	parts[0] = enc;
	parts[1] = file;
	parts[2] = clock;
	*ret_first = tee;
	return 0;
}

/* Adds the sink's elements to @bin and links @from to them; @ret_parts
 * gets those that may fail, for error messages (NULL-terminated). */
static int sink_add(struct audio_gst *a, GstBin *bin, GstElement *from, const char *path,
		    GstElement *ret_parts[SINK_PARTS], GError **error)
{
	GstElement *sink = NULL;
	int r;

	memset(ret_parts, 0, SINK_PARTS * sizeof(*ret_parts));
	switch (a->sink) {
	case HAL_AUDIO_WAV:
		r = wav_sink_add(bin, path, &sink, ret_parts, error);
		if (r == -ENOENT)
			return r;
		break;
	case HAL_AUDIO_ALSA:
		sink = element_add(bin, "alsasink", "sink", error);
		if (sink && a->device)
			g_object_set(sink, "device", a->device, NULL);
		break;
	case HAL_AUDIO_PULSE:
		sink = element_add(bin, "pulsesink", "sink", error);
		break;
	case HAL_AUDIO_NONE:
		sink = element_add(bin, "fakesink", "sink", error);
		if (sink)
			g_object_set(sink, "sync", TRUE, NULL);
		break;
	case HAL_AUDIO_AUTO:
	default:
		sink = element_add(bin, "autoaudiosink", "sink", error);
		break;
	}
	if (!sink && a->sink != HAL_AUDIO_WAV)
		return -ENOENT; /* element_add() said which */
	if (!sink || !gst_element_link(from, sink)) {
		g_set_error(error, HAL_AUDIO_ERROR, EIO,
			    "audio: the %s sink cannot be linked into the pipeline",
			    hal_audio_sink_name(a->sink));
		return -EIO;
	}
	if (!ret_parts[0])
		ret_parts[0] = sink;
	return 0;
}

/* A pipeline from appsrc to the sink, in state NULL. */
static int pipeline_new(struct audio_gst *a, unsigned rate, const char *path,
			GstElement **ret_pipeline, GstElement **ret_src,
			GstElement *ret_sink[SINK_PARTS], GError **error)
{
	GstElement *pipeline = gst_pipeline_new("audio");
	GstElement *src, *convert, *resample, *volume;
	GstCaps *caps;
	int r = -ENOENT;

	if (!(src = element_add(GST_BIN(pipeline), "appsrc", "src", error)) ||
	    !(convert = element_add(GST_BIN(pipeline), "audioconvert", "convert", error)) ||
	    !(resample = element_add(GST_BIN(pipeline), "audioresample", "resample", error)) ||
	    !(volume = element_add(GST_BIN(pipeline), "volume", "volume", error)))
		goto unref_pipeline;

	caps = gst_caps_new_simple("audio/x-raw", "format", G_TYPE_STRING,
				   G_BYTE_ORDER == G_LITTLE_ENDIAN ? "S16LE" : "S16BE", "rate",
				   G_TYPE_INT, (int)rate, "channels", G_TYPE_INT, 1, "layout",
				   G_TYPE_STRING, "interleaved", NULL);
	/* max-bytes 0: the whole clip is queued at once, never "enough data". */
	g_object_set(src, "caps", caps, "format", GST_FORMAT_TIME, "max-bytes", (guint64)0, NULL);
	gst_caps_unref(caps);
	g_object_set(volume, "volume", a->volume, NULL);

	if (!gst_element_link_many(src, convert, resample, volume, NULL)) {
		g_set_error(
		    error, HAL_AUDIO_ERROR, EIO,
		    "audio: appsrc ! audioconvert ! audioresample ! volume cannot be linked");
		r = -EIO;
		goto unref_pipeline;
	}
	r = sink_add(a, GST_BIN(pipeline), volume, path, ret_sink, error);
	if (r < 0)
		goto unref_pipeline;
	*ret_pipeline = pipeline;
	*ret_src = src;
	return 0;

unref_pipeline:
	gst_object_unref(pipeline);
	return r;
}

/* Is @obj one of the sink's elements, or inside one (autoaudiosink's
 * actual sink)? */
static gboolean from_sink(GstObject *obj, GstElement *const sink[SINK_PARTS])
{
	for (size_t i = 0; i < SINK_PARTS && sink[i]; i++)
		if (obj == GST_OBJECT(sink[i]) ||
		    gst_object_has_as_ancestor(obj, GST_OBJECT(sink[i])))
			return TRUE;
	return FALSE;
}

/* autoaudiosink settles for a fakesink, silently, when none of the sinks it
 * tries (PulseAudio, JACK, ALSA, OSS) will open: a kiosk that announces to
 * nobody.  Its choice is made on the way to READY. */
static gboolean auto_sink_is_fake(GstElement *sink)
{
	GValue item = G_VALUE_INIT;
	gboolean fake = FALSE;
	GstIterator *it;

	if (!GST_IS_BIN(sink))
		return FALSE;
	it = gst_bin_iterate_elements(GST_BIN(sink));
	while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
		GstElementFactory *f = gst_element_get_factory(g_value_get_object(&item));

		if (f && strcmp(GST_OBJECT_NAME(f), "fakesink") == 0)
			fake = TRUE;
		g_value_reset(&item);
	}
	g_value_unset(&item);
	gst_iterator_free(it);
	return fake;
}

/* GStreamer's message without its closing full stop, to go mid-sentence. */
static char *gst_error_text(const GError *e)
{
	char *text = g_strstrip(g_strdup(e->message));
	size_t len = strlen(text);

	if (len && text[len - 1] == '.')
		text[len - 1] = '\0';
	return text;
}

/* Turns the bus's ERROR message into -errno and a GError naming the part. */
static int play_error(struct audio_gst *a, GstMessage *msg, GstElement *const sink[SINK_PARTS],
		      const char *label, const char *path, gboolean started, GError **error)
{
	g_autofree char *where = NULL, *debug = NULL, *text = NULL;
	GError *gst_error = NULL;
	int r;

	if (!msg) {
		g_set_error(error, HAL_AUDIO_ERROR, EIO,
			    "audio: the %s sink could not start and said nothing; %s",
			    hal_audio_sink_name(a->sink), sink_advice(a->sink));
		return -EIO;
	}
	gst_message_parse_error(msg, &gst_error, &debug);
	g_debug("audio: clip %s: %s: %s (%s)", label, GST_MESSAGE_SRC_NAME(msg), gst_error->message,
		debug ? debug : "");
	r = errno_from_gst(gst_error);
	text = gst_error_text(gst_error);
	if (!from_sink(GST_MESSAGE_SRC(msg), sink)) {
		g_set_error(error, HAL_AUDIO_ERROR, r, "audio: clip %s failed in %s: %s", label,
			    GST_MESSAGE_SRC_NAME(msg), text);
		g_error_free(gst_error);
		return -r;
	}
	if (a->sink == HAL_AUDIO_ALSA)
		where = g_strdup_printf(" (%s)", a->device ? a->device : "default");
	else if (a->sink == HAL_AUDIO_WAV)
		where = g_strdup_printf(" (%s)", path);
	g_set_error(error, HAL_AUDIO_ERROR, r, "audio: the %s sink %s%s: %s; %s",
		    hal_audio_sink_name(a->sink),
		    started ? "failed while playing" : "could not start", where ? where : "", text,
		    sink_advice(a->sink));
	g_error_free(gst_error);
	return -r;
}

/* EOS or ERROR within @timeout, or NULL; without a cancellable in one
 * wait, with one in slices of CUT_SLICE that look at it in between. */
#define CUT_SLICE (50 * GST_MSECOND)
static GstMessage *play_wait(struct audio_gst *a, GstBus *bus, GstClockTime timeout)
{
	GstMessageType types = GST_MESSAGE_EOS | GST_MESSAGE_ERROR;
	GstClockTime waited = 0;

	if (!a->cancel)
		return gst_bus_timed_pop_filtered(bus, timeout, types);
	while (waited < timeout && !g_cancellable_is_cancelled(a->cancel)) {
		GstMessage *msg = gst_bus_timed_pop_filtered(bus, CUT_SLICE, types);

		if (msg)
			return msg;
		waited += CUT_SLICE;
	}
	return NULL;
}

static int gst_audio_play(struct hal_audio *base, const int16_t *pcm, size_t n_samples,
			  unsigned rate, const char *label, GError **error)
{
	struct audio_gst *a = (struct audio_gst *)base;
	GstClockTime duration = gst_util_uint64_scale(n_samples, GST_SECOND, rate);
	GstElement *pipeline, *src, *sink[SINK_PARTS];
	g_autofree char *path = NULL;
	GstMessage *msg = NULL;
	GstBuffer *buffer;
	gboolean started;
	GstBus *bus;
	int r;

	if (a->sink == HAL_AUDIO_WAV) {
		g_autofree char *file = g_strconcat(label, ".wav", NULL);

		path = g_build_filename(a->wav_dir, file, NULL);
	}
	r = pipeline_new(a, rate, path, &pipeline, &src, sink, error);
	if (r < 0)
		return r;
	bus = gst_element_get_bus(pipeline);

	/* PLAYING first: appsrc is started on the way through PAUSED, while the
	 * sink waits to preroll on the buffer pushed next. */
	started = gst_element_set_state(pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE;
	if (!started) {
		msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
		r = play_error(a, msg, sink, label, path, FALSE, error);
		goto stop_pipeline;
	}
	if (a->sink == HAL_AUDIO_AUTO && auto_sink_is_fake(sink[0])) {
		g_set_error(error, HAL_AUDIO_ERROR, ENODEV,
			    "audio: the auto sink found no sound card or sound server that would "
			    "open; %s",
			    sink_advice(a->sink));
		r = -ENODEV;
		goto stop_pipeline;
	}

	buffer = gst_buffer_new_memdup(pcm, n_samples * sizeof(*pcm));
	GST_BUFFER_PTS(buffer) = 0;
	GST_BUFFER_DURATION(buffer) = duration;
	gst_app_src_push_buffer(GST_APP_SRC(src), buffer); /* takes the buffer */
	gst_app_src_end_of_stream(GST_APP_SRC(src));

	msg = play_wait(a, bus, duration + PLAY_SLACK);
	if (!msg && a->cancel && g_cancellable_is_cancelled(a->cancel)) {
		g_set_error(error, HAL_AUDIO_ERROR, ECANCELED, "audio: clip %s cut short", label);
		r = -ECANCELED;
	} else if (!msg) {
		g_set_error(
		    error, HAL_AUDIO_ERROR, ETIMEDOUT,
		    "audio: the %s sink did not finish clip %s (%.1f s) within %.0f s more; %s",
		    hal_audio_sink_name(a->sink), label, (double)duration / GST_SECOND,
		    (double)PLAY_SLACK / GST_SECOND, sink_advice(a->sink));
		r = -ETIMEDOUT;
	} else if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
		r = play_error(a, msg, sink, label, path, TRUE, error);
	} else {
		r = 0;
	}

stop_pipeline:
	gst_element_set_state(pipeline, GST_STATE_NULL);
	if (msg)
		gst_message_unref(msg);
	gst_object_unref(bus);
	gst_object_unref(pipeline);
	return r;
}

static void gst_audio_close(struct hal_audio *base)
{
	struct audio_gst *a = (struct audio_gst *)base;

	g_free(a->device);
	g_free(a->wav_dir);
	g_free(a);
}

const struct hal_audio_ops hal_audio_gst_ops = {
    .name = "gst",
    .open = gst_audio_open,
    .play = gst_audio_play,
    .close = gst_audio_close,
};
