/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * booth: remote-service booths and their video sessions (see booth.h).
 *
 * Each change follows one path: session_set_state() asks the state machine
 * (session_state.h) whether it is legal, writes the sessions row (and its
 * event), then tells the expert's socket, then the bus; a refused or failed
 * write changes nothing and is said to the caller.  Events (consent,
 * message, document, …) are written before the session changes in memory.
 * What cannot wait for a caller (a media callback, a timer) and cannot be
 * stored ends the session with reason error.  An end somebody asked for is
 * stored before the media stops, or refused.  One exception: an end that
 * cannot wait (the ring timer, a broken part) and cannot be stored still
 * ends the session in memory — its media is gone — and says so; the row is
 * closed as interrupted at the next start (store_sessions_interrupted).  The queue commands go
 * through desk_exec, which is durable before it returns; the END of a session's visit carries its
 * category, session and consent into the same transaction. Timers: ring (the browser must answer),
 * connect (ICE/DTLS must finish), reconnect (a lost link or socket may come back); each session has
 * at most one running.
 */

#include "booth.h"
#include "gst_plugins.h"
#include "json.h"

#include <errno.h>
#include <malloc.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <string.h>

#include "panel.h"
#include "media.h"
#include "rtt.h"
#include "store.h"

#define BOOTH_RETRY_S       10 /* a faulty booth tries its pipeline again */
#define BOOTH_MESSAGE_MAX   280
#define BOOTH_PRUNE_EVERY_S 3600

GQuark booth_error_quark(void);
G_DEFINE_QUARK(vuoro - booth - error - quark, booth_error)
#define BOOTH_ERROR (booth_error_quark())

struct session {
	int64_t id;
	uint32_t ticket;
	char code[QUEUE_CODE_LEN];
	int16_t service;
	uint8_t lang;
	char *expert;
	char *provider;
	enum session_state state;
	enum session_end reason;
	char *error;
	gpointer peer;    /* the expert's socket; NULL while it is away */
	guint timer;      /* ring, connect or reconnect */
	gboolean started; /* the queue was told the service started */
	gboolean reconnecting;
	enum media_link link; /* the media's last word on its connection */
	guint watch;          /* while live: is anything coming from the expert? */
	uint64_t watch_count; /* frames + audio buffers from the expert, last seen */
	int64_t watch_at_us;  /* when that count last grew (monotonic) */
	gboolean watch_lost;  /* the watch, not the link, said the session was lost */
	char *consent;        /* not_asked, asked, given, refused */
	char *recording;
	char *message_template;
	char *message_text;
	int64_t message_at;
	gboolean document;
	JsonNode *identity;      /* the last identity check's result, NULL none */
	gboolean identity_asked; /* the expert asked for the ID card */
	int64_t called_us;       /* monotonic, for the expert's timing */
	JsonNode *ice_servers;   /* the call's (an array), NULL: board-config's */
	gboolean channel;        /* through the hub: identity over the data channel */
	struct rtt *rtt;         /* the real-time text of both sides, this session only */
};

struct booth {
	struct booths *owner;
	const struct config_counter *cc;
	struct media *media; /* prepared for the next call, or in use */
	char *fault;         /* NULL: ready */
	enum media_part fault_part;
	guint retry;
	struct session *session;
	/* The last session that ended, for the booth screen's thanks. */
	int64_t last_id;
	char last_code[QUEUE_CODE_LEN];
	enum session_end last_reason;
	int64_t last_at;
	uint8_t last_lang;
	gboolean screen_wanted;
};

struct booths {
	const struct config *cfg;
	struct desk *desk;
	struct bus *bus;
	booths_send_fn send;
	gpointer send_data;
	GPtrArray *booths; /* of struct booth * */
	guint door_sub;
	guint prune_timer;
	GThread *certificate; /* making the DTLS certificate; joined at the end */
	booths_jpeg_fn jpeg_fn;
	gpointer jpeg_data;
	struct queue_result res;
};

/* Message templates the booth screen says in the customer's language. */
static const char *const message_templates[] = {
    "show_id", "show_document", "use_card", "wait", "speak_louder", "thanks", NULL,
};

static int64_t booths_now(struct booths *b)
{
	struct queue_time t;

	desk_time(b->desk, &t);
	return t.now;
}

static struct booth *booth_find(struct booths *b, int id)
{
	for (guint i = 0; i < b->booths->len; i++) {
		struct booth *bo = g_ptr_array_index(b->booths, i);

		if (bo->cc->id == id)
			return bo;
	}
	return NULL;
}

static struct booth *booth_of_session(struct booths *b, int64_t id)
{
	for (guint i = 0; i < b->booths->len; i++) {
		struct booth *bo = g_ptr_array_index(b->booths, i);

		if (bo->session && bo->session->id == id)
			return bo;
	}
	return NULL;
}

static void session_free(struct session *s)
{
	if (s->watch)
		g_source_remove(s->watch);
	if (s->timer)
		g_source_remove(s->timer);
	g_free(s->expert);
	g_free(s->provider);
	g_free(s->error);
	g_free(s->consent);
	g_free(s->recording);
	rtt_free(s->rtt);
	g_free(s->message_template);
	g_free(s->message_text);
	if (s->identity)
		json_node_unref(s->identity);
	if (s->ice_servers)
		json_node_unref(s->ice_servers);
	g_free(s);
}

static void booth_changed(struct booth *bo)
{
	int id = bo->cc->id;

	bus_publish(bo->owner->bus, "session.changed", &id);
}

/* ---------------------------------------------------------------------- */
/* To the expert */

static void send_builder(struct booths *b, gpointer peer, JsonBuilder *jb)
{
	g_autoptr(JsonNode) node = json_builder_get_root(jb);
	g_autofree char *text = json_to_string(node, FALSE);

	if (peer)
		b->send(peer, text, b->send_data);
}

static void tell_expert_state(struct booth *bo)
{
	struct session *s = bo->session;
	g_autoptr(JsonBuilder) jb = json_builder_new();

	json_builder_begin_object(jb);
	web_json_add_str(jb, "type", "state");
	web_json_add_int(jb, "session", s->id);
	web_json_add_int(jb, "booth", bo->cc->id);
	web_json_add_str(jb, "state", session_state_name(s->state));
	web_json_add_str(jb, "reason", session_end_name(s->reason));
	web_json_add_str(jb, "error", s->error);
	json_builder_end_object(jb);
	send_builder(bo->owner, s->peer, jb);
}

/* The ICE servers of board-config in the browser's form. */
static void build_ice_servers(const struct config *cfg, JsonBuilder *jb)
{
	json_builder_begin_array(jb);
	if (cfg->stun_server) {
		/* stun://HOST:PORT is stun:HOST:PORT to a browser */
		g_autofree char *urls =
		    g_strdup_printf("stun:%s", cfg->stun_server + strlen("stun://"));

		json_builder_begin_object(jb);
		web_json_add_str(jb, "urls", urls);
		json_builder_end_object(jb);
	}
	for (char **t = cfg->turn_servers; t && *t; t++) {
		g_autoptr(GUri) uri = g_uri_parse(*t, G_URI_FLAGS_HAS_PASSWORD, NULL);
		g_autofree char *urls = NULL;

		if (!uri)
			continue;
		urls = g_strdup_printf("%s:%s:%d", g_uri_get_scheme(uri), g_uri_get_host(uri),
				       g_uri_get_port(uri) > 0 ? g_uri_get_port(uri) : 3478);
		json_builder_begin_object(jb);
		web_json_add_str(jb, "urls", urls);
		web_json_add_str(jb, "username", g_uri_get_user(uri));
		web_json_add_str(jb, "credential", g_uri_get_password(uri));
		json_builder_end_object(jb);
	}
	json_builder_end_array(jb);
}

/* ---------------------------------------------------------------------- */
/* States */

/* The one way a session changes state: legal, then durable, then in
 * memory; nobody is told yet.  Returns 0, or a negative errno with @error
 * and the session unchanged. */
static int session_record_state(struct booth *bo, enum session_state state, enum session_end reason,
				const char *error_text, GError **error)
{
	struct session *s = bo->session;
	g_autoptr(GError) why = NULL;
	int rc;

	rc = session_transition_check(s->state, state, reason, &why);
	if (rc == 0)
		rc = store_session_state(desk_store(bo->owner->desk), s->id,
					 session_state_name(state), session_end_name(reason),
					 error_text, booths_now(bo->owner), &why);
	if (rc < 0) {
		g_warning("booth %d: session %" G_GINT64_FORMAT " stays %s: %s", bo->cc->id, s->id,
			  session_state_name(s->state), why->message);
		g_propagate_error(error, g_steal_pointer(&why));
		return rc;
	}
	s->state = state;
	if (reason)
		s->reason = reason;
	if (error_text && !s->error)
		s->error = g_strdup(error_text);
	return 0;
}

/* session_record_state, then the expert's socket and the bus are told. */
static int session_set_state(struct booth *bo, enum session_state state, enum session_end reason,
			     const char *error_text, GError **error)
{
	int rc = session_record_state(bo, state, reason, error_text, error);

	if (rc == 0) {
		tell_expert_state(bo);
		booth_changed(bo);
	}
	return rc;
}

static void booth_prepare(struct booth *bo);
static int session_end(struct booth *bo, enum session_end reason, const char *error_text,
		       GError **error);

/* A change that no caller waits for (a media callback, a timer) could not
 * be made: the session cannot go on unrecorded. */
