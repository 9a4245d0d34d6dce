/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api_booth: the HTTP side of remote service.
 *
 *   GET  /api/booths, /api/booths/N         booth states (booth screen, staff)
 *   GET  /api/booths/N/video                the expert's video as MJPEG (booth screen)
 *   POST /api/booths/N/leave                the customer leaves (booth screen)
 *   POST /api/booths/N/consent {given}      the customer's answer to recording
 *   POST /api/booths/N/identity-declined    the customer: no ID card now
 *   POST /api/booths/N/text {text}          the customer's real-time text (T.140)
 *   POST /api/booths/N/check                a technician: try the pipeline again
 *   POST /api/booths/N/sim {unplug}         sim board: a part fails
 *   GET  /api/expert                        the expert's provider, queue, booths
 *   POST /api/expert/call {client, booth?, ticket?}
 *   POST /api/sessions/ID/end {outcome?, category?}
 *   POST /api/sessions/ID/message {template? | text?}
 *   POST /api/sessions/ID/document {on}
 *   POST /api/sessions/ID/consent           ask the customer to allow recording
 *   POST /api/sessions/ID/ask-identity {ask?}   ask for the ID card (or take it back)
 *   WS   /api/signal                        the expert's signalling socket
 *
 * The signalling socket says hello with a client id; the page names it in
 * its call, which binds the session to that socket.
 */

#include <errno.h>
#include <string.h>

#include "api_internal.h"
#include "auth.h"
#include "booth.h"
#include "http_guard.h"
#include "store.h"
#include "uplink.h"
#include "visit.h"

#define MJPEG_BOUNDARY    "vuoroframe"
#define MJPEG_MAX_PENDING 2 /* frames queued to a slow viewer before we skip */

struct api_booth {
	GHashTable *clients; /* client id → SoupWebsocketConnection * (ref) */
	GPtrArray *viewers;  /* of struct viewer * */
	guint session_sub;
	guint text_sub;
};

struct viewer {
	struct api *api;
	SoupServerMessage *msg;
	int booth;
	int pending; /* chunks appended, not yet written */
	gboolean done;
	char session[65]; /* who watches: the stream ends with their login or device */
	char *user;
	char device[WEB_DEVICE_NAME_MAX + 1];
};

#define EXPERTS (AUTH_ROLE_EXPERT | AUTH_ROLE_ADMIN)
#define BOOTH_SCREEN                                                                               \
	(AUTH_ROLE_KIOSK | AUTH_ROLE_EXPERT | AUTH_ROLE_ADMIN | AUTH_ROLE_TECHNICIAN |             \
	 AUTH_ROLE_ADVISOR | AUTH_ROLE_MANAGER)
#define TECHS (AUTH_ROLE_TECHNICIAN | AUTH_ROLE_ADMIN)

static gboolean api_booths_ready(struct web_req *r)
{
	if (api_of(r)->booths)
		return TRUE;
	web_error(r, 503, "no_booths", "remote service is not running");
	return FALSE;
}

static gboolean api_booth_id(struct web_req *r, int64_t *ret)
{
	if (!web_seg_id(r, 2, API_COUNTER_MAX, ret))
		return FALSE;
	if (!booths_is_booth(api_of(r)->booths, (int)*ret)) {
		web_error(r, 404, "not_found",
			  "counter %" G_GINT64_FORMAT " is not a remote-service booth", *ret);
		return FALSE;
	}
	return TRUE;
}

static void api_booths_get(struct web_req *r)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	if (!api_booths_ready(r))
		return;
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "booths");
	booths_build(api_of(r)->booths, b, r->caller.role != AUTH_ROLE_KIOSK);
	json_builder_end_object(b);
	web_reply_builder(r, 200, b);
}

static void api_booth_get(struct web_req *r)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	int64_t id;

	if (!api_booths_ready(r) || !api_booth_id(r, &id))
		return;
	booths_build_one(api_of(r)->booths, (int)id, b, r->caller.role != AUTH_ROLE_KIOSK);
	web_reply_builder(r, 200, b);
}

static void api_booth_reply(struct web_req *r, int rc, const GError *error)
{
	if (rc < 0)
		api_error_gerror(r, rc, error, NULL);
	else
		web_reply_ok(r, 200);
}

