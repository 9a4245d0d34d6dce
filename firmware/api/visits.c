/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api_visit: what a visit gathers besides the queue — identity checks and
 * the customer's rating.
 *
 *   POST /api/booths/N/identity {pin}            the booth screen: the ID card's chip
 *   POST /api/tickets/ID/identity {pin}          the ticket kiosk: the same, for a
 *                                                ticket that waits for a counter
 *   POST /api/sessions/ID/identity {document_type}   the expert: a document checked
 *   POST /api/counters/N/identity {document_type}    the advisor: a document checked
 *   GET  /api/counters/N/identity                the advisor: who the customer is
 *   POST /api/feedback {rating, counter?}        the booth screen or kiosk: 1..5
 *
 * The card check runs on a worker thread (identity_check_async) with the
 * request paused.  Each check is stored (identity_checks: method, result,
 * certificate issuer and serial, the keyed hash of the identity code —
 * never the code) before anybody hears of it, by the desk's visit module
 * (desk/visit.h), which keeps the result with the name and the identity
 * code in memory for the visit and stores its method and verdict with the
 * command that ends it.  The result is shown only to who serves it: the expert of a booth session
 * on the signalling socket, the advisor whose counter serves the ticket through GET
 * /api/counters/N/identity.  Staff views carry the method and verdict only; the answer to the
 * citizen's screen carries the verdict and its words in three languages, not the name.
 */

#include <errno.h>
#include <string.h>

#include "api_internal.h"
#include "auth.h"
#include "booth.h"
#include "feedback.h"
#include "identity.h"
#include "store.h"
#include "visit.h"

#define DOCUMENT_TYPE_MAX 40

struct pending_check {
	struct api *api;
	struct web_exchange *x;
	uint32_t ticket;
	int32_t day;
	int counter; /* the booth; 0 at the ticket kiosk */
	int64_t session;
	char *user; /* the expert of the session, NULL at the kiosk */
};

/* Staff pages: ticket @ticket's visit has a new identity check. */
static void api_identity_tell(struct api *api, uint32_t ticket, int counter)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	web_json_add_str(b, "type", "identity");
	web_json_add_int(b, "ticket", ticket);
	if (counter)
		web_json_add_int(b, "counter", counter);
	else
		web_json_add_str(b, "counter", NULL);
	json_builder_end_object(b);
	api_ws_send_all(api, b, NULL);
}

/* The result for staff; with @identity_code only for who serves the visit. */
static JsonNode *identity_json(const struct identity_result *res, int64_t at,
			       const char *identity_code)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	web_json_add_str(b, "method", "card");
	web_json_add_str(b, "verdict", identity_verdict_name(res->verdict));
	web_json_add_str(b, "message",
			 res->detail ? res->detail : identity_verdict_advice(res->verdict));
	if (res->verdict == IDENTITY_VERIFIED)
		web_json_add_str(b, "name", res->name);
	if (identity_code)
		web_json_add_str(b, "identity_code", identity_code);
	web_json_add_str(b, "cert_issuer", res->cert_issuer);
	web_json_add_str(b, "cert_serial", res->cert_serial);
	if (res->pin_tries_left >= 0)
		web_json_add_int(b, "pin_tries_left", res->pin_tries_left);
	json_builder_set_member_name(b, "ms");
	json_builder_add_double_value(b, res->ms);
	web_json_add_int(b, "at", at);
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

