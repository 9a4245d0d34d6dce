/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api/sim: the simulated board's hardware side: paper out, a button pressed.  Only on a sim board
 * (the routes carry API_ROUTE_SIM).
 */
#include "api_internal.h"
#include <errno.h>
#include <string.h>
#include "dispenser.h"
#include "frontdesk.h"
#include "panel.h"
#include "gpio.h"

/* The sim printer's paper and cover, for tests and demonstrations. */
static void api_printer_sim(struct web_req *r)
{
	struct hal_printer *p =
	    api_of(r)->dispenser ? dispenser_printer(api_of(r)->dispenser) : NULL;
	struct hal_printer_status st = {
	    .paper_end = web_bool(r, "paper_end", FALSE),
	    .paper_near_end = web_bool(r, "paper_near_end", FALSE),
	    .cover_open = web_bool(r, "cover_open", FALSE),
	    .offline = web_bool(r, "offline", FALSE),
	};

	if (!p || hal_printer_sim_set_status(p, &st) < 0) {
		web_error(r, 409, "not_sim",
			  "the printer is real: open its cover or take its paper");
		return;
	}
	api_printer_check(r);
}

/* ---------------------------------------------------------------------- */
/* Number displays and the announcer */

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
static void api_gpio_sim(struct web_req *r)
{
	struct panel *p = api_panel(r);
	const char *name = web_str(r, "name");
	int64_t hold_ms = web_int(r, "hold_ms", 100);
	int64_t level = web_int(r, "level", -1);
	bool active_low = false;
	int line, rc;

	if (!p)
		return;
	line = panel_line_of(p, name, &active_low);
	if (line < 0) {
		web_error(r, 404, "not_found", "no button or lamp \"%s\": GET /api/gpio lists them",
			  name);
		return;
	}
	if (hold_ms < 0 || hold_ms > 60000 || level > 1) {
		web_error(r, 400, "invalid", "hold_ms is 0 to 60000, level 0 or 1");
		return;
	}
	/* Pressed is active: level 0 on an active-low line. */
	rc = hal_gpio_sim_set_level(panel_gpio(p), (unsigned)line,
				    level >= 0 ? (int)level : !active_low);
	if (rc < 0) {
		web_error(r, 409, "not_sim",
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
	web_reply_ok(r, 202);
}

static const struct web_field api_printer_sim_fields[] = {
    WEB_FIELD_BOOL("paper_end", FALSE), WEB_FIELD_BOOL("paper_near_end", FALSE),
    WEB_FIELD_BOOL("cover_open", FALSE), WEB_FIELD_BOOL("offline", FALSE), WEB_FIELDS_END};
static const struct web_field api_gpio_sim_fields[] = {
    WEB_FIELD_STR("name", TRUE, 64), WEB_FIELD_INT("hold_ms", FALSE, 0, 60000),
    WEB_FIELD_INT("level", FALSE, 0, 1), WEB_FIELDS_END};
static const struct web_field api_booth_sim_fields[] = {WEB_FIELD_STR("unplug", TRUE, 32),
							WEB_FIELDS_END};

const struct web_route api_sim_routes[] = {
    {"POST", "/api/printer/sim", TECHS, api_printer_sim, api_printer_sim_fields, API_ROUTE_SIM},
    {"POST", "/api/gpio/sim", TECHS, api_gpio_sim, api_gpio_sim_fields, API_ROUTE_SIM},
    {"POST", "/api/booths/*/sim", TECHS, api_booth_sim, api_booth_sim_fields, API_ROUTE_SIM},
};
const size_t api_sim_n_routes = G_N_ELEMENTS(api_sim_routes);
