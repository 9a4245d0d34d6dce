/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api: HTTP/JSON API and WebSocket event stream.
 *
 * Invariants:
 * - A handler runs only after the route table's checks passed: role, body
 *   size, JSON shape, field names and types.  Handlers read fields without
 *   re-checking types.
 * - A state change answers only after desk_exec returned, that is after the
 *   change is on disk.
 * - The slow password check (Argon2id) runs on a worker thread with the
 *   message paused; the store is touched on the main thread only.
 */

#include "api.h"
#include "api_internal.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>
#include <sys/statvfs.h>

#include "auth.h"
#include "booking.h"
#include "qr_svg.h"
#include "report.h"
#include "store.h"

#define API_LOGIN_WINDOW_S  300
#define API_LOGIN_MAX_FAILS 10
#define API_MAX_SEGMENTS    8

/* ---------------------------------------------------------------------- */
/* Replies */

void api_reply(struct api_req *r, guint status, JsonNode *node)
{
	g_autofree char *text = json_to_string(node, FALSE);
	gsize len = strlen(text);

	soup_server_message_set_status(r->msg, status, NULL);
	soup_message_headers_replace(soup_server_message_get_response_headers(r->msg),
				     "Cache-Control", "no-store");
	soup_server_message_set_response(r->msg, "application/json", SOUP_MEMORY_TAKE,
					 g_steal_pointer(&text), len);
}

void api_reply_builder(struct api_req *r, guint status, JsonBuilder *b)
{
	g_autoptr(JsonNode) node = json_builder_get_root(b);

	api_reply(r, status, node);
}

void G_GNUC_PRINTF(4, 5)
    api_error(struct api_req *r, guint status, const char *code, const char *fmt, ...)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autofree char *message = NULL;
	va_list ap;

	va_start(ap, fmt);
	message = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "error");
	json_builder_add_string_value(b, code);
	json_builder_set_member_name(b, "message");
	json_builder_add_string_value(b, message);
	json_builder_end_object(b);
	api_reply_builder(r, status, b);
}

/* Maps a desk/queue/store errno onto HTTP. */
void api_error_errno(struct api_req *r, int rc, const char *message, const struct queue_result *res)
{
	switch (-rc) {
	case EINVAL:
		api_error(r, 400, "invalid", "%s", message);
		break;
	case ENOENT:
		api_error(r, 404, "not_found", "%s", message);
		break;
	case ENODATA:
		api_error(r, 404, "nobody_waiting", "%s", message);
		break;
	case EPERM:
		api_error(r, 409, res ? queue_refusal_name(res->refusal) : "refused", "%s",
			  message);
		break;
	case EBUSY:
		api_error(r, 409, "busy", "%s", message);
		break;
	case EALREADY:
		api_error(r, 409, "already", "%s", message);
		break;
	case ESTALE:
		api_error(r, 409, "wrong_state", "%s", message);
		break;
	case ERANGE:
		api_error(r, 409, "wrong_day", "%s", message);
		break;
	case EEXIST:
		api_error(r, 409, "exists", "%s", message);
		break;
	case ENOSPC:
		api_error(r, 507, "disk_full", "%s", message);
		break;
	case EROFS:
		api_error(r, 503, "read_only", "%s", message);
		break;
	default:
		api_error(r, 500, "internal", "%s", message);
		break;
	}
}

void api_error_gerror(struct api_req *r, int rc, const GError *error,
		      const struct queue_result *res)
{
	api_error_errno(r, rc, error ? error->message : g_strerror(-rc), res);
}

/* ---------------------------------------------------------------------- */
/* JSON of our objects */

void api_add_int(JsonBuilder *b, const char *name, int64_t v)
{
	json_builder_set_member_name(b, name);
	json_builder_add_int_value(b, v);
}

void api_add_str(JsonBuilder *b, const char *name, const char *v)
{
	json_builder_set_member_name(b, name);
	if (v)
		json_builder_add_string_value(b, v);
	else
		json_builder_add_null_value(b);
}

void api_add_bool(JsonBuilder *b, const char *name, gboolean v)
{
	json_builder_set_member_name(b, name);
	json_builder_add_boolean_value(b, v);
}

static void api_add_time(JsonBuilder *b, const char *name, int64_t v)
{
	json_builder_set_member_name(b, name);
	if (v)
		json_builder_add_int_value(b, v);
	else
		json_builder_add_null_value(b);
}

static void api_add_names(JsonBuilder *b, char *const names[CONFIG_LANGS])
{
	json_builder_set_member_name(b, "names");
	json_builder_begin_object(b);
	for (int l = 0; l < CONFIG_LANGS; l++)
		api_add_str(b, config_lang_code(l), names[l]);
	json_builder_end_object(b);
}

/* A ticket as every client sees it; @t is the desk's current time. */
/* ahead < 0: look up the ticket's place in line now (when t is set). */
static void api_build_ticket_at(struct api *api, JsonBuilder *b, const struct queue_ticket *tk,
				const struct queue_time *t, int ahead, int wait_s)
{
	const struct config_service *svc = config_service_get(api->cfg, tk->service);
	unsigned now_ahead = 0;

	json_builder_begin_object(b);
	api_add_int(b, "id", tk->id);
	api_add_str(b, "code", tk->code);
	api_add_str(b, "ref", tk->ref);
	api_add_str(b, "service", svc ? svc->code : NULL);
	api_add_str(b, "provider", config_provider_code(api->cfg, tk->service));
	api_add_str(b, "state", queue_state_name(tk->state));
	api_add_str(b, "lang", config_lang_code(tk->lang));
	api_add_int(b, "priority", tk->priority);
	api_add_int(b, "day", tk->day);
	if (tk->counter)
		api_add_int(b, "counter", tk->counter);
	else
		api_add_str(b, "counter", NULL);
	if (tk->target_counter)
		api_add_int(b, "target_counter", tk->target_counter);
	api_add_int(b, "recalls", tk->recalls);
	api_add_int(b, "no_shows", tk->no_shows);
	api_add_int(b, "transfers", tk->transfers);
	if (tk->appointment)
		api_add_int(b, "appointment", tk->appointment);
	api_add_time(b, "issued_at", tk->issued_at);
	api_add_time(b, "queued_at", tk->queued_at);
	api_add_time(b, "called_at", tk->called_at);
	api_add_time(b, "started_at", tk->started_at);
	api_add_time(b, "ended_at", tk->ended_at);
	if (queue_state_terminal(tk->state)) {
		api_add_str(b, "outcome", queue_outcome_name(tk->outcome));
		api_add_str(b, "channel", queue_channel_name(tk->channel));
	}
	if (ahead < 0 && t &&
	    queue_ticket_estimate(desk_queue(api->desk), tk->id, t, &now_ahead, &wait_s) == 0)
		ahead = (int)now_ahead;
	if (ahead >= 0) {
		api_add_int(b, "ahead", ahead);
		api_add_int(b, "wait_s", wait_s);
	}
	{
		g_autofree char *follow = g_strdup_printf("/t/%s", tk->ref);

		api_add_str(b, "follow", follow);
	}
	json_builder_end_object(b);
}

static void api_build_ticket(struct api *api, JsonBuilder *b, const struct queue_ticket *tk,
			     const struct queue_time *t)
{
	api_build_ticket_at(api, b, tk, t, -1, 0);
}

static void api_build_counter(struct api *api, JsonBuilder *b, const struct config_counter *cc,
			      gboolean staff)
{
	const struct queue_counter *qc = queue_counter_get(desk_queue(api->desk), cc->id);
	const struct queue_ticket *tk =
	    qc && qc->ticket ? queue_ticket_get(desk_queue(api->desk), qc->ticket) : NULL;

	json_builder_begin_object(b);
	api_add_int(b, "id", cc->id);
	api_add_str(b, "name", cc->name);
	api_add_str(b, "kind", cc->expert ? "expert" : "counter");
	api_add_bool(b, "open", qc && qc->open);
	if (staff)
		api_add_str(b, "user", qc && qc->open ? qc->user : NULL);
	json_builder_set_member_name(b, "profile");
	json_builder_begin_array(b);
	for (int i = 0; qc && i < qc->n_profile; i++) {
		const struct config_service *svc =
		    config_service_get(api->cfg, qc->profile[i].service);

		json_builder_add_string_value(b, svc->code);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "ticket");
	if (tk) {
		json_builder_begin_object(b);
		api_add_int(b, "id", tk->id);
		api_add_str(b, "code", tk->code);
		api_add_str(b, "state", queue_state_name(tk->state));
		api_add_int(b, "recalls", tk->recalls);
		if (staff)
			api_visit_build_identity(api, b, tk->id);
		json_builder_end_object(b);
	} else {
		json_builder_add_null_value(b);
	}
	json_builder_end_object(b);
}

/* ---------------------------------------------------------------------- */
/* Who is calling */

static gboolean api_is_kiosk_address(struct api *api, SoupServerMessage *msg)
{
	const char *host = soup_server_message_get_remote_host(msg);

	if (!host)
		return FALSE;
	for (char **a = api->cfg->kiosk_addresses; a && *a; a++)
		if (strcmp(*a, host) == 0)
			return TRUE;
	return FALSE;
}

/* The session token of a browser: the HttpOnly cookie.  Caller frees. */
static char *api_cookie_token(SoupServerMessage *msg)
{
	const char *h =
	    soup_message_headers_get_one(soup_server_message_get_request_headers(msg), "Cookie");
	GHashTable *pairs;
	char *token;

	if (!h)
		return NULL;
	pairs = soup_header_parse_semi_param_list(h);
	token = g_strdup(g_hash_table_lookup(pairs, API_COOKIE));
	soup_header_free_param_list(pairs);
	return token && *token ? token : (g_free(token), NULL);
}

static const char *api_bearer(SoupServerMessage *msg, GHashTable *query)
{
	const char *h = soup_message_headers_get_one(soup_server_message_get_request_headers(msg),
						     "Authorization");

	if (h && g_ascii_strncasecmp(h, "Bearer ", 7) == 0)
		return h + 7;
	/* A browser's WebSocket cannot set headers: the token may come as ?token=. */
	return query ? g_hash_table_lookup(query, "token") : NULL;
}

/* A request a browser sent on behalf of another site: its Origin is not
 * this server.  Requests without Origin (scripts, vuoroctl) pass. */
gboolean api_foreign_origin(SoupServerMessage *msg)
{
	SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
	const char *origin = soup_message_headers_get_one(h, "Origin");
	const char *host = soup_message_headers_get_one(h, "Host");
	g_autoptr(GUri) uri = NULL;
	g_autofree char *origin_host = NULL;

	if (!origin)
		return FALSE;
	uri = g_uri_parse(origin, G_URI_FLAGS_NONE, NULL);
	if (!uri || !host || !g_uri_get_host(uri))
		return TRUE;
	origin_host = g_uri_get_port(uri) > 0
			  ? g_strdup_printf("%s:%d", g_uri_get_host(uri), g_uri_get_port(uri))
			  : g_strdup(g_uri_get_host(uri));
	return g_ascii_strcasecmp(origin_host, host) != 0;
}

void api_identify(struct api *api, SoupServerMessage *msg, GHashTable *query,
		  struct api_caller *ret)
{
	g_autofree char *cookie = NULL;
	const char *token = api_bearer(msg, query);

	ret->role = 0;
	ret->user = NULL;
	ret->csrf = NULL;
	if (!token) {
		cookie = api_cookie_token(msg);
		token = cookie;
		if (token)
			ret->csrf = auth_csrf_token(token);
	}
	if (token && api->cfg->kiosk_token && strcmp(token, api->cfg->kiosk_token) == 0) {
		ret->role = AUTH_ROLE_KIOSK;
		return;
	}
	if (token) {
		g_autofree char *digest = auth_token_digest(token);
		g_autofree char *role = NULL;
		struct queue_time t;

		desk_time(api->desk, &t);
		if (store_token_get(desk_store(api->desk), digest, t.now, &ret->user, &role,
				    NULL) == 0) {
			ret->role = auth_role_parse(role);
			return;
		}
	}
	if (api_is_kiosk_address(api, msg))
		ret->role = AUTH_ROLE_KIOSK;
}

/* ---------------------------------------------------------------------- */
/* Body checks */

static const char *api_type_name(enum api_type type)
{
	switch (type) {
	case API_STRING:
		return "a string";
	case API_INT:
		return "an integer";
	case API_BOOL:
		return "true or false";
	}
	return "?";
}

static gboolean api_value_is(JsonNode *node, enum api_type type)
{
	if (!JSON_NODE_HOLDS_VALUE(node))
		return FALSE;
	switch (type) {
	case API_STRING:
		return json_node_get_value_type(node) == G_TYPE_STRING;
	case API_INT:
		return json_node_get_value_type(node) == G_TYPE_INT64;
	case API_BOOL:
		return json_node_get_value_type(node) == G_TYPE_BOOLEAN;
	}
	return FALSE;
}

