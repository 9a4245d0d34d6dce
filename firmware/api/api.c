/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api: HTTP/JSON API and WebSocket event stream.
 *
 * This file: the API's context, who calls, what the resource files share
 * (tickets and counters as JSON, queue commands answered once durable) and
 * the WebSocket event stream.  The routes live in one file per resource
 * (tickets.c, counters.c, users.c, …); firmware/web/router.c matches them.
 *
 * Invariants:
 * - A handler runs only after the route table's checks passed: role, body
 *   size, JSON shape and nesting, field names, types and bounds.  Handlers
 *   read fields without re-checking them.
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

#include "auth.h"
#include "guide.h"
#include "store.h"
#include "http_guard.h"
#include "presence.h"
#include "tls_cert.h"
#include "uplink.h"
#include "visit.h"

/* ---------------------------------------------------------------------- */
/* Replies */

/* Maps a desk/queue/store errno onto HTTP. */
void api_error_errno(struct web_req *r, int rc, const char *message, const struct queue_result *res)
{
	switch (-rc) {
	case EINVAL:
		web_error(r, 400, "invalid", "%s", message);
		break;
	case EACCES:
		web_error(r, 403, "forbidden", "%s", message);
		break;
	case ENOENT:
		web_error(r, 404, "not_found", "%s", message);
		break;
	case ENODATA:
		web_error(r, 404, "nobody_waiting", "%s", message);
		break;
	case EPERM:
		web_error(r, 409, res ? queue_refusal_name(res->refusal) : "refused", "%s",
			  message);
		break;
	case EBUSY:
		web_error(r, 409, "busy", "%s", message);
		break;
	case EALREADY:
		web_error(r, 409, "already", "%s", message);
		break;
	case ESTALE:
		web_error(r, 409, "wrong_state", "%s", message);
		break;
	case ERANGE:
		web_error(r, 409, "wrong_day", "%s", message);
		break;
	case EEXIST:
		web_error(r, 409, "exists", "%s", message);
		break;
	case ENOSPC:
		web_error(r, 507, "disk_full", "%s", message);
		break;
	case EROFS:
		web_error(r, 503, "read_only", "%s", message);
		break;
	case ETIME:
		web_error(r, 503, "clock_behind", "%s", message);
		break;
	default:
		web_error(r, 500, "internal", "%s", message);
		break;
	}
}

void api_error_gerror(struct web_req *r, int rc, const GError *error,
		      const struct queue_result *res)
{
	api_error_errno(r, rc, error ? error->message : g_strerror(-rc), res);
}

/* ---------------------------------------------------------------------- */
/* JSON of our objects */

void api_add_lang_texts(JsonBuilder *b, const struct config *cfg, const char *member,
			char *const texts[CONFIG_LANGS_MAX])
{
	json_builder_set_member_name(b, member);
	json_builder_begin_object(b);
	for (int l = 0; l < cfg->n_langs; l++)
		web_json_add_str(b, config_lang_code(cfg, l), texts[l]);
	json_builder_end_object(b);
}

void api_add_names(JsonBuilder *b, const struct config *cfg, char *const names[CONFIG_LANGS_MAX])
{
	api_add_lang_texts(b, cfg, "names", names);
}

void api_add_service_card(JsonBuilder *b, const struct config *cfg,
			  const struct config_service *svc)
{
	bool any = svc->support_phone || svc->support_chat_url;

	for (int l = 0; l < cfg->n_langs; l++)
		any |= svc->instructions_url[l] != NULL;
	json_builder_set_member_name(b, "card");
	if (!any) {
		json_builder_add_null_value(b);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "instructions");
	json_builder_begin_object(b);
	for (int l = 0; l < cfg->n_langs; l++)
		if (svc->instructions_url[l])
			web_json_add_str(b, config_lang_code(cfg, l), svc->instructions_url[l]);
	json_builder_end_object(b);
	web_json_add_str(b, "phone", svc->support_phone);
	web_json_add_str(b, "chat", svc->support_chat_url);
	json_builder_end_object(b);
}

/* Whether anybody serves @service now: an open counter whose profile has
 * it, or for a remote line its booth while the booth works.  @st: its
 * queue_service_status() when at hand, else NULL. */