static void session_fail(struct booth *bo, const GError *why)
{
	g_autofree char *text = g_strdup_printf("the session could not go on: %s", why->message);

	session_end(bo, SESSION_END_ERROR, text, NULL);
}

static gboolean on_timer(gpointer data)
{
	struct booth *bo = data;
	struct session *s = bo->session;

	s->timer = 0;
	switch (s->state) {
	case SESSION_WAITING:
	case SESSION_RINGING:
		session_end(bo, SESSION_END_NO_ANSWER,
			    "the expert's browser did not answer — is the expert page open?", NULL);
		break;
	case SESSION_CONNECTING:
		session_end(bo, s->reconnecting ? SESSION_END_NETWORK_LOST : SESSION_END_ERROR,
			    "no connection to the expert's browser — check the network, or the "
			    "STUN/TURN servers in [webrtc]",
			    NULL);
		break;
	case SESSION_LIVE:
		session_end(bo, SESSION_END_NETWORK_LOST,
			    "the connection to the expert was lost and did not come back", NULL);
		break;
	case SESSION_ENDED:
		break;
	}
	return G_SOURCE_REMOVE;
}

static void session_timer(struct booth *bo, int seconds)
{
	struct session *s = bo->session;

	if (s->timer)
		g_source_remove(s->timer);
	s->timer = seconds ? g_timeout_add_seconds((guint)seconds, on_timer, bo) : 0;
}

/* The link dropped or the expert's socket went: wait for it to come back. */
static void session_lost(struct booth *bo, const char *why)
{
	struct session *s = bo->session;
	g_autoptr(GError) error = NULL;

	if (s->reconnecting || s->state == SESSION_ENDED)
		return;
	g_message("booth %d: session %" G_GINT64_FORMAT ": %s; waiting %d s for it to come back",
		  bo->cc->id, s->id, why, bo->owner->cfg->reconnect_s);
	if (store_session_event(desk_store(bo->owner->desk), s->id, "lost", why,
				booths_now(bo->owner), &error) < 0) {
		session_fail(bo, error);
		return;
	}
	s->reconnecting = TRUE;
	session_timer(bo, bo->owner->cfg->reconnect_s);
	booth_changed(bo);
}

/* ICE and DTLS do not notice a peer that went silent (the expert's network
 * gone: no close, no error), and neither does the signalling socket.  So
 * while a session is live the booth watches what comes from the expert:
 * nothing for [webrtc] media-timeout-seconds is a lost connection (the
 * reconnect window, then network_lost); what comes again within the window
 * brings the session back. */
static gboolean on_watch(gpointer data)
{
	struct booth *bo = data;
	struct session *s = bo->session;
	struct media_stats st;
	g_autoptr(GError) error = NULL;
	int64_t now = g_get_monotonic_time();
	uint64_t count;

	if (!s || s->state != SESSION_LIVE || !bo->media) {
		if (s)
			s->watch = 0;
		return G_SOURCE_REMOVE;
	}
	media_stats(bo->media, &st);
	count = st.video_in_frames + st.audio_in_buffers;
	if (count != s->watch_count) {
		s->watch_count = count;
		s->watch_at_us = now;
		if (s->watch_lost && s->reconnecting) {
			s->watch_lost = FALSE;
			if (store_session_event(desk_store(bo->owner->desk), s->id, "reconnect",
						"the expert's sound and picture came back",
						booths_now(bo->owner), &error) < 0) {
				session_fail(bo, error);
				return G_SOURCE_CONTINUE;
			}
			s->reconnecting = FALSE;
			session_timer(bo, 0);
			booth_changed(bo);
		}
	} else if (!s->reconnecting &&
		   now - s->watch_at_us >= bo->owner->cfg->media_timeout_s * G_USEC_PER_SEC) {
		g_autofree char *why =
		    g_strdup_printf("no sound or picture from the expert for %d s",
				    bo->owner->cfg->media_timeout_s);

		session_lost(bo, why);
		s->watch_lost = s->reconnecting;
	}
	return G_SOURCE_CONTINUE;
}

static void session_watch(struct booth *bo)
{
	struct session *s = bo->session;

	if (s->watch)
		return;
	s->watch_count = 0;
	s->watch_at_us = g_get_monotonic_time();
	s->watch = g_timeout_add(500, on_watch, bo);
}

/* ---------------------------------------------------------------------- */
/* Media callbacks */

static void on_offer(const char *sdp, gpointer data)
{
	struct booth *bo = data;
	struct session *s = bo->session;
	g_autoptr(JsonBuilder) jb = json_builder_new();
	g_autoptr(GError) error = NULL;

	if (!s)
		return;
	/* Ringing is durable before the expert's browser hears of the call. */
	if (s->state == SESSION_WAITING) {
		if (session_set_state(bo, SESSION_RINGING, SESSION_END_NONE, NULL, &error) < 0) {
			session_fail(bo, error);
			return;
		}
		session_timer(bo, bo->owner->cfg->ring_s);
	}
	json_builder_begin_object(jb);
	web_json_add_str(jb, "type", "offer");
	web_json_add_int(jb, "session", s->id);
	web_json_add_int(jb, "booth", bo->cc->id);
	web_json_add_str(jb, "sdp", sdp);
	json_builder_set_member_name(jb, "ice_servers");
	if (s->ice_servers)
		json_builder_add_value(jb, json_node_ref(s->ice_servers));
	else
		build_ice_servers(bo->owner->cfg, jb);
	json_builder_end_object(jb);
	send_builder(bo->owner, s->peer, jb);
}

static void on_ice(guint mline, const char *candidate, gpointer data)
{
	struct booth *bo = data;
	g_autoptr(JsonBuilder) jb = json_builder_new();

	if (!bo->session)
		return;
	json_builder_begin_object(jb);
	web_json_add_str(jb, "type", "ice");
	web_json_add_int(jb, "session", bo->session->id);
	web_json_add_int(jb, "mline", mline);
	web_json_add_str(jb, "candidate", candidate);
	json_builder_end_object(jb);
	send_builder(bo->owner, bo->session->peer, jb);
}

static void session_start_service(struct booth *bo)
{
	struct booths *b = bo->owner;
	struct session *s = bo->session;
	struct queue_cmd cmd = {.type = QUEUE_CMD_START, .counter = (int16_t)bo->cc->id};
	g_autoptr(GError) error = NULL;

	if (s->started)
		return;
	if (desk_exec(b->desk, &cmd, s->expert, &b->res, &error) < 0)
		g_warning("booth %d: the service of %s did not start at the queue: %s", bo->cc->id,
			  s->code, error->message);
	else
		s->started = TRUE;
}

static void on_link(enum media_link link, gpointer data)
{
	struct booth *bo = data;
	struct session *s = bo->session;
	g_autoptr(GError) error = NULL;

	if (!s)
		return;
	/* Once per change (webrtcbin notifies each): the field's record of
	 * how a call's connection came and went. */
	if (link != s->link)
		g_message("booth %d: session %" G_GINT64_FORMAT ": connection %s (%s%s)",
			  bo->cc->id, s->id, media_link_name(link), session_state_name(s->state),
			  s->reconnecting ? ", reconnecting" : "");
	s->link = link;
	switch (link) {
	case MEDIA_LINK_CONNECTED:
		session_timer(bo, 0);
		if (s->reconnecting) {
			if (store_session_event(desk_store(bo->owner->desk), s->id, "reconnect",
						NULL, booths_now(bo->owner), &error) < 0) {
				session_fail(bo, error);
				return;
			}
			s->reconnecting = FALSE;
		}
		if (s->state == SESSION_LIVE)
			booth_changed(bo);
		else if (session_set_state(bo, SESSION_LIVE, SESSION_END_NONE, NULL, &error) < 0) {
			session_fail(bo, error);
			return;
		}
		session_start_service(bo);
		session_watch(bo);
		break;
	case MEDIA_LINK_DISCONNECTED:
	case MEDIA_LINK_FAILED:
		if (s->state == SESSION_LIVE)
			session_lost(bo, link == MEDIA_LINK_FAILED ? "the connection failed"
								   : "the connection dropped");
		else if (s->state == SESSION_CONNECTING && link == MEDIA_LINK_FAILED)
			session_end(bo, SESSION_END_ERROR,
				    "no connection to the expert's browser (ICE failed) — check "
				    "the network, or the STUN/TURN servers in [webrtc]",
				    NULL);
		break;
	default:
		break;
	}
}

static void on_first_frame(gpointer data)
{
	struct booth *bo = data;
	struct session *s = bo->session;
	g_autoptr(JsonBuilder) jb = json_builder_new();

	if (!s)
		return;
	json_builder_begin_object(jb);
	web_json_add_str(jb, "type", "media");
	web_json_add_int(jb, "session", s->id);
	web_json_add_str(jb, "event", "first_frame");
	web_json_add_int(jb, "ms", (g_get_monotonic_time() - s->called_us) / 1000);
	json_builder_end_object(jb);
	send_builder(bo->owner, s->peer, jb);
	booth_changed(bo);
}

static void booth_set_fault(struct booth *bo, enum media_part part, const char *message);