/* Parses and checks the body against @fields; replies and returns FALSE on
 * any problem. */
static gboolean api_parse_body(struct api_req *r, const struct api_field *fields, JsonParser *p)
{
	SoupMessageBody *body = soup_server_message_get_request_body(r->msg);
	g_autoptr(GError) error = NULL;
	JsonNode *root;
	GList *members;

	if (body->length == 0) {
		/* An empty body is an empty object: commands without arguments. */
		r->body = json_object_new();
	} else {
		if (!json_parser_load_from_data(p, body->data, (gssize)body->length, &error)) {
			api_error(r, 400, "malformed_json", "the body is not valid JSON: %s",
				  error->message);
			return FALSE;
		}
		root = json_parser_get_root(p);
		if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
			api_error(r, 400, "malformed_json", "the body must be a JSON object");
			return FALSE;
		}
		r->body = json_object_ref(json_node_get_object(root));
	}
	members = json_object_get_members(r->body);
	for (GList *l = members; l; l = l->next) {
		const struct api_field *f = fields;

		while (f->name && strcmp(f->name, l->data) != 0)
			f++;
		if (!f->name) {
			api_error(r, 400, "unknown_field", "unknown field \"%s\"",
				  (const char *)l->data);
			g_list_free(members);
			return FALSE;
		}
		if (!api_value_is(json_object_get_member(r->body, f->name), f->type)) {
			api_error(r, 400, "wrong_type", "field \"%s\" must be %s", f->name,
				  api_type_name(f->type));
			g_list_free(members);
			return FALSE;
		}
	}
	g_list_free(members);
	for (const struct api_field *f = fields; f->name; f++) {
		if (f->required && !json_object_has_member(r->body, f->name)) {
			api_error(r, 400, "missing_field", "field \"%s\" is required (%s)", f->name,
				  api_type_name(f->type));
			return FALSE;
		}
	}
	return TRUE;
}

const char *api_str(struct api_req *r, const char *name)
{
	return json_object_has_member(r->body, name) ? json_object_get_string_member(r->body, name)
						     : NULL;
}

gboolean api_has(struct api_req *r, const char *name)
{
	return json_object_has_member(r->body, name);
}

int64_t api_int(struct api_req *r, const char *name, int64_t fallback)
{
	return api_has(r, name) ? json_object_get_int_member(r->body, name) : fallback;
}

gboolean api_bool(struct api_req *r, const char *name, gboolean fallback)
{
	return api_has(r, name) ? json_object_get_boolean_member(r->body, name) : fallback;
}

/* Segment @i as a positive integer id, or reply 404. */
gboolean api_seg_id(struct api_req *r, int i, int64_t *ret)
{
	guint64 v;

	if (!g_ascii_string_to_unsigned(r->seg[i], 10, 1, G_MAXINT32, &v, NULL)) {
		api_error(r, 404, "not_found", "\"%s\" is not a number", r->seg[i]);
		return FALSE;
	}
	*ret = (int64_t)v;
	return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Queue commands */

/* Runs @cmd and answers with the ticket it was about (or the counter). */
/* The answer to a queue command: the ticket it was about and the counter. */
static void api_reply_result(struct api_req *r, const struct queue_result *res, int16_t counter,
			     guint status)
{
	struct api *api = r->api;
	g_autoptr(JsonBuilder) b = json_builder_new();
	struct queue_time t;

	desk_time(api->desk, &t);
	json_builder_begin_object(b);
	if (res->ticket) {
		for (guint i = 0; i < res->tickets->len; i++) {
			const struct queue_ticket *tk =
			    &g_array_index(res->tickets, struct queue_ticket, i);

			if (tk->id != res->ticket)
				continue;
			json_builder_set_member_name(b, "ticket");
			if (res->ahead >= 0 && queue_ticket_get(desk_queue(api->desk), tk->id) &&
			    (tk->state == QUEUE_WAITING || tk->state == QUEUE_ISSUED))
				api_build_ticket_at(api, b, tk, &t, res->ahead, res->wait_s);
			else
				api_build_ticket(api, b, tk, &t);
		}
	}
	if (counter) {
		int idx = config_counter_find(api->cfg, counter);

		json_builder_set_member_name(b, "counter");
		api_build_counter(api, b, config_counter_get(api->cfg, idx), TRUE);
	}
	json_builder_end_object(b);
	api_reply_builder(r, status, b);
}

/* A queue command waiting for the group commit: its message is paused. */
struct api_pending {
	struct api *api;
	SoupServerMessage *msg;
	int16_t counter;
	guint status;
	char *category; /* END: the category of the matter, NULL none */
};

/* Answers a paused request: the reply was set; resume and let go. */
static void api_pending_done(struct api_pending *p)
{
	soup_server_message_unpause(p->msg);
	g_object_unref(p->msg);
	g_free(p->category);
	g_free(p);
}

/* The reply to a queue command @p ran (durably, unless @rc < 0). */
static void api_run_reply(struct api_req *r, struct api_pending *p, int rc, const GError *error,
			  const struct queue_result *res)
{
	g_autoptr(GError) cat_error = NULL;

	if (rc < 0) {
		api_error_gerror(r, rc, error, res);
		return;
	}
	if (p->category && res->ticket &&
	    store_visit_category(desk_store(p->api->desk), res->ticket, p->category, &cat_error) <
		0) {
		api_error(r, 507, "not_stored",
			  "the visit ended, but its category was not saved (%s): note it by "
			  "hand",
			  cat_error->message);
		return;
	}
	api_reply_result(r, res, p->counter, p->status);
}

static void api_run_done(int rc, const GError *error, const struct queue_result *res, gpointer data)
{
	struct api_pending *p = data;
	struct api_req r = {.api = p->api, .msg = p->msg};

	api_run_reply(&r, p, rc, error, res);
	api_pending_done(p);
}

/* Runs a queue command; the answer goes out once it is durable.  @category
 * (END only, may be NULL) is saved with the visit before the answer. */
static void api_run_with(struct api_req *r, struct queue_cmd *cmd, guint status,
			 const char *category)
{
	struct api *api = r->api;
	g_autoptr(GError) error = NULL;
	struct api_pending *p = g_new0(struct api_pending, 1);
	int rc;

	p->api = api;
	p->msg = g_object_ref(r->msg);
	p->counter = cmd->counter;
	p->status = status;
	p->category = g_strdup(category);
	rc = desk_submit(api->desk, cmd, r->caller.user, &api->res, &error, api_run_done, p);
	if (rc == 0) {
		soup_server_message_pause(r->msg);
		return;
	}
	api_run_reply(r, p, rc, error, &api->res);
	g_object_unref(p->msg);
	g_free(p->category);
	g_free(p);
}

static void api_run(struct api_req *r, struct queue_cmd *cmd, guint status)
{
	api_run_with(r, cmd, status, NULL);
}

/* ---------------------------------------------------------------------- */
/* The ticket printer */

static int api_parse_lang(struct api_req *r, uint8_t *ret);

static void api_build_printer(JsonBuilder *b, const struct dispenser_printer_state *st)
{
	json_builder_begin_object(b);
	api_add_str(b, "device", st->describe);
	api_add_bool(b, "known", st->known);
	api_add_bool(b, "ok", !st->known || st->ok);
	api_add_bool(b, "paper_end", st->status.paper_end);
	api_add_bool(b, "paper_near_end", st->status.paper_near_end);
	api_add_bool(b, "cover_open", st->status.cover_open);
	api_add_bool(b, "offline", st->status.offline);
	api_add_str(b, "message", st->message[0] ? st->message : NULL);
	api_add_int(b, "printed", st->printed);
	api_add_int(b, "failed", st->failed);
	json_builder_end_object(b);
}

/* The answer to a print: the ticket as it is now and how the print went. */
static void api_dispensed(const struct dispenser_result *dr, gpointer data)
{
	struct api_pending *p = data;
	struct api_req r = {.api = p->api, .msg = p->msg};
	struct api *api = p->api;
	g_autoptr(JsonBuilder) b = json_builder_new();
	struct queue_time t;

	if (dr->rc < 0) {
		api_error_gerror(&r, dr->rc, dr->error, dr->res);
		goto unpause;
	}
	desk_time(api->desk, &t);
	json_builder_begin_object(b);
	for (guint i = 0; dr->res && i < dr->res->tickets->len; i++) {
		const struct queue_ticket *tk =
		    &g_array_index(dr->res->tickets, struct queue_ticket, i);
		const struct queue_ticket *live = queue_ticket_get(desk_queue(api->desk), tk->id);

		if (tk->id != dr->ticket)
			continue;
		json_builder_set_member_name(b, "ticket");
		if (dr->res->ahead >= 0 && live &&
		    (live->state == QUEUE_WAITING || live->state == QUEUE_ISSUED))
			api_build_ticket_at(api, b, live, &t, dr->res->ahead, dr->res->wait_s);
		else
			api_build_ticket(api, b, live ? live : tk, &t);
		break;
	}
	json_builder_set_member_name(b, "print");
	json_builder_begin_object(b);
	api_add_bool(b, "ok", dr->printed);
	api_add_str(b, "error", dr->print_error);
	api_add_bool(b, "voided", dr->voided);
	json_builder_end_object(b);
	json_builder_end_object(b);
	api_reply_builder(&r, p->status, b);
unpause:
	api_pending_done(p);
}

static struct api_pending *api_pending_new(struct api_req *r, guint status)
{
	struct api_pending *p = g_new0(struct api_pending, 1);

	p->api = r->api;
	p->msg = g_object_ref(r->msg);
	p->status = status;
	soup_server_message_pause(r->msg);
	return p;
}

static void api_dispense(struct api_req *r, const struct queue_cmd *cmd)
{
	dispenser_issue(r->api->dispenser, cmd, r->caller.user, false, api_dispensed,
			api_pending_new(r, 201));
}

static void api_ticket_print(struct api_req *r)
{
	int64_t id;

	if (!api_seg_id(r, 2, &id))
		return;
	if (!r->api->dispenser) {
		api_error(r, 409, "no_printer", "this service point has no ticket printer");
		return;
	}
	dispenser_reprint(r->api->dispenser, (uint32_t)id, r->caller.user, api_dispensed,
			  api_pending_new(r, 200));
}

static void api_printer_get(struct api_req *r)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	struct dispenser_printer_state st;

	if (!r->api->dispenser) {
		api_error(r, 409, "no_printer", "this service point has no ticket printer");
		return;
	}
	dispenser_state(r->api->dispenser, &st);
	api_build_printer(b, &st);
	api_reply_builder(r, 200, b);
}

/* After a test print or a status check: the printer's state now. */
static void api_printer_done(const struct dispenser_result *dr, gpointer data)
{
	struct api_pending *p = data;
	struct api_req r = {.api = p->api, .msg = p->msg};
	g_autoptr(JsonBuilder) b = json_builder_new();
	struct dispenser_printer_state st;

	dispenser_state(p->api->dispenser, &st);
	json_builder_begin_object(b);
	api_add_bool(b, "ok", dr->print_error == NULL);
	api_add_str(b, "error", dr->print_error);
	json_builder_set_member_name(b, "printer");
	api_build_printer(b, &st);
	json_builder_end_object(b);
	api_reply_builder(&r, 200, b);
	api_pending_done(p);
}

static void api_printer_test(struct api_req *r)
{
	uint8_t lang;

	if (!r->api->dispenser) {
		api_error(r, 409, "no_printer", "this service point has no ticket printer");
		return;
	}
	if (api_parse_lang(r, &lang) < 0)
		return;
	dispenser_test(r->api->dispenser, lang, api_printer_done, api_pending_new(r, 200));
}

static void api_printer_check(struct api_req *r)
{
	if (!r->api->dispenser) {
		api_error(r, 409, "no_printer", "this service point has no ticket printer");
		return;
	}
	dispenser_check(r->api->dispenser, api_printer_done, api_pending_new(r, 200));
}

/* The sim printer's paper and cover, for tests and demonstrations. */
static void api_printer_sim(struct api_req *r)
{
	struct hal_printer *p = r->api->dispenser ? dispenser_printer(r->api->dispenser) : NULL;
	struct hal_printer_status st = {
	    .paper_end = api_bool(r, "paper_end", FALSE),
	    .paper_near_end = api_bool(r, "paper_near_end", FALSE),
	    .cover_open = api_bool(r, "cover_open", FALSE),
	    .offline = api_bool(r, "offline", FALSE),
	};

	if (!p || hal_printer_sim_set_status(p, &st) < 0) {
		api_error(r, 409, "not_sim",
			  "the printer is real: open its cover or take its paper");
		return;
	}
	api_printer_check(r);
}

