/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * booth: remote-service booths and their video sessions.
 *
 * A booth is a counter of kind expert.  An expert of provider P calls the
 * next customer of P's remote services into a free booth; the booth's
 * session then runs
 *
 *   waiting → ringing → connecting → live → ended
 *
 * waiting: the customer is called (displays, announcer), the pipeline
 * starts; ringing: the offer went to the expert's browser; connecting: its
 * answer came, ICE and DTLS run; live: media flows (the service started);
 * ended, with a reason: expert_ended, customer_left (the door input or the
 * booth screen), network_lost (after the reconnect window), no_answer (the
 * browser did not answer in time) or error (a part failed: camera,
 * microphone, …).  Every change is written to the sessions table (and
 * session_events) before anybody is told.  The queue sees the session as a
 * counter's visit: open + call at the start, start when live, end (or, when
 * the session broke before the service, the ticket back to the front of its
 * line) and close at the end.
 *
 * Signalling: the expert's browser holds a WebSocket (the API's); the booth
 * talks to it through an opaque peer handle and the send function given at
 * booths_new.  The booth prepares its next pipeline while idle, so a missing
 * camera is a booth fault (with the part named) before anybody calls.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "bus.h"
#include "config.h"
#include "desk.h"
#include "session_state.h"

struct booths;

/* Sends @json (a text frame) to the expert's socket @peer. */
typedef void (*booths_send_fn)(gpointer peer, const char *json, gpointer data);

struct booths *booths_new(const struct config *cfg, struct desk *desk, struct bus *bus,
			  booths_send_fn send, gpointer send_data);
void booths_free(struct booths *b);
typedef struct booths Booths; /* for g_autoptr(Booths) only */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Booths, booths_free)

/* Bus topic "session.changed" (payload: const int *booth id) after every
 * change of a booth or its session, already durable. */

/* What a call brings besides its peer (NULL: a local expert's call). */
struct booths_call_opts {
	/* The ICE servers (browser form: [{urls, username?, credential?}]) for
	 * this session: its webrtcbin gets their TURN entries and the offer
	 * carries them instead of board-config's.  NULL: board-config's. */
	JsonArray *ice_servers;
	/* A session through the hub: a data channel "vuoro" is opened before
	 * the offer and the identity's name and code go over it only; the
	 * signalling carries the result without them. */
	gboolean data_channel;
};

/* The expert @user of @provider calls @ticket (0: the next one of the
 * provider's remote services) into @booth_id (0: the first free booth that
 * serves the provider), with signalling over @peer.  Returns the session id
 * (> 0) or a negative errno with @error saying what to do. */
int64_t booths_call(struct booths *b, const char *user, const char *provider, int booth_id,
		    uint32_t ticket, gpointer peer, const struct booths_call_opts *opts,
		    GError **error);
/* Whether booth @booth_id has a service of @provider in its profile. */
gboolean booths_booth_serves(struct booths *b, int booth_id, const char *provider);
/* How many running sessions have @peer as their expert's signalling. */
guint booths_peer_sessions(struct booths *b, gpointer peer);
/* The expert ends session @id: @outcome (-1 resolved) and @category (may be
 * NULL) go to the visit. */
int booths_end(struct booths *b, int64_t id, const char *user, int outcome, const char *category,
	       GError **error);
/* The customer leaves booth @booth_id (the booth screen's button). */
int booths_leave(struct booths *b, int booth_id, GError **error);
/* A message from the expert to the customer: a template ("show_id", …) the
 * booth screen says in the customer's language, or a short text. */
int booths_message(struct booths *b, int64_t id, const char *user, const char *template_name,
		   const char *text, GError **error);