static void api_booth_leave(struct web_req *r)
{
	g_autoptr(GError) error = NULL;
	int64_t id;

	if (api_booths_ready(r) && api_booth_id(r, &id)) {
		int rc = booths_leave(api_of(r)->booths, (int)id, &error);

		api_booth_reply(r, rc, error);
	}
}

static void api_booth_consent(struct web_req *r)
{
	g_autoptr(GError) error = NULL;
	int64_t id;

	if (api_booths_ready(r) && api_booth_id(r, &id)) {
		int rc =
		    booths_consent(api_of(r)->booths, (int)id, web_bool(r, "given", FALSE), &error);

		api_booth_reply(r, rc, error);
	}
}

static void api_booth_identity_declined(struct web_req *r)
{
	g_autoptr(GError) error = NULL;
	int64_t id;

	if (api_booths_ready(r) && api_booth_id(r, &id)) {
		int rc = booths_identity_declined(api_of(r)->booths, (int)id, &error);

		api_booth_reply(r, rc, error);
	}
}

static void api_booth_text(struct web_req *r)
{
	g_autoptr(GError) error = NULL;
	int64_t id;

	if (api_booths_ready(r) && api_booth_id(r, &id)) {
		int rc = booths_text(api_of(r)->booths, (int)id, web_str(r, "text"), &error);

		api_booth_reply(r, rc, error);
	}
}

static void api_booth_check(struct web_req *r)
{
	g_autoptr(GError) error = NULL;
	int64_t id;

	if (api_booths_ready(r) && api_booth_id(r, &id)) {
		int rc = booths_check(api_of(r)->booths, (int)id, &error);

		api_booth_reply(r, rc, error);
	}
}

void api_booth_sim(struct web_req *r)
{
	g_autoptr(GError) error = NULL;
	int64_t id;

	if (api_booths_ready(r) && api_booth_id(r, &id)) {
		int rc =
		    booths_sim_unplug(api_of(r)->booths, (int)id, web_str(r, "unplug"), &error);

		api_booth_reply(r, rc, error);
	}
}

/* ---------------------------------------------------------------------- */
/* The booth screen's video: multipart/x-mixed-replace JPEGs */

static void api_viewer_count(struct api *api, int booth)
{
	struct api_booth *ab = api->booth_api;
	gboolean any = FALSE;

	for (guint i = 0; i < ab->viewers->len; i++) {
		struct viewer *v = g_ptr_array_index(ab->viewers, i);

		any = any || (v->booth == booth && !v->done);
	}
	if (api->booths)
		booths_screen_wanted(api->booths, booth, any);
}

static void on_viewer_wrote(SoupServerMessage *msg, gpointer data)
{
	struct viewer *v = data;

	if (v->pending > 0)
		v->pending--;
}

static void on_viewer_finished(SoupServerMessage *msg, gpointer data)
{
	struct viewer *v = data;
	struct api *api = v->api;
	/* Removing @v frees it (viewer_free): its booth is read first. */
	int booth = v->booth;

	v->done = TRUE;
	g_signal_handlers_disconnect_by_data(msg, v);
	g_ptr_array_remove(api->booth_api->viewers, v);
	api_viewer_count(api, booth);
}

static void viewer_free(gpointer p)
{
	struct viewer *v = p;

	g_object_unref(v->msg);
	g_free(v->user);
	g_free(v);
}

static gboolean viewer_is(const char *have, const char *want)
{
	return want && *want && have && *have && strcmp(have, want) == 0;
}

int api_booth_end_viewers(struct api *api, const char *session, const char *user,
			  const char *device)
{
	struct api_booth *ab = api->booth_api;
	int n = 0;

	for (guint i = 0; ab && i < ab->viewers->len; i++) {
		struct viewer *v = g_ptr_array_index(ab->viewers, i);

		if (v->done || !(viewer_is(v->session, session) || viewer_is(v->user, user) ||
				 viewer_is(v->device, device)))
			continue;
		/* The last chunk: the response ends, "finished" lets the viewer go. */
		soup_message_body_complete(soup_server_message_get_response_body(v->msg));
		soup_server_message_unpause(v->msg);
		n++;
	}
	return n;
}

