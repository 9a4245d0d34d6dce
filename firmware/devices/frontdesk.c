/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * frontdesk: see frontdesk.h.
 */

#include "frontdesk.h"

#include <errno.h>
#include <string.h>

#include "store.h"

struct frontdesk {
	const struct config *cfg;
	struct desk *desk;
	struct dispenser *dispenser;
	struct guide *guide; /* may be NULL */
	struct bus *bus;
	struct panel *panel; /* NULL: failed, see error */
	char *error;
	GHashTable *doors; /* counter id → occupied (GINT_TO_POINTER(1)) */
	/* Lamps that follow "alarm[:N]": counter id (0: anywhere) → whether an
	 * alarm is open there (GINT_TO_POINTER(1 + open)), read from the store
	 * once after each "alarm." event, not on every queue event (a ticket
	 * drawn cost a query per alarm lamp). */
	GHashTable *alarm_open;
	guint sub_queue, sub_printer, sub_alarm;
	struct queue_result res;
};

static void frontdesk_report(struct frontdesk *f, const struct panel_press *press,
			     const char *result)
{
	struct frontdesk_press fp = {
	    .button = press->button->name,
	    .action = config_button_action_name(press->what.action),
	    .arg = press->what.arg,
	    .level = press->level,
	    .result = result,
	};

	if (result)
		g_message("button %s (%s): %s", fp.button, fp.action, result);
	bus_publish(f->bus, "panel.press", &fp);
}

struct frontdesk_issue {
	struct frontdesk *f;
	char *button;
};

static void frontdesk_issued(const struct dispenser_result *r, gpointer data)
{
	struct frontdesk_issue *x = data;

	if (r->rc < 0)
		g_message("button %s: no ticket: %s", x->button,
			  r->error ? r->error->message : g_strerror(-r->rc));
	else if (!r->printed)
		g_message("button %s: ticket %u voided: %s", x->button, r->ticket, r->print_error);
	g_free(x->button);
	g_free(x);
}

static void frontdesk_counter_done(int rc, const GError *error, const struct queue_result *res,
				   gpointer data)
{
	char *what = data;

	if (rc < 0)
		g_message("%s: %s", what, error ? error->message : g_strerror(-rc));
	g_free(what);
}

static void frontdesk_counter_cmd(struct frontdesk *f, const struct panel_press *press,
				  enum queue_cmd_type type)
{
	const struct queue_counter *qc =
	    queue_counter_get(desk_queue(f->desk), (int16_t)press->what.arg);
	struct queue_cmd cmd = {.type = type,
				.counter = (int16_t)press->what.arg,
				.service = -1,
				.channel = -1,
				.outcome = -1};
	g_autoptr(GError) error = NULL;
	char *what;
	int rc;

	if (!qc || !qc->open) {
		frontdesk_report(f, press, "the counter is closed: open it on the advisor console");
		return;
	}
	what = g_strdup_printf("keypad %s", press->button->name);
	rc = desk_submit(f->desk, &cmd, qc->user, &f->res, &error, frontdesk_counter_done, what);
	if (rc != 0) {
		frontdesk_report(f, press, rc < 0 ? error->message : NULL);
		g_free(what);
		return;
	}
	frontdesk_report(f, press, NULL);
}

static void frontdesk_lamps(const char *topic, gconstpointer payload, gpointer data);

static void frontdesk_press(const struct panel_press *press, gpointer data)
{
	struct frontdesk *f = data;

	switch (press->what.action) {
	case CONFIG_BUTTON_ISSUE: {
		struct frontdesk_issue *x;
		struct queue_cmd cmd = {.type = QUEUE_CMD_ISSUE,
					.service = (int16_t)press->what.arg,
					.lang = 0 /* the main language */};
		g_autofree char *user = g_strdup_printf("button:%s", press->button->name);

		if (f->guide && f->cfg->kiosk_button_speech) {
			guide_button_issue(f->guide, press->what.arg, user);
			frontdesk_report(f, press, NULL);
			break;
		}
		x = g_new0(struct frontdesk_issue, 1);
		x->f = f;
		x->button = g_strdup(press->button->name);
		dispenser_issue(f->dispenser, &cmd, user, true, frontdesk_issued, x);
		frontdesk_report(f, press, NULL);
		break;
	}
	case CONFIG_BUTTON_NEXT:
		frontdesk_counter_cmd(f, press, QUEUE_CMD_CALL);
		break;
	case CONFIG_BUTTON_RECALL:
		frontdesk_counter_cmd(f, press, QUEUE_CMD_RECALL);
		break;
	case CONFIG_BUTTON_NOSHOW:
		frontdesk_counter_cmd(f, press, QUEUE_CMD_NO_SHOW);
		break;
	case CONFIG_BUTTON_END:
		frontdesk_counter_cmd(f, press, QUEUE_CMD_END);
		break;
	case CONFIG_BUTTON_FEEDBACK:
		bus_publish(f->bus, "panel.feedback", press);
		frontdesk_report(f, press, NULL);
		break;
	case CONFIG_BUTTON_DOOR:
		if (press->level)
			g_hash_table_insert(f->doors, GINT_TO_POINTER(press->what.arg),
					    GINT_TO_POINTER(1));
		else
			g_hash_table_remove(f->doors, GINT_TO_POINTER(press->what.arg));
		bus_publish(f->bus, "booth.door", press);
		frontdesk_report(f, press, NULL);
		break;
	case CONFIG_BUTTON_ALARM:
		/* api/alarms.c records it and tells the staff; the lamp follows
		 * its "alarm." event */
		bus_publish(f->bus, "panel.alarm", press);
		frontdesk_report(f, press, NULL);
		break;
	case CONFIG_BUTTON_GUIDE:
		if (f->guide)
			guide_key(f->guide, (enum config_guide_key)press->what.arg);
		frontdesk_report(f, press, f->guide ? NULL : "no speech guidance on this board");
		break;
	case CONFIG_BUTTON_HEADSET:
		if (f->guide)
			guide_headset(f->guide, press->level != 0);
		frontdesk_report(f, press, NULL);
		break;
	case CONFIG_BUTTON_NONE:
		break;
	}
	frontdesk_lamps(NULL, NULL, f);
}

