/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api/hours: opening-hour exceptions (issue 17): holidays, closed days and
 * special hours per site and per service.
 *
 *   GET  /api/hours/exceptions             staff: today's and the coming ones
 *   POST /api/hours/exceptions/import      managers, admins: an iCalendar
 *                                          file (text/calendar) as is
 *   POST /api/hours/exceptions/N/delete    managers, admins: an imported one
 *
 * Board-config's [hours-exception:NAME] groups come first and cannot be
 * deleted here; imported ones are stored (schema v12), one row per event
 * UID, a new import of the same UID replacing it.  A file with one bad
 * event stores nothing.  Each change is audited and tells every page
 * ("hours" on /api/events) to re-read /api/status, which carries each
 * service's effective hours today, today's exception and the next opening.
 */
#include "api_internal.h"
#include <errno.h>
#include <string.h>
#include "hours.h"
#include "hours_ics.h"
#include "store.h"

#define MANAGERS          (AUTH_ROLE_MANAGER | AUTH_ROLE_ADMIN)
#define HOURS_LIST_MAX    200
#define HOURS_STATUS_NEXT 10

static void hours_add_clock(JsonBuilder *b, const char *member, int min)
{
	g_autofree char *text = g_strdup_printf("%02d:%02d", min / 60, min % 60);

	web_json_add_str(b, member, text);
}

static void hours_add_date(JsonBuilder *b, const char *member, int32_t date)
{
	char text[11];

	config_date_format(date, text);
	web_json_add_str(b, member, text);
}

/* One exception as the pages read it. */
static void hours_build_exception(struct api *api, JsonBuilder *b,
				  const struct config_hours_exception *e)
{
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	if (e->row)
		json_builder_add_int_value(b, e->row);
	else
		json_builder_add_null_value(b);
	web_json_add_str(b, "key", e->id);
	web_json_add_str(b, "source", e->row ? "import" : "board-config");
	hours_add_date(b, "date", e->date);
	json_builder_set_member_name(b, "services");
	if (!e->services) {
		json_builder_add_null_value(b);
	} else {
		json_builder_begin_array(b);
		for (guint i = 0; i < api->cfg->services->len && i < 32; i++)
			if (e->services & (1u << i))
				json_builder_add_string_value(
				    b, config_service_get(api->cfg, (int)i)->code);
		json_builder_end_array(b);
	}
	web_json_add_bool(b, "closed", e->closed);
	if (!e->closed) {
		web_json_add_int(b, "opens_min", e->open_min);
		web_json_add_int(b, "closes_min", e->close_min);
		hours_add_clock(b, "opens", e->open_min);
		hours_add_clock(b, "closes", e->close_min);
	}
	api_add_names(b, api->cfg, e->name);
	json_builder_end_object(b);
}

/* The exceptions from @date on, at most @max, as the array @member. */
static void hours_build_list(struct api *api, JsonBuilder *b, const char *member, int32_t date,
			     guint max)
{
	const GPtrArray *all = desk_hours_exceptions(api->desk);
	g_autoptr(GPtrArray) next = g_ptr_array_new();

	for (guint i = 0; all && i < all->len; i++) {
		const struct config_hours_exception *e = g_ptr_array_index(all, i);

		if (e->date >= date)
			g_ptr_array_add(next, (gpointer)e);
	}
	/* Board-config's and the imported ones, together by date. */
	for (guint i = 1; i < next->len; i++)
		for (guint j = i; j > 0; j--) {
			const struct config_hours_exception *x = next->pdata[j - 1],
							    *y = next->pdata[j];

			if (x->date <= y->date)
				break;
			next->pdata[j - 1] = (gpointer)y;
			next->pdata[j] = (gpointer)x;
		}
	json_builder_set_member_name(b, member);
	json_builder_begin_array(b);
	for (guint i = 0; i < next->len && i < max; i++)
		hours_build_exception(api, b, next->pdata[i]);
	json_builder_end_array(b);
}

void api_hours_build_status(struct api *api, JsonBuilder *b, const struct queue_time *t)
{
	hours_add_date(b, "today", t->date);
	hours_build_list(api, b, "hours_exceptions", t->date, HOURS_STATUS_NEXT);
}

void api_hours_build_service(struct api *api, JsonBuilder *b, const struct queue_service_status *st)
{
	json_builder_set_member_name(b, "exception");
	if (st->exception)
		hours_build_exception(api, b, st->exception);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "next_open");
	if (st->next_date >= 0) {
		json_builder_begin_object(b);
		hours_add_date(b, "date", st->next_date);
		web_json_add_int(b, "min", st->next_min);
		web_json_add_int(b, "wday", hours_wday(st->next_date));
		json_builder_end_object(b);
	} else {
		json_builder_add_null_value(b);
	}
}