bool api_service_staffed(struct api *api, int service, const struct queue_service_status *st)
{
	const struct config_service *svc = config_service_get(api->cfg, service);
	struct queue_service_status own;
	struct queue_time t;

	if (!st) {
		desk_time(api->desk, &t);
		queue_service_status(desk_queue(api->desk), (int16_t)service, &t, &own);
		st = &own;
	}
	if (svc && svc->kind == CONFIG_SERVICE_REMOTE && api_service_unavailable(api, service))
		return false;
	if (st->staffed)
		return true;
	return svc && svc->kind == CONFIG_SERVICE_REMOTE && api->booths &&
	       booths_serve(api->booths, service);
}

const char *api_service_unavailable(struct api *api, int service)
{
	const struct config_service *svc = config_service_get(api->cfg, service);
	int online, free;

	if (!svc || svc->kind != CONFIG_SERVICE_REMOTE ||
	    !presence_of(uplink_presence(api->uplink), config_provider_code(api->cfg, service),
			 &online, &free))
		return NULL;
	/* All busy is still a line: one of them will be free. */
	if (online == 0)
		return "no_expert";
	if (!api->booths || !booths_serve(api->booths, service))
		return "no_booth";
	return NULL;
}

int api_service_instead(struct api *api, int service)
{
	const char *provider = config_provider_code(api->cfg, service);

	for (guint i = 0; provider && i < api->cfg->services->len; i++) {
		const struct config_service *svc = config_service_get(api->cfg, (int)i);

		if (svc->kind != CONFIG_SERVICE_REMOTE &&
		    g_strcmp0(config_provider_code(api->cfg, (int)i), provider) == 0)
			return (int)i;
	}
	return -1;
}

void api_add_instead(JsonBuilder *b, struct api *api, int service)
{
	int alt = api_service_instead(api, service);

	json_builder_set_member_name(b, "instead");
	if (alt < 0) {
		json_builder_add_null_value(b);
		return;
	}
	json_builder_begin_object(b);
	web_json_add_str(b, "code", config_service_get(api->cfg, alt)->code);
	api_add_names(b, api->cfg, config_service_get(api->cfg, alt)->name);
	json_builder_end_object(b);
}

/* A ticket as every client sees it; @t is the desk's current time. */
/* ahead < 0: look up the ticket's place in line now (when t is set). */
void api_build_ticket_at(struct api *api, JsonBuilder *b, const struct queue_ticket *tk,
			 const struct queue_time *t, int ahead, int wait_s)
{
	const struct config_service *svc = config_service_get(api->cfg, tk->service);
	unsigned now_ahead = 0;

	json_builder_begin_object(b);
	web_json_add_int(b, "id", tk->id);
	web_json_add_str(b, "code", tk->code);
	web_json_add_str(b, "ref", tk->ref);
	web_json_add_str(b, "service", svc ? svc->code : NULL);
	web_json_add_str(b, "provider", config_provider_code(api->cfg, tk->service));
	web_json_add_str(b, "state", queue_state_name(tk->state));
	web_json_add_str(b, "lang", config_lang_code(api->cfg, tk->lang));
	web_json_add_int(b, "priority", tk->priority);
	web_json_add_int(b, "day", tk->day);
	if (tk->counter)
		web_json_add_int(b, "counter", tk->counter);
	else
		web_json_add_str(b, "counter", NULL);
	if (tk->target_counter)
		web_json_add_int(b, "target_counter", tk->target_counter);
	web_json_add_int(b, "recalls", tk->recalls);
	web_json_add_int(b, "no_shows", tk->no_shows);
	web_json_add_int(b, "transfers", tk->transfers);
	if (tk->appointment)
		web_json_add_int(b, "appointment", tk->appointment);
	web_json_add_time(b, "issued_at", tk->issued_at);
	web_json_add_time(b, "queued_at", tk->queued_at);
	web_json_add_time(b, "called_at", tk->called_at);
	web_json_add_time(b, "started_at", tk->started_at);
	web_json_add_time(b, "ended_at", tk->ended_at);
	if (queue_state_terminal(tk->state)) {
		web_json_add_str(b, "outcome", queue_outcome_name(tk->outcome));
		web_json_add_str(b, "channel", queue_channel_name(tk->channel));
	}
	api_build_missed(api, b, tk);
	if (tk->state == QUEUE_WAITING || tk->state == QUEUE_PARKED || tk->state == QUEUE_ISSUED) {
		const char *why = api_service_unavailable(api, tk->service);

		/* The follow page tells the customer; an advisor may transfer. */
		if (why) {
			web_json_add_str(b, "unavailable", why);
			api_add_instead(b, api, tk->service);
		}
	}
	if (ahead < 0 && t &&
	    queue_ticket_estimate(desk_queue(api->desk), tk->id, t, &now_ahead, &wait_s) == 0)
		ahead = (int)now_ahead;
	if (ahead >= 0) {
		web_json_add_int(b, "ahead", ahead);
		/* Nobody serving the line: no wait that could be computed. */
		json_builder_set_member_name(b, "wait_s");
		if (api_service_staffed(api, tk->service, NULL)) {
			json_builder_add_int_value(b, wait_s);
			api_hours_add_closing(api, b, tk->service, t, wait_s);
		} else {
			json_builder_add_null_value(b);
		}
	}
	{
		/* With a hub's public address, the hub's form: /t/<site>.<REF>. */
		bool hub = api->cfg->uplink && api->cfg->uplink_public_url;
		g_autofree char *follow = g_strdup_printf(
		    "/t/%s%s%s", hub ? api->cfg->uplink_site : "", hub ? "." : "", tk->ref);

		web_json_add_str(b, "follow", follow);
	}
	json_builder_end_object(b);
}