/* ---------------------------------------------------------------------- */
/* Number displays and the announcer */

static void api_build_display(JsonBuilder *b, const struct displays_info *d)
{
	json_builder_begin_object(b);
	api_add_str(b, "name", d->name);
	api_add_str(b, "bus", d->bus);
	api_add_str(b, "wire", d->wire);
	api_add_int(b, "unit", d->unit);
	api_add_str(b, "map", d->map);
	api_add_int(b, "counter", d->counter);
	api_add_str(b, "state", display_state_str(d->state));
	api_add_str(b, "message", d->message);
	json_builder_set_member_name(b, "showing");
	json_builder_begin_array(b);
	for (unsigned i = 0; i < d->n_showing && i < G_N_ELEMENTS(d->showing); i++)
		json_builder_add_string_value(b, d->showing[i]);
	json_builder_end_array(b);
	api_add_time(b, "updated_at_ms", d->updated_us / 1000);
	json_builder_set_member_name(b, "latency_ms");
	json_builder_add_double_value(b, (double)d->last_latency_us / 1000.0);
	api_add_int(b, "writes", (int64_t)d->writes);
	api_add_int(b, "errors", (int64_t)d->errors);
	json_builder_end_object(b);
}

static void api_displays_get(struct api_req *r)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "displays");
	json_builder_begin_array(b);
	for (size_t i = 0; i < displays_count(r->api->displays); i++)
		api_build_display(b, displays_get(r->api->displays, i));
	json_builder_end_array(b);
	json_builder_end_object(b);
	api_reply_builder(r, 200, b);
}

struct api_display_job {
	struct api_pending *p;
	char *name;
};

static void api_display_tested(const char *error, gpointer data)
{
	struct api_display_job *j = data;
	struct api_req r = {.api = j->p->api, .msg = j->p->msg};
	g_autoptr(JsonBuilder) b = json_builder_new();
	int i = displays_find(r.api->displays, j->name);

	json_builder_begin_object(b);
	api_add_bool(b, "ok", error == NULL);
	api_add_str(b, "error", error);
	if (i >= 0) {
		json_builder_set_member_name(b, "display");
		api_build_display(b, displays_get(r.api->displays, (size_t)i));
	}
	json_builder_end_object(b);
	api_reply_builder(&r, 200, b);
	api_pending_done(j->p);
	g_free(j->name);
	g_free(j);
}

static void api_display_test(struct api_req *r)
{
	struct api_display_job *j;
	const char *name = r->seg[2];
	int rc, i = displays_find(r->api->displays, name);

	if (i < 0) {
		api_error(r, 404, "not_found", "no display of that name: see GET /api/displays");
		return;
	}
	j = g_new0(struct api_display_job, 1);
	j->name = g_strdup(name);
	j->p = api_pending_new(r, 200);
	rc = displays_test_pattern(r->api->displays, name, (unsigned)api_int(r, "hold_ms", 5000),
				   api_display_tested, j);
	if (rc < 0)
		api_display_tested(displays_get(r->api->displays, (size_t)i)->message
				       ? displays_get(r->api->displays, (size_t)i)->message
				       : g_strerror(-rc),
				   j);
}

static void api_displays_scanned(const int *units, size_t n, const char *error, gpointer data)
{
	struct api_pending *p = data;
	struct api_req r = {.api = p->api, .msg = p->msg};
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "units");
	json_builder_begin_array(b);
	for (size_t i = 0; i < n; i++)
		json_builder_add_int_value(b, units[i]);
	json_builder_end_array(b);
	api_add_str(b, "error", error);
	json_builder_end_object(b);
	api_reply_builder(&r, 200, b);
	api_pending_done(p);
}

static void api_displays_scan(struct api_req *r)
{
	const char *busname = api_str(r, "bus");
	int64_t from = api_int(r, "from", 1), to = api_int(r, "to", 16);
	struct api_pending *p;
	int rc;

	if (from < 1 || to > 247 || from > to) {
		api_error(r, 400, "invalid", "from and to: unit ids with 1 <= from <= to <= 247");
		return;
	}
	p = api_pending_new(r, 200);
	rc = displays_scan(r->api->displays, busname, (int)from, (int)to, api_displays_scanned, p);
	if (rc == 0)
		return;
	/* Not started: answer the paused message now. */
	api_pending_done(p);
	if (rc == -ENOENT)
		api_error(r, 404, "not_found", "no display bus of that name: see [bus:NAME]");
	else
		api_error(r, 409, "bus_down",
			  "that display bus is not open: check its device and the log");
}

static void api_announcer_get(struct api_req *r)
{
	struct announcer *a = r->api->announcer;
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	api_add_str(b, "sink", announcer_sink_name(a));
	api_add_int(b, "pending", announcer_pending(a));
	api_add_str(b, "fault", announcer_fault(a));
	json_builder_set_member_name(b, "recent");
	json_builder_begin_array(b);
	for (size_t i = 0; i < announcer_n_recent(a); i++) {
		const struct announcer_item *it = announcer_recent(a, i);

		json_builder_begin_object(b);
		api_add_int(b, "id", it->id);
		api_add_str(b, "kind", it->kind);
		api_add_str(b, "ticket", it->ticket[0] ? it->ticket : NULL);
		api_add_int(b, "counter", it->counter);
		json_builder_set_member_name(b, "text");
		json_builder_begin_object(b);
		for (int l = 0; l < CONFIG_LANGS; l++)
			if (it->text[l])
				api_add_str(b, config_lang_code(l), it->text[l]);
		json_builder_end_object(b);
		api_add_str(b, "state", announcer_state_str(it->state));
		api_add_time(b, "queued_us", it->queued_us);
		api_add_time(b, "started_us", it->started_us);
		api_add_time(b, "ended_us", it->ended_us);
		json_builder_set_member_name(b, "audio_s");
		json_builder_add_double_value(b, it->audio_s);
		api_add_str(b, "error", it->error);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	api_reply_builder(r, 200, b);
}

static void api_announcer_test(struct api_req *r)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	int id;

	if (!r->api->announcer) {
		api_error(r, 409, "no_audio", "this service point has no announcer");
		return;
	}
	id = announcer_test(r->api->announcer, api_str(r, "kind"), api_str(r, "lang"));
	if (id < 0) {
		api_error(r, 400, "invalid",
			  "kind must be \"tone\" or \"speech\"; lang fi, sv or en");
		return;
	}
	json_builder_begin_object(b);
	api_add_int(b, "id", id);
	json_builder_end_object(b);
	api_reply_builder(r, 202, b);
}

/* A QR code of ?text= as SVG: the kiosk's follow link when printing failed. */
static void api_qr(struct api_req *r)
{
	const char *text = r->query ? g_hash_table_lookup(r->query, "text") : NULL;
	g_autoptr(GError) error = NULL;
	char *svg = qr_svg(text, &error);

	if (!svg) {
		api_error(r, 400, "invalid", "?text=: %s", error->message);
		return;
	}
	soup_message_headers_replace(soup_server_message_get_response_headers(r->msg),
				     "Cache-Control", "public, max-age=86400");
	soup_server_message_set_status(r->msg, 200, NULL);
	soup_server_message_set_response(r->msg, "image/svg+xml", SOUP_MEMORY_TAKE, svg,
					 strlen(svg));
}

/* ---------------------------------------------------------------------- */
/* Buttons and lamps */

void api_reply_ok(struct api_req *r, guint status)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	api_add_bool(b, "ok", TRUE);
	json_builder_end_object(b);
	api_reply_builder(r, status, b);
}

static struct panel *api_panel(struct api_req *r)
{
	const char *why = NULL;
	struct panel *p = r->api->frontdesk ? frontdesk_panel(r->api->frontdesk, &why) : NULL;

	if (!p)
		api_error(r, 409, "no_gpio", "%s",
			  why ? why : "this board has no buttons or lamps in its config");
	return p;
}

static void api_gpio_get(struct api_req *r)
{
	struct panel *p = api_panel(r);
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(GArray) lines = NULL;

	if (!p)
		return;
	lines = panel_lines(p);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "lines");
	json_builder_begin_array(b);
	for (guint i = 0; i < lines->len; i++) {
		const struct panel_line_state *st =
		    &g_array_index(lines, struct panel_line_state, i);

		json_builder_begin_object(b);
		api_add_str(b, "name", st->name);
		api_add_str(b, "kind", st->lamp ? "lamp" : "button");
		api_add_int(b, "line", st->line);
		api_add_int(b, "value", st->value);
		if (!st->lamp) {
			api_add_int(b, "presses", st->presses);
			api_add_int(b, "ignored", st->ignored);
		}
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	api_reply_builder(r, 200, b);
}

struct api_release {
	struct hal_gpio *gpio;
	unsigned line;
	int level;
};

static gboolean api_gpio_release(gpointer data)
{
	struct api_release *x = data;

	hal_gpio_sim_set_level(x->gpio, x->line, x->level);
	g_free(x);
	return G_SOURCE_REMOVE;
}

/* The sim's hardware side: press a button for hold_ms, or hold a door
 * input at a level. */
static void api_gpio_sim(struct api_req *r)
{
	struct panel *p = api_panel(r);
	const char *name = api_str(r, "name");
	int64_t hold_ms = api_int(r, "hold_ms", 100);
	int64_t level = api_int(r, "level", -1);
	bool active_low = false;
	int line, rc;

	if (!p)
		return;
	line = panel_line_of(p, name, &active_low);
	if (line < 0) {
		api_error(r, 404, "not_found", "no button or lamp \"%s\": GET /api/gpio lists them",
			  name);
		return;
	}
	if (hold_ms < 0 || hold_ms > 60000 || level > 1) {
		api_error(r, 400, "invalid", "hold_ms is 0 to 60000, level 0 or 1");
		return;
	}
	/* Pressed is active: level 0 on an active-low line. */
	rc = hal_gpio_sim_set_level(panel_gpio(p), (unsigned)line,
				    level >= 0 ? (int)level : !active_low);
	if (rc < 0) {
		api_error(r, 409, "not_sim",
			  rc == -ENOTSUP ? "the GPIO chip is real: press the button itself"
					 : "that line is a lamp, not an input");
		return;
	}
	if (level < 0) {
		struct api_release *x = g_new0(struct api_release, 1);

		x->gpio = panel_gpio(p);
		x->line = (unsigned)line;
		x->level = active_low;
		g_timeout_add((guint)hold_ms, api_gpio_release, x);
	}
	api_reply_ok(r, 202);
}

static void api_gpio_lamp(struct api_req *r)
{
	struct panel *p = api_panel(r);
	const char *name = api_str(r, "name");

	if (!p)
		return;
	if (panel_lamp_set(p, name, api_bool(r, "on", TRUE)) < 0) {
		api_error(r, 404, "not_found", "no lamp \"%s\": GET /api/gpio lists them", name);
		return;
	}
	api_reply_ok(r, 200);
}

static int api_parse_lang(struct api_req *r, uint8_t *ret)
{
	const char *lang = api_str(r, "lang");
	int l = lang ? config_lang_parse(lang) : CONFIG_LANG_FI;

	if (l < 0) {
		api_error(r, 400, "invalid", "lang must be \"fi\", \"sv\" or \"en\", not \"%s\"",
			  lang);
		return -EINVAL;
	}
	*ret = (uint8_t)l;
	return 0;
}

static void api_ticket_issue(struct api_req *r)
{
	const char *code = api_str(r, "service");
	const char *handout = api_str(r, "handout");
	int svc = config_service_find(r->api->cfg, code);
	int64_t priority = api_int(r, "priority", 0);
	struct queue_cmd cmd = {.type = QUEUE_CMD_ISSUE, .service = (int16_t)svc};

	if (svc < 0) {
		api_error(r, 404, "not_found", "no service \"%s\": GET /api/status lists them",
			  code);
		return;
	}
	if (api_parse_lang(r, &cmd.lang) < 0)
		return;
	if (priority < 0 || priority > 9) {
		api_error(r, 400, "invalid", "priority must be 0 to 9");
		return;
	}
	/* "screen": the answer itself hands the ticket out (the kiosk shows it);
	 * "printer": it waits for POST /api/tickets/N/handout after printing. */
	if (handout && strcmp(handout, "screen") != 0 && strcmp(handout, "printer") != 0) {
		api_error(r, 400, "invalid", "handout must be \"screen\" or \"printer\"");
		return;
	}
	if (priority > 0 && !(r->caller.role & AUTH_STAFF)) {
		api_error(r, 403, "forbidden", "only staff may issue priority tickets");
		return;
	}
	cmd.priority = (int8_t)priority;
	cmd.handed_out = !handout || strcmp(handout, "screen") == 0;
	if (!cmd.handed_out && r->api->dispenser) {
		api_dispense(r, &cmd);
		return;
	}
	api_run(r, &cmd, 201);
}