static void api_booth_video(struct web_req *r)
{
	SoupServerMessage *msg = web_exchange_message(r->x);
	SoupMessageHeaders *h;
	struct viewer *v;
	int64_t id;

	if (!api_booths_ready(r) || !api_booth_id(r, &id))
		return;
	if (!msg) {
		web_error(r, 501, "needs_socket",
			  "the booth's video is a stream: open it over HTTP");
		return;
	}
	h = soup_server_message_get_response_headers(msg);
	v = g_new0(struct viewer, 1);
	v->api = api_of(r);
	v->msg = g_object_ref(msg);
	v->booth = (int)id;
	g_strlcpy(v->session, r->caller.session, sizeof(v->session));
	v->user = g_strdup(r->caller.user);
	g_strlcpy(v->device, r->caller.device, sizeof(v->device));
	soup_server_message_set_status(msg, 200, NULL);
	soup_message_headers_set_encoding(h, SOUP_ENCODING_CHUNKED);
	soup_message_headers_replace(h, "Content-Type",
				     "multipart/x-mixed-replace; boundary=" MJPEG_BOUNDARY);
	soup_message_headers_replace(h, "Cache-Control", "no-store");
	/* A frame sent is let go: the body would otherwise keep every frame of
	 * the session. */
	soup_message_body_set_accumulate(soup_server_message_get_response_body(msg), FALSE);
	g_signal_connect(msg, "wrote-chunk", G_CALLBACK(on_viewer_wrote), v);
	g_signal_connect(msg, "finished", G_CALLBACK(on_viewer_finished), v);
	g_ptr_array_add(api_of(r)->booth_api->viewers, v);
	soup_server_message_pause(msg);
	api_viewer_count(api_of(r), v->booth);
}

static void api_booth_jpeg(int booth, GBytes *jpeg, gpointer data)
{
	struct api *api = data;
	struct api_booth *ab = api->booth_api;
	gsize size;
	const void *bytes = g_bytes_get_data(jpeg, &size);

	for (guint i = 0; i < ab->viewers->len; i++) {
		struct viewer *v = g_ptr_array_index(ab->viewers, i);
		SoupMessageBody *body;
		g_autofree char *head = NULL;

		if (v->booth != booth || v->done || v->pending >= MJPEG_MAX_PENDING)
			continue;
		body = soup_server_message_get_response_body(v->msg);
		head = g_strdup_printf("--" MJPEG_BOUNDARY "\r\nContent-Type: image/jpeg\r\n"
				       "Content-Length: %zu\r\n\r\n",
				       size);
		soup_message_body_append(body, SOUP_MEMORY_COPY, head, strlen(head));
		soup_message_body_append(body, SOUP_MEMORY_COPY, bytes, size);
		soup_message_body_append(body, SOUP_MEMORY_STATIC, "\r\n", 2);
		v->pending += 3;
		soup_server_message_unpause(v->msg);
	}
}

/* ---------------------------------------------------------------------- */
/* Experts */

static char *api_expert_provider(struct web_req *r)
{
	return store_user_provider(desk_store(api_of(r)->desk), r->caller.user);
}

struct expert_queue {
	struct api *api;
	JsonBuilder *b;
	const char *provider;
	int64_t now;
};

static void api_expert_ticket(const struct queue_ticket *tk, void *data)
{
	struct expert_queue *eq = data;
	const struct config_service *svc = config_service_get(eq->api->cfg, tk->service);

	if (!svc || svc->kind != CONFIG_SERVICE_REMOTE ||
	    g_strcmp0(config_provider_code(eq->api->cfg, tk->service), eq->provider) != 0)
		return;
	if (tk->state != QUEUE_WAITING && tk->state != QUEUE_CALLED && tk->state != QUEUE_SERVING)
		return;
	json_builder_begin_object(eq->b);
	web_json_add_int(eq->b, "id", tk->id);
	web_json_add_str(eq->b, "code", tk->code);
	web_json_add_str(eq->b, "service", svc->code);
	web_json_add_str(eq->b, "state", queue_state_name(tk->state));
	web_json_add_str(eq->b, "lang", config_lang_code(eq->api->cfg, tk->lang));
	web_json_add_int(eq->b, "queued_at", tk->queued_at);
	web_json_add_int(eq->b, "waited_s", eq->now - tk->queued_at);
	web_json_add_int(eq->b, "counter", tk->counter);
	web_json_add_bool(eq->b, "appointment", tk->appointment != 0);
	if (tk->state != QUEUE_WAITING)
		web_json_add_str(eq->b, "transfer_note",
				 visit_transfer_note(desk_visits(eq->api->desk), tk));
	json_builder_end_object(eq->b);
}