void api_build_ticket(struct api *api, JsonBuilder *b, const struct queue_ticket *tk,
		      const struct queue_time *t)
{
	api_build_ticket_at(api, b, tk, t, -1, 0);
}

void api_build_counter(struct api *api, JsonBuilder *b, const struct config_counter *cc,
		       gboolean staff)
{
	const struct queue_counter *qc = queue_counter_get(desk_queue(api->desk), cc->id);
	const struct queue_ticket *tk =
	    qc && qc->ticket ? queue_ticket_get(desk_queue(api->desk), qc->ticket) : NULL;

	json_builder_begin_object(b);
	web_json_add_int(b, "id", cc->id);
	web_json_add_str(b, "name", cc->name);
	web_json_add_str(b, "kind", cc->expert ? "expert" : "counter");
	web_json_add_bool(b, "open", qc && qc->open);
	if (staff)
		web_json_add_str(b, "user", qc && qc->open ? qc->user : NULL);
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
		web_json_add_int(b, "id", tk->id);
		web_json_add_str(b, "code", tk->code);
		web_json_add_str(b, "state", queue_state_name(tk->state));
		web_json_add_int(b, "recalls", tk->recalls);
		if (staff) {
			visit_identity_build(desk_visits(api->desk), b, tk->id);
			web_json_add_str(b, "transfer_note",
					 visit_transfer_note(desk_visits(api->desk), tk));
		}
		json_builder_end_object(b);
	} else {
		json_builder_add_null_value(b);
	}
	json_builder_end_object(b);
}

/* ---------------------------------------------------------------------- */
/* Who is calling */

static gboolean api_is_kiosk_address(struct api *api, const char *host)
{
	if (!host)
		return FALSE;
	for (char **a = api->cfg->kiosk_addresses; a && *a; a++)
		if (strcmp(*a, host) == 0)
			return TRUE;
	return FALSE;
}

void api_identify(struct api *api, struct web_req *r, struct web_caller *ret)
{
	g_autofree char *cookie = NULL;
	const char *token = web_session_bearer(r);

	memset(ret, 0, sizeof(*ret));
	if (!token) {
		cookie = web_req_cookie(r, API_COOKIE);
		token = cookie;
		if (token)
			ret->csrf = auth_csrf_token(token);
	}
	if (token) {
		g_autofree char *digest = auth_token_digest(token);
		g_autofree char *role = NULL;
		struct queue_time t;

		desk_time(api->desk, &t);
		if (store_token_get(desk_store(api->desk), digest, t.now, &ret->user, &role,
				    NULL) == 0) {
			ret->role = auth_role_parse(role);
			g_strlcpy(ret->session, digest, sizeof(ret->session));
			return;
		}
	}
	if (token && api_devices_identify(api, token, ret))
		return;
	/* A paired device (cog, the booth's <img>): its HttpOnly, SameSite
	 * cookie, which needs no CSRF token. */
	g_clear_pointer(&cookie, g_free);
	cookie = web_req_cookie(r, API_DEVICE_COOKIE);
	if (cookie && api_devices_identify(api, cookie, ret)) {
		g_clear_pointer(&ret->csrf, g_free);
		return;
	}
	/* Address-only trust is for the sim board alone. */
	if (config_board_is_sim(api->cfg) && api_is_kiosk_address(api, web_req_remote(r)))
		ret->role = AUTH_ROLE_KIOSK;
}

