/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api/appointments: appointments: listed, booked, imported (CSV, iCalendar), checked in at the
 * kiosk.
 */
#include "api_internal.h"
#include <errno.h>
#include <string.h>
#include "booking.h"
#include "dispenser.h"
#include "store.h"

static void api_build_appointment(struct api *api, JsonBuilder *b,
				  const struct store_appointment *a)
{
	static const char *const states[] = {"booked", "arrived", "cancelled"};
	const struct config_service *svc = config_service_get(api->cfg, a->service);

	json_builder_begin_object(b);
	web_json_add_int(b, "id", a->id);
	web_json_add_str(b, "code", a->code);
	web_json_add_str(b, "service", svc ? svc->code : NULL);
	web_json_add_int(b, "at", a->at);
	web_json_add_int(b, "duration_min", a->duration_min);
	web_json_add_str(b, "staff", a->staff);
	web_json_add_str(b, "name", a->name);
	web_json_add_str(b, "host_email", a->host_email);
	web_json_add_time(b, "host_acknowledged_at", a->host_ack_at);
	web_json_add_str(b, "source", a->source);
	web_json_add_str(b, "state", states[a->state]);
	if (a->ticket)
		web_json_add_int(b, "ticket", a->ticket);
	json_builder_set_member_name(b, "booth");
	if (a->booth)
		json_builder_add_int_value(b, a->booth);
	else
		json_builder_add_null_value(b);
	json_builder_end_object(b);
}

static bool api_counter_serves(const struct config_counter *cc, int service)
{
	for (guint i = 0; cc->expert && cc->profile && i < cc->profile->len; i++)
		if (g_array_index(cc->profile, struct config_profile_entry, i).service == service)
			return true;
	return false;
}

/* "4, 5": the booths that serve @service, for messages. */
static char *api_booths_serving(const struct config *cfg, int service)
{
	g_autoptr(GString) s = g_string_new(NULL);

	for (guint i = 0; i < cfg->counters->len; i++) {
		const struct config_counter *cc = config_counter_get(cfg, (int)i);

		if (api_counter_serves(cc, service))
			g_string_append_printf(s, "%s%d", s->len ? ", " : "", cc->id);
	}
	return g_string_free(g_steal_pointer(&s), FALSE);
}

/* Books @a (service, at, duration_min, code, … set).  @a->booth: that
 * booth, which must be an expert counter serving the service; 0 with
 * @pick: the first such booth free for the slot; 0 without @pick: no
 * booth.  -EINVAL a booth that does not serve it, -EBUSY the booth (every
 * booth) booked for an overlapping time. */
static int api_booking_add(struct api *api, struct store_appointment *a, bool pick, GError **error)
{
	const struct config *cfg = api->cfg;
	const struct config_service *svc = config_service_get(cfg, a->service);
	g_autofree char *serving = api_booths_serving(cfg, a->service);
	int rc = -EBUSY;

	if (a->booth) {
		int idx = config_counter_find(cfg, a->booth);

		if (idx < 0 || !api_counter_serves(config_counter_get(cfg, idx), a->service)) {
			g_set_error(error, DESK_ERROR, EINVAL, "booth %d does not serve %s — %s%s",
				    a->booth, svc->code,
				    *serving ? "pick one of the booths "
					     : "book it without a booth",
				    serving);
			return -EINVAL;
		}
	}
	if (a->booth || !pick)
		return store_appointment_add(desk_store(api->desk), cfg, a, error);
	if (!*serving) {
		g_set_error(error, DESK_ERROR, EINVAL,
			    "no booth serves %s here — see [counter:N] kind = expert in "
			    "board-config",
			    svc->code);
		return -EINVAL;
	}
	for (guint i = 0; i < cfg->counters->len && rc == -EBUSY; i++) {
		const struct config_counter *cc = config_counter_get(cfg, (int)i);

		if (!api_counter_serves(cc, a->service))
			continue;
		g_clear_error(error);
		a->booth = cc->id;
		rc = store_appointment_add(desk_store(api->desk), cfg, a, error);
	}
	if (rc == -EBUSY && strchr(serving, ',')) {
		g_clear_error(error);
		g_set_error(error, DESK_ERROR, EBUSY,
			    "every booth serving %s (%s) is booked then — pick another time",
			    svc->code, serving);
	}
	if (rc < 0)
		a->booth = 0;
	return rc;
}