static void api_expert_get(struct web_req *r)
{
	struct api *api = api_of(r);
	g_autofree char *provider = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	struct expert_queue eq = {.api = api, .b = b};
	struct queue_time t;

	if (!api_booths_ready(r))
		return;
	provider = api_expert_provider(r);
	desk_flush(api->desk);
	desk_time(api->desk, &t);
	eq.provider = provider;
	eq.now = t.now;
	json_builder_begin_object(b);
	web_json_add_str(b, "user", r->caller.user);
	web_json_add_str(b, "provider", provider);
	for (guint i = 0; provider && i < api->cfg->providers->len; i++) {
		const struct config_provider *p = g_ptr_array_index(api->cfg->providers, i);

		if (strcmp(p->code, provider) != 0)
			continue;
		api_add_lang_texts(b, api->cfg, "provider_names", p->name);
	}
	json_builder_set_member_name(b, "services");
	json_builder_begin_array(b);
	for (guint i = 0; provider && i < api->cfg->services->len; i++) {
		const struct config_service *svc = config_service_get(api->cfg, (int)i);
		struct queue_service_status st;

		if (svc->kind != CONFIG_SERVICE_REMOTE ||
		    g_strcmp0(config_provider_code(api->cfg, (int)i), provider) != 0)
			continue;
		queue_service_status(desk_queue(api->desk), (int16_t)i, &t, &st);
		json_builder_begin_object(b);
		web_json_add_str(b, "code", svc->code);
		api_add_names(b, api->cfg, svc->name);
		web_json_add_int(b, "waiting", st.waiting);
		web_json_add_int(b, "wait_s", st.wait_s);
		api_add_service_card(b, api->cfg, svc);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "tickets");
	json_builder_begin_array(b);
	if (provider)
		queue_foreach_ticket(desk_queue(api->desk), api_expert_ticket, &eq);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "booths");
	booths_build(api->booths, b, TRUE);
	json_builder_end_object(b);
	web_reply_builder(r, 200, b);
}

static void api_expert_call(struct web_req *r)
{
	struct api *api = api_of(r);
	g_autofree char *provider = NULL;
	g_autoptr(GError) error = NULL;
	SoupWebsocketConnection *peer;
	g_autoptr(JsonBuilder) b = NULL;
	int64_t id;

	if (!api_booths_ready(r))
		return;
	provider = api_expert_provider(r);
	peer = g_hash_table_lookup(api->booth_api->clients, web_str(r, "client"));
	if (peer && g_strcmp0(g_object_get_data(G_OBJECT(peer), "vuoro-user"), r->caller.user) != 0)
		peer = NULL;
	id = booths_call(api->booths, r->caller.user, provider, (int)web_int(r, "booth", 0),
			 (uint32_t)web_int(r, "ticket", 0), peer, NULL, &error);
	if (id < 0) {
		if (error && error->domain == DESK_ERROR && error->code == ENODATA)
			web_error(r, 404, "nobody_waiting", "%s", error->message);
		else
			api_error_gerror(r, (int)id, error, NULL);
		return;
	}
	b = json_builder_new();
	json_builder_begin_object(b);
	web_json_add_int(b, "session", id);
	json_builder_end_object(b);
	web_reply_builder(r, 201, b);
}

static gboolean api_session_id(struct web_req *r, int64_t *ret)
{
	return api_booths_ready(r) && web_seg_id(r, 2, G_MAXINT32, ret);
}

/* An admin may act on any session; an expert on their own. */
static const char *api_session_user(struct web_req *r)
{
	return r->caller.role == AUTH_ROLE_ADMIN ? NULL : r->caller.user;
}

static void api_session_end(struct web_req *r)
{
	g_autoptr(GError) error = NULL;
	int outcome = -1;
	int64_t id;

	if (!api_session_id(r, &id))
		return;
	if (web_str(r, "outcome")) {
		outcome = queue_outcome_parse(web_str(r, "outcome"));
		if (outcome != QUEUE_OUTCOME_RESOLVED && outcome != QUEUE_OUTCOME_REFERRED &&
		    outcome != QUEUE_OUTCOME_FOLLOW_UP) {
			web_error(r, 400, "invalid",
				  "outcome must be resolved, referred or follow_up");
			return;
		}
	}
	if (web_str(r, "category") &&
	    (!*web_str(r, "category") || strlen(web_str(r, "category")) > 64)) {
		web_error(r, 400, "invalid", "category is a text of 1 to 64 characters");
		return;
	}
	{
		int rc = booths_end(api_of(r)->booths, id, api_session_user(r), outcome,
				    web_str(r, "category"), &error);

		api_booth_reply(r, rc, error);
	}
}

