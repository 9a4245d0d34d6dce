/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api/alarms: the staff alarm (issue 17) — a button under a counter
 * ([button:NAME] action = alarm:N, "panel.alarm" on the bus) or a key
 * combination on /advisor calls colleagues to that counter.
 *
 *   POST /api/alarms {counter}            counter staff: raise one (source "key")
 *   GET  /api/alarms                      staff: open alarms and those
 *                                         acknowledged in the last day
 *   POST /api/alarms/N/acknowledge        staff: it is seen to; the lamp goes out
 *
 * Invariants: the alarm is recorded with its audit line before anyone is
 * told; the "alarm" event goes only to sockets opened by staff (never to
 * the waiting room's display, the kiosk, a booth screen or a phone), and
 * nothing is announced or shown there; lamps that follow "alarm[:N]" read
 * the store after each "alarm." bus event (devices/frontdesk.c).
 */
#include "api_internal.h"
#include <errno.h>
#include <string.h>
#include "panel.h"
#include "store.h"

#define ALARM_SHOWN_S (24 * 3600) /* acknowledged alarms listed this long */

static int64_t alarms_now(struct api *api)
{
	struct queue_time t;

	desk_time(api->desk, &t);
	return t.now;
}

static void alarm_build(struct api *api, JsonBuilder *b, const struct store_alarm *a)
{
	int i = config_counter_find(api->cfg, a->counter);
	const struct config_counter *cc = i >= 0 ? config_counter_get(api->cfg, i) : NULL;

	json_builder_begin_object(b);
	web_json_add_int(b, "id", a->id);
	web_json_add_int(b, "counter", a->counter);
	web_json_add_str(b, "counter_name", cc ? cc->name : NULL);
	web_json_add_str(b, "source", a->source);
	web_json_add_int(b, "raised_at", a->raised_at);
	web_json_add_str(b, "raised_by", a->raised_by);
	web_json_add_time(b, "acknowledged_at", a->acknowledged_at);
	web_json_add_str(b, "acknowledged_by", a->acknowledged_by);
	web_json_add_bool(b, "open", a->acknowledged_at == 0);
	json_builder_end_object(b);
}

/* Staff pages (the reception's too) show or take down the alert; the
 * lamps follow. */
static void alarm_tell(struct api *api, const struct store_alarm *a)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	web_json_add_str(b, "type", "alarm");
	json_builder_set_member_name(b, "alarm");
	alarm_build(api, b, a);
	json_builder_end_object(b);
	web_sockets_send_roles(api->sockets, b, AUTH_PEOPLE);
	bus_publish(api->bus, a->acknowledged_at ? "alarm.cleared" : "alarm.raised", a);
}

/* Records an alarm at @counter and tells the staff. */
static int alarm_raise(struct api *api, int counter, const char *source, const char *by,
		       struct store_alarm *ret, GError **error)
{
	int64_t now = alarms_now(api);
	g_autoptr(JsonBuilder) d = json_builder_new();
	g_autofree char *detail = NULL;
	struct store_alarm a = {
	    .counter = counter,
	    .source = (char *)source,
	    .raised_at = now,
	    .raised_by = (char *)by,
	};
	struct store_audit audit = {.at = now, .user = by, .command = "alarm_raise"};
	int rc;

	json_builder_begin_object(d);
	web_json_add_int(d, "counter", counter);
	web_json_add_str(d, "source", source);
	json_builder_end_object(d);
	audit.detail = detail = web_json_text(d);
	desk_flush(api->desk);
	rc = store_alarm_raise(desk_store(api->desk), &a, &audit, error);
	if (rc < 0)
		return rc;
	g_message("alarm at counter %d (%s, %s)", counter, source, by ? by : "?");
	alarm_tell(api, &a);
	*ret = a;
	return 0;
}