int booths_document(struct booths *b, int64_t id, const char *user, gboolean on, GError **error);
/* Asks the customer for consent to record (booth recording = ask). */
int booths_ask_consent(struct booths *b, int64_t id, const char *user, GError **error);
/* The customer's answer on the booth screen. */
int booths_consent(struct booths *b, int booth_id, gboolean given, GError **error);
/* Real-time text (T.140, RFC 8865; see rtt.h): the customer typed @text
 * (a burst, BACKSPACE and LINE SEPARATOR included) on booth @booth_id's
 * screen; it goes to the expert over the session's "t140" data channel.
 * The expert's text comes back on bus topic "booth.text" (payload: const
 * int *booth id); booths_text_of() reads it (valid until the next change).
 * The text is kept for the session only, and written next to its recording
 * when the customer consented to one. */
int booths_text(struct booths *b, int booth_id, const char *text, GError **error);
int booths_text_of(struct booths *b, int booth_id, int64_t *ret_session, const char **ret_text);
/* The expert asks the customer to identify with the ID card (@ask), or
 * takes it back: the booth screen shows its PIN pad while asked. */
int booths_ask_identity(struct booths *b, int64_t id, const char *user, gboolean ask,
			GError **error);
/* The customer said "not now" on the booth screen. */
int booths_identity_declined(struct booths *b, int booth_id, GError **error);
/* An identity check's result for the session at @booth_id: @result is a
 * JSON object, kept for the views; @for_expert (NULL: @result) is what the
 * expert's socket gets — with the identity code, which no view carries. */
void booths_identity(struct booths *b, int booth_id, JsonNode *result, JsonNode *for_expert);

/* Signalling from the expert's socket: answer, ice, resume (a new offer),
 * attach (take a live session over as it is: its media never broke). */
int booths_signal(struct booths *b, gpointer peer, const char *user, JsonObject *msg,
		  GError **error);
/* The socket closed: its sessions wait for the expert to come back. */
void booths_peer_gone(struct booths *b, gpointer peer);

/* Tries to prepare the booth's pipeline again now (a technician plugged
 * the camera back); 0 when it is ready. */
int booths_check(struct booths *b, int booth_id, GError **error);
/* Sim board: makes a part fail as if unplugged ("camera", "microphone"). */
int booths_sim_unplug(struct booths *b, int booth_id, const char *part, GError **error);

/* The booth's screen wants JPEGs of the expert's video. */
typedef void (*booths_jpeg_fn)(int booth_id, GBytes *jpeg, gpointer data);
void booths_set_jpeg_sink(struct booths *b, booths_jpeg_fn fn, gpointer data);
void booths_screen_wanted(struct booths *b, int booth_id, gboolean wanted);

/* The providers whose services booth @booth_id's profile has, as a JSON
 * array of codes (each once) into @jb. */
void booths_build_providers(struct booths *b, int booth_id, JsonBuilder *jb);

/* JSON views: every booth (@full: with session detail for staff) or one. */
void booths_build(struct booths *b, JsonBuilder *jb, gboolean full);
int booths_build_one(struct booths *b, int booth_id, JsonBuilder *jb, gboolean full);
/* Booth faults for /api/health: "booth 4: camera …" lines. */
void booths_faults(struct booths *b, GPtrArray *faults);
/* What is wrong with booth @booth_id (it is out of order), or NULL. */
const char *booths_fault_of(struct booths *b, int booth_id);
/* Deletes recordings older than the retention; returns how many. */
int booths_prune_recordings(struct booths *b);
gboolean booths_is_booth(struct booths *b, int booth_id);
/* Whether a booth whose profile has @service is in order (busy or free): its
 * line is served.  Whether an expert is signed in is not known here; a booth
 * out of order (a fault) serves nobody. */
gboolean booths_serve(struct booths *b, int service);

/* The running session of booth @booth_id: -ENOENT when there is none. */
struct booths_session_info {
	int64_t session;
	uint32_t ticket;
	int32_t day;
	const char *expert; /* valid until the session changes */
	const char *code;   /* the ticket's code, likewise */
	const char *state;  /* ringing, connecting, live, … */
	gboolean hub;       /* called through the hub (booths_call_opts.data_channel) */
	uint8_t lang;
};
int booths_session_of(struct booths *b, int booth_id, struct booths_session_info *ret);
/* The booth of running session @id, or -ENOENT. */
int booths_booth_of_session(struct booths *b, int64_t id);