static void api_session_message(struct web_req *r)
{
	g_autoptr(GError) error = NULL;
	int64_t id;

	if (api_session_id(r, &id)) {
		int rc = booths_message(api_of(r)->booths, id, api_session_user(r),
					web_str(r, "template"), web_str(r, "text"), &error);

		api_booth_reply(r, rc, error);
	}
}

static void api_session_document(struct web_req *r)
{
	g_autoptr(GError) error = NULL;
	int64_t id;

	if (api_session_id(r, &id)) {
		int rc = booths_document(api_of(r)->booths, id, api_session_user(r),
					 web_bool(r, "on", TRUE), &error);

		api_booth_reply(r, rc, error);
	}
}

static void api_session_consent(struct web_req *r)
{
	g_autoptr(GError) error = NULL;
	int64_t id;

	if (api_session_id(r, &id)) {
		int rc = booths_ask_consent(api_of(r)->booths, id, api_session_user(r), &error);

		api_booth_reply(r, rc, error);
	}
}

static void api_session_ask_identity(struct web_req *r)
{
	g_autoptr(GError) error = NULL;
	int64_t id;

	if (api_session_id(r, &id)) {
		int rc = booths_ask_identity(api_of(r)->booths, id, api_session_user(r),
					     web_bool(r, "ask", TRUE), &error);

		api_booth_reply(r, rc, error);
	}
}

static const struct web_field ask_fields[] = {WEB_FIELD_BOOL("ask", FALSE), WEB_FIELDS_END};
static const struct web_field consent_fields[] = {WEB_FIELD_BOOL("given", TRUE), WEB_FIELDS_END};
static const struct web_field call_fields[] = {
    WEB_FIELD_STR("client", TRUE, 128), WEB_FIELD_INT("booth", FALSE, 1, API_COUNTER_MAX),
    WEB_FIELD_INT("ticket", FALSE, 1, G_MAXINT32), WEB_FIELDS_END};
static const struct web_field end_fields[] = {
    WEB_FIELD_STR("outcome", FALSE, 32), WEB_FIELD_STR("category", FALSE, 128), WEB_FIELDS_END};
/* A message is at most BOOTH_MESSAGE_MAX characters: 4 bytes each. */
static const struct web_field message_fields[] = {
    WEB_FIELD_STR("template", FALSE, 64), WEB_FIELD_STR("text", FALSE, 4 * 280), WEB_FIELDS_END};
/* A burst of real-time text: what a fast typist writes in a moment. */
static const struct web_field text_fields[] = {WEB_FIELD_STR("text", TRUE, 1024), WEB_FIELDS_END};
static const struct web_field document_fields[] = {WEB_FIELD_BOOL("on", FALSE), WEB_FIELDS_END};

const struct web_route api_booth_routes[] = {
    {"GET", "/api/booths", BOOTH_SCREEN, api_booths_get, NULL},
    {"GET", "/api/booths/*", BOOTH_SCREEN, api_booth_get, NULL},
    {"GET", "/api/booths/*/video", BOOTH_SCREEN, api_booth_video, NULL},
    {"POST", "/api/booths/*/leave", AUTH_ROLE_KIOSK | EXPERTS, api_booth_leave, api_no_fields},
    {"POST", "/api/booths/*/consent", AUTH_ROLE_KIOSK, api_booth_consent, consent_fields},
    {"POST", "/api/booths/*/identity-declined", AUTH_ROLE_KIOSK, api_booth_identity_declined,
     api_no_fields},
    {"POST", "/api/booths/*/text", AUTH_ROLE_KIOSK, api_booth_text, text_fields},
    {"POST", "/api/booths/*/check", TECHS, api_booth_check, api_no_fields},
    {"GET", "/api/expert", EXPERTS, api_expert_get, NULL},
    {"POST", "/api/expert/call", EXPERTS, api_expert_call, call_fields},
    {"POST", "/api/sessions/*/end", EXPERTS, api_session_end, end_fields},
    {"POST", "/api/sessions/*/message", EXPERTS, api_session_message, message_fields},
    {"POST", "/api/sessions/*/document", EXPERTS, api_session_document, document_fields},
    {"POST", "/api/sessions/*/consent", EXPERTS, api_session_consent, api_no_fields},
    {"POST", "/api/sessions/*/ask-identity", EXPERTS, api_session_ask_identity, ask_fields},
};
const size_t api_booth_n_routes = G_N_ELEMENTS(api_booth_routes);

