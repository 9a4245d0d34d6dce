/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * media: one booth's WebRTC pipeline (GStreamer webrtcbin).
 *
 *   camera ─ convert ─ VP8/H.264 ─┐
 *   microphone ─ Opus ────────────┼─ webrtcbin ─┬─ expert's video → screen (MJPEG for /booth)
 *   document camera (gated) ──────┘             └─ expert's audio → speaker
 *
 * A media object is built ahead of a call (media_new: the pipeline in READY,
 * which opens the camera, so a missing one is known before anybody calls)
 * and used for one session.  webrtcbin joins it when the session first
 * needs it (media_add_turn, media_open_channel or media_start): with libnice
 * and what that loads it is some 5 MB an idle booth need not hold.
 * media_start sets it playing and makes the offer;
 * the answer and the peer's ICE candidates come back through media_answer and
 * media_add_ice.  Everything GStreamer reports from its threads reaches the
 * callbacks on the main loop, never from inside a media_* call.  media_free
 * stops the pipeline and joins its threads.  The media object knows nothing
 * of queues, tickets or experts: booth.c does.
 */
#pragma once

#include <glib.h>
#include <stdint.h>

#include "config.h"

struct media;

enum media_part {
	MEDIA_PART_NONE = 0,
	MEDIA_PART_CAMERA,
	MEDIA_PART_DOCUMENT_CAMERA,
	MEDIA_PART_MICROPHONE,
	MEDIA_PART_SPEAKER,
	MEDIA_PART_SCREEN,
	MEDIA_PART_NETWORK,
	MEDIA_PART_RECORDER,
};

enum media_link {
	MEDIA_LINK_NEW = 0,
	MEDIA_LINK_CONNECTING,
	MEDIA_LINK_CONNECTED,
	MEDIA_LINK_DISCONNECTED, /* may come back by itself */
	MEDIA_LINK_FAILED,
	MEDIA_LINK_CLOSED,
};

#define MEDIA_BEEPS 16

struct media_stats {
	uint64_t video_in_frames; /* decoded frames from the expert */
	uint64_t audio_in_buffers;
	uint64_t video_out_frames; /* encoded frames of the booth camera */
	uint64_t document_frames;
	uint64_t screen_frames; /* JPEGs of the expert handed to the booth screen */
	/* speaker = test: when the last beeps of the expert were played
	 * (g_get_real_time, µs), oldest first; 0 unused */
	int64_t beeps_played_us[MEDIA_BEEPS];
	int64_t first_video_in_us; /* monotonic time of the first decoded frame, 0 none */
	gboolean document_on;
	gboolean recording;
};

struct media_callbacks {
	/* The local description to send to the peer. */
	void (*offer)(const char *sdp, gpointer data);
	void (*ice)(guint mline, const char *candidate, gpointer data);
	void (*link)(enum media_link link, gpointer data);
	/* The first decoded video frame from the peer. */
	void (*first_frame)(gpointer data);
	/* A part failed: the session cannot go on.  @message says what to do. */
	void (*error)(enum media_part part, const char *message, gpointer data);
	/* A JPEG of the peer's video (screen = page), at most one pending. */
	void (*jpeg)(GBytes *jpeg, gpointer data);
	/* A T.140 burst from the peer (UTF-8, as sent: see rtt.h). */
	void (*text)(const char *text, gpointer data);
};

/* Checks a part's "scheme:arg" against what GStreamer has here (elements
 * installed, device present); -ENOENT / -ENODEV with @error set. */
int media_check_part(const char *spec, enum media_part part, GError **error);
const char *media_part_name(enum media_part part);
const char *media_link_name(enum media_link link);

/* Builds the pipeline of @booth and brings it to READY.  NULL with @error
 * naming the part (camera missing, an element not installed). */
struct media *media_new(const struct config *cfg, const struct config_counter *booth,
			const struct media_callbacks *cb, gpointer data, enum media_part *ret_part,
			GError **error);
void media_free(struct media *m);
typedef struct media Media; /* for g_autoptr(Media) only */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Media, media_free)

/* A TURN server for this session only, "turn(s)://USER:PASS@HOST:PORT"
 * (USER and PASS percent-escaped); before media_start. */
int media_add_turn(struct media *m, const char *uri, GError **error);
/* Opens the data channel "vuoro" (ordered, reliable); before media_start,
 * so that the offer has it. */
int media_open_channel(struct media *m, GError **error);
/* Sends @text over the data channel once it is open (kept until then; a
 * later text replaces one not yet sent).  -ENOTCONN without a channel. */
int media_channel_send(struct media *m, const char *text);

/* Sends a T.140 burst over the real-time text channel ("t140", protocol
 * t140, RFC 8865), which media_start opens in every session; kept until the
 * channel opens.  -ENOTCONN when it is closed. */
int media_text_send(struct media *m, const char *text);

int media_start(struct media *m, GError **error);
int media_answer(struct media *m, const char *sdp, GError **error);
int media_add_ice(struct media *m, guint mline, const char *candidate, GError **error);
/* The document camera's track: off until the expert asks. */
void media_document(struct media *m, gboolean on);
/* Whether the screen branch makes JPEGs (only while somebody watches). */
void media_screen_wanted(struct media *m, gboolean wanted);
/* Records both directions into a Matroska file at @path from now on. */
int media_record(struct media *m, const char *path, GError **error);
void media_stats(struct media *m, struct media_stats *ret);
const char *media_codec_name(const struct media *m);

/* GStreamer 1.22's rtpsession raises one harmless GLib critical on its RTCP
 * thread in some sessions (media.c says which and why): under
 * G_DEBUG=fatal-criticals that one does not abort.  Call after gst_init. */
void media_tolerate_rtpsession_race(void);

/* The DTLS certificate takes a second to make; webrtcbin makes it once per
 * process, in its first session.  Call at start-up: it is made on the
 * returned thread (join it before exit) so that the first call does not wait. */
GThread *media_prepare_certificate(void);
