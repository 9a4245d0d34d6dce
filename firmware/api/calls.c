/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api/calls: what the waiting-room display and the follow page are told of the day's calls.
 *
 * Two small pieces of memory fed by the queue's events (subscribed before
 * api.c's event stream, so an event sent to the pages already counts):
 *
 * - the recent calls, newest first, at most API_CALLS_MAX: a ticket's latest
 *   call only.  A call leaves the list when it stops being the ticket's word
 *   to the waiting room: the ticket went back into a line (transferred, or
 *   requeued after a no-show), was cancelled or voided, or the day was reset.
 *   A visit that ended, or a final no-show, keeps its line: that is history,
 *   and still where the ticket was last called to.  At start-up the list is
 *   rebuilt from the day's tickets in the store (by their first call time).
 *
 * - the counter of a ticket's last missed call while it waits again after a
 *   no-show: the ticket itself keeps no counter once back in line, and the
 *   tickets table has no column for it.  At start-up it is read back from the
 *   audit log (the no-show command's row names the counter) for the few
 *   tickets that wait after a no-show; when and that it was missed come from
 *   the ticket itself (see api_build_missed).
 */
#include "api_internal.h"
#include <string.h>
#include "bus.h"
#include "store.h"

#define API_CALLS_MAX 20

struct api_call {
	uint32_t ticket;
	int32_t day;
	int16_t counter;
	char code[QUEUE_CODE_LEN];
	int64_t at;
};

struct api_calls {
	struct api *api;
	guint sub;
	GArray *recent;     /* of struct api_call, newest first */
	GHashTable *missed; /* ticket id → counter id of its last no-show */
};

static void calls_drop(struct api_calls *c, uint32_t ticket)
{
	for (guint i = 0; i < c->recent->len; i++) {
		if (g_array_index(c->recent, struct api_call, i).ticket == ticket) {
			g_array_remove_index(c->recent, i);
			return;
		}
	}
}

static void calls_push(struct api_calls *c, const struct queue_ticket *tk, int16_t counter,
		       int64_t at)
{
	struct api_call call = {.ticket = tk->id, .day = tk->day, .counter = counter, .at = at};

	memcpy(call.code, tk->code, sizeof(call.code));
	calls_drop(c, tk->id);
	g_array_prepend_val(c->recent, call);
	if (c->recent->len > API_CALLS_MAX)
		g_array_set_size(c->recent, API_CALLS_MAX);
}

static void calls_on_event(const char *topic, gconstpointer payload, gpointer data)
{
	struct api_calls *c = data;
	const struct queue_event *ev = payload;
	const struct queue_ticket *tk = &ev->ticket;
	struct queue_time t;
	gpointer key = GUINT_TO_POINTER(tk->id);

	(void)topic;
	switch (ev->type) {
	case QUEUE_EVENT_CALLED:
	case QUEUE_EVENT_RECALLED:
	case QUEUE_EVENT_RESUMED:
		desk_time(c->api->desk, &t);
		g_hash_table_remove(c->missed, key);
		if (ev->type != QUEUE_EVENT_RESUMED || tk->state == QUEUE_CALLED)
			calls_push(c, tk, ev->counter ? ev->counter : tk->counter, t.now);
		break;
	case QUEUE_EVENT_REQUEUED:
		if (ev->counter)
			g_hash_table_insert(c->missed, key, GINT_TO_POINTER(ev->counter));
		calls_drop(c, tk->id);
		break;
	case QUEUE_EVENT_TRANSFERRED:
	case QUEUE_EVENT_CANCELLED:
	case QUEUE_EVENT_VOIDED:
		g_hash_table_remove(c->missed, key);
		calls_drop(c, tk->id);
		break;
	case QUEUE_EVENT_NO_SHOW:
	case QUEUE_EVENT_ENDED:
		g_hash_table_remove(c->missed, key);
		break;
	case QUEUE_EVENT_DAY_RESET:
		g_hash_table_remove_all(c->missed);
		g_array_set_size(c->recent, 0);
		break;
	default:
		break;
	}
}

static gboolean calls_seed_wanted(const struct queue_ticket *tk)
{
	if (!tk->counter || !tk->called_at)
		return FALSE;
	switch (tk->state) {
	case QUEUE_CALLED:
	case QUEUE_SERVING:
	case QUEUE_PARKED:
	case QUEUE_DONE:
	case QUEUE_NO_SHOW:
		return TRUE;
	default:
		return FALSE;
	}
}

static void calls_seed_one(const struct queue_ticket *stored, void *data)
{
	struct api_calls *c = data;
	const struct queue_ticket *live = queue_ticket_get(desk_queue(c->api->desk), stored->id);
	const struct queue_ticket *tk = live ? live : stored;
	struct api_call call = {.ticket = tk->id, .day = tk->day, .counter = tk->counter};

	if (!calls_seed_wanted(tk))
		return;
	call.at = tk->called_at;
	memcpy(call.code, tk->code, sizeof(call.code));
	g_array_append_val(c->recent, call);
}

/* A ticket waiting again after a no-show: where it was called, from the audit log. */
static void calls_seed_missed(const struct queue_ticket *tk, void *data)
{
	struct api_calls *c = data;
	g_autoptr(GError) error = NULL;
	int16_t counter = 0;

	if (tk->state != QUEUE_WAITING || !tk->no_shows || !tk->called_at)
		return;
	if (store_audit_last_counter(desk_store(c->api->desk), "no_show", tk->id, tk->called_at,
				     &counter, &error) == 0 &&
	    counter > 0)
		g_hash_table_insert(c->missed, GUINT_TO_POINTER(tk->id), GINT_TO_POINTER(counter));
}

static gint calls_newest_first(gconstpointer a, gconstpointer b)
{
	const struct api_call *x = a, *y = b;

	return x->at != y->at ? (x->at < y->at ? 1 : -1) : (x->ticket < y->ticket ? 1 : -1);
}

struct api_calls *api_calls_new(struct api *api)
{
	struct api_calls *c = g_new0(struct api_calls, 1);
	g_autoptr(GError) error = NULL;

	c->api = api;
	c->recent = g_array_new(FALSE, FALSE, sizeof(struct api_call));
	c->missed = g_hash_table_new(NULL, NULL);
	if (store_tickets_of_day(desk_store(api->desk), api->cfg, queue_day(desk_queue(api->desk)),
				 calls_seed_one, c, &error) < 0) {
		g_warning("the day's calls could not be read (%s): the display's list starts "
			  "empty",
			  error->message);
		g_array_set_size(c->recent, 0);
	}
	g_array_sort(c->recent, calls_newest_first);
	if (c->recent->len > API_CALLS_MAX)
		g_array_set_size(c->recent, API_CALLS_MAX);
	queue_foreach_ticket(desk_queue(api->desk), calls_seed_missed, c);
	c->sub = bus_subscribe(api->bus, "queue.", calls_on_event, c);
	return c;
}

void api_calls_free(struct api_calls *c)
{
	if (!c)
		return;
	bus_unsubscribe(c->api->bus, c->sub);
	g_array_unref(c->recent);
	g_hash_table_unref(c->missed);
	g_free(c);
}

void api_calls_build_recent(struct api_calls *c, JsonBuilder *b, int32_t day)
{
	json_builder_begin_array(b);
	for (guint i = 0; c && i < c->recent->len; i++) {
		const struct api_call *call = &g_array_index(c->recent, struct api_call, i);

		if (call->day != day)
			continue;
		json_builder_begin_object(b);
		web_json_add_str(b, "code", call->code);
		web_json_add_int(b, "counter", call->counter);
		web_json_add_time(b, "at", call->at);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

/* "missed": {"counter": N or null, "at": t, "requeued": bool} after a
 * no-show: while the ticket waits again (state waiting, and called before:
 * only a requeue puts a called ticket back in line with its call time kept;
 * a transfer clears it), or for good (state no_show). */
void api_build_missed(struct api *api, JsonBuilder *b, const struct queue_ticket *tk)
{
	gboolean requeued = tk->state == QUEUE_WAITING && tk->no_shows > 0 && tk->called_at;
	int counter;

	if (!requeued && tk->state != QUEUE_NO_SHOW)
		return;
	counter = requeued ? (api->calls ? GPOINTER_TO_INT(g_hash_table_lookup(
					       api->calls->missed, GUINT_TO_POINTER(tk->id)))
					 : 0)
			   : tk->counter;
	json_builder_set_member_name(b, "missed");
	json_builder_begin_object(b);
	if (counter)
		web_json_add_int(b, "counter", counter);
	else
		web_json_add_str(b, "counter", NULL);
	web_json_add_time(b, "at", requeued ? tk->queued_at : tk->ended_at);
	web_json_add_bool(b, "requeued", requeued);
	json_builder_end_object(b);
}