bool frontdesk_door_occupied(struct frontdesk *f, int id)
{
	return g_hash_table_contains(f->doors, GINT_TO_POINTER(id));
}

/* Alarms change only by api/alarms.c, which publishes "alarm." after the
 * change is stored: the answer read since then still holds. */
static bool frontdesk_alarm_open(struct frontdesk *f, int counter)
{
	gpointer known = g_hash_table_lookup(f->alarm_open, GINT_TO_POINTER(counter));
	bool open;

	if (known)
		return GPOINTER_TO_INT(known) - 1;
	open = store_alarm_open_count(desk_store(f->desk), counter) > 0;
	g_hash_table_insert(f->alarm_open, GINT_TO_POINTER(counter), GINT_TO_POINTER(1 + open));
	return open;
}

static bool frontdesk_fact(enum config_lamp_follow follows, int arg, gpointer data)
{
	struct frontdesk *f = data;
	const struct queue_counter *qc = queue_counter_get(desk_queue(f->desk), (int16_t)arg);
	struct dispenser_printer_state st;

	switch (follows) {
	case CONFIG_LAMP_COUNTER_OPEN:
		return qc && qc->open;
	case CONFIG_LAMP_BOOTH_BUSY:
		return frontdesk_door_occupied(f, arg) || (qc && qc->ticket);
	case CONFIG_LAMP_PRINTER_FAULT:
		dispenser_state(f->dispenser, &st);
		return st.known && !st.ok;
	case CONFIG_LAMP_ALARM:
		return frontdesk_alarm_open(f, arg);
	}
	return false;
}

static void frontdesk_lamps(const char *topic, gconstpointer payload, gpointer data)
{
	struct frontdesk *f = data;

	if (!topic || g_str_has_prefix(topic, "alarm."))
		g_hash_table_remove_all(f->alarm_open);
	if (f->panel)
		panel_lamps_follow(f->panel, frontdesk_fact, f);
}

struct frontdesk *frontdesk_new(const struct config *cfg, struct desk *desk,
				struct dispenser *dispenser, struct guide *guide, struct bus *bus)
{
	struct frontdesk *f = g_new0(struct frontdesk, 1);
	g_autoptr(GError) error = NULL;

	f->cfg = cfg;
	f->desk = desk;
	f->dispenser = dispenser;
	f->guide = guide;
	f->bus = bus;
	f->doors = g_hash_table_new(g_direct_hash, g_direct_equal);
	f->alarm_open = g_hash_table_new(g_direct_hash, g_direct_equal);
	queue_result_init(&f->res);
	if (cfg->buttons->len || cfg->lamps->len) {
		f->panel = panel_new(cfg, frontdesk_press, f, &error);
		if (!f->panel) {
			f->error = g_strdup(error->message);
			g_warning("%s", f->error);
		}
	}
	f->sub_queue = bus_subscribe(bus, "queue", frontdesk_lamps, f);
	f->sub_printer = bus_subscribe(bus, "printer", frontdesk_lamps, f);
	f->sub_alarm = bus_subscribe(bus, "alarm.", frontdesk_lamps, f);
	frontdesk_lamps(NULL, NULL, f);
	return f;
}

void frontdesk_free(struct frontdesk *f)
{
	if (!f)
		return;
	bus_unsubscribe(f->bus, f->sub_queue);
	bus_unsubscribe(f->bus, f->sub_printer);
	bus_unsubscribe(f->bus, f->sub_alarm);
	panel_free(f->panel);
	g_hash_table_unref(f->doors);
	g_hash_table_unref(f->alarm_open);
	queue_result_free(&f->res);
	g_free(f->error);
	g_free(f);
}

struct panel *frontdesk_panel(struct frontdesk *f, const char **ret_error)
{
	if (ret_error)
		*ret_error = f->error;
	return f->panel;
}