static void on_card_checked(GObject *source, GAsyncResult *result, gpointer data)
{
	struct pending_check *p = data;
	struct api *api = p->api;
	struct web_req r = {.app = api, .x = p->x};
	g_autoptr(GError) error = NULL;
	g_autoptr(IdentityResult) res = identity_check_finish(result, &error);
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) for_staff = NULL;
	g_autoptr(JsonNode) with_code = NULL;
	const char *code;
	struct queue_time t;

	if (!res) {
		web_error(&r, 503, "cancelled", "%s", error->message);
		goto out;
	}
	desk_time(api->desk, &t);
	code = res->verdict == IDENTITY_VERIFIED ? res->identity_code : NULL;
	for_staff = identity_json(res, t.now, NULL);
	with_code = identity_json(res, t.now, code);
	{
		struct visit_check check = {
		    .ticket = p->ticket,
		    .day = p->day,
		    .counter = p->counter,
		    .session = p->session,
		    .method = "card",
		    .verdict = identity_verdict_name(res->verdict),
		    .detail = res->detail,
		    .cert_issuer = res->cert_issuer,
		    .cert_serial = res->cert_serial,
		    .id_hmac = res->verdict == IDENTITY_VERIFIED ? res->id_hmac : NULL,
		    .user = p->user,
		    .at = t.now,
		};

		if (visit_identity_add(desk_visits(api->desk), &check, with_code, &error) < 0) {
			web_error(&r, 507, "not_stored",
				  "%s — the check was not recorded; try again", error->message);
			goto out;
		}
	}
	if (p->session && api->booths &&
	    booths_booth_of_session(api->booths, p->session) == p->counter)
		booths_identity(api->booths, p->counter, for_staff, with_code);
	api_identity_tell(api, p->ticket, p->counter);
	json_builder_begin_object(b);
	web_json_add_str(b, "verdict", identity_verdict_name(res->verdict));
	json_builder_set_member_name(b, "text");
	json_builder_begin_object(b);
	for (int l = 0; l < catalog_n_langs(api->catalog); l++)
		web_json_add_str(
		    b, catalog_code(api->catalog, l),
		    catalog_text(api->catalog, l, identity_verdict_text_key(res->verdict)));
	json_builder_end_object(b);
	if (res->pin_tries_left >= 0)
		web_json_add_int(b, "pin_tries_left", res->pin_tries_left);
	web_json_add_bool(b, "pin_count_low", res->pin_count_low);
	json_builder_end_object(b);
	web_reply_builder(&r, 200, b);
out:
	web_exchange_release(p->x);
	g_free(p->user);
	g_free(p);
}

/* Starts a card check for @p (ticket, day, counter, session, user set). */
static void card_check_start(struct web_req *r, struct pending_check *p)
{
	const char *pin = web_str(r, "pin");

	if (strlen(pin) > 16) {
		web_error(r, 400, "invalid", "a PIN has at most 16 digits");
		g_free(p->user);
		g_free(p);
		return;
	}
	p->api = api_of(r);
	p->x = web_req_hold(r);
	identity_check_async(api_of(r)->identity, pin, NULL, on_card_checked, p);
}

static gboolean card_reader_ready(struct web_req *r)
{
	if (!api_of(r)->identity) {
		web_error(r, 503, "no_reader",
			  "no ID-card reader here: see [identity] in board-config");
		return FALSE;
	}
	return TRUE;
}

static void api_booth_identity(struct web_req *r)
{
	struct api *api = api_of(r);
	struct booths_session_info info;
	struct pending_check *p;
	int64_t booth;

	if (!card_reader_ready(r))
		return;
	if (!api->booths) {
		web_error(r, 404, "not_found", "this board has no remote-service booth");
		return;
	}
	if (!web_seg_id(r, 2, API_COUNTER_MAX, &booth))
		return;
	if (booths_session_of(api->booths, (int)booth, &info) < 0) {
		web_error(r, 409, "no_session",
			  "booth %" G_GINT64_FORMAT " has no session: identify during a visit",
			  booth);
		return;
	}
	p = g_new0(struct pending_check, 1);
	p->ticket = info.ticket;
	p->day = info.day;
	p->counter = (int)booth;
	p->session = info.session;
	p->user = g_strdup(info.expert);
	card_check_start(r, p);
}

static void api_ticket_identity(struct web_req *r)
{
	const struct queue_ticket *tk;
	struct pending_check *p;
	int64_t id;

	if (!card_reader_ready(r) || !web_seg_id(r, 2, G_MAXINT32, &id))
		return;
	tk = queue_ticket_get(desk_queue(api_of(r)->desk), (uint32_t)id);
	if (!tk || queue_state_terminal(tk->state)) {
		web_error(r, 409, "not_waiting",
			  "ticket %" G_GINT64_FORMAT
			  " is not waiting for service: identify with a ticket in line",
			  id);
		return;
	}
	p = g_new0(struct pending_check, 1);
	p->ticket = tk->id;
	p->day = tk->day;
	card_check_start(r, p);
}

