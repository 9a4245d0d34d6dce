/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * feedback: ratings tied to the visit that just ended (see feedback.h).
 */

#include "feedback.h"

#include <errno.h>

#include "panel.h"
#include "store.h"

#define FEEDBACK_COUNTERS 1000 /* counter ids are 1..999 */

struct ended {
	uint32_t ticket;
	int32_t day;
	int16_t service;
	int16_t counter;
	int64_t at;
	gboolean rated;
};

struct feedback {
	const struct config *cfg;
	struct desk *desk;
	struct bus *bus;
	guint queue_sub;
	guint panel_sub;
	GHashTable *ended; /* counter id → struct ended *; 0: the last anywhere */
};

static void remember(struct feedback *f, int counter, const struct ended *e)
{
	struct ended *copy = g_new(struct ended, 1);

	*copy = *e;
	g_hash_table_replace(f->ended, GINT_TO_POINTER(counter), copy);
}

static void on_queue(const char *topic, gconstpointer payload, gpointer data)
{
	struct feedback *f = data;
	const struct queue_event *ev = payload;
	struct queue_time t;
	struct ended e;

	if (ev->type != QUEUE_EVENT_ENDED || !ev->ticket.id)
		return;
	desk_time(f->desk, &t);
	e = (struct ended){.ticket = ev->ticket.id,
			   .day = ev->ticket.day,
			   .service = ev->ticket.service,
			   .counter = ev->counter,
			   .at = t.now};
	remember(f, ev->counter, &e);
	remember(f, 0, &e);
}

int feedback_give(struct feedback *f, int rating, int counter, const char *source, int64_t *ret_id,
		  GError **error)
{
	struct ended *e = g_hash_table_lookup(f->ended, GINT_TO_POINTER(counter));
	struct ended *any = g_hash_table_lookup(f->ended, GINT_TO_POINTER(0));
	struct queue_time t;
	gboolean tied;
	int rc;

	if (rating < 1 || rating > 5 || counter < 0 || counter >= FEEDBACK_COUNTERS) {
		g_set_error(error, DESK_ERROR, EINVAL, "a rating is 1 to 5");
		return -EINVAL;
	}
	desk_time(f->desk, &t);
	tied = e && !e->rated && t.now - e->at <= f->cfg->feedback_window_s;
	{
		const struct config_service *svc =
		    tied ? config_service_get(f->cfg, e->service) : NULL;
		struct store_feedback row = {
		    .ticket = tied ? e->ticket : 0,
		    .day = tied ? e->day : t.day,
		    .service = svc ? svc->code : NULL,
		    .provider = tied ? config_provider_code(f->cfg, e->service) : NULL,
		    .counter = tied ? e->counter : counter,
		    .rating = rating,
		    .source = source,
		    .at = t.now,
		};

		rc = store_feedback_insert(desk_store(f->desk), &row, ret_id, error);
	}
	if (rc < 0)
		return rc;
	if (tied) {
		/* One rating a visit, whichever way it came. */
		e->rated = TRUE;
		if (any && any->ticket == e->ticket)
			any->rated = TRUE;
		if (e->counter && counter == 0) {
			struct ended *c =
			    g_hash_table_lookup(f->ended, GINT_TO_POINTER(e->counter));

			if (c && c->ticket == e->ticket)
				c->rated = TRUE;
		}
	}
	bus_publish(f->bus, "feedback.given", &rating);
	return tied ? 1 : 0;
}

static void on_button(const char *topic, gconstpointer payload, gpointer data)
{
	struct feedback *f = data;
	const struct panel_press *press = payload;
	g_autoptr(GError) error = NULL;
	g_autofree char *source = g_strdup_printf("button:%s", press->button->name);

	if (feedback_give(f, press->what.arg, 0, source, NULL, &error) < 0)
		g_warning("feedback from %s: %s", source, error->message);
}

struct feedback *feedback_new(const struct config *cfg, struct desk *desk, struct bus *bus)
{
	struct feedback *f = g_new0(struct feedback, 1);

	f->cfg = cfg;
	f->desk = desk;
	f->bus = bus;
	f->ended = g_hash_table_new_full(NULL, NULL, NULL, g_free);
	f->queue_sub = bus_subscribe(bus, "queue.", on_queue, f);
	f->panel_sub = bus_subscribe(bus, "panel.feedback", on_button, f);
	return f;
}

void feedback_free(struct feedback *f)
{
	if (!f)
		return;
	bus_unsubscribe(f->bus, f->queue_sub);
	bus_unsubscribe(f->bus, f->panel_sub);
	g_hash_table_unref(f->ended);
	g_free(f);
}