/* ---------------------------------------------------------------------- */
/* Body checks */

/* Runs @cmd and answers with the ticket it was about (or the counter). */
/* The answer to a queue command: the ticket it was about and the counter. */
static void api_reply_result(struct web_req *r, const struct queue_result *res, int16_t counter,
			     guint status)
{
	struct api *api = api_of(r);
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
	web_reply_builder(r, status, b);
}

/* Answers a paused request: the reply was set; resume and let go. */
void api_pending_done(struct api_pending *p)
{
	web_exchange_release(p->x);
	g_free(p);
}

/* The reply to a queue command @p ran (durably, unless @rc < 0). */
static void api_run_reply(struct web_req *r, struct api_pending *p, int rc, const GError *error,
			  const struct queue_result *res)
{
	if (rc < 0) {
		api_error_gerror(r, rc, error, res);
		return;
	}
	api_devices_note_ticket(p->api, p->device, res->ticket);
	api_reply_result(r, res, p->counter, p->status);
}

static void api_run_done(int rc, const GError *error, const struct queue_result *res, gpointer data)
{
	struct api_pending *p = data;
	struct web_req r = {.app = p->api, .x = p->x};

	api_run_reply(&r, p, rc, error, res);
	api_pending_done(p);
}

/* Runs a queue command; the answer goes out once it is durable. */
void api_run(struct web_req *r, struct queue_cmd *cmd, guint status)
{
	struct api *api = api_of(r);
	g_autoptr(GError) error = NULL;
	struct api_pending *p = g_new0(struct api_pending, 1);
	int rc;

	p->api = api;
	p->counter = cmd->counter;
	p->status = status;
	if (cmd->type == QUEUE_CMD_ISSUE)
		g_strlcpy(p->device, r->caller.device, sizeof(p->device));
	rc = desk_submit(api->desk, cmd, r->caller.user, &api->res, &error, api_run_done, p);
	if (rc == 0) {
		p->x = web_req_hold(r);
		return;
	}
	api_run_reply(r, p, rc, error, &api->res);
	g_free(p);
}

/* ---------------------------------------------------------------------- */
/* The ticket printer */

int api_parse_lang(struct web_req *r, uint8_t *ret);

/* The answer to a print: the ticket as it is now and how the print went. */
void api_dispensed(const struct dispenser_result *dr, gpointer data)
{
	struct api_pending *p = data;
	struct web_req r = {.app = p->api, .x = p->x};
	struct api *api = p->api;
	g_autoptr(JsonBuilder) b = json_builder_new();
	struct queue_time t;

	if (dr->rc < 0) {
		api_error_gerror(&r, dr->rc, dr->error, dr->res);
		goto unpause;
	}
	api_devices_note_ticket(api, p->device, dr->ticket);
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
	web_json_add_bool(b, "ok", dr->printed);
	web_json_add_str(b, "error", dr->print_error);
	web_json_add_bool(b, "voided", dr->voided);
	json_builder_end_object(b);
	json_builder_end_object(b);
	web_reply_builder(&r, p->status, b);
unpause:
	api_pending_done(p);
}

struct api_pending *api_pending_new(struct web_req *r, guint status)
{
	struct api_pending *p = g_new0(struct api_pending, 1);

	p->api = api_of(r);
	p->x = web_req_hold(r);
	p->status = status;
	return p;
}

void api_dispense(struct web_req *r, const struct queue_cmd *cmd)
{
	struct api_pending *p = api_pending_new(r, 201);

	g_strlcpy(p->device, r->caller.device, sizeof(p->device));
	dispenser_issue(api_of(r)->dispenser, cmd, r->caller.user, false, api_dispensed, p);
}