static void on_media_error(enum media_part part, const char *message, gpointer data)
{
	struct booth *bo = data;

	g_message("booth %d: %s", bo->cc->id, message);
	if (part == MEDIA_PART_CAMERA || part == MEDIA_PART_MICROPHONE ||
	    part == MEDIA_PART_DOCUMENT_CAMERA || part == MEDIA_PART_SPEAKER) {
		/* A part of the booth broke: out of order until it comes back. */
		if (bo->session)
			session_end(bo, SESSION_END_ERROR, message, NULL);
		booth_set_fault(bo, part, message);
		return;
	}
	/* The link of a live call broke (the expert's page closed or reloaded:
	 * its SCTP association errs as the socket closes): the reconnect
	 * window decides, as for any lost link. */
	if (bo->session && part == MEDIA_PART_NETWORK &&
	    (bo->session->reconnecting || bo->session->state == SESSION_LIVE)) {
		session_lost(bo, message);
		return;
	}
	if (bo->session)
		session_end(bo, SESSION_END_ERROR, message, NULL);
}

static void on_jpeg(GBytes *jpeg, gpointer data)
{
	struct booth *bo = data;

	if (bo->owner->jpeg_fn)
		bo->owner->jpeg_fn(bo->cc->id, jpeg, bo->owner->jpeg_data);
}

/* The expert typed: the booth screen shows it (bus "booth.text"). */
static void on_text(const char *text, gpointer data)
{
	struct booth *bo = data;
	int id = bo->cc->id;

	if (!bo->session ||
	    rtt_apply(bo->session->rtt, RTT_EXPERT, text, -1, booths_now(bo->owner)) < 0)
		return;
	bus_publish(bo->owner->bus, "booth.text", &id);
}

static const struct media_callbacks booth_media_cb = {
    .offer = on_offer,
    .ice = on_ice,
    .link = on_link,
    .first_frame = on_first_frame,
    .error = on_media_error,
    .jpeg = on_jpeg,
    .text = on_text,
};

/* ---------------------------------------------------------------------- */
/* Preparing, faults */

static gboolean on_retry(gpointer data)
{
	struct booth *bo = data;

	bo->retry = 0;
	if (!bo->session)
		booth_prepare(bo);
	return G_SOURCE_REMOVE;
}

static void booth_set_fault(struct booth *bo, enum media_part part, const char *message)
{
	gboolean changed = g_strcmp0(bo->fault, message) != 0;

	if (bo->media && !bo->session)
		g_clear_pointer(&bo->media, media_free);
	g_free(bo->fault);
	bo->fault = g_strdup(message);
	bo->fault_part = part;
	if (changed)
		g_warning("booth %d is out of order: %s", bo->cc->id, message);
	if (!bo->retry)
		bo->retry = g_timeout_add_seconds(BOOTH_RETRY_S, on_retry, bo);
	if (changed)
		booth_changed(bo);
}

/* Builds the next session's pipeline in READY: the camera opens now. */
static void booth_prepare(struct booth *bo)
{
	g_autoptr(GError) error = NULL;
	enum media_part part;

	if (bo->media)
		return;
	bo->media = media_new(bo->owner->cfg, bo->cc, &booth_media_cb, bo, &part, &error);
	if (!bo->media) {
		booth_set_fault(bo, part, error->message);
		return;
	}
	if (bo->fault) {
		g_message("booth %d is ready again", bo->cc->id);
		g_clear_pointer(&bo->fault, g_free);
		booth_changed(bo);
	}
	media_screen_wanted(bo->media, bo->screen_wanted);
}

/* ---------------------------------------------------------------------- */
/* The queue side */

static int booth_exec(struct booth *bo, struct queue_cmd *cmd, const char *user, GError **error)
{
	return desk_exec(bo->owner->desk, cmd, user, &bo->owner->res, error);
}

/* The booth's profile, only the services of @provider: "kela-video". */
static char *booth_profile_for(const struct booths *b, const struct config_counter *cc,
			       const char *provider)
{
	GString *p = g_string_new(NULL);

	for (guint i = 0; i < cc->profile->len; i++) {
		const struct config_profile_entry *e =
		    &g_array_index(cc->profile, struct config_profile_entry, i);
		const struct config_service *svc = config_service_get(b->cfg, e->service);

		if (g_strcmp0(config_provider_code(b->cfg, e->service), provider) != 0)
			continue;
		if (p->len)
			g_string_append_c(p, ',');
		g_string_append(p, svc->code);
		if (e->weight)
			g_string_append_printf(p, ":%d", e->weight);
	}
	if (!p->len) {
		g_string_free(p, TRUE);
		return NULL;
	}
	return g_string_free(p, FALSE);
}

/* Frees the booth's counter: its ticket (if any) ends (END), is a no-show
 * (NO_SHOW) or goes back to the front of its line as interrupted
 * (TRANSFER), or is left alone (CLOSE); then the counter closes if free.
 * The visit that ends carries session @s (may be NULL) and its consent. */
static void booth_release(struct booth *bo, enum queue_cmd_type how, const char *user,
			  const struct session *s)
{
	struct queue *q = desk_queue(bo->owner->desk);
	const struct queue_counter *qc = queue_counter_get(q, (int16_t)bo->cc->id);
	const struct queue_ticket *tk = qc && qc->ticket ? queue_ticket_get(q, qc->ticket) : NULL;
	g_autoptr(GError) error = NULL;

	if (tk && how != QUEUE_CMD_CLOSE) {
		struct queue_cmd cmd = {.type = how,
					.counter = (int16_t)bo->cc->id,
					.channel = -1,
					.outcome = -1,
					.session = s ? s->id : 0,
					.consent = s ? s->consent : NULL};

		if (how == QUEUE_CMD_TRANSFER) {
			cmd.service = tk->service;
			cmd.front = true;
			cmd.outcome = QUEUE_OUTCOME_INTERRUPTED;
		}
		if (booth_exec(bo, &cmd, user, &error) < 0) {
			g_warning("booth %d: %s", bo->cc->id, error->message);
			g_clear_error(&error);
		}
	}
	/* A command the store refused rebuilt the engine: look again. */
	qc = queue_counter_get(desk_queue(bo->owner->desk), (int16_t)bo->cc->id);
	if (qc && qc->open && !qc->ticket) {
		struct queue_cmd cmd = {.type = QUEUE_CMD_CLOSE, .counter = (int16_t)bo->cc->id};

		if (booth_exec(bo, &cmd, user, &error) < 0)
			g_warning("booth %d: %s", bo->cc->id, error->message);
	}
}

/* After the session: the visit ends, or the ticket goes back to the front
 * of its line when the service never started; the booth closes. */
static void session_finish_queue(struct booth *bo)
{
	struct session *s = bo->session;
	const struct queue_counter *qc =
	    queue_counter_get(desk_queue(bo->owner->desk), (int16_t)bo->cc->id);
	enum queue_cmd_type how = QUEUE_CMD_TRANSFER;

	if (s->started &&
	    (s->reason == SESSION_END_EXPERT || s->reason == SESSION_END_CUSTOMER_LEFT))
		how = QUEUE_CMD_END;
	else if (s->reason == SESSION_END_CUSTOMER_LEFT)
		how = QUEUE_CMD_NO_SHOW;
	/* Another ticket at the counter is not this session's to end. */
	booth_release(bo, !qc || qc->ticket == s->ticket ? how : QUEUE_CMD_CLOSE, s->expert, s);
}

/* "….mkv" → "….mkv.rtt.txt": the transcript lives and dies with its
 * recording. */
static char *transcript_path(const char *recording)
{
	return g_strconcat(recording, ".rtt.txt", NULL);
}

/* A recorded session's real-time text goes next to its recording; without
 * consent there is no recording, no transcript, and nothing of the text is
 * written anywhere. */
static void session_save_transcript(struct booth *bo, struct session *s)
{
	g_autofree char *text = NULL;
	g_autofree char *path = NULL;
	g_autoptr(GError) error = NULL;

	if (!s->recording || !(text = rtt_transcript(s->rtt, booths_now(bo->owner))))
		return;
	path = transcript_path(s->recording);
	if (!g_file_set_contents_full(path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0640, &error))
		g_warning("booth %d: session %" G_GINT64_FORMAT
			  ": the text transcript was not saved: %s",
			  bo->cc->id, s->id, error->message);
}

/* Ends the session: state, media, queue.  With @error, somebody asked for
 * the end (the expert, the customer): it is stored first, and when the
 * store refuses, nothing changes and the negative errno says why.  Without,
 * the end cannot wait (a timer, a part that broke, the expert's page gone):
 * the media stops first, so that a recording's file is finished before the
 * session is written as ended, and an end the store refuses still ends the
 * session (its media is gone) — said to the expert, logged, and the row is
 * closed as interrupted at the next start. */
