/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api_visit: what a visit gathers besides the queue — identity checks and
 * the customer's rating.
 *
 *   POST /api/booths/N/identity {pin}            the booth screen: the ID card's chip
 *   POST /api/sessions/ID/identity {document_type}   the expert: a document checked
 *   POST /api/counters/N/identity {document_type}    the advisor: a document checked
 *   POST /api/feedback {rating, counter?}        the booth screen or kiosk: 1..5
 *
 * The card check runs on a worker thread (identity_check_async) with the
 * request paused.  Each check is stored (identity_checks: method, result,
 * certificate issuer and serial, the keyed hash of the identity code —
 * never the code) before anybody hears of it; the expert of a booth session
 * gets the result on the signalling socket; the answer to the booth screen
 * carries the verdict and its words in three languages, not the name.
 */
#define G_LOG_DOMAIN "vuoro-api"

#include <errno.h>
#include <string.h>

#include "api_internal.h"
#include "auth.h"
#include "booth.h"
#include "feedback.h"
#include "identity.h"
#include "store.h"

#define DOCUMENT_TYPE_MAX 40

struct pending_check {
	struct api *api;
	SoupServerMessage *msg;
	int booth;
	struct booths_session_info info;
	char *expert;
};

static JsonNode *identity_json(const struct identity_result *res)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	api_add_str(b, "method", "card");
	api_add_str(b, "verdict", identity_verdict_name(res->verdict));
	api_add_str(b, "message",
		    res->detail ? res->detail : identity_verdict_advice(res->verdict));
	if (res->verdict == IDENTITY_VERIFIED)
		api_add_str(b, "name", res->name);
	api_add_str(b, "cert_issuer", res->cert_issuer);
	api_add_str(b, "cert_serial", res->cert_serial);
	if (res->pin_tries_left >= 0)
		api_add_int(b, "pin_tries_left", res->pin_tries_left);
	json_builder_set_member_name(b, "ms");
	json_builder_add_double_value(b, res->ms);
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

static void on_card_checked(GObject *source, GAsyncResult *result, gpointer data)
{
	struct pending_check *p = data;
	struct api *api = p->api;
	struct api_req r = {.api = api, .msg = p->msg};
	g_autoptr(GError) error = NULL;
	g_autoptr(IdentityResult) res = identity_check_finish(result, &error);
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) for_expert = NULL;
	struct queue_time t;

	if (!res) {
		api_error(&r, 503, "cancelled", "%s", error->message);
		goto out;
	}
	desk_time(api->desk, &t);
	{
		struct store_identity row = {
		    .ticket = p->info.ticket,
		    .day = p->info.day,
		    .counter = p->booth,
		    .session = p->info.session,
		    .method = "card",
		    .result = identity_verdict_name(res->verdict),
		    .detail = res->detail,
		    .cert_issuer = res->cert_issuer,
		    .cert_serial = res->cert_serial,
		    .id_hmac = res->verdict == IDENTITY_VERIFIED ? res->id_hmac : NULL,
		    .user = p->expert,
		    .at = t.now,
		};

		if (store_identity_add(desk_store(api->desk), &row, &error) < 0) {
			api_error(&r, 507, "not_stored",
				  "%s — the check was not recorded; try again", error->message);
			goto out;
		}
	}
	for_expert = identity_json(res);
	if (api->booths && booths_booth_of_session(api->booths, p->info.session) == p->booth)
		booths_identity(api->booths, p->booth, for_expert);
	json_builder_begin_object(b);
	api_add_str(b, "verdict", identity_verdict_name(res->verdict));
	json_builder_set_member_name(b, "text");
	json_builder_begin_object(b);
	for (int l = 0; l < CONFIG_LANGS; l++)
		api_add_str(b, config_lang_code(l), identity_verdict_text(res->verdict, l));
	json_builder_end_object(b);
	if (res->pin_tries_left >= 0)
		api_add_int(b, "pin_tries_left", res->pin_tries_left);
	api_add_bool(b, "pin_count_low", res->pin_count_low);
	json_builder_end_object(b);
	api_reply_builder(&r, 200, b);
out:
	soup_server_message_unpause(p->msg);
	g_object_unref(p->msg);
	g_free(p->expert);
	g_free(p);
}

static void api_booth_identity(struct api_req *r)
{
	struct api *api = r->api;
	struct pending_check *p;
	int64_t booth;
	const char *pin = api_str(r, "pin");

	if (!api->booths || !api->identity) {
		api_error(r, 503, "no_reader",
			  "no ID-card reader here: see [identity] in board-config");
		return;
	}
	if (!api_seg_id(r, 2, &booth))
		return;
	if (strlen(pin) > 16) {
		api_error(r, 400, "invalid", "a PIN has at most 16 digits");
		return;
	}
	p = g_new0(struct pending_check, 1);
	if (booths_session_of(api->booths, (int)booth, &p->info) < 0) {
		g_free(p);
		api_error(r, 409, "no_session",
			  "booth %" G_GINT64_FORMAT " has no session: identify during a visit",
			  booth);
		return;
	}
	p->api = api;
	p->msg = g_object_ref(r->msg);
	p->booth = (int)booth;
	p->expert = g_strdup(p->info.expert);
	soup_server_message_pause(r->msg);
	identity_check_async(api->identity, pin, NULL, on_card_checked, p);
}