struct panel *api_panel(struct web_req *r)
{
	const char *why = NULL;
	struct panel *p = api_of(r)->frontdesk ? frontdesk_panel(api_of(r)->frontdesk, &why) : NULL;

	if (!p)
		web_error(r, 409, "no_gpio", "%s",
			  why ? why : "this board has no buttons or lamps in its config");
	return p;
}

int api_parse_lang(struct web_req *r, uint8_t *ret)
{
	const struct config *cfg = api_of(r)->cfg;
	const char *lang = web_str(r, "lang");
	int l = lang ? config_lang_parse(cfg, lang) : 0;

	if (l < 0) {
		g_autofree char *offered = g_strjoinv("\", \"", cfg->langs);

		web_error(r, 400, "invalid",
			  "lang must be one of the site's languages (\"%s\"), not \"%s\"", offered,
			  lang);
		return -EINVAL;
	}
	*ret = (uint8_t)l;
	return 0;
}

const struct web_field api_no_fields[] = {WEB_FIELDS_END};

/* The caller of a WebSocket's upgrade request.  Frees nothing: the
 * strings in @ret are the caller's to free. */
void api_identify_message(struct api *api, SoupServerMessage *msg, struct web_caller *ret)
{
	g_autoptr(web_exchange) x = web_exchange_new(msg);
	GUri *uri = soup_server_message_get_uri(msg);
	g_autoptr(GHashTable) query = NULL;
	struct web_req r = {.app = api, .x = x};

	if (g_uri_get_query(uri))
		query = g_uri_parse_params(g_uri_get_query(uri), -1, "&", G_URI_PARAMS_NONE, NULL);
	r.query = query;
	api_identify(api, &r, ret);
}

static void api_ws_open(SoupServer *server, SoupServerMessage *msg, const char *path,
			SoupWebsocketConnection *ws, gpointer data)
{
	struct api *api = data;
	struct web_caller caller;

	api_identify_message(api, msg, &caller);
	g_free(caller.csrf);
	if (web_foreign_origin(soup_server_message_get_request_headers(msg))) {
		g_free(caller.user);
		soup_websocket_connection_close(ws, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
						"this page is from another site");
		return;
	}
	/* Anyone may follow the calls (the waiting-room display, a phone on
	 * the follow page): without a role, only what the display shows. */
	api_devices_track_socket(api, ws, &caller);
	g_free(caller.user);
	/* A booth's screen: its real-time text comes to it alone. */
	if (caller.role == AUTH_ROLE_KIOSK && caller.scope)
		g_object_set_data_full(G_OBJECT(ws), API_SOCKET_BOOTH,
				       g_strdup_printf("%d", caller.scope), g_free);
	else if (caller.role == AUTH_ROLE_KIOSK && !caller.device[0])
		g_object_set_data(G_OBJECT(ws), API_SOCKET_BOOTH, (gpointer)API_SOCKET_BOARD);
	web_sockets_add_roles(api->sockets, ws, caller.role);
}

/* @b to the staff and kiosk sockets; @pub (may be NULL: nothing) to the
 * anonymous ones. */
void api_ws_send_all(struct api *api, JsonBuilder *b, JsonBuilder *pub)
{
	web_sockets_send(api->sockets, b, pub);
}