static int session_end(struct booth *bo, enum session_end reason, const char *error_text,
		       GError **error)
{
	struct session *s = bo->session;
	g_autoptr(GError) why = NULL;

	if (!s || s->state == SESSION_ENDED)
		return 0;
	if (error) {
		int rc = session_record_state(bo, SESSION_ENDED, reason, error_text, error);

		if (rc < 0)
			return rc;
	}
	session_timer(bo, 0);
	g_clear_pointer(&bo->media, media_free);
	/* A pipeline leaves megabytes of freed heap behind (codec buffers,
	 * thirty threads' allocations): give them back, or RSS creeps up a
	 * megabyte a session (make bench: session_rss_growth_mb). */
	malloc_trim(0);
	if (!error && session_record_state(bo, SESSION_ENDED, reason, error_text, &why) < 0) {
		g_warning("booth %d: session %" G_GINT64_FORMAT " (%s) ends without its end "
			  "stored; the next start closes it as interrupted",
			  bo->cc->id, s->id, s->code);
		s->state = SESSION_ENDED;
		s->reason = reason;
		g_free(s->error);
		s->error =
		    g_strdup_printf("the end of the session was not recorded: %s", why->message);
	}
	tell_expert_state(bo);
	booth_changed(bo);
	g_message("booth %d: session %" G_GINT64_FORMAT " (%s) ended: %s%s%s", bo->cc->id, s->id,
		  s->code, session_end_name(reason), error_text ? ": " : "",
		  error_text ? error_text : "");
	session_save_transcript(bo, s);
	session_finish_queue(bo);
	bo->last_id = s->id;
	memcpy(bo->last_code, s->code, sizeof(bo->last_code));
	bo->last_reason = reason;
	bo->last_at = booths_now(bo->owner);
	bo->last_lang = s->lang;
	bo->session = NULL;
	session_free(s);
	if (!bo->fault)
		booth_prepare(bo);
	booth_changed(bo);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Calls */

/* "turn:HOST:PORT?transport=udp" with @user and @pass as webrtcbin takes
 * it: turn://USER:PASS@HOST:PORT (NULL: not a TURN URL). */
static char *turn_uri(const char *url, const char *user, const char *pass)
{
	const char *scheme = g_str_has_prefix(url, "turns:")  ? "turns"
			     : g_str_has_prefix(url, "turn:") ? "turn"
							      : NULL;
	g_autofree char *hostport = NULL;
	g_autofree char *u = NULL;
	g_autofree char *p = NULL;

	if (!scheme || !user || !pass)
		return NULL;
	hostport = g_strdup(url + strlen(scheme) + 1);
	if (g_str_has_prefix(hostport, "//"))
		memmove(hostport, hostport + 2, strlen(hostport) - 1);
	hostport[strcspn(hostport, "?/")] = '\0';
	if (!*hostport)
		return NULL;
	u = g_uri_escape_string(user, NULL, FALSE);
	p = g_uri_escape_string(pass, NULL, FALSE);
	return g_strdup_printf("%s://%s:%s@%s%s", scheme, u, p, hostport,
			       strchr(hostport, ':') ? "" : ":3478");
}

/* The session's own TURN servers and data channel into its (new) media,
 * before the offer. */
static int session_media_setup(struct booth *bo, GError **error)
{
	struct session *s = bo->session;
	JsonArray *servers = s->ice_servers ? json_node_get_array(s->ice_servers) : NULL;

	for (guint i = 0; servers && i < json_array_get_length(servers); i++) {
		JsonNode *n = json_array_get_element(servers, i);
		JsonObject *o = JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
		JsonNode *urls = o ? json_object_get_member(o, "urls") : NULL;
		const char *user, *pass;
		g_autoptr(GPtrArray) list = g_ptr_array_new();

		if (!urls)
			continue;
		user = web_json_str(o, "username", NULL);
		pass = web_json_str(o, "credential", NULL);
		if (JSON_NODE_HOLDS_VALUE(urls) && json_node_get_value_type(urls) == G_TYPE_STRING)
			g_ptr_array_add(list, (gpointer)json_node_get_string(urls));
		else if (JSON_NODE_HOLDS_ARRAY(urls))
			for (guint j = 0; j < json_array_get_length(json_node_get_array(urls));
			     j++) {
				JsonNode *e = json_array_get_element(json_node_get_array(urls), j);

				if (JSON_NODE_HOLDS_VALUE(e) &&
				    json_node_get_value_type(e) == G_TYPE_STRING)
					g_ptr_array_add(list, (gpointer)json_node_get_string(e));
			}
		for (guint j = 0; j < list->len; j++) {
			g_autofree char *uri = turn_uri(list->pdata[j], user, pass);

			if (uri && media_add_turn(bo->media, uri, error) < 0)
				return -EINVAL;
		}
	}
	if (s->channel && media_open_channel(bo->media, error) < 0)
		return -EIO;
	return 0;
}

/* The booth of the customer booked soonest whose appointment is due now
 * (checked in, waiting for one booth, a service of @provider): "call next"
 * without a booth goes there first.  0 none. */
struct booked_walk {
	const struct config *cfg;
	const char *provider;
	int64_t now;
	int64_t booked_at;
	int booth;
};

static void booked_ticket(const struct queue_ticket *tk, void *data)
{
	struct booked_walk *w = data;

	if (tk->state != QUEUE_WAITING || !tk->appointment || !tk->target_counter ||
	    tk->transfers || g_strcmp0(config_provider_code(w->cfg, tk->service), w->provider) != 0)
		return;
	if (w->now < tk->booked_at - w->cfg->appointment_early_min * 60 ||
	    w->now > tk->booked_at + w->cfg->appointment_late_min * 60)
		return;
	if (!w->booth || tk->booked_at < w->booked_at) {
		w->booth = tk->target_counter;
		w->booked_at = tk->booked_at;
	}
}

static int booth_of_due_booking(struct booths *b, const char *provider)
{
	struct booked_walk w = {.cfg = b->cfg, .provider = provider};
	struct queue_time t;

	desk_time(b->desk, &t);
	w.now = t.now;
	queue_foreach_ticket(desk_queue(b->desk), booked_ticket, &w);
	return w.booth;
}

static struct booth *booth_pick(struct booths *b, const char *provider, int booth_id,
				GError **error)
{
	struct booth *any_busy = NULL, *any_fault = NULL;

	for (guint i = 0; i < b->booths->len; i++) {
		struct booth *bo = g_ptr_array_index(b->booths, i);
		g_autofree char *profile = NULL;

		if (booth_id && bo->cc->id != booth_id)
			continue;
		profile = booth_profile_for(b, bo->cc, provider);
		if (!profile)
			continue;
		if (bo->session) {
			any_busy = bo;
			continue;
		}
		if (bo->fault) {
			any_fault = bo;
			continue;
		}
		return bo;
	}
	if (any_fault)
		g_set_error(error, BOOTH_ERROR, EIO,
			    "booth %d is out of order: %s — ask a technician", any_fault->cc->id,
			    any_fault->fault);
	else if (any_busy)
		g_set_error(error, BOOTH_ERROR, EBUSY,
			    "booth %d is in use (session with %s); try again when it is free",
			    any_busy->cc->id, any_busy->session->code);
	else if (booth_id)
		g_set_error(error, BOOTH_ERROR, ENOENT,
			    "booth %d is not a remote-service booth for provider %s", booth_id,
			    provider);
	else
		g_set_error(error, BOOTH_ERROR, ENOENT,
			    "no remote-service booth serves provider %s — see [counter:N] kind = "
			    "expert in board-config",
			    provider);
	return NULL;
}

int64_t booths_call(struct booths *b, const char *user, const char *provider, int booth_id,
		    uint32_t ticket, gpointer peer, const struct booths_call_opts *opts,
		    GError **error)
{
	struct booth *bo;
	g_autofree char *profile = NULL;
	const struct queue_counter *qc;
	const struct queue_ticket *tk;
	struct session *s;
	struct queue_cmd cmd = {0};
	struct queue_time t;
	struct store_session row = {0};
	const struct config_service *svc;
	int rc;

	if (!provider) {
		g_set_error(error, BOOTH_ERROR, EPERM,
			    "user %s serves no provider — an admin sets it (vuorod --add-user "
			    "… --provider CODE)",
			    user);
		return -EPERM;
	}
	if (!peer) {
		g_set_error(error, BOOTH_ERROR, ENOTCONN,
			    "the expert page is not connected for video (its signalling socket "
			    "is closed) — reload the page");
		return -ENOTCONN;
	}
	bo = NULL;
	if (!booth_id && !ticket) {
		/* A booked customer due now: into their booth, if it is free. */
		int booked = booth_of_due_booking(b, provider);

		if (booked && booths_is_booth(b, booked))
			bo = booth_pick(b, provider, booked, NULL);
	}
	if (!bo)
		bo = booth_pick(b, provider, booth_id, error);
	if (!bo)
		return -(*error)->code;
	if (!bo->media) {
		booth_prepare(bo);
		if (!bo->media) {
			g_set_error(error, BOOTH_ERROR, EIO,
				    "booth %d is out of order: %s — ask a technician", bo->cc->id,
				    bo->fault);
			return -EIO;
		}
	}
	profile = booth_profile_for(b, bo->cc, provider);
	qc = queue_counter_get(desk_queue(b->desk), (int16_t)bo->cc->id);
	if (qc && qc->open && qc->ticket) {
		g_set_error(error, BOOTH_ERROR, EBUSY,
			    "booth %d still has a customer at the queue (counter %d) — end that "
			    "visit first",
			    bo->cc->id, bo->cc->id);
		return -EBUSY;
	}
	if (qc && qc->open) {
		cmd = (struct queue_cmd){.type = QUEUE_CMD_CLOSE, .counter = (int16_t)bo->cc->id};
		if (booth_exec(bo, &cmd, user, error) < 0)
			return -EIO;
	}
	cmd = (struct queue_cmd){.type = QUEUE_CMD_OPEN,
				 .counter = (int16_t)bo->cc->id,
				 .user = user,
				 .profile = profile};
	if ((rc = booth_exec(bo, &cmd, user, error)) < 0)
		return rc;
	cmd = (struct queue_cmd){
	    .type = QUEUE_CMD_CALL, .counter = (int16_t)bo->cc->id, .ticket = ticket};
	rc = booth_exec(bo, &cmd, user, error);
	if (rc < 0) {
		struct queue_cmd close = {.type = QUEUE_CMD_CLOSE, .counter = (int16_t)bo->cc->id};
		g_autoptr(GError) close_error = NULL;

		if (booth_exec(bo, &close, user, &close_error) < 0)
			g_warning("booth %d stays open after a call that failed: %s", bo->cc->id,
				  close_error->message);
		return rc;
	}
	qc = queue_counter_get(desk_queue(b->desk), (int16_t)bo->cc->id);
	tk = queue_ticket_get(desk_queue(b->desk), qc->ticket);
	svc = config_service_get(b->cfg, tk->service);
	desk_time(b->desk, &t);

	s = g_new0(struct session, 1);
	s->ticket = tk->id;
	memcpy(s->code, tk->code, sizeof(s->code));
	s->service = tk->service;
	s->lang = tk->lang;
	s->expert = g_strdup(user);
	s->provider = g_strdup(provider);
	s->peer = peer;
	if (opts && opts->ice_servers)
		s->ice_servers = json_node_init_array(json_node_alloc(), opts->ice_servers);
	s->channel = opts && opts->data_channel;
	s->consent = g_strdup("not_asked");
	s->rtt = rtt_new();
	s->called_us = g_get_monotonic_time();
	row = (struct store_session){.booth = bo->cc->id,
				     .ticket = tk->id,
				     .day = tk->day,
				     .code = tk->code,
				     .service = svc->code,
				     .provider = provider,
				     .expert = user,
				     .video_codec = media_codec_name(bo->media),
				     .at = t.now};
	s->id = store_session_add(desk_store(b->desk), &row, error);
	if (s->id < 0) {
		int64_t err = s->id;

		/* No session without its row: the ticket goes back to the front
		 * of its line and the booth closes. */
		g_warning("booth %d: %s was called, but the session could not be stored: %s",
			  bo->cc->id, tk->code, (*error)->message);
		session_free(s);
		booth_release(bo, QUEUE_CMD_TRANSFER, user, NULL);
		return err;
	}
	bo->session = s;
	g_message("booth %d: session %" G_GINT64_FORMAT ": %s called by %s (%s)", bo->cc->id, s->id,
		  s->code, user, provider);
	tell_expert_state(bo);
	booth_changed(bo);
	if (session_media_setup(bo, error) < 0 || media_start(bo->media, error) < 0) {
		session_end(bo, SESSION_END_ERROR, (*error)->message, NULL);
		return -EIO;
	}
	session_timer(bo, b->cfg->ring_s);
	return s->id;
}

static struct booth *session_lookup(struct booths *b, int64_t id, const char *user, GError **error)
{
	struct booth *bo = booth_of_session(b, id);

	if (!bo) {
		g_set_error(error, BOOTH_ERROR, ENOENT,
			    "session %" G_GINT64_FORMAT " is not running (it ended)", id);
		return NULL;
	}
	if (user && g_strcmp0(bo->session->expert, user) != 0) {
		g_set_error(error, BOOTH_ERROR, EPERM, "session %" G_GINT64_FORMAT " belongs to %s",
			    id, bo->session->expert);
		return NULL;
	}
	return bo;
}

int booths_end(struct booths *b, int64_t id, const char *user, int outcome, const char *category,
	       GError **error)
{
	struct booth *bo = session_lookup(b, id, user, error);
	const struct queue_counter *qc;
	struct session *s;
	int rc;

	if (!bo)
		return -(*error)->code;
	s = bo->session;
	/* The expert's outcome and category go to the visit, with the
	 * session and its consent, in the END's transaction: end it here
	 * first.  When the store refuses, the session goes on. */
	qc = queue_counter_get(desk_queue(b->desk), (int16_t)bo->cc->id);
	if (s->started && qc && qc->ticket == s->ticket) {
		struct queue_cmd cmd = {.type = QUEUE_CMD_END,
					.counter = (int16_t)bo->cc->id,
					.channel = -1,
					.outcome = (int8_t)outcome,
					.category = category,
					.session = s->id,
					.consent = s->consent};

		rc = booth_exec(bo, &cmd, user, error);
		if (rc < 0)
			return rc;
	}
	return session_end(bo, SESSION_END_EXPERT, NULL, error);
}

int booths_leave(struct booths *b, int booth_id, GError **error)
{
	struct booth *bo = booth_find(b, booth_id);

	if (!bo || !bo->session) {
		g_set_error(error, BOOTH_ERROR, ENOENT, "booth %d has no session to leave",
			    booth_id);
		return -ENOENT;
	}
	return session_end(bo, SESSION_END_CUSTOMER_LEFT, NULL, error);
}

/* The door input went from occupied to free during a session. */
static void on_door(const char *topic, gconstpointer payload, gpointer data)
{
	struct booths *b = data;
	const struct panel_press *press = payload;
	struct booth *bo = booth_find(b, press->what.arg);

	if (!bo || press->level || !bo->session)
		return;
	if (bo->session->state == SESSION_LIVE || bo->session->state == SESSION_CONNECTING) {
		g_message("booth %d: the door says the customer left", bo->cc->id);
		session_end(bo, SESSION_END_CUSTOMER_LEFT, NULL, NULL);
	}
}

int booths_message(struct booths *b, int64_t id, const char *user, const char *template_name,
		   const char *text, GError **error)
{
	struct booth *bo = session_lookup(b, id, user, error);
	struct session *s;
	int64_t now;
	int rc;

	if (!bo)
		return -(*error)->code;
	if (template_name && !g_strv_contains(message_templates, template_name)) {
		g_autofree char *names = g_strjoinv(", ", (char **)message_templates);

		g_set_error(error, BOOTH_ERROR, EINVAL, "template must be one of %s", names);
		return -EINVAL;
	}
	if (!template_name && (!text || !*text || g_utf8_strlen(text, -1) > BOOTH_MESSAGE_MAX ||
			       !g_utf8_validate(text, -1, NULL))) {
		g_set_error(error, BOOTH_ERROR, EINVAL,
			    "give a template or a text of 1 to %d characters", BOOTH_MESSAGE_MAX);
		return -EINVAL;
	}
	s = bo->session;
	now = booths_now(b);
	rc = store_session_event(desk_store(b->desk), id, "message",
				 template_name ? template_name : text, now, error);
	if (rc < 0)
		return rc;
	g_free(s->message_template);
	g_free(s->message_text);
	s->message_template = g_strdup(template_name);
	s->message_text = template_name ? NULL : g_strdup(text);
	s->message_at = now;
	booth_changed(bo);
	return 0;
}

int booths_document(struct booths *b, int64_t id, const char *user, gboolean on, GError **error)
{
	struct booth *bo = session_lookup(b, id, user, error);
	int rc;

	if (!bo)
		return -(*error)->code;
	if (strcmp(bo->cc->document_camera, "none") == 0) {
		g_set_error(error, BOOTH_ERROR, ENODEV, "booth %d has no document camera",
			    bo->cc->id);
		return -ENODEV;
	}
	rc = store_session_event(desk_store(b->desk), id, "document", on ? "on" : "off",
				 booths_now(b), error);
	if (rc < 0)
		return rc;
	if (bo->media)
		media_document(bo->media, on);
	bo->session->document = on;
	booth_changed(bo);
	return 0;
}

int booths_ask_consent(struct booths *b, int64_t id, const char *user, GError **error)
{
	struct booth *bo = session_lookup(b, id, user, error);
	int rc;

	if (!bo)
		return -(*error)->code;
	if (bo->cc->recording != 1) {
		g_set_error(error, BOOTH_ERROR, EPERM,
			    "booth %d does not record (recording = off in board-config)",
			    bo->cc->id);
		return -EPERM;
	}
	if (bo->session->state != SESSION_LIVE) {
		g_set_error(error, BOOTH_ERROR, EAGAIN, "ask when the session is live");
		return -EAGAIN;
	}
	rc = store_session_consent(desk_store(b->desk), id, "asked", NULL, booths_now(b), error);
	if (rc < 0)
		return rc;
	g_free(bo->session->consent);
	bo->session->consent = g_strdup("asked");
	booth_changed(bo);
	return 0;
}

int booths_consent(struct booths *b, int booth_id, gboolean given, GError **error)
{
	struct booth *bo = booth_find(b, booth_id);
	struct session *s = bo ? bo->session : NULL;
	g_autofree char *path = NULL;
	g_autofree char *name = NULL;
	int64_t now = booths_now(b);

	if (!s || g_strcmp0(s->consent, "asked") != 0) {
		g_set_error(error, BOOTH_ERROR, ENOENT,
			    "booth %d: nobody asked for consent to record", booth_id);
		return -ENOENT;
	}
	if (given) {
		g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local(now);
		g_autofree char *stamp = g_date_time_format(dt, "%Y%m%d-%H%M%S");

		if (g_mkdir_with_parents(b->cfg->recording_dir, 0750) < 0) {
			g_set_error(error, BOOTH_ERROR, EIO, "cannot create [recording] dir %s: %s",
				    b->cfg->recording_dir, g_strerror(errno));
			return -EIO;
		}
		name = g_strdup_printf("session-%" G_GINT64_FORMAT "-booth%d-%s.mkv", s->id,
				       bo->cc->id, stamp);
		path = g_build_filename(b->cfg->recording_dir, name, NULL);
		/* The consent is durable before a frame is written. */
		if (store_session_consent(desk_store(b->desk), s->id, "given", path, now, error) <
		    0)
			return -EIO;
		if (!bo->media || media_record(bo->media, path, error) < 0) {
			g_autoptr(GError) event_error = NULL;

			if (!bo->media)
				g_set_error(error, BOOTH_ERROR, EIO, "the session has no media");
			if (store_session_event(desk_store(b->desk), s->id, "recording_failed",
						(*error)->message, now, &event_error) < 0)
				g_warning("booth %d: session %" G_GINT64_FORMAT
					  ": the failed recording was not noted: %s",
					  bo->cc->id, s->id, event_error->message);
			return -EIO;
		}
		s->recording = g_strdup(path);
		/* The consent covers the text written from now on. */
		rtt_transcribe(s->rtt, TRUE);
	} else if (store_session_consent(desk_store(b->desk), s->id, "refused", NULL, now, error) <
		   0) {
		return -EIO;
	}
	g_free(s->consent);
	s->consent = g_strdup(given ? "given" : "refused");
	booth_changed(bo);
	return 0;
}

int booths_text(struct booths *b, int booth_id, const char *text, GError **error)
{
	struct booth *bo = booth_find(b, booth_id);
	struct session *s = bo ? bo->session : NULL;

	if (!s || !bo->media || (s->state != SESSION_CONNECTING && s->state != SESSION_LIVE)) {
		g_set_error(
		    error, BOOTH_ERROR, ENOENT,
		    "booth %d: no call is connected — the text goes once the expert answers",
		    booth_id);
		return -ENOENT;
	}
	if (!g_utf8_validate(text, -1, NULL)) {
		g_set_error(error, BOOTH_ERROR, EINVAL, "the text is not UTF-8");
		return -EINVAL;
	}
	/* Kept only once it went: what the customer is told to write again is
	 * not in the text the expert's page gets back after a reload. */
	if (media_text_send(bo->media, text) < 0) {
		g_set_error(error, BOOTH_ERROR, ENOTCONN,
			    "booth %d: the text channel to the expert is closed — the call is "
			    "reconnecting, write again in a moment",
			    booth_id);
		return -ENOTCONN;
	}
	rtt_apply(s->rtt, RTT_CUSTOMER, text, -1, booths_now(b));
	return 0;
}

int booths_text_of(struct booths *b, int booth_id, int64_t *ret_session, const char **ret_text)
{
	struct booth *bo = booth_find(b, booth_id);

	if (!bo || !bo->session)
		return -ENOENT;
	*ret_session = bo->session->id;
	*ret_text = rtt_text(bo->session->rtt, RTT_EXPERT);
	return 0;
}

int booths_ask_identity(struct booths *b, int64_t id, const char *user, gboolean ask,
			GError **error)
{
	struct booth *bo = session_lookup(b, id, user, error);
	int rc;

	if (!bo)
		return -(*error)->code;
	if (ask && bo->session->state != SESSION_LIVE) {
		g_set_error(error, BOOTH_ERROR, EAGAIN, "ask when the session is live");
		return -EAGAIN;
	}
	if (bo->session->identity_asked == ask)
		return 0;
	rc = store_session_event(desk_store(b->desk), id,
				 ask ? "identity_asked" : "identity_unasked", NULL, booths_now(b),
				 error);
	if (rc < 0)
		return rc;
	bo->session->identity_asked = ask;
	booth_changed(bo);
	return 0;
}

/* What identifies the person: only over a session's data channel. */
static gboolean identity_private(const char *member)
{
	return strcmp(member, "name") == 0 || strcmp(member, "identity_code") == 0 ||
	       strcmp(member, "cert_serial") == 0;
}

static JsonBuilder *identity_message(struct session *s, JsonNode *result, gboolean summary)
{
	JsonBuilder *jb = json_builder_new();

	json_builder_begin_object(jb);
	web_json_add_str(jb, "type", "identity");
	web_json_add_int(jb, "session", s->id);
	json_builder_set_member_name(jb, "result");
	if (summary && JSON_NODE_HOLDS_OBJECT(result)) {
		JsonObjectIter it;
		const char *name;
		JsonNode *value;

		json_builder_begin_object(jb);
		json_object_iter_init(&it, json_node_get_object(result));
		while (json_object_iter_next(&it, &name, &value)) {
			if (identity_private(name))
				continue;
			json_builder_set_member_name(jb, name);
			json_builder_add_value(jb, json_node_copy(value));
		}
		json_builder_end_object(jb);
	} else {
		json_builder_add_value(jb, json_node_ref(result));
	}
	json_builder_end_object(jb);
	return jb;
}

/* Tells the session's expert: @result.  Through the hub, the name and the
 * code go over the data channel only; the signalling has the rest. */
static void send_identity(struct booth *bo, struct session *s, JsonNode *result)
{
	g_autoptr(JsonBuilder) jb = identity_message(s, result, s->channel);

	if (s->channel && bo->media) {
		g_autoptr(JsonBuilder) full = identity_message(s, result, FALSE);
		g_autoptr(JsonNode) node = json_builder_get_root(full);
		g_autofree char *text = json_to_string(node, FALSE);

		media_channel_send(bo->media, text);
	}
	send_builder(bo->owner, s->peer, jb);
}

static void set_identity(struct booths *b, struct booth *bo, JsonNode *result, JsonNode *for_expert)
{
	struct session *s = bo->session;
	const char *verdict = NULL;

	if (JSON_NODE_HOLDS_OBJECT(result))
		verdict = web_json_str(json_node_get_object(result), "verdict", NULL);
	if (s->identity)
		json_node_unref(s->identity);
	s->identity = json_node_ref(result);
	/* Asked for the card: answered by a pass, a locked card or a no. */
	if (g_strcmp0(verdict, "verified") == 0 || g_strcmp0(verdict, "pin_locked") == 0 ||
	    g_strcmp0(verdict, "declined") == 0)
		s->identity_asked = FALSE;
	send_identity(bo, s, for_expert ? for_expert : result);
	booth_changed(bo);
}

int booths_identity_declined(struct booths *b, int booth_id, GError **error)
{
	struct booth *bo = booth_find(b, booth_id);
	struct session *s = bo ? bo->session : NULL;
	g_autoptr(JsonBuilder) jb = NULL;
	g_autoptr(JsonNode) node = NULL;
	int rc;

	if (!s || !s->identity_asked) {
		g_set_error(error, BOOTH_ERROR, ENOENT, "booth %d: nobody asked for the ID card",
			    booth_id);
		return -ENOENT;
	}
	rc = store_session_event(desk_store(b->desk), s->id, "identity_declined", NULL,
				 booths_now(b), error);
	if (rc < 0)
		return rc;
	jb = json_builder_new();
	json_builder_begin_object(jb);
	web_json_add_str(jb, "method", "card");
	web_json_add_str(jb, "verdict", "declined");
	web_json_add_str(jb, "message",
			 "The customer chose not to identify with the ID card: check a "
			 "document instead, or ask again");
	json_builder_end_object(jb);
	node = json_builder_get_root(jb);
	set_identity(b, bo, node, NULL);
	return 0;
}

void booths_identity(struct booths *b, int booth_id, JsonNode *result, JsonNode *for_expert)
{
	struct booth *bo = booth_find(b, booth_id);

	if (bo && bo->session)
		set_identity(b, bo, result, for_expert);
}

/* ---------------------------------------------------------------------- */
/* Signalling */

/* A new pipeline and a new offer for the same session: the expert's page
 * came back (reload, network) and made a new peer connection. */
static int session_renegotiate(struct booth *bo, GError **error)
{
	struct session *s = bo->session;
	enum media_part part;

	g_clear_pointer(&bo->media, media_free);
	/* The old pipeline's last word (connected) is not the new one's: an
	 * attach is refused and the log shows this connection from its start. */
	s->link = MEDIA_LINK_NEW;
	bo->media = media_new(bo->owner->cfg, bo->cc, &booth_media_cb, bo, &part, error);
	if (!bo->media)
		return -EIO;
	media_screen_wanted(bo->media, bo->screen_wanted);
	if (s->document)
		media_document(bo->media, TRUE);
	if (session_set_state(bo, SESSION_CONNECTING, SESSION_END_NONE, NULL, error) < 0)
		return -EIO;
	session_timer(bo, bo->owner->cfg->reconnect_s);
	if (session_media_setup(bo, error) < 0 || media_start(bo->media, error) < 0)
		return -EIO;
	/* The expert's page starts its copy of the customer's text afresh on
	 * the new channel (a reload lost it): the text as the customer's
	 * screen shows it goes first, a T.140 burst like any other, before
	 * what is typed from now on. */
	if (*rtt_text(s->rtt, RTT_CUSTOMER))
		media_text_send(bo->media, rtt_text(s->rtt, RTT_CUSTOMER));
	return 0;
}

int booths_signal(struct booths *b, gpointer peer, const char *user, JsonObject *msg,
		  GError **error)
{
	const char *type = web_json_str(msg, "type", "");
	int64_t id = json_object_get_int_member_with_default(msg, "session", 0);
	struct booth *bo = session_lookup(b, id, user, error);
	struct session *s;
	int rc;

	if (!bo)
		return -(*error)->code;
	s = bo->session;
	if (strcmp(type, "resume") == 0) {
		/* Refused or not stored: the session stays as it was. */
		if ((rc = session_transition_check(s->state, SESSION_CONNECTING, SESSION_END_NONE,
						   error)) < 0 ||
		    (rc = store_session_event(desk_store(b->desk), id, "resume", NULL,
					      booths_now(b), error)) < 0)
			return rc;
		g_message("booth %d: session %" G_GINT64_FORMAT
			  ": the expert's page resumes it (%s%s)",
			  bo->cc->id, s->id, session_state_name(s->state),
			  s->reconnecting ? ", reconnecting" : "");
		s->peer = peer;
		s->reconnecting = TRUE;
		if (session_renegotiate(bo, error) < 0) {
			session_end(bo, SESSION_END_ERROR, (*error)->message, NULL);
			return -EIO;
		}
		return 0;
	}
	if (strcmp(type, "attach") == 0) {
		/* The page's media never broke, its signalling did (the hub
		 * restarted, the socket came back): it takes the session over
		 * as it is, without a new offer. */
		if (s->state != SESSION_LIVE || s->link != MEDIA_LINK_CONNECTED) {
			g_set_error(error, BOOTH_ERROR, ENOTCONN,
				    "session %" G_GINT64_FORMAT
				    " has no connection to take over now (%s): send resume",
				    id, session_state_name(s->state));
			return -ENOTCONN;
		}
		if (s->reconnecting) {
			if ((rc = store_session_event(desk_store(b->desk), id, "attach", NULL,
						      booths_now(b), error)) < 0)
				return rc;
			s->reconnecting = FALSE;
			session_timer(bo, 0);
		}
		s->peer = peer;
		tell_expert_state(bo);
		booth_changed(bo);
		return 0;
	}
	if (s->peer != peer) {
		g_set_error(error, BOOTH_ERROR, EPERM,
			    "session %" G_GINT64_FORMAT " is held by another page of yours; send "
			    "resume to take it over",
			    id);
		return -EPERM;
	}
	if (strcmp(type, "answer") == 0) {
		const char *sdp = web_json_str(msg, "sdp", NULL);

		if (!sdp || !bo->media) {
			g_set_error(error, BOOTH_ERROR, EINVAL, "answer needs sdp");
			return -EINVAL;
		}
		if (session_transition_check(s->state, SESSION_CONNECTING, SESSION_END_NONE,
					     error) < 0 ||
		    media_answer(bo->media, sdp, error) < 0)
			return -EINVAL;
		/* The answer went to the pipeline: a session that cannot record
		 * its state now cannot go on. */
		if (session_set_state(bo, SESSION_CONNECTING, SESSION_END_NONE, NULL, error) < 0) {
			session_fail(bo, *error);
			return -EIO;
		}
		session_timer(bo, s->reconnecting ? b->cfg->reconnect_s : b->cfg->connect_s);
		return 0;
	}
	if (strcmp(type, "ice") == 0) {
		const char *candidate = web_json_str(msg, "candidate", NULL);
		int64_t mline = json_object_get_int_member_with_default(msg, "mline", -1);

		if (!candidate || mline < 0 || mline > 8) {
			g_set_error(error, BOOTH_ERROR, EINVAL, "ice needs candidate and mline");
			return -EINVAL;
		}
		if (!*candidate) /* the end of the peer's candidates */
			return 0;
		return bo->media ? media_add_ice(bo->media, (guint)mline, candidate, error) : 0;
	}
	g_set_error(error, BOOTH_ERROR, EINVAL, "type must be answer, ice, resume or attach");
	return -EINVAL;
}

void booths_peer_gone(struct booths *b, gpointer peer)
{
	for (guint i = 0; i < b->booths->len; i++) {
		struct booth *bo = g_ptr_array_index(b->booths, i);

		if (!bo->session || bo->session->peer != peer)
			continue;
		bo->session->peer = NULL;
		if (bo->session->state == SESSION_WAITING || bo->session->state == SESSION_RINGING)
			session_end(bo, SESSION_END_NO_ANSWER,
				    "the expert's page closed before it answered", NULL);
		else
			session_lost(bo, "the expert's page closed");
	}
}

/* ---------------------------------------------------------------------- */
/* Technicians */

int booths_check(struct booths *b, int booth_id, GError **error)
{
	struct booth *bo = booth_find(b, booth_id);

	if (!bo) {
		g_set_error(error, BOOTH_ERROR, ENOENT, "no booth %d", booth_id);
		return -ENOENT;
	}
	if (!bo->session && bo->fault)
		booth_prepare(bo);
	if (bo->fault) {
		g_set_error(error, BOOTH_ERROR, EIO, "booth %d: %s", booth_id, bo->fault);
		return -EIO;
	}
	return 0;
}

int booths_sim_unplug(struct booths *b, int booth_id, const char *part, GError **error)
{
	struct booth *bo = booth_find(b, booth_id);
	enum media_part p;

	if (!bo) {
		g_set_error(error, BOOTH_ERROR, ENOENT, "no booth %d", booth_id);
		return -ENOENT;
	}
	if (g_strcmp0(part, "camera") == 0)
		p = MEDIA_PART_CAMERA;
	else if (g_strcmp0(part, "microphone") == 0)
		p = MEDIA_PART_MICROPHONE;
	else {
		g_set_error(error, BOOTH_ERROR, EINVAL, "part must be camera or microphone");
		return -EINVAL;
	}
	if (!g_str_has_prefix(p == MEDIA_PART_CAMERA ? bo->cc->camera : bo->cc->microphone,
			      "test")) {
		g_set_error(error, BOOTH_ERROR, EPERM,
			    "only a test source can be unplugged by software; pull the cable");
		return -EPERM;
	}
	/* The same path a real unplug takes: the part's error. */
	on_media_error(p,
		       p == MEDIA_PART_CAMERA
			   ? "camera: the device was unplugged (simulated) — check that the "
			     "camera is plugged in"
			   : "microphone: the device was unplugged (simulated) — check that it "
			     "is plugged in",
		       bo);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* The booth screen's video */

void booths_set_jpeg_sink(struct booths *b, booths_jpeg_fn fn, gpointer data)
{
	b->jpeg_fn = fn;
	b->jpeg_data = data;
}

void booths_screen_wanted(struct booths *b, int booth_id, gboolean wanted)
{
	struct booth *bo = booth_find(b, booth_id);

	if (!bo)
		return;
	bo->screen_wanted = wanted;
	if (bo->media)
		media_screen_wanted(bo->media, wanted);
}

/* ---------------------------------------------------------------------- */
/* Views */

static void build_booth(struct booths *b, struct booth *bo, JsonBuilder *jb, gboolean full)
{
	struct session *s = bo->session;
	const char *state = s ? session_state_name(s->state) : bo->fault ? "fault" : "idle";

	json_builder_begin_object(jb);
	web_json_add_int(jb, "id", bo->cc->id);
	web_json_add_str(jb, "name", bo->cc->name);
	web_json_add_str(jb, "state", state);
	web_json_add_str(jb, "fault", bo->fault);
	web_json_add_str(jb, "fault_part", bo->fault ? media_part_name(bo->fault_part) : NULL);
	json_builder_set_member_name(jb, "document_camera");
	json_builder_add_boolean_value(jb, strcmp(bo->cc->document_camera, "none") != 0);
	json_builder_set_member_name(jb, "recording_offered");
	json_builder_add_boolean_value(jb, bo->cc->recording == 1);
	web_json_add_str(jb, "video_codec", bo->cc->video_codec == 1 ? "h264" : "vp8");
	json_builder_set_member_name(jb, "services");
	json_builder_begin_array(jb);
	for (guint i = 0; i < bo->cc->profile->len; i++) {
		const struct config_profile_entry *e =
		    &g_array_index(bo->cc->profile, struct config_profile_entry, i);

		json_builder_add_string_value(jb, config_service_get(b->cfg, e->service)->code);
	}
	json_builder_end_array(jb);
	if (s) {
		const struct config_service *svc = config_service_get(b->cfg, s->service);

		json_builder_set_member_name(jb, "session");
		json_builder_begin_object(jb);
		web_json_add_int(jb, "id", s->id);
		web_json_add_str(jb, "state", session_state_name(s->state));
		if (s->state == SESSION_ENDED)
			web_json_add_str(jb, "reason", session_end_name(s->reason));
		web_json_add_str(jb, "code", s->code);
		web_json_add_str(jb, "service", svc ? svc->code : NULL);
		web_json_add_str(jb, "provider", s->provider);
		web_json_add_str(jb, "lang", config_lang_code(b->cfg, s->lang));
		json_builder_set_member_name(jb, "reconnecting");
		json_builder_add_boolean_value(jb, s->reconnecting);
		json_builder_set_member_name(jb, "document");
		json_builder_add_boolean_value(jb, s->document);
		web_json_add_str(jb, "consent", s->consent);
		json_builder_set_member_name(jb, "identity_asked");
		json_builder_add_boolean_value(jb, s->identity_asked);
		json_builder_set_member_name(jb, "recording");
		json_builder_add_boolean_value(jb, s->recording != NULL);
		if (s->message_template || s->message_text) {
			json_builder_set_member_name(jb, "message");
			json_builder_begin_object(jb);
			web_json_add_str(jb, "template", s->message_template);
			web_json_add_str(jb, "text", s->message_text);
			web_json_add_int(jb, "at", s->message_at);
			json_builder_end_object(jb);
		}
		if (full) {
			web_json_add_str(jb, "expert", s->expert);
			web_json_add_str(jb, "error", s->error);
			if (s->identity) {
				json_builder_set_member_name(jb, "identity");
				json_builder_add_value(jb, json_node_ref(s->identity));
			}
		}
		if (bo->media) {
			struct media_stats st;

			media_stats(bo->media, &st);
			json_builder_set_member_name(jb, "media");
			json_builder_begin_object(jb);
			web_json_add_int(jb, "video_in_frames", (int64_t)st.video_in_frames);
			web_json_add_int(jb, "audio_in_buffers", (int64_t)st.audio_in_buffers);
			web_json_add_int(jb, "video_out_frames", (int64_t)st.video_out_frames);
			web_json_add_int(jb, "document_frames", (int64_t)st.document_frames);
			web_json_add_int(jb, "screen_frames", (int64_t)st.screen_frames);
			if (st.beeps_played_us[MEDIA_BEEPS - 1]) {
				json_builder_set_member_name(jb, "beeps_played_us");
				json_builder_begin_array(jb);
				for (int i = 0; i < MEDIA_BEEPS; i++)
					if (st.beeps_played_us[i])
						json_builder_add_int_value(jb,
									   st.beeps_played_us[i]);
				json_builder_end_array(jb);
			}
			json_builder_end_object(jb);
		}
		json_builder_end_object(jb);
	}
	if (bo->last_id) {
		json_builder_set_member_name(jb, "last");
		json_builder_begin_object(jb);
		web_json_add_int(jb, "session", bo->last_id);
		web_json_add_str(jb, "code", bo->last_code);
		web_json_add_str(jb, "reason", session_end_name(bo->last_reason));
		web_json_add_int(jb, "at", bo->last_at);
		web_json_add_str(jb, "lang", config_lang_code(b->cfg, bo->last_lang));
		json_builder_end_object(jb);
	}
	json_builder_end_object(jb);
}

void booths_build(struct booths *b, JsonBuilder *jb, gboolean full)
{
	json_builder_begin_array(jb);
	for (guint i = 0; i < b->booths->len; i++)
		build_booth(b, g_ptr_array_index(b->booths, i), jb, full);
	json_builder_end_array(jb);
}

int booths_build_one(struct booths *b, int booth_id, JsonBuilder *jb, gboolean full)
{
	struct booth *bo = booth_find(b, booth_id);

	if (!bo)
		return -ENOENT;
	build_booth(b, bo, jb, full);
	return 0;
}

gboolean booths_is_booth(struct booths *b, int booth_id)
{
	return booth_find(b, booth_id) != NULL;
}

gboolean booths_serve(struct booths *b, int service)
{
	for (guint i = 0; i < b->booths->len; i++) {
		const struct booth *bo = g_ptr_array_index(b->booths, i);

		if (bo->fault)
			continue;
		for (guint k = 0; k < bo->cc->profile->len; k++)
			if (g_array_index(bo->cc->profile, struct config_profile_entry, k)
				.service == service)
				return TRUE;
	}
	return FALSE;
}

const char *booths_fault_of(struct booths *b, int booth_id)
{
	struct booth *bo = booth_find(b, booth_id);

	return bo ? bo->fault : NULL;
}

void booths_faults(struct booths *b, GPtrArray *faults)
{
	for (guint i = 0; i < b->booths->len; i++) {
		struct booth *bo = g_ptr_array_index(b->booths, i);

		if (bo->fault)
			g_ptr_array_add(faults,
					g_strdup_printf("booth %d: %s", bo->cc->id, bo->fault));
	}
}

static void delete_recording(int64_t id, const char *path, void *data)
{
	g_autofree char *transcript = transcript_path(path);

	if (g_unlink(transcript) < 0 && errno != ENOENT)
		g_warning("cannot delete transcript %s: %s", transcript, g_strerror(errno));
	if (g_unlink(path) < 0 && errno != ENOENT)
		g_warning("cannot delete recording %s: %s", path, g_strerror(errno));
	else
		g_message("recording of session %" G_GINT64_FORMAT " deleted (retention)", id);
}

int booths_prune_recordings(struct booths *b)
{
	g_autoptr(GError) error = NULL;
	int64_t before = booths_now(b) - (int64_t)b->cfg->recording_retention_days * 86400;
	int n =
	    store_recordings_expired(desk_store(b->desk), before, delete_recording, NULL, &error);

	if (n < 0)
		g_warning("pruning recordings: %s", error->message);
	return n;
}

static gboolean on_prune(gpointer data)
{
	booths_prune_recordings(data);
	return G_SOURCE_CONTINUE;
}

/* ---------------------------------------------------------------------- */

struct booths *booths_new(const struct config *cfg, struct desk *desk, struct bus *bus,
			  booths_send_fn send, gpointer send_data)
{
	struct booths *b = g_new0(struct booths, 1);

	b->cfg = cfg;
	b->desk = desk;
	b->bus = bus;
	b->send = send;
	b->send_data = send_data;
	b->booths = g_ptr_array_new();
	queue_result_init(&b->res);
	for (guint i = 0; i < cfg->counters->len; i++) {
		const struct config_counter *cc = config_counter_get(cfg, (int)i);
		struct booth *bo;

		if (!cc->expert)
			continue;
		bo = g_new0(struct booth, 1);
		bo->owner = b;
		bo->cc = cc;
		g_ptr_array_add(b->booths, bo);
	}
	if (!b->booths->len)
		return b;
	gst_init(NULL, NULL);
	media_tolerate_rtpsession_race();
	for (guint i = 0; i < b->booths->len; i++) {
		const struct config_counter *cc = ((struct booth *)b->booths->pdata[i])->cc;

		/* An H.264 booth's encoder (a board's own) and decoder may lie
		 * outside the plugins read at start (hal/gst_plugins.h). */
		if (cc->video_codec == 1) {
			gst_plugins_find(cc->h264_encoder);
			gst_plugins_find("avdec_h264");
		}
	}
	b->certificate = media_prepare_certificate();
	for (guint i = 0; i < b->booths->len; i++) {
		struct booth *bo = g_ptr_array_index(b->booths, i);

		/* A session cannot survive a restart: a ticket left at the booth
		 * goes back to the front of its line. */
		booth_release(bo, QUEUE_CMD_TRANSFER, "vuorod", NULL);
		booth_prepare(bo);
	}
	{
		g_autoptr(GError) error = NULL;

		if (store_sessions_interrupted(desk_store(desk), g_get_real_time() / G_USEC_PER_SEC,
					       &error) < 0)
			g_warning("sessions of before the restart stay open in the database: %s",
				  error->message);
	}
	b->door_sub = bus_subscribe(bus, "booth.door", on_door, b);
	booths_prune_recordings(b);
	b->prune_timer = g_timeout_add_seconds(BOOTH_PRUNE_EVERY_S, on_prune, b);
	return b;
}

void booths_free(struct booths *b)
{
	if (!b)
		return;
	for (guint i = 0; i < b->booths->len; i++) {
		struct booth *bo = g_ptr_array_index(b->booths, i);

		if (bo->session)
			session_end(bo, SESSION_END_ERROR, "vuorod stopped", NULL);
		if (bo->retry)
			g_source_remove(bo->retry);
		g_clear_pointer(&bo->media, media_free);
		g_free(bo->fault);
		g_free(bo);
	}
	if (b->door_sub)
		bus_unsubscribe(b->bus, b->door_sub);
	if (b->prune_timer)
		g_source_remove(b->prune_timer);
	if (b->certificate)
		g_thread_join(b->certificate);
	g_ptr_array_unref(b->booths);
	queue_result_free(&b->res);
	g_free(b);
}

int booths_session_of(struct booths *b, int booth_id, struct booths_session_info *ret)
{
	struct booth *bo = booth_find(b, booth_id);
	const struct queue_ticket *tk;

	if (!bo || !bo->session)
		return -ENOENT;
	tk = queue_ticket_get(desk_queue(b->desk), bo->session->ticket);
	ret->session = bo->session->id;
	ret->ticket = bo->session->ticket;
	ret->day = tk ? tk->day : 0;
	ret->expert = bo->session->expert;
	ret->code = bo->session->code;
	ret->state = session_state_name(bo->session->state);
	ret->hub = bo->session->channel;
	ret->lang = bo->session->lang;
	return 0;
}

int booths_booth_of_session(struct booths *b, int64_t id)
{
	struct booth *bo = booth_of_session(b, id);

	return bo ? bo->cc->id : -ENOENT;
}

gboolean booths_booth_serves(struct booths *b, int booth_id, const char *provider)
{
	struct booth *bo = booth_find(b, booth_id);
	g_autofree char *profile = bo && provider ? booth_profile_for(b, bo->cc, provider) : NULL;

	return profile != NULL;
}

guint booths_peer_sessions(struct booths *b, gpointer peer)
{
	guint n = 0;

	for (guint i = 0; peer && i < b->booths->len; i++) {
		struct booth *bo = g_ptr_array_index(b->booths, i);

		n += bo->session && bo->session->peer == peer;
	}
	return n;
}

void booths_build_providers(struct booths *b, int booth_id, JsonBuilder *jb)
{
	struct booth *bo = booth_find(b, booth_id);
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

	json_builder_begin_array(jb);
	for (guint i = 0; bo && i < bo->cc->profile->len; i++) {
		const struct config_profile_entry *e =
		    &g_array_index(bo->cc->profile, struct config_profile_entry, i);
		const char *code = config_provider_code(b->cfg, e->service);

		if (!code || !g_hash_table_add(seen, (gpointer)code))
			continue;
		json_builder_add_string_value(jb, code);
	}
	json_builder_end_array(jb);
}