/* Tells the live state (the hub) that a booking changed. */
static void api_booking_changed(struct api *api, const struct store_appointment *a)
{
	bus_publish(api->bus, "appointment.changed", a);
}

struct api_appointment_walk {
	struct api *api;
	JsonBuilder *b;
	int n;
};

static void api_appointment_json(const struct store_appointment *a, void *data)
{
	struct api_appointment_walk *w = data;

	api_build_appointment(w->api, w->b, a);
}

static void api_appointments_list(struct web_req *r)
{
	struct api *api = api_of(r);
	const char *from = r->query ? g_hash_table_lookup(r->query, "from") : NULL;
	const char *to = r->query ? g_hash_table_lookup(r->query, "to") : NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(GError) error = NULL;
	struct api_appointment_walk w = {.api = api, .b = b};
	struct queue_time t;
	int64_t from_s, to_s;
	int rc;

	desk_time(api->desk, &t);
	from_s = t.now - 12 * 3600;
	to_s = t.now + 14 * 86400;
	if ((from && booking_parse_time(api->cfg, from, &from_s) < 0) ||
	    (to && booking_parse_time(api->cfg, to, &to_s) < 0)) {
		web_error(r, 400, "invalid", "from and to must be times like 2026-11-23 08:00");
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
		web_reply_builder(r, 200, b);
}

static void api_appointments_add(struct web_req *r)
{
	struct api *api = api_of(r);
	const char *service = web_str(r, "service");
	const char *code = web_str(r, "code");
	struct store_appointment a = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	int rc;

	a.service = (int16_t)config_service_find(api->cfg, service);
	if (a.service < 0) {
		web_error(r, 404, "not_found", "no service \"%s\"", service);
		return;
	}
	if (booking_parse_time(api->cfg, web_str(r, "at"), &a.at) < 0) {
		web_error(r, 400, "invalid", "at must be a time like 2026-11-23 09:30");
		return;
	}
	a.duration_min = (int)web_int(r, "duration_min", 30);
	if (a.duration_min < 5 || a.duration_min > 480) {
		web_error(r, 400, "invalid", "duration_min must be 5 to 480");
		return;
	}
	a.code = code ? g_strdup(code) : booking_code_new();
	a.staff = g_strdup(web_str(r, "staff"));
	a.name = g_strdup(web_str(r, "name"));
	if (web_str(r, "host_email") && *web_str(r, "host_email")) {
		if (!booking_email_valid(web_str(r, "host_email"))) {
			web_error(r, 400, "invalid",
				  "host_email must be the host's e-mail address, like "
				  "anna.virtanen@kunta.example.fi");
			store_appointment_clear(&a);
			return;
		}
		a.host_email = g_strdup(web_str(r, "host_email"));
	}
	a.source = g_strdup("api");
	a.booth = (int)web_int(r, "booth", 0);
	rc = api_booking_add(api, &a, false, &error);
	if (rc < 0) {
		api_error_gerror(r, rc, error, NULL);
	} else {
		api_booking_changed(api, &a);
		api_build_appointment(api, b, &a);
		web_reply_builder(r, 201, b);
	}
	store_appointment_clear(&a);
}

int api_book_remote(struct api *api, const char *expert, const char *provider, int booth,
		    const char *service, int64_t at, int minutes, JsonBuilder *reply,
		    GError **error)
{
	struct store_appointment a = {0};
	const struct config_service *svc;
	struct queue_time t;
	int rc;

	a.service = (int16_t)config_service_find(api->cfg, service);
	svc = config_service_get(api->cfg, a.service);
	if (!svc) {
		g_set_error(error, DESK_ERROR, ENOENT, "no service \"%s\" at this site",
			    service ? service : "");
		return -ENOENT;
	}
	if (svc->kind != CONFIG_SERVICE_REMOTE) {
		g_set_error(error, DESK_ERROR, EINVAL,
			    "%s is not a remote service: a booth can be booked only for one",
			    svc->code);
		return -EINVAL;
	}
	if (g_strcmp0(config_provider_code(api->cfg, a.service), provider) != 0) {
		g_set_error(error, DESK_ERROR, EACCES,
			    "%s is a service of provider %s: book your own provider's services",
			    svc->code, config_provider_code(api->cfg, a.service));
		return -EACCES;
	}
	if (minutes < 5 || minutes > 480) {
		g_set_error(error, DESK_ERROR, EINVAL, "minutes must be 5 to 480");
		return -EINVAL;
	}
	desk_time(api->desk, &t);
	if (at < t.now - 300) {
		g_set_error(error, DESK_ERROR, EINVAL,
			    "that time has passed: pick a time from now on");
		return -EINVAL;
	}
	a.at = at;
	a.duration_min = minutes;
	a.booth = booth;
	a.code = booking_code_new();
	a.staff = g_strdup(expert);
	a.source = g_strdup("hub");
	rc = api_booking_add(api, &a, true, error);
	if (rc == 0) {
		api_booking_changed(api, &a);
		web_json_add_int(reply, "id", a.id);
		web_json_add_str(reply, "code", a.code);
		web_json_add_int(reply, "booth", a.booth);
		web_json_add_str(reply, "service", svc->code);
		web_json_add_int(reply, "at", a.at);
		web_json_add_int(reply, "minutes", a.duration_min);
		g_message("booking %u: booth %d at %" G_GINT64_FORMAT " for %d min, by %s (hub)",
			  a.id, a.booth, a.at, a.duration_min, expert);
	}
	store_appointment_clear(&a);
	return rc;
}

int api_cancel_booking(struct api *api, const char *expert, const char *provider, uint32_t id,
		       JsonBuilder *reply, GError **error)
{
	struct store_appointment a = {0};
	int rc = store_appointment_get(desk_store(api->desk), api->cfg, id, &a, error);

	if (rc < 0)
		goto out;
	if (g_strcmp0(config_provider_code(api->cfg, a.service), provider) != 0) {
		g_set_error(error, DESK_ERROR, EACCES,
			    "booking %u is not of provider %s: only its own provider cancels it",
			    id, provider ? provider : "");
		rc = -EACCES;
		goto out;
	}
	rc = store_appointment_cancel(desk_store(api->desk), id, error);
	if (rc < 0)
		goto out;
	a.state = STORE_APPOINTMENT_CANCELLED;
	api_booking_changed(api, &a);
	web_json_add_int(reply, "id", id);
	g_message("booking %u cancelled by %s (hub)", id, expert);
out:
	store_appointment_clear(&a);
	return rc;
}

/* The live state's bookings: remote services' appointments from today's
 * start to 14 days on, soonest first, at most 200; no names, no codes. */
static void api_live_booking(const struct store_appointment *a, void *data)
{
	struct api_appointment_walk *w = data;
	static const char *const states[] = {"booked", "arrived", "cancelled"};
	const struct config_service *svc = config_service_get(w->api->cfg, a->service);

	if (svc->kind != CONFIG_SERVICE_REMOTE || w->n >= 200)
		return;
	w->n++;
	json_builder_begin_object(w->b);
	web_json_add_int(w->b, "id", a->id);
	json_builder_set_member_name(w->b, "booth");
	if (a->booth)
		json_builder_add_int_value(w->b, a->booth);
	else
		json_builder_add_null_value(w->b);
	web_json_add_str(w->b, "service", svc->code);
	web_json_add_str(w->b, "provider", config_provider_code(w->api->cfg, a->service));
	web_json_add_int(w->b, "at", a->at);
	web_json_add_int(w->b, "minutes", a->duration_min);
	web_json_add_str(w->b, "state", states[a->state]);
	if (a->ticket)
		web_json_add_int(w->b, "ticket", a->ticket);
	json_builder_end_object(w->b);
}

void api_build_live_bookings(struct api *api, JsonBuilder *b)
{
	struct api_appointment_walk w = {.api = api, .b = b};
	g_autoptr(GError) error = NULL;
	struct queue_time t;
	int64_t from;

	desk_time(api->desk, &t);
	from = t.now - t.minute * 60 - t.now % 60; /* today's local midnight */
	json_builder_set_member_name(b, "bookings");
	json_builder_begin_array(b);
	if (store_appointment_foreach(desk_store(api->desk), api->cfg, from, from + 15 * 86400,
				      api_live_booking, &w, &error) < 0)
		g_warning("live state: %s", error->message);
	json_builder_end_array(b);
}

/* Body is the booking system's export as is: text/csv or text/calendar. */
static void api_appointments_import(struct web_req *r)
{
	struct api *api = api_of(r);
	gsize len;
	const char *data = g_bytes_get_data(web_req_body(r), &len);
	g_autofree char *type = NULL;
	const char *ct = web_req_header(r, "Content-Type");
	g_autoptr(GPtrArray) list = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	int rc, added = 0;

	if (!data) /* an empty body: the parsers say what is missing */
		data = "";
	if (ct)
		type = g_strstrip(g_strndup(ct, strcspn(ct, ";")));
	if (g_strcmp0(type, "text/csv") == 0)
		rc = booking_parse_csv(api->cfg, data, len, &list, &error);
	else if (g_strcmp0(type, "text/calendar") == 0)
		rc = booking_parse_ics(api->cfg, data, len, &list, &error);
	else {
		web_error(r, 415, "unsupported_type",
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
	web_json_add_int(b, "added", added);
	web_json_add_int(b, "skipped_existing", (int)list->len - added);
	json_builder_end_object(b);
	web_reply_builder(r, 200, b);
}

static void api_checkin(struct web_req *r)
{
	struct api *api = api_of(r);
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	const char *handout = web_str(r, "handout");
	struct queue_time t;
	uint8_t lang;
	int rc;

	if (api_parse_lang(r, &lang) < 0)
		return;
	rc = desk_checkin(api->desk, web_str(r, "code"), lang,
			  !handout || strcmp(handout, "printer") != 0, &api->res, &error);
	if (rc < 0) {
		api_error_gerror(r, rc, error, &api->res);
		return;
	}
	api_devices_note_ticket(api, r->caller.device, api->res.ticket);
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
	web_reply_builder(r, 201, b);
}

static const struct web_field api_appointment_fields[] = {
    WEB_FIELD_STR("service", TRUE, 32),
    WEB_FIELD_STR("at", TRUE, 40),
    WEB_FIELD_STR("code", FALSE, 32),
    WEB_FIELD_INT("duration_min", FALSE, 1, 24 * 60),
    WEB_FIELD_STR("staff", FALSE, 128),
    WEB_FIELD_STR("name", FALSE, 128),
    WEB_FIELD_STR("host_email", FALSE, 254),
    WEB_FIELD_INT("booth", FALSE, 1, API_COUNTER_MAX),
    WEB_FIELDS_END};
static const struct web_field api_checkin_fields[] = {
    WEB_FIELD_STR("code", TRUE, 32), WEB_FIELD_STR("lang", FALSE, 8),
    WEB_FIELD_STR("handout", FALSE, 16), WEB_FIELDS_END};

const struct web_route api_appointments_routes[] = {
    {"GET", "/api/appointments", AUTH_STAFF, api_appointments_list, NULL},
    {"POST", "/api/appointments", COUNTER_STAFF | AUTH_ROLE_MANAGER, api_appointments_add,
     api_appointment_fields},
    {"POST", "/api/appointments/import", AUTH_ROLE_ADMIN | AUTH_ROLE_MANAGER,
     api_appointments_import, NULL, WEB_ROUTE_RAW_BODY},
    {"POST", "/api/checkin", ISSUERS, api_checkin, api_checkin_fields},
};
const size_t api_appointments_n_routes = G_N_ELEMENTS(api_appointments_routes);
