/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api/devices: the parts as technicians see them: printer, number displays, announcer, buttons and
 * lamps.
 */
#include "api_internal.h"
#include <errno.h>
#include <string.h>
#include "dispenser.h"
#include "displays.h"
#include "announcer.h"
#include "frontdesk.h"
#include "panel.h"

void api_build_printer(JsonBuilder *b, const struct dispenser_printer_state *st)
{
	json_builder_begin_object(b);
	web_json_add_str(b, "device", st->describe);
	web_json_add_str(b, "paper", st->paper);
	web_json_add_int(b, "columns", st->columns);
	web_json_add_str(b, "codepage", st->codepage);
	web_json_add_bool(b, "known", st->known);
	web_json_add_bool(b, "ok", !st->known || st->ok);
	web_json_add_bool(b, "paper_end", st->status.paper_end);
	web_json_add_bool(b, "paper_near_end", st->status.paper_near_end);
	web_json_add_bool(b, "cover_open", st->status.cover_open);
	web_json_add_bool(b, "offline", st->status.offline);
	web_json_add_str(b, "message", st->message[0] ? st->message : NULL);
	web_json_add_int(b, "printed", st->printed);
	web_json_add_int(b, "failed", st->failed);
	json_builder_end_object(b);
}

static void api_printer_get(struct web_req *r)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	struct dispenser_printer_state st;

	if (!api_of(r)->dispenser) {
		web_error(r, 409, "no_printer", "this service point has no ticket printer");
		return;
	}
	dispenser_state(api_of(r)->dispenser, &st);
	api_build_printer(b, &st);
	web_reply_builder(r, 200, b);
}

/* After a test print or a status check: the printer's state now. */
static void api_printer_done(const struct dispenser_result *dr, gpointer data)
{
	struct api_pending *p = data;
	struct web_req r = {.app = p->api, .x = p->x};
	g_autoptr(JsonBuilder) b = json_builder_new();
	struct dispenser_printer_state st;

	dispenser_state(p->api->dispenser, &st);
	json_builder_begin_object(b);
	web_json_add_bool(b, "ok", dr->print_error == NULL);
	web_json_add_str(b, "error", dr->print_error);
	json_builder_set_member_name(b, "printer");
	api_build_printer(b, &st);
	json_builder_end_object(b);
	web_reply_builder(&r, 200, b);
	api_pending_done(p);
}

static void api_printer_test(struct web_req *r)
{
	uint8_t lang;

	if (!api_of(r)->dispenser) {
		web_error(r, 409, "no_printer", "this service point has no ticket printer");
		return;
	}
	if (api_parse_lang(r, &lang) < 0)
		return;
	dispenser_test(api_of(r)->dispenser, lang, api_printer_done, api_pending_new(r, 200));
}

void api_printer_check(struct web_req *r)
{
	if (!api_of(r)->dispenser) {
		web_error(r, 409, "no_printer", "this service point has no ticket printer");
		return;
	}
	dispenser_check(api_of(r)->dispenser, api_printer_done, api_pending_new(r, 200));
}

static void api_build_display(JsonBuilder *b, const struct displays_info *d)
{
	json_builder_begin_object(b);
	web_json_add_str(b, "name", d->name);
	web_json_add_str(b, "bus", d->bus);
	web_json_add_str(b, "wire", d->wire);
	web_json_add_int(b, "unit", d->unit);
	web_json_add_str(b, "map", d->map);
	web_json_add_int(b, "counter", d->counter);
	web_json_add_str(b, "state", display_state_str(d->state));
	web_json_add_str(b, "message", d->message);
	json_builder_set_member_name(b, "showing");
	json_builder_begin_array(b);
	for (unsigned i = 0; i < d->n_showing && i < G_N_ELEMENTS(d->showing); i++)
		json_builder_add_string_value(b, d->showing[i]);
	json_builder_end_array(b);
	web_json_add_time(b, "updated_at_ms", d->updated_us / 1000);
	json_builder_set_member_name(b, "latency_ms");
	json_builder_add_double_value(b, (double)d->last_latency_us / 1000.0);
	web_json_add_int(b, "writes", (int64_t)d->writes);
	web_json_add_int(b, "errors", (int64_t)d->errors);
	json_builder_end_object(b);
}

