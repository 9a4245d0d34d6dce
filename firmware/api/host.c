/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api/host: the host of a booked visitor (issue 17).  The appointment's
 * staff is the host's user name: the logged-in host lists today's visitors
 * (GET /api/host/arrivals), is told of an arrival on their own sockets only
 * (a visitor's name goes to no other page), and acknowledges ("on my way",
 * audited), which tells the kiosk and the display by ticket number alone.
 */
#include "api_internal.h"
#include <errno.h>
#include <string.h>
#include "notify.h"
#include "store.h"

/* The socket's user (credentials.c, api_devices_track_socket). */
#define HOST_SOCKET_USER "vuoro-auth-user"

static const char *host_ticket_code(struct api *api, uint32_t ticket, struct queue_ticket *tk)
{
	g_autoptr(GError) error = NULL;

	if (!ticket || store_ticket_get(desk_store(api->desk), api->cfg, ticket, tk, &error) < 0)
		return NULL;
	return tk->code;
}

static void host_build(struct api *api, JsonBuilder *b, const struct store_appointment *a)
{
	static const char *const states[] = {"booked", "arrived", "cancelled"};
	const struct config_service *svc = config_service_get(api->cfg, a->service);
	struct queue_ticket tk = {0};

	json_builder_begin_object(b);
	web_json_add_int(b, "id", a->id);
	web_json_add_str(b, "code", a->code);
	web_json_add_str(b, "service", svc ? svc->code : NULL);
	json_builder_set_member_name(b, "service_names");
	json_builder_begin_object(b);
	for (int i = 0; svc && i < api->cfg->n_langs; i++)
		web_json_add_str(b, api->cfg->langs[i], svc->name[i]);
	json_builder_end_object(b);
	web_json_add_int(b, "at", a->at);
	web_json_add_int(b, "duration_min", a->duration_min);
	web_json_add_str(b, "name", a->name);
	web_json_add_str(b, "state", states[a->state]);
	web_json_add_str(b, "ticket", host_ticket_code(api, a->ticket, &tk));
	web_json_add_bool(b, "mailed", a->host_email && api->cfg->notify_smtp_url);
	web_json_add_time(b, "acknowledged_at", a->host_ack_at);
	json_builder_end_object(b);
}

static gboolean host_is(const struct store_appointment *a, const char *user)
{
	return a->staff && user && g_ascii_strcasecmp(a->staff, user) == 0;
}

struct host_walk {
	struct api *api;
	JsonBuilder *b;
	const char *user;
};

static void host_walk_one(const struct store_appointment *a, void *data)
{
	struct host_walk *w = data;

	if (host_is(a, w->user) && a->state != STORE_APPOINTMENT_CANCELLED)
		host_build(w->api, w->b, a);
}

/* Today's visitors of the caller, by time. */
static void api_host_arrivals(struct web_req *r)
{
	struct api *api = api_of(r);
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(GError) error = NULL;
	struct host_walk w = {.api = api, .b = b, .user = r->caller.user};
	struct queue_time t;
	int64_t from;
	int rc;

	desk_time(api->desk, &t);
	from = t.now - t.minute * 60 - t.now % 60; /* today's local midnight */
	json_builder_begin_object(b);
	web_json_add_str(b, "user", r->caller.user);
	json_builder_set_member_name(b, "arrivals");
	json_builder_begin_array(b);
	rc = store_appointment_foreach(desk_store(api->desk), api->cfg, from, from + 86400,
				       host_walk_one, &w, &error);
	json_builder_end_array(b);
	json_builder_end_object(b);
	if (rc < 0)
		api_error_gerror(r, rc, error, NULL);
	else
		web_reply_builder(r, 200, b);
}

/* Sends @b to the sockets of @user only. */
static void host_send_user(struct api *api, const char *user, JsonBuilder *b)
{
	web_sockets_send_tagged(api->sockets, HOST_SOCKET_USER, user, b);
}

static void api_host_ack(struct web_req *r)
{
	struct api *api = api_of(r);
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonBuilder) mine = NULL;
	g_autoptr(JsonBuilder) pub = NULL;
	struct store_appointment a = {0};
	struct queue_ticket tk = {0};
	struct queue_time t;
	struct store_audit audit = {.user = r->caller.user, .command = "host_ack"};
	const char *ticket;
	int64_t id;
	int rc;

	if (!web_seg_id(r, 3, G_MAXUINT32, &id))
		return;
	rc = store_appointment_get(desk_store(api->desk), api->cfg, (uint32_t)id, &a, &error);
	if (rc < 0) {
		api_error_gerror(r, rc, error, NULL);
		goto out;
	}
	if (!host_is(&a, r->caller.user)) {
		web_error(r, 403, "forbidden",
			  "booking %u is not yours: only its host (%s) says they are coming", a.id,
			  a.staff ? a.staff : "none named");
		goto out;
	}
	desk_time(api->desk, &t);
	audit.at = t.now;
	rc = store_appointment_host_ack(desk_store(api->desk), a.id, t.now, &audit, &error);
	if (rc < 0) {
		api_error_gerror(r, rc, error, NULL);
		goto out;
	}
	if (!a.host_ack_at)
		a.host_ack_at = t.now;
	host_build(api, b, &a);
	web_reply_builder(r, 200, b);
	/* The visitor's ticket number is public already (the display calls
	 * it): the kiosk and the display say that the host is coming. */
	ticket = host_ticket_code(api, a.ticket, &tk);
	pub = json_builder_new();
	json_builder_begin_object(pub);
	web_json_add_str(pub, "type", "host_coming");
	web_json_add_str(pub, "ticket", ticket);
	web_json_add_int(pub, "at", t.now);
	json_builder_end_object(pub);
	api_ws_send_all(api, pub, pub);
	mine = json_builder_new();
	json_builder_begin_object(mine);
	web_json_add_str(mine, "type", "host_acknowledged");
	web_json_add_int(mine, "id", a.id);
	json_builder_end_object(mine);
	host_send_user(api, a.staff, mine);
out:
	store_appointment_clear(&a);
}

void api_host_on_arrival(struct api *api, const struct desk_arrival *arrival)
{
	const struct store_appointment *a = arrival->appointment;
	gboolean mailed = a->host_email && api->cfg->notify_smtp_url;
	g_autoptr(JsonBuilder) b = NULL;
	g_autoptr(JsonBuilder) pub = NULL;

	if ((!a->staff || !*a->staff) && !mailed)
		return;
	/* The kiosk tells the visitor, by ticket number alone. */
	pub = json_builder_new();
	json_builder_begin_object(pub);
	web_json_add_str(pub, "type", "host_told");
	web_json_add_str(pub, "ticket", arrival->ticket->code);
	json_builder_end_object(pub);
	api_ws_send_all(api, pub, pub);
	if (!a->staff || !*a->staff)
		return;
	b = json_builder_new();
	json_builder_begin_object(b);
	web_json_add_str(b, "type", "host_arrival");
	json_builder_set_member_name(b, "arrival");
	host_build(api, b, a);
	json_builder_end_object(b);
	host_send_user(api, a->staff, b);
}

const struct web_route api_host_routes[] = {
    {"GET", "/api/host/arrivals", AUTH_STAFF, api_host_arrivals, NULL},
    {"POST", "/api/host/arrivals/*/ack", AUTH_STAFF, api_host_ack, api_no_fields},
};
const size_t api_host_n_routes = G_N_ELEMENTS(api_host_routes);