/* ---------------------------------------------------------------------- */
/* The signalling socket */

/* To a hub peer (an expert at the hub: the uplink publishes it) or to an
 * expert's WebSocket here. */
void api_signal_send(gpointer peer, const char *json, gpointer data)
{
	struct api *api = data;
	SoupWebsocketConnection *ws = peer;

	if (api && api->uplink && uplink_signal_send(api->uplink, peer, json))
		return;
	if (soup_websocket_connection_get_state(ws) == SOUP_WEBSOCKET_STATE_OPEN)
		soup_websocket_connection_send_text(ws, json);
}

static void api_signal_error(SoupWebsocketConnection *ws, const char *message)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) node = NULL;
	g_autofree char *text = NULL;

	json_builder_begin_object(b);
	web_json_add_str(b, "type", "error");
	web_json_add_str(b, "message", message);
	json_builder_end_object(b);
	node = json_builder_get_root(b);
	text = json_to_string(node, FALSE);
	api_signal_send(ws, text, NULL);
}

void api_signal_message(SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer data)
{
	struct api *api = data;
	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	g_autoptr(GError) error = NULL;
	gsize len;
	const char *text = g_bytes_get_data(message, &len);
	JsonNode *root;

	if (type == SOUP_WEBSOCKET_DATA_TEXT && http_guard_json_check(api->guard, text, len) < 0) {
		api_signal_error(ws, "too_deep: a signalling message nests arrays or objects too "
				     "deep ([api] json-max-depth)");
		return;
	}
	/* An empty frame's data is NULL, which json-glib refuses with a critical. */
	if (type != SOUP_WEBSOCKET_DATA_TEXT || !text || !len ||
	    !json_parser_load_from_data(parser, text, (gssize)len, &error) ||
	    !(root = json_parser_get_root(parser)) || !JSON_NODE_HOLDS_OBJECT(root)) {
		api_signal_error(ws, "a signalling message is a JSON object with a type");
		return;
	}
	if (!api->booths) {
		api_signal_error(ws, "remote service is not running");
		return;
	}
	if (booths_signal(api->booths, ws, g_object_get_data(G_OBJECT(ws), "vuoro-user"),
			  json_node_get_object(root), &error) < 0)
		api_signal_error(ws, error->message);
}

static void on_signal_closed(SoupWebsocketConnection *ws, gpointer data)
{
	struct api *api = data;
	const char *client = g_object_get_data(G_OBJECT(ws), "vuoro-client");

	g_signal_handlers_disconnect_by_data(ws, api);
	if (api->booths)
		booths_peer_gone(api->booths, ws);
	if (client)
		g_hash_table_remove(api->booth_api->clients, client); /* unrefs ws */
}

static void api_signal_open(SoupServer *server, SoupServerMessage *msg, const char *path,
			    SoupWebsocketConnection *ws, gpointer data)
{
	struct api *api = data;
	struct web_caller caller = {0};
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) node = NULL;
	g_autofree char *text = NULL;
	char *client;

	api_identify_message(api, msg, &caller);
	if (web_foreign_origin(soup_server_message_get_request_headers(msg)) ||
	    !(caller.role & EXPERTS)) {
		soup_websocket_connection_close(ws, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
						"log in as an expert first");
		g_free(caller.user);
		g_free(caller.csrf);
		return;
	}
	client = auth_token_new();
	api_devices_track_socket(api, ws, &caller);
	g_object_set_data_full(G_OBJECT(ws), "vuoro-user", caller.user, g_free);
	g_object_set_data_full(G_OBJECT(ws), "vuoro-client", g_strdup(client), g_free);
	g_free(caller.csrf);
	g_hash_table_insert(api->booth_api->clients, client, g_object_ref(ws));
	g_signal_connect(ws, "message", G_CALLBACK(api_signal_message), api);
	g_signal_connect(ws, "closed", G_CALLBACK(on_signal_closed), api);
	soup_websocket_connection_set_keepalive_interval(ws, 5);
	json_builder_begin_object(b);
	web_json_add_str(b, "type", "hello");
	web_json_add_str(b, "client", client);
	json_builder_end_object(b);
	node = json_builder_get_root(b);
	text = json_to_string(node, FALSE);
	soup_websocket_connection_send_text(ws, text);
}