static void api_ticket_get(struct api_req *r)
{
	struct api *api = r->api;
	const struct queue_ticket *tk;
	struct queue_ticket stored;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	struct queue_time t;
	int64_t id;
	int rc;

	if (!api_seg_id(r, 2, &id))
		return;
	desk_time(api->desk, &t);
	tk = queue_ticket_get(desk_queue(api->desk), (uint32_t)id);
	if (!tk) {
		rc = store_ticket_get(desk_store(api->desk), api->cfg, (uint32_t)id, &stored,
				      &error);
		if (rc < 0) {
			api_error_gerror(r, rc, error, NULL);
			return;
		}
		tk = &stored;
	}
	api_build_ticket(api, b, tk, &t);
	api_reply_builder(r, 200, b);
}

/* The follow page's view: no names, only the ticket by its unguessable ref. */
static void api_follow(struct api_req *r)
{
	struct api *api = r->api;
	struct queue_ticket tk;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	struct queue_time t;
	const struct queue_ticket *live;
	int rc;

	rc = store_ticket_by_ref(desk_store(api->desk), api->cfg, r->seg[2], &tk, &error);
	if (rc < 0) {
		api_error(r, 404, "not_found", "no such ticket: check the address on your ticket");
		return;
	}
	live = queue_ticket_get(desk_queue(api->desk), tk.id);
	desk_time(api->desk, &t);
	api_build_ticket(api, b, live ? live : &tk, &t);
	api_reply_builder(r, 200, b);
}

static void api_ticket_cmd(struct api_req *r, enum queue_cmd_type type)
{
	struct queue_cmd cmd = {.type = type, .service = -1};
	int64_t id;

	if (!api_seg_id(r, 2, &id))
		return;
	cmd.ticket = (uint32_t)id;
	api_run(r, &cmd, 200);
}

static void api_ticket_cancel(struct api_req *r)
{
	api_ticket_cmd(r, QUEUE_CMD_CANCEL);
}

static void api_ticket_handout(struct api_req *r)
{
	api_ticket_cmd(r, QUEUE_CMD_HANDOUT);
}

/* Counter commands: the counter's own user (or an admin) only, once open. */
static gboolean api_counter_cmd_init(struct api_req *r, struct queue_cmd *cmd,
				     enum queue_cmd_type type)
{
	struct api *api = r->api;
	const struct queue_counter *qc;
	int64_t id;

	if (!api_seg_id(r, 2, &id))
		return FALSE;
	if (config_counter_find(api->cfg, (int)id) < 0) {
		api_error(r, 404, "not_found", "no counter %" G_GINT64_FORMAT, id);
		return FALSE;
	}
	*cmd = (struct queue_cmd){.type = type, .counter = (int16_t)id, .service = -1};
	qc = queue_counter_get(desk_queue(api->desk), (int16_t)id);
	if (type != QUEUE_CMD_OPEN && qc && qc->open && !(r->caller.role & AUTH_ROLE_ADMIN) &&
	    g_strcmp0(qc->user, r->caller.user) != 0) {
		api_error(r, 403, "forbidden",
			  "counter %" G_GINT64_FORMAT " is open for %s: only they or an admin "
			  "can use it",
			  id, qc->user);
		return FALSE;
	}
	return TRUE;
}

static void api_counter_simple(struct api_req *r, enum queue_cmd_type type)
{
	struct queue_cmd cmd;

	if (api_counter_cmd_init(r, &cmd, type))
		api_run(r, &cmd, 200);
}

static void api_counter_open(struct api_req *r)
{
	struct queue_cmd cmd;

	if (!api_counter_cmd_init(r, &cmd, QUEUE_CMD_OPEN))
		return;
	cmd.user = r->caller.user;
	cmd.profile = api_str(r, "profile");
	api_run(r, &cmd, 200);
}

static void api_counter_close(struct api_req *r)
{
	api_counter_simple(r, QUEUE_CMD_CLOSE);
}

static void api_counter_call(struct api_req *r)
{
	struct queue_cmd cmd;

	if (!api_counter_cmd_init(r, &cmd, QUEUE_CMD_CALL))
		return;
	cmd.ticket = (uint32_t)MAX(0, api_int(r, "ticket", 0));
	api_run(r, &cmd, 200);
}

static void api_counter_recall(struct api_req *r)
{
	api_counter_simple(r, QUEUE_CMD_RECALL);
}

static void api_counter_start(struct api_req *r)
{
	api_counter_simple(r, QUEUE_CMD_START);
}

static void api_counter_noshow(struct api_req *r)
{
	api_counter_simple(r, QUEUE_CMD_NO_SHOW);
}

static void api_counter_park(struct api_req *r)
{
	api_counter_simple(r, QUEUE_CMD_PARK);
}

static void api_counter_resume(struct api_req *r)
{
	struct queue_cmd cmd;

	if (!api_counter_cmd_init(r, &cmd, QUEUE_CMD_RESUME))
		return;
	cmd.ticket = (uint32_t)MAX(0, api_int(r, "ticket", 0));
	api_run(r, &cmd, 200);
}

static void api_counter_transfer(struct api_req *r)
{
	struct queue_cmd cmd;
	const char *service = api_str(r, "service");

	if (!api_counter_cmd_init(r, &cmd, QUEUE_CMD_TRANSFER))
		return;
	if (service) {
		cmd.service = (int16_t)config_service_find(r->api->cfg, service);
		if (cmd.service < 0) {
			api_error(r, 404, "not_found", "no service \"%s\"", service);
			return;
		}
	}
	cmd.to_counter = (int16_t)api_int(r, "counter", 0);
	if (cmd.service < 0 && !cmd.to_counter) {
		api_error(r, 400, "missing_field",
			  "say where to: \"service\" (a service code) and/or \"counter\"");
		return;
	}
	cmd.front = api_bool(r, "front", FALSE);
	api_run(r, &cmd, 200);
}

static void api_counter_end(struct api_req *r)
{
	struct queue_cmd cmd;
	const char *outcome = api_str(r, "outcome");
	const char *channel = api_str(r, "channel");
	const char *category = api_str(r, "category");

	if (!api_counter_cmd_init(r, &cmd, QUEUE_CMD_END))
		return;
	if (category && (!*category || g_utf8_strlen(category, -1) > 64 ||
			 !g_utf8_validate(category, -1, NULL))) {
		api_error(r, 400, "invalid",
			  "category is a text of 1 to 64 characters, like \"housing "
			  "allowance\"");
		return;
	}
	cmd.outcome = (int8_t)(outcome ? queue_outcome_parse(outcome) : -1);
	cmd.channel = (int8_t)(channel ? queue_channel_parse(channel) : -1);
	if (outcome && (cmd.outcome < 0 || cmd.outcome > QUEUE_OUTCOME_FOLLOW_UP)) {
		api_error(r, 400, "invalid",
			  "outcome must be \"resolved\", \"referred\" or \"follow_up\"");
		return;
	}
	if (channel && cmd.channel < 0) {
		api_error(r, 400, "invalid",
			  "channel must be \"in_person\", \"remote_video\", \"e_service\" or "
			  "\"paper_form\"");
		return;
	}
	api_run_with(r, &cmd, 200, category);
}

/* ---------------------------------------------------------------------- */
/* State queries */

static void api_status(struct api_req *r)
{
	struct api *api = r->api;
	const struct config *cfg = api->cfg;
	g_autoptr(JsonBuilder) b = json_builder_new();
	struct queue_time t;
	gboolean staff = (r->caller.role & AUTH_STAFF) != 0;

	desk_time(api->desk, &t);
	json_builder_begin_object(b);
	api_add_str(b, "site", cfg->site_name);
	api_add_int(b, "now", t.now);
	api_add_int(b, "day", t.day);
	api_add_bool(b, "demo_hours", cfg->demo_hours);
	/* Where a phone reaches the follow page ([printer] url-base): the
	 * kiosk's own address is the board's loopback. */
	api_add_str(b, "follow_base", cfg->printer.url_base);
	api_add_bool(b, "identity_reader", api->identity != NULL);
	json_builder_set_member_name(b, "providers");
	json_builder_begin_array(b);
	for (guint i = 0; i < cfg->providers->len; i++) {
		const struct config_provider *p = g_ptr_array_index(cfg->providers, i);

		json_builder_begin_object(b);
		api_add_str(b, "code", p->code);
		api_add_names(b, p->name);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "services");
	json_builder_begin_array(b);
	for (guint i = 0; i < cfg->services->len; i++) {
		const struct config_service *svc = config_service_get(cfg, (int)i);
		struct queue_service_status st;
		char prefix[2] = {svc->prefix, 0};

		queue_service_status(desk_queue(api->desk), (int16_t)i, &t, &st);
		json_builder_begin_object(b);
		api_add_str(b, "code", svc->code);
		api_add_str(b, "prefix", prefix);
		api_add_str(b, "provider", config_provider_code(cfg, (int)i));
		api_add_str(b, "kind", svc->kind == CONFIG_SERVICE_REMOTE ? "remote" : "counter");
		api_add_names(b, svc->name);
		api_add_bool(b, "open", st.open);
		api_add_str(b, "refusal", queue_refusal_name(st.refusal));
		api_add_int(b, "opens_min", st.opens_min);
		api_add_int(b, "closes_min", st.closes_min);
		api_add_int(b, "last_ticket_min", svc->last_ticket_min);
		api_add_int(b, "waiting", st.waiting);
		api_add_int(b, "counters_open", st.counters_open);
		api_add_int(b, "wait_s", st.wait_s);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "counters");
	json_builder_begin_array(b);
	for (guint i = 0; i < cfg->counters->len; i++)
		api_build_counter(api, b, config_counter_get(cfg, (int)i), staff);
	json_builder_end_array(b);
	json_builder_end_object(b);
	api_reply_builder(r, 200, b);
}

struct api_queue_walk {
	struct api *api;
	JsonBuilder *b;
	const struct queue_time *t;
	int service; /* -1 all */
};

static void api_queue_ticket(const struct queue_ticket *tk, void *data)
{
	struct api_queue_walk *w = data;

	if (w->service >= 0 && tk->service != w->service)
		return;
	api_build_ticket(w->api, w->b, tk, w->t);
}

static void api_queue(struct api_req *r)
{
	struct api *api = r->api;
	const char *service = r->query ? g_hash_table_lookup(r->query, "service") : NULL;
	const char *day = r->query ? g_hash_table_lookup(r->query, "day") : NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	struct queue_time t;
	struct api_queue_walk w = {.api = api, .b = b, .t = &t, .service = -1};

	if (service) {
		w.service = config_service_find(api->cfg, service);
		if (w.service < 0) {
			api_error(r, 404, "not_found", "no service \"%s\"", service);
			return;
		}
	}
	desk_time(api->desk, &t);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "tickets");
	json_builder_begin_array(b);
	if (g_strcmp0(day, "today") == 0) {
		/* The whole service day from the store, finished tickets too. */
		g_autoptr(GError) error = NULL;

		if (store_tickets_of_day(desk_store(api->desk), api->cfg, t.day, api_queue_ticket,
					 &w, &error) < 0) {
			api_error_gerror(r, -EIO, error, NULL);
			return;
		}
	} else if (day) {
		api_error(r, 400, "invalid", "day: only \"today\" is known");
		return;
	} else {
		queue_foreach_ticket(desk_queue(api->desk), api_queue_ticket, &w);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	api_reply_builder(r, 200, b);
}

#define API_DISK_MIN_MB 64

/* Free space on the database's file system; 0 when it cannot be read. */
static int64_t api_disk_free_mb(const struct store *store, int64_t *ret_total_mb)
{
	g_autofree char *dir = g_path_get_dirname(store_path(store));
	struct statvfs st;

	*ret_total_mb = 0;
	if (statvfs(dir, &st) < 0)
		return 0;
	*ret_total_mb = (int64_t)((uint64_t)st.f_blocks * st.f_frsize / (1024 * 1024));
	return (int64_t)((uint64_t)st.f_bavail * st.f_frsize / (1024 * 1024));
}

/* What is wrong with the database's disk and what to do; NULL when fine. */
static char *api_disk_message(const struct store *store)
{
	g_autofree char *dir = g_path_get_dirname(store_path(store));
	int64_t total, free_mb = api_disk_free_mb(store, &total);

	if (store_read_only(store))
		return g_strdup_printf("disk: the database disk (%s) is read-only: nothing can be "
				       "saved — check the storage card and remount it read-write",
				       dir);
	if (free_mb < API_DISK_MIN_MB)
		return g_strdup_printf("disk: the database disk (%s) has %" G_GINT64_FORMAT
				       " MB free: vuoro needs %d MB — remove old backups or logs",
				       dir, free_mb, API_DISK_MIN_MB);
	return NULL;
}