static void api_on_queue_event(const char *topic, gconstpointer payload, gpointer data)
{
	struct api *api = data;
	const struct queue_event *ev = payload;
	g_autoptr(JsonBuilder) b = NULL;
	g_autoptr(JsonBuilder) pub = NULL;
	struct queue_time t;

	if (!web_sockets_count(api->sockets))
		return;
	desk_time(api->desk, &t);
	b = json_builder_new();
	json_builder_begin_object(b);
	web_json_add_str(b, "type", queue_event_name(ev->type));
	web_json_add_int(b, "at", t.now);
	if (ev->counter)
		web_json_add_int(b, "counter", ev->counter);
	if (ev->ticket.id) {
		json_builder_set_member_name(b, "ticket");
		api_build_ticket(api, b, &ev->ticket, &t);
	}
	json_builder_end_object(b);
	/* The public view: what the waiting-room display shows. */
	pub = json_builder_new();
	json_builder_begin_object(pub);
	web_json_add_str(pub, "type", queue_event_name(ev->type));
	web_json_add_int(pub, "at", t.now);
	if (ev->counter)
		web_json_add_int(pub, "counter", ev->counter);
	if (ev->ticket.id) {
		const struct config_service *svc = config_service_get(api->cfg, ev->ticket.service);

		json_builder_set_member_name(pub, "ticket");
		json_builder_begin_object(pub);
		web_json_add_str(pub, "code", ev->ticket.code);
		web_json_add_str(pub, "service", svc ? svc->code : NULL);
		web_json_add_str(pub, "state", queue_state_name(ev->ticket.state));
		web_json_add_int(pub, "counter", ev->ticket.counter);
		json_builder_end_object(pub);
	}
	json_builder_end_object(pub);
	api_ws_send_all(api, b, pub);
}

/* The hub's presence changed what may be served: every page re-reads
 * (the kiosk its services, /t/REF its ticket, /display its lines). */
static void api_on_presence(const char *topic, gconstpointer payload, gpointer data)
{
	struct api *api = data;
	g_autoptr(JsonBuilder) b = NULL;
	struct queue_time t;

	(void)topic;
	(void)payload;
	if (!web_sockets_count(api->sockets))
		return;
	desk_time(api->desk, &t);
	b = json_builder_new();
	json_builder_begin_object(b);
	web_json_add_str(b, "type", "availability");
	web_json_add_int(b, "at", t.now);
	json_builder_end_object(b);
	api_ws_send_all(api, b, b);
}

static void api_on_arrival(const char *topic, gconstpointer payload, gpointer data)
{
	struct api *api = data;
	const struct desk_arrival *arrival = payload;
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	web_json_add_str(b, "type", "appointment_arrived");
	web_json_add_str(b, "staff", arrival->appointment->staff);
	web_json_add_str(b, "code", arrival->appointment->code);
	web_json_add_int(b, "at", arrival->appointment->at);
	web_json_add_str(b, "ticket", arrival->ticket->code);
	json_builder_end_object(b);
	api_ws_send_all(api, b, NULL);
	api_host_on_arrival(api, arrival);
}

/* A part changed state (printer, display, announcement, button): staff
 * pages re-read what they show of it. */
static void api_on_device(const char *topic, gconstpointer payload, gpointer data)
{
	struct api *api = data;
	g_autoptr(JsonBuilder) b = NULL;
	struct queue_time t;

	/* An alarm button's press is told to staff only, as "alarm" (alarms.c). */
	if (!web_sockets_count(api->sockets) || strcmp(topic, "panel.alarm") == 0)
		return;
	desk_time(api->desk, &t);
	b = json_builder_new();
	json_builder_begin_object(b);
	web_json_add_str(b, "type", "device");
	web_json_add_str(b, "topic", topic);
	web_json_add_int(b, "at", t.now);
	json_builder_end_object(b);
	api_ws_send_all(api, b, NULL);
}

/* The kiosk's speech guidance changed (guide.c): its screen follows, so
 * that a companion or the staff see what the headphones say — the service
 * being spoken, the ticket drawn.  To the kiosk and staff sockets only; a
 * ticket goes without its ref (the follow link is the citizen's). */