static void api_displays_get(struct web_req *r)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "displays");
	json_builder_begin_array(b);
	for (size_t i = 0; i < displays_count(api_of(r)->displays); i++)
		api_build_display(b, displays_get(api_of(r)->displays, i));
	json_builder_end_array(b);
	json_builder_end_object(b);
	web_reply_builder(r, 200, b);
}

struct api_display_job {
	struct api_pending *p;
	char *name;
};

static void api_display_tested(const char *error, gpointer data)
{
	struct api_display_job *j = data;
	struct web_req r = {.app = j->p->api, .x = j->p->x};
	g_autoptr(JsonBuilder) b = json_builder_new();
	int i = displays_find(j->p->api->displays, j->name);

	json_builder_begin_object(b);
	web_json_add_bool(b, "ok", error == NULL);
	web_json_add_str(b, "error", error);
	if (i >= 0) {
		json_builder_set_member_name(b, "display");
		api_build_display(b, displays_get(j->p->api->displays, (size_t)i));
	}
	json_builder_end_object(b);
	web_reply_builder(&r, 200, b);
	api_pending_done(j->p);
	g_free(j->name);
	g_free(j);
}

static void api_display_test(struct web_req *r)
{
	struct api_display_job *j;
	const char *name = r->seg[2];
	int rc, i = displays_find(api_of(r)->displays, name);

	if (i < 0) {
		web_error(r, 404, "not_found", "no display of that name: see GET /api/displays");
		return;
	}
	j = g_new0(struct api_display_job, 1);
	j->name = g_strdup(name);
	j->p = api_pending_new(r, 200);
	rc = displays_test_pattern(api_of(r)->displays, name, (unsigned)web_int(r, "hold_ms", 5000),
				   api_display_tested, j);
	if (rc < 0)
		api_display_tested(displays_get(api_of(r)->displays, (size_t)i)->message
				       ? displays_get(api_of(r)->displays, (size_t)i)->message
				       : g_strerror(-rc),
				   j);
}

static void api_displays_scanned(const int *units, size_t n, const char *error, gpointer data)
{
	struct api_pending *p = data;
	struct web_req r = {.app = p->api, .x = p->x};
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "units");
	json_builder_begin_array(b);
	for (size_t i = 0; i < n; i++)
		json_builder_add_int_value(b, units[i]);
	json_builder_end_array(b);
	web_json_add_str(b, "error", error);
	json_builder_end_object(b);
	web_reply_builder(&r, 200, b);
	api_pending_done(p);
}

static void api_displays_scan(struct web_req *r)
{
	const char *busname = web_str(r, "bus");
	int64_t from = web_int(r, "from", 1), to = web_int(r, "to", 16);
	struct api_pending *p;
	int rc;

	if (from < 1 || to > 247 || from > to) {
		web_error(r, 400, "invalid", "from and to: unit ids with 1 <= from <= to <= 247");
		return;
	}
	p = api_pending_new(r, 200);
	rc = displays_scan(api_of(r)->displays, busname, (int)from, (int)to, api_displays_scanned,
			   p);
	if (rc == 0)
		return;
	/* Not started: answer the paused message now. */
	api_pending_done(p);
	if (rc == -ENOENT)
		web_error(r, 404, "not_found", "no display bus of that name: see [bus:NAME]");
	else
		web_error(r, 409, "bus_down",
			  "that display bus is not open: check its device and the log");
}