static void api_build_disk(JsonBuilder *b, const struct store *store, const char *message)
{
	g_autofree char *dir = g_path_get_dirname(store_path(store));
	int64_t total, free_mb = api_disk_free_mb(store, &total);

	json_builder_set_member_name(b, "disk");
	json_builder_begin_object(b);
	api_add_bool(b, "ok", message == NULL);
	api_add_str(b, "path", dir);
	api_add_int(b, "free_mb", free_mb);
	api_add_int(b, "total_mb", total);
	api_add_bool(b, "read_only", store_read_only(store));
	api_add_str(b, "message", message);
	json_builder_end_object(b);
}

static void api_health(struct api_req *r)
{
	struct api *api = r->api;
	g_autoptr(JsonBuilder) b = json_builder_new();
	struct dispenser_printer_state printer = {0};
	g_autoptr(GPtrArray) faults = g_ptr_array_new_with_free_func(g_free);
	const char *gpio_why = NULL;
	g_autofree char *disk = api_disk_message(desk_store(api->desk));
	struct queue_time t;

	if (api->dispenser)
		dispenser_state(api->dispenser, &printer);
	desk_time(api->desk, &t);
	/* The self-test: every part's fault, in words that say what to do. */
	if (printer.known && !printer.ok)
		g_ptr_array_add(
		    faults, g_strdup(printer.message[0] ? printer.message : "printer: not ready"));
	for (size_t i = 0; i < displays_count(api->displays); i++) {
		const struct displays_info *d = displays_get(api->displays, i);

		if ((d->state == DISPLAY_STATE_FAILED || d->state == DISPLAY_STATE_ERROR) &&
		    d->message)
			g_ptr_array_add(faults, g_strdup(d->message));
	}
	if (api->frontdesk)
		frontdesk_panel(api->frontdesk, &gpio_why);
	if (gpio_why)
		g_ptr_array_add(faults, g_strdup_printf("gpio: %s", gpio_why));
	if (announcer_fault(api->announcer))
		g_ptr_array_add(faults, g_strdup(announcer_fault(api->announcer)));
	if (disk)
		g_ptr_array_add(faults, g_strdup(disk));
	if (api->booths)
		booths_faults(api->booths, faults);
	json_builder_begin_object(b);
	api_add_str(b, "status", faults->len == 0 ? "ok" : "degraded");
	json_builder_set_member_name(b, "faults");
	json_builder_begin_array(b);
	for (guint i = 0; i < faults->len; i++)
		json_builder_add_string_value(b, g_ptr_array_index(faults, i));
	json_builder_end_array(b);
	api_build_disk(b, desk_store(api->desk), disk);
	json_builder_set_member_name(b, "displays");
	json_builder_begin_object(b);
	api_add_bool(b, "ok", displays_faults(api->displays) == 0);
	api_add_int(b, "count", (int64_t)displays_count(api->displays));
	api_add_int(b, "faults", displays_faults(api->displays));
	for (size_t i = 0; i < displays_count(api->displays); i++) {
		const struct displays_info *d = displays_get(api->displays, i);

		if (d->message) {
			api_add_str(b, "message", d->message);
			break;
		}
	}
	json_builder_end_object(b);
	if (api->announcer) {
		json_builder_set_member_name(b, "announcer");
		json_builder_begin_object(b);
		api_add_bool(b, "ok", announcer_fault(api->announcer) == NULL);
		api_add_str(b, "message", announcer_fault(api->announcer));
		json_builder_end_object(b);
	}
	if (api->dispenser) {
		json_builder_set_member_name(b, "printer");
		api_build_printer(b, &printer);
	}
	if (api->frontdesk) {
		json_builder_set_member_name(b, "gpio");
		json_builder_begin_object(b);
		api_add_bool(b, "ok", gpio_why == NULL);
		api_add_str(b, "message", gpio_why);
		json_builder_end_object(b);
	}
	api_add_str(b, "version", VUORO_VERSION);
	api_add_str(b, "site", api->cfg->site_name);
	api_add_int(b, "uptime_s", t.now - api->started_at);
	api_add_int(b, "schema", STORE_SCHEMA_VERSION);
	json_builder_end_object(b);
	api_reply_builder(r, 200, b);
}

/* ---------------------------------------------------------------------- */
/* Login: the hash check runs on a worker thread */

struct api_login {
	struct api *api;
	SoupServerMessage *msg;
	char *user;
	char *hash; /* NULL when the user does not exist */
	char *role;
	char *host;
};

static void api_login_free(struct api_login *l)
{
	g_object_unref(l->msg);
	g_free(l->user);
	g_free(l->hash);
	g_free(l->role);
	g_free(l->host);
	g_free(l);
}

static void api_login_done(GObject *source, GAsyncResult *result, gpointer data)
{
	struct api_login *l = data;
	struct api *api = l->api;
	struct api_req r = {.api = api, .msg = l->msg};
	gboolean ok = auth_pool_verify_finish(result) && l->hash;
	struct queue_time t;

	desk_time(api->desk, &t);
	if (!ok) {
		struct api_login_fails *f = g_hash_table_lookup(api->login_fails, l->host);

		if (!f) {
			f = g_new0(struct api_login_fails, 1);
			g_hash_table_insert(api->login_fails, g_strdup(l->host), f);
		}
		if (t.now - f->window_start > API_LOGIN_WINDOW_S) {
			f->window_start = t.now;
			f->count = 0;
		}
		f->count++;
		api_error(&r, 401, "bad_login", "wrong user name or password");
	} else {
		g_autofree char *token = auth_token_new();
		g_autofree char *digest = auth_token_digest(token);
		g_autoptr(GError) error = NULL;
		int64_t expires = t.now + (int64_t)api->cfg->token_hours * 3600;
		int rc = store_token_put(desk_store(api->desk), digest, l->user, expires, &error);

		if (rc < 0) {
			api_error_gerror(&r, rc, error, NULL);
		} else {
			g_autoptr(JsonBuilder) b = json_builder_new();

			g_autofree char *csrf = auth_csrf_token(token);
			g_autofree char *cookie = g_strdup_printf(
			    API_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s",
			    token, api->cfg->token_hours * 3600, api->tls ? "; Secure" : "");

			g_hash_table_remove(api->login_fails, l->host);
			soup_message_headers_append(
			    soup_server_message_get_response_headers(l->msg), "Set-Cookie", cookie);
			json_builder_begin_object(b);
			api_add_str(b, "token", token);
			api_add_str(b, "csrf", csrf);
			api_add_str(b, "user", l->user);
			api_add_str(b, "role", l->role);
			api_add_int(b, "expires_at", expires);
			json_builder_end_object(b);
			api_reply_builder(&r, 200, b);
		}
	}
	soup_server_message_unpause(l->msg);
	api_login_free(l);
}

static void api_login(struct api_req *r)
{
	struct api *api = r->api;
	const char *host = soup_server_message_get_remote_host(r->msg);
	struct api_login_fails *f = g_hash_table_lookup(api->login_fails, host ? host : "");
	struct api_login *l;
	struct queue_time t;

	desk_time(api->desk, &t);
	if (f && f->count >= API_LOGIN_MAX_FAILS && t.now - f->window_start <= API_LOGIN_WINDOW_S) {
		api_error(r, 429, "too_many_logins",
			  "too many failed logins from this address: wait %d minutes",
			  API_LOGIN_WINDOW_S / 60);
		return;
	}
	l = g_new0(struct api_login, 1);
	l->api = api;
	l->msg = g_object_ref(r->msg);
	l->user = g_strdup(api_str(r, "user"));
	l->host = g_strdup(host ? host : "");
	if (store_user_get(desk_store(api->desk), l->user, &l->role, &l->hash, NULL) < 0) {
		g_clear_pointer(&l->hash, g_free);
		g_clear_pointer(&l->role, g_free);
	}
	if (auth_pool_verify(api->auth_pool, l->hash, api_str(r, "password"), api_login_done, l) <
	    0) {
		api_login_free(l);
		api_error(r, 503, "busy", "too many logins at once: try again in a moment");
		return;
	}
	soup_server_message_pause(r->msg);
}

static void api_logout(struct api_req *r)
{
	g_autofree char *cookie = api_cookie_token(r->msg);
	const char *token = api_bearer(r->msg, r->query) ? api_bearer(r->msg, r->query) : cookie;
	g_autofree char *digest = token ? auth_token_digest(token) : NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();

	if (digest)
		store_token_delete(desk_store(r->api->desk), digest, NULL);
	soup_message_headers_append(soup_server_message_get_response_headers(r->msg), "Set-Cookie",
				    API_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
	json_builder_begin_object(b);
	api_add_bool(b, "ok", TRUE);
	json_builder_end_object(b);
	api_reply_builder(r, 200, b);
}

static void api_whoami(struct api_req *r)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	api_add_str(b, "user", r->caller.user);
	api_add_str(b, "role", auth_role_name(r->caller.role));
	if (r->caller.csrf)
		api_add_str(b, "csrf", r->caller.csrf);
	json_builder_end_object(b);
	api_reply_builder(r, 200, b);
}

/* ---------------------------------------------------------------------- */
/* Users */

static void api_user_name(const char *name, const char *role, void *data)
{
	JsonBuilder *b = data;

	json_builder_begin_object(b);
	api_add_str(b, "name", name);
	api_add_str(b, "role", role);
	json_builder_end_object(b);
}

static void api_users_list(struct api_req *r)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(GError) error = NULL;
	int rc;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "users");
	json_builder_begin_array(b);
	rc = store_user_foreach(desk_store(r->api->desk), api_user_name, b, &error);
	json_builder_end_array(b);
	json_builder_end_object(b);
	if (rc < 0)
		api_error_gerror(r, rc, error, NULL);
	else
		api_reply_builder(r, 200, b);
}

static gboolean api_user_name_ok(const char *name)
{
	size_t len = strlen(name);

	if (len < 1 || len >= QUEUE_USER_LEN)
		return FALSE;
	for (const char *c = name; *c; c++)
		if (!g_ascii_isalnum(*c) && *c != '.' && *c != '-' && *c != '_')
			return FALSE;
	return TRUE;
}

/* A user added or a password changed: the hash is made on the auth pool,
 * the user stored when it is done. */
struct api_user_job {
	struct api *api;
	SoupServerMessage *msg;
	char *name, *role, *provider; /* role NULL: a password change */
};

static void api_user_job_done(GObject *source, GAsyncResult *result, gpointer data)
{
	struct api_user_job *j = data;
	struct api_req r = {.api = j->api, .msg = j->msg};
	struct store *store = desk_store(j->api->desk);
	g_autoptr(GError) error = NULL;
	g_autofree char *hash = auth_pool_hash_finish(result, &error);
	g_autoptr(JsonBuilder) b = json_builder_new();
	struct queue_time t;
	int rc = hash ? 0 : -ENOMEM;

	desk_time(j->api->desk, &t);
	if (rc == 0 && j->role)
		rc = store_user_put(store, j->name, j->role, hash, t.now, &error);
	else if (rc == 0)
		rc = store_user_set_hash(store, j->name, hash, &error);
	if (rc >= 0 && j->role && j->provider)
		rc = store_user_set_provider(store, j->name, j->provider, &error);
	if (rc < 0) {
		api_error_gerror(&r, rc, error, NULL);
	} else {
		json_builder_begin_object(b);
		api_add_str(b, "name", j->name);
		if (j->role) {
			api_add_str(b, "role", j->role);
			api_add_str(b, "provider", j->provider);
		} else {
			api_add_bool(b, "ok", TRUE);
		}
		json_builder_end_object(b);
		api_reply_builder(&r, j->role ? 201 : 200, b);
	}
	soup_server_message_unpause(j->msg);
	g_object_unref(j->msg);
	g_free(j->name);
	g_free(j->role);
	g_free(j->provider);
	g_free(j);
}

static void api_user_job_start(struct api_req *r, const char *name, const char *role,
			       const char *provider)
{
	g_autoptr(GError) error = NULL;
	struct api_user_job *j = g_new0(struct api_user_job, 1);
	int rc =
	    auth_pool_hash(r->api->auth_pool, api_str(r, "password"), api_user_job_done, j, &error);

	if (rc < 0) {
		g_free(j);
		api_error_gerror(r, rc, error, NULL);
		return;
	}
	j->api = r->api;
	j->msg = g_object_ref(r->msg);
	j->name = g_strdup(name);
	j->role = g_strdup(role);
	j->provider = g_strdup(provider);
	soup_server_message_pause(r->msg);
}