int api_document_checked(struct api *api, const char *user, uint32_t ticket, int counter,
			 int64_t session, const char *doc, JsonNode **ret, GError **error)
{
	const struct queue_ticket *tk = queue_ticket_get(desk_queue(api->desk), ticket);
	g_autoptr(JsonBuilder) b = NULL;
	g_autoptr(JsonNode) node = NULL;
	struct queue_time t;

	if (!doc || !*doc || !g_utf8_validate(doc, -1, NULL) ||
	    g_utf8_strlen(doc, -1) > DOCUMENT_TYPE_MAX) {
		g_set_error(error, DESK_ERROR, EINVAL,
			    "document_type is a text of 1 to %d characters, like "
			    "passport, id_card or driving_licence",
			    DOCUMENT_TYPE_MAX);
		return -EINVAL;
	}
	desk_time(api->desk, &t);
	b = json_builder_new();
	json_builder_begin_object(b);
	web_json_add_str(b, "method", "document");
	web_json_add_str(b, "verdict", "checked");
	web_json_add_str(b, "document_type", doc);
	web_json_add_int(b, "at", t.now);
	json_builder_end_object(b);
	node = json_builder_get_root(b);
	{
		struct visit_check check = {
		    .ticket = ticket,
		    .day = tk ? tk->day : t.day,
		    .counter = counter,
		    .session = session,
		    .method = "document",
		    .verdict = "checked",
		    .document_type = doc,
		    .user = user,
		    .at = t.now,
		};

		if (visit_identity_add(desk_visits(api->desk), &check, node, error) < 0)
			return -EIO;
	}
	if (session > 0 && api->booths)
		booths_identity(api->booths, counter, node, NULL);
	api_identity_tell(api, ticket, counter);
	*ret = g_steal_pointer(&node);
	return 0;
}

/* A document checked by a person: for @ticket at @counter. */
static void api_document_check(struct web_req *r, uint32_t ticket, int counter, int64_t session)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node = NULL;
	int rc = api_document_checked(api_of(r), r->caller.user, ticket, counter, session,
				      web_str(r, "document_type"), &node, &error);

	if (rc == -EINVAL)
		web_error(r, 400, "invalid", "%s", error->message);
	else if (rc < 0)
		api_error_gerror(r, rc, error, NULL);
	else
		web_reply(r, 201, node);
}

static void api_session_identity(struct web_req *r)
{
	struct booths_session_info info;
	int64_t id;
	int booth;

	if (!api_of(r)->booths) {
		web_error(r, 404, "not_found", "this board has no remote-service booth");
		return;
	}
	if (!web_seg_id(r, 2, G_MAXINT32, &id))
		return;
	booth = booths_booth_of_session(api_of(r)->booths, id);
	if (booth < 0 || booths_session_of(api_of(r)->booths, booth, &info) < 0) {
		web_error(r, 404, "not_found", "session %" G_GINT64_FORMAT " is not running", id);
		return;
	}
	if (r->caller.role != AUTH_ROLE_ADMIN && g_strcmp0(info.expert, r->caller.user) != 0) {
		web_error(r, 403, "forbidden", "session %" G_GINT64_FORMAT " belongs to %s", id,
			  info.expert);
		return;
	}
	api_document_check(r, info.ticket, booth, id);
}

/* The counter's visit, for its own advisor (or an admin): NULL after a reply. */
static const struct queue_counter *own_counter_visit(struct web_req *r, int64_t *ret_id)
{
	const struct queue_counter *c;

	if (!web_seg_id(r, 2, API_COUNTER_MAX, ret_id))
		return NULL;
	c = queue_counter_get(desk_queue(api_of(r)->desk), (int16_t)*ret_id);
	if (!c || !c->ticket) {
		web_error(r, 409, "no_visit",
			  "counter %" G_GINT64_FORMAT
			  " serves nobody now: check identity during a visit",
			  *ret_id);
		return NULL;
	}
	if (r->caller.role != AUTH_ROLE_ADMIN && g_strcmp0(c->user, r->caller.user) != 0) {
		web_error(r, 403, "forbidden", "counter %" G_GINT64_FORMAT " is open for %s",
			  *ret_id, c->user);
		return NULL;
	}
	return c;
}

