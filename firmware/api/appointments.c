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
	web_json_add_str(b, "source", a->source);
	web_json_add_str(b, "state", states[a->state]);
	if (a->ticket)
		web_json_add_int(b, "ticket", a->ticket);
	json_builder_end_object(b);
}

struct api_appointment_walk {
	struct api *api;
	JsonBuilder *b;
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
	a.source = g_strdup("api");
	rc = store_appointment_add(desk_store(api->desk), api->cfg, &a, &error);
	if (rc < 0) {
		api_error_gerror(r, rc, error, NULL);
	} else {
		api_build_appointment(api, b, &a);
		web_reply_builder(r, 201, b);
	}
	store_appointment_clear(&a);
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