static void api_on_guide(const char *topic, gconstpointer payload, gpointer data)
{
	struct api *api = data;
	const struct guide_state *g = payload;
	const struct config_service *svc =
	    g->service >= 0 ? config_service_get(api->cfg, g->service) : NULL;
	const struct queue_ticket *tk = g->mode == GUIDE_TICKET && g->ticket
					    ? queue_ticket_get(desk_queue(api->desk), g->ticket)
					    : NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	struct queue_time t;

	(void)topic;
	if (!web_sockets_count(api->sockets))
		return;
	desk_time(api->desk, &t);
	json_builder_begin_object(b);
	web_json_add_str(b, "type", "guide");
	web_json_add_str(b, "mode", guide_mode_str(g->mode));
	web_json_add_bool(b, "headset", g->headset);
	web_json_add_str(b, "lang", config_lang_code(api->cfg, g->lang));
	web_json_add_str(b, "service", svc ? svc->code : NULL);
	if (tk) {
		unsigned ahead = 0;
		int wait_s = 0;
		const struct config_service *ts = config_service_get(api->cfg, tk->service);

		json_builder_set_member_name(b, "ticket");
		json_builder_begin_object(b);
		web_json_add_str(b, "code", tk->code);
		web_json_add_str(b, "service", ts ? ts->code : NULL);
		web_json_add_str(b, "provider", config_provider_code(api->cfg, tk->service));
		web_json_add_str(b, "state", queue_state_name(tk->state));
		if (queue_ticket_estimate(desk_queue(api->desk), tk->id, &t, &ahead, &wait_s) ==
		    0) {
			web_json_add_int(b, "ahead", ahead);
			json_builder_set_member_name(b, "wait_s");
			if (api_service_staffed(api, tk->service, NULL))
				json_builder_add_int_value(b, wait_s);
			else
				json_builder_add_null_value(b);
		}
		json_builder_end_object(b);
	}
	json_builder_end_object(b);
	api_ws_send_all(api, b, NULL);
}

/* ---------------------------------------------------------------------- */

static void api_router_identify(void *app, struct web_req *r, struct web_caller *ret)
{
	api_identify(app, r, ret);
}

/* After the router's checks: a device acts only within what it is bound
 * to; nothing not yet durable may be seen (a read first commits what the
 * last loop iteration ran). */
static gboolean api_router_admit(void *app, struct web_req *r)
{
	struct api *api = app;

	if (!api_devices_permit(r))
		return FALSE;
	if (strcmp(r->method, "GET") == 0)
		desk_flush(api->desk);
	return TRUE;
}

static const struct web_router_hooks api_router_hooks = {
    .identify = api_router_identify,
    .admit = api_router_admit,
    .role_name = auth_role_name,
};

/* Every route table, in the order they are matched. */
static const struct {
	const struct web_route *routes;
	const size_t *n;
} api_tables[] = {
#define API_TABLE(name)                                                                            \
	{                                                                                          \
		api_##name##_routes, &api_##name##_n_routes                                        \
	}
    API_TABLE(site),    API_TABLE(users),    API_TABLE(tickets),      API_TABLE(counters),
    API_TABLE(devices), API_TABLE(sim),      API_TABLE(appointments), API_TABLE(reports),
    API_TABLE(booth),   API_TABLE(visit),    API_TABLE(credentials),  API_TABLE(logins),
    API_TABLE(notices), API_TABLE(visitors), API_TABLE(hours),        API_TABLE(walkins),
    API_TABLE(host),    API_TABLE(feedback), API_TABLE(alarms),
#undef API_TABLE
};

void api_foreach_route(void (*fn)(const struct web_route *route, void *data), void *data)
{
	for (size_t t = 0; t < G_N_ELEMENTS(api_tables); t++)
		for (size_t i = 0; i < *api_tables[t].n; i++)
			fn(&api_tables[t].routes[i], data);
}

static void api_print_route(const struct web_route *route, void *data)
{
	static const unsigned roles[] = {AUTH_ROLE_ADVISOR,  AUTH_ROLE_EXPERT, AUTH_ROLE_TECHNICIAN,
					 AUTH_ROLE_MANAGER,  AUTH_ROLE_ADMIN,  AUTH_ROLE_KIOSK,
					 AUTH_ROLE_RECEPTION};
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autofree char *text = NULL;

	json_builder_begin_object(b);
	web_route_add_json(b, route, roles, G_N_ELEMENTS(roles), auth_role_name);
	web_json_add_bool(b, "sim", (route->flags & API_ROUTE_SIM) != 0);
	json_builder_end_object(b);
	text = web_json_text(b);
	fprintf(data, "%s\n", text);
}

void api_print_routes(FILE *out)
{
	api_foreach_route(api_print_route, out);
}

struct api *api_new(const struct config *cfg, const struct catalog *catalog, struct desk *desk,
		    struct bus *bus)
{
	struct api *api = g_new0(struct api, 1);
	const struct http_guard_limits guard_limits = {
	    .header_timeout_s = cfg->header_timeout_s,
	    .idle_timeout_s = cfg->idle_timeout_s,
	    .max_conns_per_addr = cfg->max_conns_per_addr,
	    .max_body_kb = cfg->max_body_kb,
	    .json_max_depth = cfg->json_max_depth,
	    .backlog = cfg->listen_backlog,
	    .hosts = cfg->api_hosts,
	};
	struct queue_time t;