/* A document checked by a person: for @ticket at @counter. */
static void api_document_check(struct api_req *r, uint32_t ticket, int counter, int64_t session)
{
	struct api *api = r->api;
	const char *doc = api_str(r, "document_type");
	const struct queue_ticket *tk = queue_ticket_get(desk_queue(api->desk), ticket);
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = NULL;
	struct queue_time t;

	if (!*doc || g_utf8_strlen(doc, -1) > DOCUMENT_TYPE_MAX ||
	    !g_utf8_validate(doc, -1, NULL)) {
		api_error(r, 400, "invalid",
			  "document_type is a text of 1 to %d characters, like "
			  "passport, id_card or driving_licence",
			  DOCUMENT_TYPE_MAX);
		return;
	}
	desk_time(api->desk, &t);
	{
		struct store_identity row = {
		    .ticket = ticket,
		    .day = tk ? tk->day : t.day,
		    .counter = counter,
		    .session = session,
		    .method = "document",
		    .result = "checked",
		    .document_type = doc,
		    .user = r->caller.user,
		    .at = t.now,
		};

		if (store_identity_add(desk_store(api->desk), &row, &error) < 0) {
			api_error_gerror(r, -EIO, error, NULL);
			return;
		}
	}
	b = json_builder_new();
	json_builder_begin_object(b);
	api_add_str(b, "method", "document");
	api_add_str(b, "verdict", "checked");
	api_add_str(b, "document_type", doc);
	json_builder_end_object(b);
	if (session > 0 && api->booths) {
		g_autoptr(JsonNode) node = json_builder_get_root(b);

		booths_identity(api->booths, counter, node);
		api_reply(r, 201, node);
		return;
	}
	api_reply_builder(r, 201, b);
}

static void api_session_identity(struct api_req *r)
{
	struct booths_session_info info;
	int64_t id;
	int booth;

	if (!r->api->booths || !api_seg_id(r, 2, &id))
		return;
	booth = booths_booth_of_session(r->api->booths, id);
	if (booth < 0 || booths_session_of(r->api->booths, booth, &info) < 0) {
		api_error(r, 404, "not_found", "session %" G_GINT64_FORMAT " is not running", id);
		return;
	}
	if (r->caller.role != AUTH_ROLE_ADMIN && g_strcmp0(info.expert, r->caller.user) != 0) {
		api_error(r, 403, "forbidden", "session %" G_GINT64_FORMAT " belongs to %s", id,
			  info.expert);
		return;
	}
	api_document_check(r, info.ticket, booth, id);
}

static void api_counter_identity(struct api_req *r)
{
	const struct queue_counter *c;
	int64_t id;

	if (!api_seg_id(r, 2, &id))
		return;
	c = queue_counter_get(desk_queue(r->api->desk), (int16_t)id);
	if (!c || !c->ticket) {
		api_error(r, 409, "no_visit",
			  "counter %" G_GINT64_FORMAT
			  " serves nobody now: check identity during a visit",
			  id);
		return;
	}
	if (r->caller.role != AUTH_ROLE_ADMIN && g_strcmp0(c->user, r->caller.user) != 0) {
		api_error(r, 403, "forbidden", "counter %" G_GINT64_FORMAT " is open for %s", id,
			  c->user);
		return;
	}
	api_document_check(r, c->ticket, (int)id, 0);
}

static void api_feedback(struct api_req *r)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = NULL;
	g_autofree char *source = NULL;
	int64_t counter = api_int(r, "counter", 0);
	int rc;

	if (!r->api->feedback) {
		api_error(r, 503, "no_feedback", "feedback is not running");
		return;
	}
	if (counter && config_counter_find(r->api->cfg, (int)counter) < 0) {
		api_error(r, 404, "not_found", "no counter %" G_GINT64_FORMAT, counter);
		return;
	}
	source =
	    counter ? g_strdup_printf("screen:%" G_GINT64_FORMAT, counter) : g_strdup("screen");
	rc = feedback_give(r->api->feedback, (int)api_int(r, "rating", 0), (int)counter, source,
			   &error);
	if (rc < 0) {
		api_error_gerror(r, rc, error, NULL);
		return;
	}
	b = json_builder_new();
	json_builder_begin_object(b);
	api_add_bool(b, "tied", rc == 1);
	json_builder_end_object(b);
	api_reply_builder(r, 201, b);
}

static const struct api_field feedback_fields[] = {
    {"rating", API_INT, TRUE}, {"counter", API_INT, FALSE}, {NULL}};
static const struct api_field pin_fields[] = {{"pin", API_STRING, TRUE}, {NULL}};
static const struct api_field document_fields[] = {{"document_type", API_STRING, TRUE}, {NULL}};

const struct api_route api_visit_routes[] = {
    {"POST", "/api/booths/*/identity", AUTH_ROLE_KIOSK, api_booth_identity, pin_fields},
    {"POST", "/api/sessions/*/identity", AUTH_ROLE_EXPERT | AUTH_ROLE_ADMIN, api_session_identity,
     document_fields},
    {"POST", "/api/counters/*/identity", AUTH_ROLE_ADVISOR | AUTH_ROLE_EXPERT | AUTH_ROLE_ADMIN,
     api_counter_identity, document_fields},
    {"POST", "/api/feedback", AUTH_ROLE_KIOSK, api_feedback, feedback_fields},
};
const size_t api_visit_n_routes = G_N_ELEMENTS(api_visit_routes);

void api_set_identity(struct api *api, struct identity *identity)
{
	api->identity = identity;
}

void api_set_feedback(struct api *api, struct feedback *feedback)
{
	api->feedback = feedback;
}