static void api_announcer_get(struct web_req *r)
{
	struct announcer *a = api_of(r)->announcer;
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	web_json_add_str(b, "sink", announcer_sink_name(a));
	web_json_add_int(b, "pending", announcer_pending(a));
	web_json_add_str(b, "fault", announcer_fault(a));
	json_builder_set_member_name(b, "recent");
	json_builder_begin_array(b);
	for (size_t i = 0; i < announcer_n_recent(a); i++) {
		const struct announcer_item *it = announcer_recent(a, i);

		json_builder_begin_object(b);
		web_json_add_int(b, "id", it->id);
		web_json_add_str(b, "kind", it->kind);
		web_json_add_str(b, "output", it->output == ANNOUNCER_HEADSET ? "headset" : "room");
		web_json_add_str(b, "ticket", it->ticket[0] ? it->ticket : NULL);
		web_json_add_int(b, "counter", it->counter);
		if (it->volume)
			web_json_add_int(b, "volume", it->volume);
		json_builder_set_member_name(b, "text");
		json_builder_begin_object(b);
		for (int l = 0; l < api_of(r)->cfg->n_langs; l++)
			if (it->text[l])
				web_json_add_str(b, config_lang_code(api_of(r)->cfg, l),
						 it->text[l]);
		json_builder_end_object(b);
		web_json_add_str(b, "state", announcer_state_str(it->state));
		web_json_add_time(b, "queued_us", it->queued_us);
		web_json_add_time(b, "started_us", it->started_us);
		web_json_add_time(b, "ended_us", it->ended_us);
		json_builder_set_member_name(b, "audio_s");
		json_builder_add_double_value(b, it->audio_s);
		web_json_add_str(b, "error", it->error);
		web_json_add_str(b, "reason", it->reason);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	web_reply_builder(r, 200, b);
}

static void api_announcer_test(struct web_req *r)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	int id;

	if (!api_of(r)->announcer) {
		web_error(r, 409, "no_audio", "this service point has no announcer");
		return;
	}
	id = announcer_test(api_of(r)->announcer, web_str(r, "kind"), web_str(r, "lang"));
	if (id < 0) {
		web_error(r, 400, "invalid",
			  "kind must be \"tone\" or \"speech\"; lang fi, sv or en");
		return;
	}
	json_builder_begin_object(b);
	web_json_add_int(b, "id", id);
	json_builder_end_object(b);
	web_reply_builder(r, 202, b);
}

static void api_gpio_get(struct web_req *r)
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
		web_json_add_str(b, "name", st->name);
		web_json_add_str(b, "kind", st->lamp ? "lamp" : "button");
		web_json_add_int(b, "line", st->line);
		web_json_add_int(b, "value", st->value);
		if (!st->lamp) {
			web_json_add_int(b, "presses", st->presses);
			web_json_add_int(b, "ignored", st->ignored);
		}
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	web_reply_builder(r, 200, b);
}

static void api_gpio_lamp(struct web_req *r)
{
	struct panel *p = api_panel(r);
	const char *name = web_str(r, "name");

	if (!p)
		return;
	if (panel_lamp_set(p, name, web_bool(r, "on", TRUE)) < 0) {
		web_error(r, 404, "not_found", "no lamp \"%s\": GET /api/gpio lists them", name);
		return;
	}
	web_reply_ok(r, 200);
}

static const struct web_field api_printer_test_fields[] = {WEB_FIELD_STR("lang", FALSE, 8),
							   WEB_FIELDS_END};
static const struct web_field api_gpio_lamp_fields[] = {
    WEB_FIELD_STR("name", TRUE, 64), WEB_FIELD_BOOL("on", FALSE), WEB_FIELDS_END};
static const struct web_field api_display_test_fields[] = {
    WEB_FIELD_INT("hold_ms", FALSE, 0, 600000), WEB_FIELDS_END};
static const struct web_field api_displays_scan_fields[] = {
    WEB_FIELD_STR("bus", TRUE, 64), WEB_FIELD_INT("from", FALSE, 1, 247),
    WEB_FIELD_INT("to", FALSE, 1, 247), WEB_FIELDS_END};
static const struct web_field api_announcer_test_fields[] = {
    WEB_FIELD_STR("kind", TRUE, 16), WEB_FIELD_STR("lang", FALSE, 8), WEB_FIELDS_END};

const struct web_route api_devices_routes[] = {
    {"GET", "/api/printer", AUTH_STAFF, api_printer_get, NULL},
    {"POST", "/api/printer/check", TECHS, api_printer_check, api_no_fields},
    {"POST", "/api/printer/test", TECHS, api_printer_test, api_printer_test_fields},
    {"GET", "/api/displays", AUTH_STAFF, api_displays_get, NULL},
    {"POST", "/api/displays/scan", TECHS, api_displays_scan, api_displays_scan_fields},
    {"POST", "/api/displays/*/test", TECHS, api_display_test, api_display_test_fields},
    {"GET", "/api/announcer", AUTH_STAFF, api_announcer_get, NULL},
    {"POST", "/api/announcer/test", TECHS, api_announcer_test, api_announcer_test_fields},
    {"GET", "/api/gpio", AUTH_STAFF, api_gpio_get, NULL},
    {"POST", "/api/gpio/lamp", TECHS, api_gpio_lamp, api_gpio_lamp_fields},
};
const size_t api_devices_n_routes = G_N_ELEMENTS(api_devices_routes);