static void api_alarms_raise(struct web_req *r)
{
	struct api *api = api_of(r);
	int64_t counter = web_int(r, "counter", 0);
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = NULL;
	struct store_alarm a;
	int rc;

	if (config_counter_find(api->cfg, (int)counter) < 0) {
		web_error(r, 400, "invalid",
			  "no counter %" G_GINT64_FORMAT
			  ": raise the alarm for a counter board-config names",
			  counter);
		return;
	}
	rc = alarm_raise(api, (int)counter, "key", r->caller.user, &a, &error);
	if (rc < 0) {
		api_error_gerror(r, rc, error, NULL);
		return;
	}
	b = json_builder_new();
	alarm_build(api, b, &a);
	web_reply_builder(r, 201, b);
}

struct alarms_walk {
	struct api *api;
	JsonBuilder *b;
};

static void alarms_one(const struct store_alarm *a, void *data)
{
	struct alarms_walk *w = data;

	alarm_build(w->api, w->b, a);
}

static void api_alarms_list(struct web_req *r)
{
	struct api *api = api_of(r);
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(GError) error = NULL;
	struct alarms_walk w = {.api = api, .b = b};
	int rc;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "alarms");
	json_builder_begin_array(b);
	rc = store_alarm_foreach(desk_store(api->desk), alarms_now(api) - ALARM_SHOWN_S, alarms_one,
				 &w, &error);
	json_builder_end_array(b);
	json_builder_end_object(b);
	if (rc < 0)
		api_error_gerror(r, rc, error, NULL);
	else
		web_reply_builder(r, 200, b);
}

static void api_alarms_acknowledge(struct web_req *r)
{
	struct api *api = api_of(r);
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = NULL;
	int64_t now = alarms_now(api);
	struct store_audit audit = {
	    .at = now, .user = r->caller.user, .command = "alarm_acknowledge"};
	struct store_alarm a = {0};
	int64_t id;
	int rc;

	if (!web_seg_id(r, 2, G_MAXINT64, &id))
		return;
	desk_flush(api->desk);
	rc =
	    store_alarm_acknowledge(desk_store(api->desk), id, now, r->caller.user, &audit, &error);
	if (rc == 0)
		rc = store_alarm_get(desk_store(api->desk), id, &a, &error);
	if (rc < 0) {
		api_error_gerror(r, rc, error, NULL);
		store_alarm_clear(&a);
		return;
	}
	alarm_tell(api, &a);
	b = json_builder_new();
	alarm_build(api, b, &a);
	web_reply_builder(r, 200, b);
	store_alarm_clear(&a);
}

/* The button under a counter. */
static void alarms_on_button(const char *topic, gconstpointer payload, gpointer data)
{
	struct api *api = data;
	const struct panel_press *press = payload;
	g_autofree char *by = g_strdup_printf("button:%s", press->button->name);
	g_autoptr(GError) error = NULL;
	struct store_alarm a;

	if (alarm_raise(api, press->what.arg, "gpio", by, &a, &error) < 0)
		g_warning("alarm from %s not recorded: %s", by, error->message);
}

void api_alarms_init(struct api *api)
{
	api->bus_alarm_sub = bus_subscribe(api->bus, "panel.alarm", alarms_on_button, api);
}

void api_alarms_free(struct api *api)
{
	bus_unsubscribe(api->bus, api->bus_alarm_sub);
}

static const struct web_field alarm_fields[] = {WEB_FIELD_INT("counter", TRUE, 1, API_COUNTER_MAX),
						WEB_FIELDS_END};

const struct web_route api_alarms_routes[] = {
    {"POST", "/api/alarms", COUNTER_STAFF, api_alarms_raise, alarm_fields},
    {"GET", "/api/alarms", AUTH_PEOPLE, api_alarms_list, NULL},
    {"POST", "/api/alarms/*/acknowledge", AUTH_PEOPLE, api_alarms_acknowledge, api_no_fields},
};
const size_t api_alarms_n_routes = G_N_ELEMENTS(api_alarms_routes);