static void api_counter_identity_get(struct web_req *r)
{
	const struct queue_counter *c;
	const struct queue_ticket *tk;
	JsonNode *node;
	g_autoptr(JsonBuilder) b = NULL;
	int64_t id;

	if (!(c = own_counter_visit(r, &id)))
		return;
	tk = queue_ticket_get(desk_queue(api_of(r)->desk), c->ticket);
	node = visit_identity_get(desk_visits(api_of(r)->desk), c->ticket);
	if (!node || !tk) {
		web_error(r, 404, "not_found",
			  "the customer at counter %" G_GINT64_FORMAT
			  " has not been identified: check a document, or ask them to use "
			  "their ID card at the kiosk",
			  id);
		return;
	}
	b = json_builder_new();
	json_builder_begin_object(b);
	web_json_add_int(b, "ticket", tk->id);
	web_json_add_str(b, "code", tk->code);
	json_builder_set_member_name(b, "identity");
	json_builder_add_value(b, json_node_ref(node));
	json_builder_end_object(b);
	web_reply_builder(r, 200, b);
}

static void api_counter_identity(struct web_req *r)
{
	const struct queue_counter *c;
	int64_t id;

	if ((c = own_counter_visit(r, &id)))
		api_document_check(r, c->ticket, (int)id, 0);
}

static void api_feedback(struct web_req *r)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = NULL;
	g_autofree char *source = NULL;
	int64_t counter = web_int(r, "counter", 0);
	int64_t id = 0;
	int rc;

	if (!api_of(r)->feedback) {
		web_error(r, 503, "no_feedback", "feedback is not running");
		return;
	}
	if (counter && config_counter_find(api_of(r)->cfg, (int)counter) < 0) {
		web_error(r, 404, "not_found", "no counter %" G_GINT64_FORMAT, counter);
		return;
	}
	source =
	    counter ? g_strdup_printf("screen:%" G_GINT64_FORMAT, counter) : g_strdup("screen");
	rc = feedback_give(api_of(r)->feedback, (int)web_int(r, "rating", 0), (int)counter, source,
			   &id, &error);
	if (rc < 0) {
		api_error_gerror(r, rc, error, NULL);
		return;
	}
	b = json_builder_new();
	json_builder_begin_object(b);
	web_json_add_bool(b, "tied", rc == 1);
	web_json_add_int(b, "id", id); /* for its words: POST /api/feedback/ID/words */
	json_builder_end_object(b);
	web_reply_builder(r, 201, b);
}

static const struct web_field feedback_fields[] = {
    WEB_FIELD_INT("rating", TRUE, 1, 5), WEB_FIELD_INT("counter", FALSE, 0, API_COUNTER_MAX),
    WEB_FIELDS_END};
static const struct web_field pin_fields[] = {WEB_FIELD_STR("pin", TRUE, 16), WEB_FIELDS_END};
static const struct web_field document_fields[] = {WEB_FIELD_STR("document_type", TRUE, 64),
						   WEB_FIELDS_END};

const struct web_route api_visit_routes[] = {
    {"POST", "/api/booths/*/identity", AUTH_ROLE_KIOSK, api_booth_identity, pin_fields},
    {"POST", "/api/tickets/*/identity", AUTH_ROLE_KIOSK, api_ticket_identity, pin_fields},
    {"POST", "/api/sessions/*/identity", AUTH_ROLE_EXPERT | AUTH_ROLE_ADMIN, api_session_identity,
     document_fields},
    {"POST", "/api/counters/*/identity", AUTH_ROLE_ADVISOR | AUTH_ROLE_EXPERT | AUTH_ROLE_ADMIN,
     api_counter_identity, document_fields},
    {"GET", "/api/counters/*/identity", AUTH_ROLE_ADVISOR | AUTH_ROLE_EXPERT | AUTH_ROLE_ADMIN,
     api_counter_identity_get, NULL},
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