/* Every change of a booth to the pages: the booth screen, the experts, the
 * technicians; anonymous pages only see that a booth is busy. */
static void on_session_changed(const char *topic, gconstpointer payload, gpointer data)
{
	struct api *api = data;
	const int *booth = payload;
	g_autoptr(JsonBuilder) b = NULL;
	g_autoptr(JsonBuilder) pub = NULL;

	if (!web_sockets_count(api->sockets) || !api->booths)
		return;
	b = json_builder_new();
	json_builder_begin_object(b);
	web_json_add_str(b, "type", "booth");
	json_builder_set_member_name(b, "booth");
	booths_build_one(api->booths, *booth, b, FALSE);
	json_builder_end_object(b);
	pub = json_builder_new();
	json_builder_begin_object(pub);
	web_json_add_str(pub, "type", "booth");
	json_builder_set_member_name(pub, "booth");
	json_builder_begin_object(pub);
	web_json_add_int(pub, "id", *booth);
	json_builder_end_object(pub);
	json_builder_end_object(pub);
	api_ws_send_all(api, b, pub);
}

/* The expert's real-time text, only to the booth's own screen: a socket
 * of a device paired to that booth, or of the sim board's own screens
 * (api_ws_open tags them).  No other page ever sees the conversation. */
static void on_booth_text(const char *topic, gconstpointer payload, gpointer data)
{
	struct api *api = data;
	const int *booth = payload;
	g_autoptr(JsonBuilder) b = NULL;
	g_autofree char *tag = g_strdup_printf("%d", *booth);
	const char *text;
	int64_t session;

	if (!api->booths || booths_text_of(api->booths, *booth, &session, &text) < 0)
		return;
	b = json_builder_new();
	json_builder_begin_object(b);
	web_json_add_str(b, "type", "booth_text");
	web_json_add_int(b, "booth", *booth);
	web_json_add_int(b, "session", session);
	web_json_add_str(b, "text", text);
	json_builder_end_object(b);
	web_sockets_send_tagged(api->sockets, API_SOCKET_BOOTH, tag, b);
	web_sockets_send_tagged(api->sockets, API_SOCKET_BOOTH, API_SOCKET_BOARD, b);
}

struct booths *api_booths(struct api *api)
{
	return api->booths;
}

void api_set_booths(struct api *api, struct booths *booths)
{
	api->booths = booths;
	if (booths)
		booths_set_jpeg_sink(booths, api_booth_jpeg, api);
}

void api_booth_init(struct api *api)
{
	struct api_booth *ab = g_new0(struct api_booth, 1);

	ab->clients = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_object_unref);
	ab->viewers = g_ptr_array_new_with_free_func(viewer_free);
	ab->session_sub = bus_subscribe(api->bus, "session.", on_session_changed, api);
	ab->text_sub = bus_subscribe(api->bus, "booth.text", on_booth_text, api);
	api->booth_api = ab;
	soup_server_add_websocket_handler(api->server, "/api/signal", NULL, NULL, api_signal_open,
					  api, NULL);
}

void api_booth_free(struct api *api)
{
	struct api_booth *ab = api->booth_api;
	GHashTableIter it;
	gpointer ws;

	if (!ab)
		return;
	bus_unsubscribe(api->bus, ab->session_sub);
	bus_unsubscribe(api->bus, ab->text_sub);
	g_hash_table_iter_init(&it, ab->clients);
	while (g_hash_table_iter_next(&it, NULL, &ws))
		g_signal_handlers_disconnect_by_data(ws, api);
	g_hash_table_unref(ab->clients);
	for (guint i = 0; i < ab->viewers->len; i++)
		g_signal_handlers_disconnect_by_data(
		    ((struct viewer *)g_ptr_array_index(ab->viewers, i))->msg,
		    g_ptr_array_index(ab->viewers, i));
	g_ptr_array_unref(ab->viewers);
	g_free(ab);
	api->booth_api = NULL;
}