static void api_users_add(struct api_req *r)
{
	const char *name = api_str(r, "name");
	const char *role = api_str(r, "role");

	if (!api_user_name_ok(name)) {
		api_error(r, 400, "invalid",
			  "a user name is 1 to %d letters, digits, '.', '-' or '_'",
			  QUEUE_USER_LEN - 1);
		return;
	}
	if (!auth_role_parse(role)) {
		api_error(r, 400, "invalid",
			  "role must be advisor, expert, technician, manager or admin");
		return;
	}
	if (api_str(r, "provider") && !config_provider_known(r->api->cfg, api_str(r, "provider"))) {
		api_error(r, 400, "invalid", "provider \"%s\" is not in board-config",
			  api_str(r, "provider"));
		return;
	}
	api_user_job_start(r, name, role, api_str(r, "provider"));
}

static void api_users_passwd(struct api_req *r)
{
	const char *name = r->seg[2];

	if (!(r->caller.role & AUTH_ROLE_ADMIN) && g_strcmp0(name, r->caller.user) != 0) {
		api_error(r, 403, "forbidden", "only an admin may change another user's password");
		return;
	}
	api_user_job_start(r, name, NULL, NULL);
}

/* ---------------------------------------------------------------------- */
/* Appointments */

static void api_build_appointment(struct api *api, JsonBuilder *b,
				  const struct store_appointment *a)
{
	static const char *const states[] = {"booked", "arrived", "cancelled"};
	const struct config_service *svc = config_service_get(api->cfg, a->service);

	json_builder_begin_object(b);
	api_add_int(b, "id", a->id);
	api_add_str(b, "code", a->code);
	api_add_str(b, "service", svc ? svc->code : NULL);
	api_add_int(b, "at", a->at);
	api_add_int(b, "duration_min", a->duration_min);
	api_add_str(b, "staff", a->staff);
	api_add_str(b, "name", a->name);
	api_add_str(b, "source", a->source);
	api_add_str(b, "state", states[a->state]);
	if (a->ticket)
		api_add_int(b, "ticket", a->ticket);
	json_builder_end_object(b);
}

static void api_appointment_json(const struct store_appointment *a, void *data)
{
	struct api_queue_walk *w = data;

	api_build_appointment(w->api, w->b, a);
}

static void api_appointments_list(struct api_req *r)
{
	struct api *api = r->api;
	const char *from = r->query ? g_hash_table_lookup(r->query, "from") : NULL;
	const char *to = r->query ? g_hash_table_lookup(r->query, "to") : NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(GError) error = NULL;
	struct api_queue_walk w = {.api = api, .b = b};
	struct queue_time t;
	int64_t from_s, to_s;
	int rc;

	desk_time(api->desk, &t);
	from_s = t.now - 12 * 3600;
	to_s = t.now + 14 * 86400;
	if ((from && booking_parse_time(api->cfg, from, &from_s) < 0) ||
	    (to && booking_parse_time(api->cfg, to, &to_s) < 0)) {
		api_error(r, 400, "invalid", "from and to must be times like 2026-11-23 08:00");
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "appointments");
	json_builder_begin_array(b);
	rc = store_appointment_foreach(desk_store(api->desk), api->cfg, from_s, to_s,
				       api_appointment_json, &w, &error);
	json_builder_end_array(b);
	json_builder_end_object(b);
	if (rc < 0)
		api_error_gerror(r, rc, error, NULL);
	else
		api_reply_builder(r, 200, b);
}

static void api_appointments_add(struct api_req *r)
{
	struct api *api = r->api;
	const char *service = api_str(r, "service");
	const char *code = api_str(r, "code");
	struct store_appointment a = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	int rc;

	a.service = (int16_t)config_service_find(api->cfg, service);
	if (a.service < 0) {
		api_error(r, 404, "not_found", "no service \"%s\"", service);
		return;
	}
	if (booking_parse_time(api->cfg, api_str(r, "at"), &a.at) < 0) {
		api_error(r, 400, "invalid", "at must be a time like 2026-11-23 09:30");
		return;
	}
	a.duration_min = (int)api_int(r, "duration_min", 30);
	if (a.duration_min < 5 || a.duration_min > 480) {
		api_error(r, 400, "invalid", "duration_min must be 5 to 480");
		return;
	}
	a.code = code ? g_strdup(code) : booking_code_new();
	a.staff = g_strdup(api_str(r, "staff"));
	a.name = g_strdup(api_str(r, "name"));
	a.source = g_strdup("api");
	rc = store_appointment_add(desk_store(api->desk), api->cfg, &a, &error);
	if (rc < 0) {
		api_error_gerror(r, rc, error, NULL);
	} else {
		api_build_appointment(api, b, &a);
		api_reply_builder(r, 201, b);
	}
	store_appointment_clear(&a);
}

/* Body is the booking system's export as is: text/csv or text/calendar. */
static void api_appointments_import(struct api_req *r)
{
	struct api *api = r->api;
	SoupMessageBody *body = soup_server_message_get_request_body(r->msg);
	const char *type = soup_message_headers_get_content_type(
	    soup_server_message_get_request_headers(r->msg), NULL);
	g_autoptr(GPtrArray) list = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	int rc, added = 0;

	if (g_strcmp0(type, "text/csv") == 0)
		rc = booking_parse_csv(api->cfg, body->data, (gsize)body->length, &list, &error);
	else if (g_strcmp0(type, "text/calendar") == 0)
		rc = booking_parse_ics(api->cfg, body->data, (gsize)body->length, &list, &error);
	else {
		api_error(r, 415, "unsupported_type",
			  "send the export as text/csv or text/calendar, not %s",
			  type ? type : "without a Content-Type");
		return;
	}
	if (rc < 0) {
		api_error_gerror(r, rc, error, NULL);
		return;
	}
	/* One transaction: all or none. */
	rc = store_appointments_import(desk_store(api->desk), api->cfg, list, &added, &error);
	if (rc < 0) {
		api_error_gerror(r, rc, error, NULL);
		return;
	}
	json_builder_begin_object(b);
	api_add_int(b, "added", added);
	api_add_int(b, "skipped_existing", (int)list->len - added);
	json_builder_end_object(b);
	api_reply_builder(r, 200, b);
}

static void api_checkin(struct api_req *r)
{
	struct api *api = r->api;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	const char *handout = api_str(r, "handout");
	struct queue_time t;
	uint8_t lang;
	int rc;

	if (api_parse_lang(r, &lang) < 0)
		return;
	rc = desk_checkin(api->desk, api_str(r, "code"), lang,
			  !handout || strcmp(handout, "printer") != 0, &api->res, &error);
	if (rc < 0) {
		api_error_gerror(r, rc, error, &api->res);
		return;
	}
	if (handout && strcmp(handout, "printer") == 0 && api->dispenser) {
		/* Printed like a drawn ticket: handed out once printed, and the
		 * answer says how the print went. */
		dispenser_reprint(api->dispenser, api->res.ticket, r->caller.user, api_dispensed,
				  api_pending_new(r, 201));
		return;
	}
	desk_time(api->desk, &t);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "ticket");
	api_build_ticket(api, b, &g_array_index(api->res.tickets, struct queue_ticket, 0), &t);
	json_builder_end_object(b);
	api_reply_builder(r, 201, b);
}

/* ---------------------------------------------------------------------- */
/* Reports and the database */

static int api_parse_day(const char *text, int32_t *ret)
{
	g_autoptr(GDateTime) dt = NULL;
	g_autofree char *iso = NULL;

	if (!text)
		return -EINVAL;
	iso = g_strdup_printf("%sT00:00:00Z", text);
	dt = g_date_time_new_from_iso8601(iso, NULL);
	if (!dt)
		return -EINVAL;
	*ret = (int32_t)(g_date_time_to_unix(dt) / 86400);
	return 0;
}

/* A report read and made on a worker thread (report_run_async). */
struct api_report_job {
	struct api_pending *p;
	char *disposition; /* CSV: its file name; NULL: JSON */
};

static void api_report_done(GObject *source, GAsyncResult *result, gpointer data)
{
	struct api_report_job *j = data;
	struct api_req r = {.api = j->p->api, .msg = j->p->msg};
	SoupMessageHeaders *headers = soup_server_message_get_response_headers(j->p->msg);
	g_autoptr(GError) error = NULL;
	char *text = NULL;
	gsize len = 0;
	int rc = report_run_finish(result, &text, &len, &error);

	if (rc < 0) {
		api_error_gerror(&r, rc, error, NULL);
	} else {
		if (j->disposition)
			soup_message_headers_replace(headers, "Content-Disposition",
						     j->disposition);
		else
			soup_message_headers_replace(headers, "Cache-Control", "no-store");
		soup_server_message_set_status(j->p->msg, 200, NULL);
		soup_server_message_set_response(
		    j->p->msg, j->disposition ? "text/csv; charset=utf-8" : "application/json",
		    SOUP_MEMORY_TAKE, text, len);
	}
	api_pending_done(j->p);
	g_free(j->disposition);
	g_free(j);
}

static void api_report(struct api_req *r)
{
	struct api *api = r->api;
	const char *from = r->query ? g_hash_table_lookup(r->query, "from") : NULL;
	const char *to = r->query ? g_hash_table_lookup(r->query, "to") : NULL;
	const char *format = r->query ? g_hash_table_lookup(r->query, "format") : NULL;
	const char *target = r->query ? g_hash_table_lookup(r->query, "target_min") : NULL;
	const char *period = r->query ? g_hash_table_lookup(r->query, "period") : NULL;
	const char *kind = r->query ? g_hash_table_lookup(r->query, "kind") : NULL;
	g_autoptr(GTimeZone) tz = NULL;
	struct api_report_job *j;
	struct report_query q;
	struct queue_time t;
	int32_t from_day, to_day;
	int target_min = target ? atoi(target) : 15;
	int k = kind ? report_kind_parse(kind) : -1;
	bool csv = g_strcmp0(format, "csv") == 0;

	desk_time(api->desk, &t);
	from_day = t.day - 365;
	to_day = t.day + 1;
	if ((from && api_parse_day(from, &from_day) < 0) ||
	    (to && api_parse_day(to, &to_day) < 0)) {
		api_error(r, 400, "invalid", "from and to must be dates like 2026-11-01");
		return;
	}
	if (target_min < 1 || target_min > 600) {
		api_error(r, 400, "invalid", "target_min must be 1 to 600");
		return;
	}
	if (format && !csv && strcmp(format, "json") != 0) {
		api_error(r, 400, "invalid", "format must be json or csv");
		return;
	}
	if (period && report_period_parse(period) < 0) {
		api_error(r, 400, "invalid", "period must be day, week or month");
		return;
	}
	if (kind && k < 0) {
		api_error(r, 400, "invalid",
			  "kind must be billing, times, arrivals, idle, feedback or categories");
		return;
	}
	/* Without kind the answer keeps its first form: the monthly rows (and,
	 * as JSON, every report besides); with kind, that report only. */
	tz = g_time_zone_new_identifier(api->cfg->timezone);
	q = (struct report_query){
	    .from_day = from_day,
	    .to_day = to_day,
	    .period = period ? report_period_parse(period) : REPORT_PERIOD_MONTH,
	    .target_wait_s = target_min * 60,
	    .kinds = kind ? 1u << k : 0,
	    .tz = tz,
	    .reset_min = api->cfg->reset_min,
	    .now = t.now,
	};
	j = g_new0(struct api_report_job, 1);
	if (csv)
		j->disposition =
		    from && to ? g_strdup_printf("attachment; filename=\"vuoro-%s-%s-%s.csv\"",
						 kind ? kind : "monthly", from, to)
			       : g_strdup_printf("attachment; filename=\"vuoro-%s.csv\"",
						 kind ? kind : "monthly");
	j->p = api_pending_new(r, 200);
	report_run_async(desk_store(api->desk), &q,
			 (csv && !kind ? 0 : REPORT_JOB_REPORTS) | (kind ? 0 : REPORT_JOB_MONTHLY) |
			     (csv ? REPORT_JOB_CSV : 0),
			 api_report_done, j);
}

/* The integrity check and the backup run on a worker thread (store.h). */
static void api_db_check_done(GObject *source, GAsyncResult *result, gpointer data)
{
	struct api_pending *p = data;
	struct api_req r = {.api = p->api, .msg = p->msg};
	g_autofree char *report = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	int rc = store_integrity_check_finish(result, &report, &error);

	if (rc < 0 && !report) {
		api_error_gerror(&r, rc, error, NULL);
	} else {
		json_builder_begin_object(b);
		api_add_bool(b, "ok", rc == 0);
		api_add_str(b, "integrity", report);
		json_builder_end_object(b);
		api_reply_builder(&r, rc == 0 ? 200 : 500, b);
	}
	api_pending_done(p);
}

static void api_db_check(struct api_req *r)
{
	store_integrity_check_async(desk_store(r->api->desk), api_db_check_done,
				    api_pending_new(r, 200));
}