void api_hours_add_closing(struct api *api, JsonBuilder *b, int service, const struct queue_time *t,
			   int wait_s)
{
	struct config_day_hours h;

	if (api->cfg->demo_hours || !t)
		return;
	hours_of_day(api->cfg, desk_hours_exceptions(api->desk), service, t->date, &h, NULL);
	if (h.open_min == h.close_min || t->minute >= h.close_min)
		return;
	/* The estimated call after today's closing: the follow page and the
	 * ticket say so rather than promise a time the office is closed. */
	web_json_add_int(b, "closes_min", h.close_min);
	web_json_add_bool(b, "after_closing",
			  (int64_t)t->minute * 60 + wait_s > (int64_t)h.close_min * 60);
}

static void hours_tell(struct api *api, int64_t now)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	web_json_add_str(b, "type", "hours");
	web_json_add_int(b, "at", now);
	json_builder_end_object(b);
	api_ws_send_all(api, b, b);
}

static void api_hours_list(struct web_req *r)
{
	struct api *api = api_of(r);
	g_autoptr(JsonBuilder) b = json_builder_new();
	struct queue_time t;

	desk_time(api->desk, &t);
	json_builder_begin_object(b);
	hours_add_date(b, "today", t.date);
	hours_build_list(api, b, "exceptions", t.date, HOURS_LIST_MAX);
	json_builder_end_object(b);
	web_reply_builder(r, 200, b);
}

/* Body: the calendar's export as is (text/calendar). */
static void api_hours_import(struct web_req *r)
{
	struct api *api = api_of(r);
	gsize len;
	const char *data = g_bytes_get_data(web_req_body(r), &len);
	const char *ct = web_req_header(r, "Content-Type");
	g_autofree char *type = ct ? g_strstrip(g_strndup(ct, strcspn(ct, ";"))) : NULL;
	g_autoptr(GPtrArray) list = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonBuilder) detail = json_builder_new();
	g_autoptr(JsonNode) detail_root = NULL;
	g_autofree char *detail_text = NULL;
	struct queue_time t;
	struct store_audit audit = {.user = r->caller.user, .command = "hours_import"};
	int rc;

	if (g_strcmp0(type, "text/calendar") != 0) {
		web_error(r, 415, "unsupported_type",
			  "send the calendar as text/calendar (an .ics file), not %s",
			  type ? type : "without a Content-Type");
		return;
	}
	rc = hours_ics_parse(api->cfg, data, len, &list, &error);
	if (rc < 0) {
		api_error_gerror(r, rc, error, NULL);
		return;
	}
	desk_time(api->desk, &t);
	json_builder_begin_object(detail);
	web_json_add_int(detail, "days", list->len);
	json_builder_set_member_name(detail, "dates");
	json_builder_begin_array(detail);
	for (guint i = 0; i < list->len; i++) {
		struct store_hours_exception *e = g_ptr_array_index(list, i);

		e->imported_at = t.now;
		e->imported_by = g_strdup(r->caller.user);
		json_builder_add_string_value(detail, e->date);
	}
	json_builder_end_array(detail);
	json_builder_end_object(detail);
	detail_root = json_builder_get_root(detail);
	detail_text = json_to_string(detail_root, FALSE);
	audit.at = t.now;
	audit.detail = detail_text;
	desk_flush(api->desk);
	rc = store_hours_exceptions_import(desk_store(api->desk), list, &audit, &error);
	if (rc < 0) {
		api_error_gerror(r, rc, error, NULL);
		return;
	}
	if (desk_hours_reload(api->desk, &error) < 0)
		g_warning("opening-hour exceptions: %s", error->message);
	json_builder_begin_object(b);
	web_json_add_int(b, "imported", list->len);
	json_builder_end_object(b);
	web_reply_builder(r, 200, b);
	hours_tell(api, t.now);
}

static void api_hours_delete(struct web_req *r)
{
	struct api *api = api_of(r);
	g_autoptr(GError) error = NULL;
	struct queue_time t;
	struct store_audit audit = {.user = r->caller.user, .command = "hours_delete"};
	int64_t id;
	int rc;

	if (!web_seg_id(r, 3, G_MAXINT64, &id))
		return;
	desk_time(api->desk, &t);
	audit.at = t.now;
	desk_flush(api->desk);
	rc = store_hours_exception_delete(desk_store(api->desk), id, &audit, &error);
	if (rc < 0) {
		api_error_gerror(r, rc, error, NULL);
		return;
	}
	if (desk_hours_reload(api->desk, &error) < 0)
		g_warning("opening-hour exceptions: %s", error->message);
	web_reply_ok(r, 200);
	hours_tell(api, t.now);
}

const struct web_route api_hours_routes[] = {
    {"GET", "/api/hours/exceptions", AUTH_STAFF, api_hours_list, NULL},
    {"POST", "/api/hours/exceptions/import", MANAGERS, api_hours_import, NULL, WEB_ROUTE_RAW_BODY},
    {"POST", "/api/hours/exceptions/*/delete", MANAGERS, api_hours_delete, api_no_fields},
};
const size_t api_hours_n_routes = G_N_ELEMENTS(api_hours_routes);