	api->cfg = cfg;
	api->catalog = catalog;
	api->desk = desk;
	api->bus = bus;
	api->sockets = web_sockets_new();
	api->logins = web_logins_new();
	api->auth_pool = auth_pool_new(AUTH_POOL_THREADS, AUTH_POOL_WAITING);
	queue_result_init(&api->res);
	desk_time(desk, &t);
	api->started_at = t.now;
	api->server = soup_server_new("server-header", "vuorod/" VUORO_VERSION " ", NULL);
	api->guard = http_guard_new(api->server, &guard_limits);
	api->router = web_router_new(api, &api_router_hooks, API_CSRF_HEADER);
	web_router_set_max_body(api->router, (gsize)cfg->max_body_kb * 1024);
	web_router_set_max_depth(api->router, cfg->json_max_depth);
	/* A real board has no sim routes: 404, as for any unknown path. */
	for (size_t i = 0; i < G_N_ELEMENTS(api_tables); i++)
		if (api_tables[i].routes != api_sim_routes || config_board_is_sim(cfg))
			web_router_add(api->router, api_tables[i].routes, *api_tables[i].n);
	web_router_attach(api->router, api->server, "/api");
	/* No permessage-deflate (libsoup's server offers it by default): the
	 * events are small JSON on a local network, and each socket's deflate
	 * state holds some 300 kB — every display, kiosk and booth screen and
	 * expert page has one or two sockets open all day. */
	soup_server_remove_websocket_extension(api->server, SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE);
	soup_server_add_websocket_handler(api->server, "/api/events", NULL, NULL, api_ws_open, api,
					  NULL);
	/* Before the event stream: an event sent out already counts in them. */
	api->calls = api_calls_new(api);
	api->bus_queue_sub = bus_subscribe(bus, "queue.", api_on_queue_event, api);
	api->bus_appointment_sub = bus_subscribe(bus, "appointment.arrived", api_on_arrival, api);
	api->bus_presence_sub = bus_subscribe(bus, PRESENCE_TOPIC, api_on_presence, api);
	api->bus_guide_sub = bus_subscribe(bus, "guide.state", api_on_guide, api);
	for (size_t i = 0; i < G_N_ELEMENTS(api->bus_device_subs); i++)
		api->bus_device_subs[i] =
		    bus_subscribe(bus, api_device_topics[i], api_on_device, api);
	api_booth_init(api);
	api_devices_init(api);
	api_alarms_init(api);
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

void api_set_notify(struct api *api, struct notify *notify)
{
	api->notify = notify;
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
	api_devices_free(api);
	api_alarms_free(api);
	bus_unsubscribe(api->bus, api->bus_queue_sub);
	api_calls_free(api->calls);
	bus_unsubscribe(api->bus, api->bus_appointment_sub);
	bus_unsubscribe(api->bus, api->bus_presence_sub);
	bus_unsubscribe(api->bus, api->bus_guide_sub);
	for (size_t i = 0; i < G_N_ELEMENTS(api->bus_device_subs); i++)
		bus_unsubscribe(api->bus, api->bus_device_subs[i]);
	web_sockets_free(api->sockets);
	http_guard_free(api->guard);
	soup_server_disconnect(api->server);
	g_object_unref(api->server);
	web_router_free(api->router);
	web_logins_free(api->logins);
	auth_pool_free(api->auth_pool);
	queue_result_free(&api->res);
	tls_cert_watch_free(api->tls_watch);
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
		api->tls_watch = tls_cert_watch_new(api->cfg->tls_cert);
	}
	addr = g_inet_socket_address_new(inet, (guint16)port);
	if (http_guard_listen(api->guard, addr, api->tls ? SOUP_SERVER_LISTEN_HTTPS : 0, error) < 0)
		return -EADDRINUSE;
	uris = soup_server_get_uris(api->server);
	if (uris)
		bound = g_uri_get_port(uris->data);
	g_slist_free_full(uris, (GDestroyNotify)g_uri_unref);
	return bound;
}