/* A big answer handed to libsoup 256 KiB at a time, the next when the last
 * was written: the loop never copies more than that into the socket at once
 * (a backup is the whole database). */
#define API_CHUNK (256 * 1024)
struct api_chunks {
	GBytes *bytes;
	gsize off;
};

static void api_chunks_free(gpointer data)
{
	struct api_chunks *s = data;

	g_bytes_unref(s->bytes);
	g_free(s);
}

static void api_chunks_next(SoupServerMessage *msg, gpointer data)
{
	struct api_chunks *s = data;
	SoupMessageBody *body = soup_server_message_get_response_body(msg);
	gsize n = MIN(API_CHUNK, g_bytes_get_size(s->bytes) - s->off);

	if (n) {
		g_autoptr(GBytes) part = g_bytes_new_from_bytes(s->bytes, s->off, n);

		soup_message_body_append_bytes(body, part);
		s->off += n;
	} else {
		soup_message_body_complete(body);
	}
	soup_server_message_unpause(msg);
}

static void api_reply_chunks(SoupServerMessage *msg, const char *type, GBytes *bytes)
{
	SoupMessageHeaders *headers = soup_server_message_get_response_headers(msg);
	struct api_chunks *s = g_new0(struct api_chunks, 1);

	s->bytes = g_bytes_ref(bytes);
	g_object_set_data_full(G_OBJECT(msg), "vuoro-chunks", s, api_chunks_free);
	soup_server_message_set_status(msg, 200, NULL);
	soup_message_headers_set_content_type(headers, type, NULL);
	soup_message_headers_set_content_length(headers, (goffset)g_bytes_get_size(bytes));
	soup_message_body_set_accumulate(soup_server_message_get_response_body(msg), FALSE);
	g_signal_connect(msg, "wrote-chunk", G_CALLBACK(api_chunks_next), s);
	api_chunks_next(msg, s);
}

/* Streams a consistent copy made with SQLite's online backup. */
static void api_db_backup_done(GObject *source, GAsyncResult *result, gpointer data)
{
	struct api_pending *p = data;
	struct api_req r = {.api = p->api, .msg = p->msg};
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) bytes = store_backup_bytes_finish(result, &error);

	if (!bytes) {
		api_error_gerror(&r, -EIO, error, NULL);
	} else {
		api_reply_chunks(p->msg, "application/vnd.sqlite3", bytes);
	}
	api_pending_done(p);
}

static void api_db_backup(struct api_req *r)
{
	store_backup_bytes_async(desk_store(r->api->desk), api_db_backup_done,
				 api_pending_new(r, 200));
}

/* ---------------------------------------------------------------------- */
/* Route table */

static const struct api_field api_no_fields[] = {{NULL}};
static const struct api_field api_login_fields[] = {
    {"user", API_STRING, TRUE}, {"password", API_STRING, TRUE}, {NULL}};
static const struct api_field api_issue_fields[] = {{"service", API_STRING, TRUE},
						    {"lang", API_STRING, FALSE},
						    {"handout", API_STRING, FALSE},
						    {"priority", API_INT, FALSE},
						    {NULL}};
static const struct api_field api_open_fields[] = {{"profile", API_STRING, FALSE}, {NULL}};
static const struct api_field api_call_fields[] = {{"ticket", API_INT, FALSE}, {NULL}};
static const struct api_field api_resume_fields[] = {{"ticket", API_INT, TRUE}, {NULL}};
static const struct api_field api_transfer_fields[] = {{"service", API_STRING, FALSE},
						       {"counter", API_INT, FALSE},
						       {"front", API_BOOL, FALSE},
						       {NULL}};
static const struct api_field api_end_fields[] = {{"outcome", API_STRING, FALSE},
						  {"channel", API_STRING, FALSE},
						  {"category", API_STRING, FALSE},
						  {NULL}};
static const struct api_field api_user_fields[] = {
    {"name", API_STRING, TRUE},
    {"role", API_STRING, TRUE},
    {"password", API_STRING, TRUE},
    {"provider", API_STRING, FALSE}, /* an expert's provider */
    {NULL}};
static const struct api_field api_passwd_fields[] = {{"password", API_STRING, TRUE}, {NULL}};
static const struct api_field api_appointment_fields[] = {{"service", API_STRING, TRUE},
							  {"at", API_STRING, TRUE},
							  {"code", API_STRING, FALSE},
							  {"duration_min", API_INT, FALSE},
							  {"staff", API_STRING, FALSE},
							  {"name", API_STRING, FALSE},
							  {NULL}};
static const struct api_field api_printer_test_fields[] = {{"lang", API_STRING, FALSE}, {NULL}};
static const struct api_field api_printer_sim_fields[] = {{"paper_end", API_BOOL, FALSE},
							  {"paper_near_end", API_BOOL, FALSE},
							  {"cover_open", API_BOOL, FALSE},
							  {"offline", API_BOOL, FALSE},
							  {NULL}};
static const struct api_field api_gpio_sim_fields[] = {
    {"name", API_STRING, TRUE}, {"hold_ms", API_INT, FALSE}, {"level", API_INT, FALSE}, {NULL}};
static const struct api_field api_gpio_lamp_fields[] = {
    {"name", API_STRING, TRUE}, {"on", API_BOOL, FALSE}, {NULL}};
static const struct api_field api_display_test_fields[] = {{"hold_ms", API_INT, FALSE}, {NULL}};
static const struct api_field api_displays_scan_fields[] = {
    {"bus", API_STRING, TRUE}, {"from", API_INT, FALSE}, {"to", API_INT, FALSE}, {NULL}};
static const struct api_field api_announcer_test_fields[] = {
    {"kind", API_STRING, TRUE}, {"lang", API_STRING, FALSE}, {NULL}};
static const struct api_field api_checkin_fields[] = {{"code", API_STRING, TRUE},
						      {"lang", API_STRING, FALSE},
						      {"handout", API_STRING, FALSE},
						      {NULL}};

#define COUNTER_STAFF (AUTH_ROLE_ADVISOR | AUTH_ROLE_EXPERT | AUTH_ROLE_ADMIN)
#define ISSUERS       (AUTH_ROLE_KIOSK | COUNTER_STAFF)
#define TECHS         (AUTH_ROLE_TECHNICIAN | AUTH_ROLE_ADMIN)

static const struct api_route api_routes[] = {
    {"GET", "/api/health", 0, api_health, NULL},
    {"GET", "/api/status", 0, api_status, NULL},
    {"POST", "/api/login", 0, api_login, api_login_fields},
    {"POST", "/api/logout", AUTH_STAFF, api_logout, api_no_fields},
    {"GET", "/api/whoami", AUTH_STAFF | AUTH_ROLE_KIOSK, api_whoami, NULL},
    {"GET", "/api/queue", AUTH_STAFF, api_queue, NULL},
    {"POST", "/api/tickets", ISSUERS, api_ticket_issue, api_issue_fields},
    {"GET", "/api/tickets/*", AUTH_STAFF, api_ticket_get, NULL},
    {"POST", "/api/tickets/*/cancel", ISSUERS, api_ticket_cancel, api_no_fields},
    {"POST", "/api/tickets/*/handout", ISSUERS, api_ticket_handout, api_no_fields},
    {"POST", "/api/tickets/*/print", ISSUERS, api_ticket_print, api_no_fields},
    {"GET", "/api/printer", AUTH_STAFF, api_printer_get, NULL},
    {"POST", "/api/printer/check", TECHS, api_printer_check, api_no_fields},
    {"POST", "/api/printer/test", TECHS, api_printer_test, api_printer_test_fields},
    {"POST", "/api/printer/sim", TECHS, api_printer_sim, api_printer_sim_fields},
    {"GET", "/api/displays", AUTH_STAFF, api_displays_get, NULL},
    {"POST", "/api/displays/scan", TECHS, api_displays_scan, api_displays_scan_fields},
    {"POST", "/api/displays/*/test", TECHS, api_display_test, api_display_test_fields},
    {"GET", "/api/announcer", AUTH_STAFF, api_announcer_get, NULL},
    {"POST", "/api/announcer/test", TECHS, api_announcer_test, api_announcer_test_fields},
    {"GET", "/api/gpio", AUTH_STAFF, api_gpio_get, NULL},
    {"POST", "/api/gpio/sim", TECHS, api_gpio_sim, api_gpio_sim_fields},
    {"POST", "/api/gpio/lamp", TECHS, api_gpio_lamp, api_gpio_lamp_fields},
    {"GET", "/api/follow/*", 0, api_follow, NULL},
    {"GET", "/api/qr", 0, api_qr, NULL},
    {"POST", "/api/counters/*/open", COUNTER_STAFF, api_counter_open, api_open_fields},
    {"POST", "/api/counters/*/close", COUNTER_STAFF, api_counter_close, api_no_fields},
    {"POST", "/api/counters/*/call", COUNTER_STAFF, api_counter_call, api_call_fields},
    {"POST", "/api/counters/*/recall", COUNTER_STAFF, api_counter_recall, api_no_fields},
    {"POST", "/api/counters/*/start", COUNTER_STAFF, api_counter_start, api_no_fields},
    {"POST", "/api/counters/*/noshow", COUNTER_STAFF, api_counter_noshow, api_no_fields},
    {"POST", "/api/counters/*/park", COUNTER_STAFF, api_counter_park, api_no_fields},
    {"POST", "/api/counters/*/resume", COUNTER_STAFF, api_counter_resume, api_resume_fields},
    {"POST", "/api/counters/*/transfer", COUNTER_STAFF, api_counter_transfer, api_transfer_fields},
    {"POST", "/api/counters/*/end", COUNTER_STAFF, api_counter_end, api_end_fields},
    {"GET", "/api/appointments", AUTH_STAFF, api_appointments_list, NULL},
    {"POST", "/api/appointments", COUNTER_STAFF | AUTH_ROLE_MANAGER, api_appointments_add,
     api_appointment_fields},
    /* The body is CSV or iCalendar, not JSON: fields NULL, checked by type. */
    {"POST", "/api/appointments/import", AUTH_ROLE_ADMIN | AUTH_ROLE_MANAGER,
     api_appointments_import, NULL},
    {"POST", "/api/checkin", ISSUERS, api_checkin, api_checkin_fields},
    {"GET", "/api/users", AUTH_ROLE_ADMIN, api_users_list, NULL},
    {"POST", "/api/users", AUTH_ROLE_ADMIN, api_users_add, api_user_fields},
    {"POST", "/api/users/*/password", AUTH_STAFF, api_users_passwd, api_passwd_fields},
    {"GET", "/api/report", AUTH_ROLE_MANAGER | AUTH_ROLE_ADMIN, api_report, NULL},
    {"GET", "/api/db/check", AUTH_ROLE_TECHNICIAN | AUTH_ROLE_ADMIN, api_db_check, NULL},
    {"GET", "/api/db/backup", AUTH_ROLE_TECHNICIAN | AUTH_ROLE_ADMIN, api_db_backup, NULL},
};

static gboolean api_route_match(const struct api_route *route, char **seg)
{
	g_auto(GStrv) pat = g_strsplit(route->path + 1, "/", API_MAX_SEGMENTS);
	guint i;

	for (i = 0; pat[i] && seg[i]; i++)
		if (strcmp(pat[i], "*") != 0 && strcmp(pat[i], seg[i]) != 0)
			return FALSE;
	return !pat[i] && !seg[i];
}

static void api_handle(SoupServer *server, SoupServerMessage *msg, const char *path,
		       GHashTable *query, gpointer data)
{
	struct api *api = data;
	const char *method = soup_server_message_get_method(msg);
	g_auto(GStrv) seg = g_strsplit(path + 1, "/", API_MAX_SEGMENTS + 1);
	const struct api_route *route = NULL;
	gboolean path_known = FALSE;
	g_autoptr(JsonParser) parser = NULL;
	struct api_req r = {.api = api, .msg = msg, .seg = seg, .query = query};
	SoupMessageBody *body = soup_server_message_get_request_body(msg);

	/* Drop a trailing empty segment: "/api/status/" is "/api/status". */
	for (guint n = g_strv_length(seg); n > 0 && !*seg[n - 1]; n--) {
		g_free(seg[n - 1]);
		seg[n - 1] = NULL;
	}
	/* The route tables: this file's, the booths', the identity checks'. */
	const struct api_route *const tables[] = {api_routes, api_booth_routes, api_visit_routes};
	const size_t sizes[] = {G_N_ELEMENTS(api_routes), api_booth_n_routes, api_visit_n_routes};

	for (size_t t = 0; t < G_N_ELEMENTS(tables) && !route; t++) {
		for (size_t i = 0; i < sizes[t] && !route; i++) {
			const struct api_route *candidate = &tables[t][i];

			if (!api_route_match(candidate, seg))
				continue;
			path_known = TRUE;
			if (strcmp(candidate->method, method) == 0)
				route = candidate;
		}
	}
	if (!route) {
		if (path_known)
			api_error(&r, 405, "method_not_allowed", "%s is not allowed on %s", method,
				  path);
		else
			api_error(&r, 404, "not_found", "no such API path: %s", path);
		return;
	}
	if (body->length > (goffset)api->cfg->max_body_kb * 1024) {
		api_error(&r, 413, "too_large", "the body is larger than %d KiB",
			  api->cfg->max_body_kb);
		return;
	}
	api_identify(api, msg, query, &r.caller);
	if (strcmp(method, "GET") != 0 && api_foreign_origin(msg)) {
		api_error(&r, 403, "bad_origin", "this request came from another site's page");
		goto out;
	}
	if (strcmp(method, "GET") != 0 && r.caller.csrf && r.caller.role &&
	    g_strcmp0(soup_message_headers_get_one(soup_server_message_get_request_headers(msg),
						   API_CSRF_HEADER),
		      r.caller.csrf) != 0) {
		api_error(&r, 403, "csrf",
			  "send the session's CSRF token in " API_CSRF_HEADER
			  " (GET /api/whoami gives it)");
		goto out;
	}
	if (route->roles && !(route->roles & r.caller.role)) {
		if (!r.caller.user) /* anonymous, or the kiosk asking for more */
			api_error(&r, 401, "login_required", "log in first (POST /api/login)");
		else
			api_error(&r, 403, "forbidden", "a %s may not do this",
				  auth_role_name(r.caller.role));
		goto out;
	}
	/* Nothing that is not yet durable may be seen: a read first commits
	 * what the last loop iteration ran. */
	if (strcmp(method, "GET") == 0)
		desk_flush(api->desk);
	if (route->fields) {
		parser = json_parser_new_immutable();
		if (!api_parse_body(&r, route->fields, parser))
			goto out;
	}
	route->fn(&r);
out:
	if (r.body)
		json_object_unref(r.body);
	g_free(r.caller.user);
	g_free(r.caller.csrf);
}

/* Before the body is read: refuse one that announces itself too large. */
static void api_early(SoupServer *server, SoupServerMessage *msg, const char *path,
		      GHashTable *query, gpointer data)
{
	struct api *api = data;
	goffset len =
	    soup_message_headers_get_content_length(soup_server_message_get_request_headers(msg));

	if (len > (goffset)api->cfg->max_body_kb * 1024) {
		struct api_req r = {.api = api, .msg = msg};

		api_error(&r, 413, "too_large", "the body is larger than %d KiB",
			  api->cfg->max_body_kb);
		soup_message_headers_replace(soup_server_message_get_response_headers(msg),
					     "Connection", "close");
	}
}

/* ---------------------------------------------------------------------- */
/* WebSocket event stream */

static void api_ws_closed(SoupWebsocketConnection *ws, gpointer data)
{
	struct api *api = data;

	g_ptr_array_remove(api->sockets, ws);
}

static void api_ws_open(SoupServer *server, SoupServerMessage *msg, const char *path,
			SoupWebsocketConnection *ws, gpointer data)
{
	struct api *api = data;
	g_autoptr(GUri) uri = g_uri_ref(soup_server_message_get_uri(msg));
	g_autoptr(GHashTable) query = NULL;
	struct api_caller caller;

	if (g_uri_get_query(uri))
		query = g_uri_parse_params(g_uri_get_query(uri), -1, "&", G_URI_PARAMS_NONE, NULL);
	api_identify(api, msg, query, &caller);
	g_free(caller.user);
	g_free(caller.csrf);
	if (api_foreign_origin(msg)) {
		soup_websocket_connection_close(ws, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
						"this page is from another site");
		return;
	}
	/* Anyone may follow the calls (the waiting-room display, a phone on
	 * the follow page): without a role, only what the display shows. */
	if (!caller.role)
		g_object_set_data(G_OBJECT(ws), "vuoro-public", GINT_TO_POINTER(1));
	g_ptr_array_add(api->sockets, g_object_ref(ws));
	g_signal_connect(ws, "closed", G_CALLBACK(api_ws_closed), api);
	soup_websocket_connection_send_text(ws, "{\"type\":\"hello\"}");
}

/* @b to the staff and kiosk sockets; @pub (may be NULL: nothing) to the
 * anonymous ones. */
void api_ws_send_all(struct api *api, JsonBuilder *b, JsonBuilder *pub)
{
	g_autoptr(JsonNode) node = json_builder_get_root(b);
	g_autoptr(JsonNode) pub_node = pub ? json_builder_get_root(pub) : NULL;
	g_autofree char *text = json_to_string(node, FALSE);
	g_autofree char *pub_text = pub_node ? json_to_string(pub_node, FALSE) : NULL;

	for (guint i = 0; i < api->sockets->len; i++) {
		SoupWebsocketConnection *ws = g_ptr_array_index(api->sockets, i);
		const char *t = g_object_get_data(G_OBJECT(ws), "vuoro-public") ? pub_text : text;

		if (t && soup_websocket_connection_get_state(ws) == SOUP_WEBSOCKET_STATE_OPEN)
			soup_websocket_connection_send_text(ws, t);
	}
}

static void api_on_queue_event(const char *topic, gconstpointer payload, gpointer data)
{
	struct api *api = data;
	const struct queue_event *ev = payload;
	g_autoptr(JsonBuilder) b = NULL;
	g_autoptr(JsonBuilder) pub = NULL;
	struct queue_time t;

	if (ev->ticket.id && queue_state_terminal(ev->ticket.state))
		api_visit_forget(api, ev->ticket.id);
	if (!api->sockets->len)
		return;
	desk_time(api->desk, &t);
	b = json_builder_new();
	json_builder_begin_object(b);
	api_add_str(b, "type", queue_event_name(ev->type));
	api_add_int(b, "at", t.now);
	if (ev->counter)
		api_add_int(b, "counter", ev->counter);
	if (ev->ticket.id) {
		json_builder_set_member_name(b, "ticket");
		api_build_ticket(api, b, &ev->ticket, &t);
	}
	json_builder_end_object(b);
	/* The public view: what the waiting-room display shows. */
	pub = json_builder_new();
	json_builder_begin_object(pub);
	api_add_str(pub, "type", queue_event_name(ev->type));
	api_add_int(pub, "at", t.now);
	if (ev->counter)
		api_add_int(pub, "counter", ev->counter);
	if (ev->ticket.id) {
		const struct config_service *svc = config_service_get(api->cfg, ev->ticket.service);

		json_builder_set_member_name(pub, "ticket");
		json_builder_begin_object(pub);
		api_add_str(pub, "code", ev->ticket.code);
		api_add_str(pub, "service", svc ? svc->code : NULL);
		api_add_str(pub, "state", queue_state_name(ev->ticket.state));
		api_add_int(pub, "counter", ev->ticket.counter);
		json_builder_end_object(pub);
	}
	json_builder_end_object(pub);
	api_ws_send_all(api, b, pub);
}

static void api_on_arrival(const char *topic, gconstpointer payload, gpointer data)
{
	struct api *api = data;
	const struct desk_arrival *arrival = payload;
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	api_add_str(b, "type", "appointment_arrived");
	api_add_str(b, "staff", arrival->appointment->staff);
	api_add_str(b, "code", arrival->appointment->code);
	api_add_int(b, "at", arrival->appointment->at);
	api_add_str(b, "ticket", arrival->ticket->code);
	json_builder_end_object(b);
	api_ws_send_all(api, b, NULL);
}

/* A part changed state (printer, display, announcement, button): staff
 * pages re-read what they show of it. */
static void api_on_device(const char *topic, gconstpointer payload, gpointer data)
{
	struct api *api = data;
	g_autoptr(JsonBuilder) b = NULL;
	struct queue_time t;

	if (!api->sockets->len)
		return;
	desk_time(api->desk, &t);
	b = json_builder_new();
	json_builder_begin_object(b);
	api_add_str(b, "type", "device");
	api_add_str(b, "topic", topic);
	api_add_int(b, "at", t.now);
	json_builder_end_object(b);
	api_ws_send_all(api, b, NULL);
}

/* ---------------------------------------------------------------------- */

struct api *api_new(const struct config *cfg, struct desk *desk, struct bus *bus)
{
	struct api *api = g_new0(struct api, 1);
	struct queue_time t;

	api->cfg = cfg;
	api->desk = desk;
	api->bus = bus;
	api->sockets = g_ptr_array_new_with_free_func(g_object_unref);
	api->login_fails = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	api->auth_pool = auth_pool_new(AUTH_POOL_THREADS, AUTH_POOL_WAITING);
	api->visit_identity =
	    g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify)json_node_unref);
	queue_result_init(&api->res);
	desk_time(desk, &t);
	api->started_at = t.now;
	api->server = soup_server_new("server-header", "vuorod/" VUORO_VERSION " ", NULL);
	soup_server_add_early_handler(api->server, "/api", api_early, api, NULL);
	soup_server_add_handler(api->server, "/api", api_handle, api, NULL);
	soup_server_add_websocket_handler(api->server, "/api/events", NULL, NULL, api_ws_open, api,
					  NULL);
	api->bus_queue_sub = bus_subscribe(bus, "queue.", api_on_queue_event, api);
	api->bus_appointment_sub = bus_subscribe(bus, "appointment.", api_on_arrival, api);
	for (size_t i = 0; i < G_N_ELEMENTS(api->bus_device_subs); i++)
		api->bus_device_subs[i] =
		    bus_subscribe(bus, api_device_topics[i], api_on_device, api);
	api_booth_init(api);
	return api;
}

SoupServer *api_server(struct api *api)
{
	return api->server;
}

gboolean api_tls(const struct api *api)
{
	return api->tls;
}

void api_set_dispenser(struct api *api, struct dispenser *dispenser)
{
	api->dispenser = dispenser;
}

void api_set_frontdesk(struct api *api, struct frontdesk *frontdesk)
{
	api->frontdesk = frontdesk;
}

void api_set_displays(struct api *api, struct displays *displays)
{
	api->displays = displays;
}

void api_set_announcer(struct api *api, struct announcer *announcer)
{
	api->announcer = announcer;
}

void api_free(struct api *api)
{
	if (!api)
		return;
	desk_flush(api->desk); /* answer what waits for the group commit */
	api_booth_free(api);
	bus_unsubscribe(api->bus, api->bus_queue_sub);
	bus_unsubscribe(api->bus, api->bus_appointment_sub);
	for (size_t i = 0; i < G_N_ELEMENTS(api->bus_device_subs); i++)
		bus_unsubscribe(api->bus, api->bus_device_subs[i]);
	for (guint i = 0; i < api->sockets->len; i++)
		g_signal_handlers_disconnect_by_data(g_ptr_array_index(api->sockets, i), api);
	g_ptr_array_unref(api->sockets);
	soup_server_disconnect(api->server);
	g_object_unref(api->server);
	g_hash_table_unref(api->login_fails);
	auth_pool_free(api->auth_pool);
	g_hash_table_unref(api->visit_identity);
	queue_result_free(&api->res);
	g_free(api);
}

int api_listen(struct api *api, const char *host, int port, GError **error)
{
	g_autoptr(GInetAddress) inet = g_inet_address_new_from_string(host);
	g_autoptr(GSocketAddress) addr = NULL;
	GSList *uris;
	int bound = port;

	if (!inet) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "listen address \"%s\" is not an IP address", host);
		return -EINVAL;
	}
	if (api->cfg->tls_cert) {
		g_autoptr(GError) tls_error = NULL;
		g_autoptr(GTlsCertificate) cert = g_tls_certificate_new_from_files(
		    api->cfg->tls_cert, api->cfg->tls_key ? api->cfg->tls_key : api->cfg->tls_cert,
		    &tls_error);

		if (!cert) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
				    "[api] tls-cert %s: %s — give a PEM certificate and its key "
				    "(tls-key)",
				    api->cfg->tls_cert, tls_error->message);
			return -EINVAL;
		}
		if (!g_tls_backend_supports_tls(g_tls_backend_get_default())) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
				    "TLS is not available: install glib-networking");
			return -ENOTSUP;
		}
		soup_server_set_tls_certificate(api->server, cert);
		api->tls = TRUE;
	}
	addr = g_inet_socket_address_new(inet, (guint16)port);
	if (!soup_server_listen(api->server, addr, api->tls ? SOUP_SERVER_LISTEN_HTTPS : 0, error))
		return -EADDRINUSE;
	uris = soup_server_get_uris(api->server);
	if (uris)
		bound = g_uri_get_port(uris->data);
	g_slist_free_full(uris, (GDestroyNotify)g_uri_unref);
	return bound;
}
