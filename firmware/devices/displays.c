/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * displays: see displays.h.
 */

#include "displays.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DISPLAYS_MAX_CALLS    8
#define DISPLAYS_REOPEN_MS    10000
#define DISPLAYS_TEST_HOLD_MS 5000

struct displays_call {
	char ticket[QUEUE_CODE_LEN];
	int counter;
};

struct displays_bus {
	const struct config_display_bus *cfg;
	struct displays *ds;
	struct display_bus *bus; /* NULL while the wire does not open */
	char *wire;
	char *open_error;
	guint reopen_source;
};

struct displays_entry {
	const struct config_display *cfg;
	struct displays_bus *bus;
	struct displays_info info;
	char *message;
	guint hold_source; /* a test pattern is on: the queue waits */
};

struct displays {
	const struct config *cfg;
	struct bus *bus;
	GPtrArray *buses;                               /* of struct displays_bus * */
	GPtrArray *entries;                             /* of struct displays_entry * */
	struct displays_call calls[DISPLAYS_MAX_CALLS]; /* latest first */
	size_t n_calls;
	guint sub_queue;
};

static void displays_set_state(struct displays_entry *e, enum display_state state,
			       const char *message)
{
	bool changed = e->info.state != state || g_strcmp0(e->message, message) != 0;

	e->info.state = state;
	g_free(e->message);
	e->message = g_strdup(message);
	e->info.message = e->message;
	if (!changed)
		return;
	if (state == DISPLAY_STATE_OK || state == DISPLAY_STATE_UNKNOWN)
		g_message("display %s: %s", e->info.name, display_state_str(state));
	else
		g_warning("display %s: %s", e->info.name,
			  message ? message : display_state_str(state));
	bus_publish(e->bus->ds->bus, "display.state", &e->info);
}

static struct displays_entry *displays_entry_at(struct displays *ds, struct displays_bus *b,
						int unit)
{
	for (guint i = 0; i < ds->entries->len; i++) {
		struct displays_entry *e = g_ptr_array_index(ds->entries, i);

		if (e->bus == b && e->info.unit == unit)
			return e;
	}
	return NULL;
}

/* A write came back (on the main loop, while the bus exists). */
static void displays_written(const struct display_bus_result *res, gpointer data)
{
	struct displays_entry *e = data;

	if (res->error == -ECANCELED)
		return; /* a newer call replaced it */
	if (res->error == 0) {
		e->info.writes++;
		e->info.updated_us = g_get_real_time();
		e->info.last_latency_us = res->done_us - res->submitted_us;
		displays_set_state(e, DISPLAY_STATE_OK, NULL);
		return;
	}
	e->info.errors++;
	if (!res->skipped)
		displays_set_state(
		    e, res->error == -EPROTO ? DISPLAY_STATE_ERROR : DISPLAY_STATE_FAILED,
		    res->message);
}

static void displays_state_changed(guint display_id, int unit, enum display_state state,
				   const char *message, gpointer data)
{
	struct displays_bus *b = data;
	struct displays_entry *e = displays_entry_at(b->ds, b, unit);

	if (e && state != DISPLAY_STATE_UNKNOWN)
		displays_set_state(e, state, message);
}

/* What @e should show now, from the list of last calls. */
static size_t displays_calls_for(const struct displays *ds, const struct displays_entry *e,
				 struct display_call *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < ds->n_calls && n < max; i++) {
		if (e->cfg->counter && ds->calls[i].counter != e->cfg->counter)
			continue;
		out[n].ticket = ds->calls[i].ticket;
		out[n].counter = (unsigned)ds->calls[i].counter;
		n++;
		if (e->cfg->counter)
			break; /* a counter display shows its one call */
	}
	return n;
}

static void displays_show(struct displays *ds, struct displays_entry *e)
{
	struct display_call calls[DISPLAYS_MAX_CALLS];
	size_t max = MIN(display_map_n_calls(&e->cfg->map), G_N_ELEMENTS(calls));
	size_t n = displays_calls_for(ds, e, calls, max);
	int rc;

	if (!e->bus->bus || e->hold_source)
		return;
	e->info.n_showing = (unsigned)n;
	for (size_t i = 0; i < n && i < G_N_ELEMENTS(e->info.showing); i++)
		g_snprintf(e->info.showing[i], sizeof(e->info.showing[i]), "%s %u", calls[i].ticket,
			   calls[i].counter);
	rc = display_bus_show_call(e->bus->bus, e->info.unit, calls, n, displays_written, e);
	if (rc < 0) {
		g_autofree char *msg = g_strdup_printf(
		    "display %s (unit %d on bus %s): the call does not fit its map %s: %s — "
		    "check the map's field widths",
		    e->info.name, e->info.unit, e->info.bus, e->info.map, g_strerror(-rc));

		e->info.errors++;
		displays_set_state(e, DISPLAY_STATE_ERROR, msg);
	}
}

static void displays_show_all(struct displays *ds, int counter)
{
	for (guint i = 0; i < ds->entries->len; i++) {
		struct displays_entry *e = g_ptr_array_index(ds->entries, i);

		if (counter < 0 || !e->cfg->counter || e->cfg->counter == counter)
			displays_show(ds, e);
	}
}

static void displays_push_call(struct displays *ds, const char *ticket, int counter)
{
	size_t i;

	/* A recall moves the call to the top; a ticket is on the list once. */
	for (i = 0; i < ds->n_calls; i++)
		if (strcmp(ds->calls[i].ticket, ticket) == 0)
			break;
	if (i == ds->n_calls)
		i = MIN(ds->n_calls, (size_t)DISPLAYS_MAX_CALLS - 1);
	else if (ds->n_calls)
		ds->n_calls--;
	memmove(&ds->calls[1], &ds->calls[0], i * sizeof(ds->calls[0]));
	g_strlcpy(ds->calls[0].ticket, ticket, sizeof(ds->calls[0].ticket));
	ds->calls[0].counter = counter;
	ds->n_calls = MIN(ds->n_calls + 1, (size_t)DISPLAYS_MAX_CALLS);
}

/* The counter's display goes blank; the main display keeps its history. */
static void displays_counter_free(struct displays *ds, int counter)
{
	for (guint i = 0; i < ds->entries->len; i++) {
		struct displays_entry *e = g_ptr_array_index(ds->entries, i);

		if (e->cfg->counter != counter || !e->bus->bus || e->hold_source)
			continue;
		e->info.n_showing = 0;
		display_bus_show_call(e->bus->bus, e->info.unit, NULL, 0, displays_written, e);
	}
}

static void displays_on_queue(const char *topic, gconstpointer payload, gpointer data)
{
	struct displays *ds = data;
	const struct queue_event *ev = payload;

	switch (ev->type) {
	case QUEUE_EVENT_CALLED:
	case QUEUE_EVENT_RECALLED:
		displays_push_call(ds, ev->ticket.code, ev->counter);
		displays_show_all(ds, ev->counter);
		break;
	case QUEUE_EVENT_COUNTER_CLOSED:
		displays_counter_free(ds, ev->counter);
		break;
	case QUEUE_EVENT_DAY_RESET:
		ds->n_calls = 0;
		displays_show_all(ds, -1);
		break;
	default:
		break;
	}
}

static void displays_add_units(struct displays_bus *b)
{
	struct displays *ds = b->ds;

	for (guint i = 0; i < ds->entries->len; i++) {
		struct displays_entry *e = g_ptr_array_index(ds->entries, i);

		if (e->bus == b)
			display_bus_add_display(b->bus, i + 1, e->info.name, e->info.unit,
						&e->cfg->map);
	}
}

static int displays_open_bus(struct displays_bus *b)
{
	const struct config_display_bus *c = b->cfg;
	g_autofree int *silent = NULL;
	size_t n_silent = c->sim_silent_units ? g_strv_length(c->sim_silent_units) : 0;
	struct display_bus_config bc = {
	    .name = c->name,
	    .hw =
		{
		    .transport = (enum hal_display_transport)c->transport,
		    .device = c->device,
		    .baud = c->baud,
		    .parity = "NEO"[c->parity],
		    .data_bits = c->data_bits,
		    .stop_bits = c->stop_bits,
		    .rs485 = c->rs485,
		    .host = c->host,
		    .port = c->port,
		    .response_timeout_ms = (unsigned)c->timeout_ms,
		},
	    .tries = (unsigned)c->tries,
	    .backoff_ms = (unsigned)c->backoff_ms,
	    .blink_ms = c->blink_s ? (unsigned)c->blink_s * 1000 : 1, /* 1 ms: no blink */
	    .frame_delay_ms = (unsigned)c->frame_delay_ms,
	    .state_changed = displays_state_changed,
	    .state_data = b,
	};
	g_autoptr(GError) error = NULL;

	silent = g_new0(int, n_silent + 1);
	for (size_t i = 0; i < n_silent; i++)
		silent[i] = atoi(c->sim_silent_units[i]);
	bc.hw.sim_silent_units = silent;
	bc.hw.n_sim_silent_units = n_silent;
	b->bus = display_bus_new(&bc, NULL, &error);
	g_clear_pointer(&b->open_error, g_free);
	if (!b->bus) {
		b->open_error = g_strdup(error->message);
		return -EIO;
	}
	displays_add_units(b);
	return 0;
}

static gboolean displays_reopen(gpointer data)
{
	struct displays_bus *b = data;
	struct displays *ds = b->ds;

	if (displays_open_bus(b) < 0)
		return G_SOURCE_CONTINUE;
	g_message("display bus %s (%s) is open again", b->cfg->name, b->wire);
	b->reopen_source = 0;
	for (guint i = 0; i < ds->entries->len; i++) {
		struct displays_entry *e = g_ptr_array_index(ds->entries, i);

		if (e->bus == b)
			displays_show(ds, e);
	}
	return G_SOURCE_REMOVE;
}

/* What the queue is calling now, oldest first into the list. */
static void displays_load_calls(struct displays *ds, const struct queue *queue)
{
	const struct queue_ticket *now[64];
	size_t n = 0;

	for (guint i = 0; i < ds->cfg->counters->len && n < G_N_ELEMENTS(now); i++) {
		const struct config_counter *c = g_ptr_array_index(ds->cfg->counters, i);
		const struct queue_counter *qc = queue_counter_get(queue, (int16_t)c->id);
		const struct queue_ticket *t =
		    qc && qc->ticket ? queue_ticket_get(queue, qc->ticket) : NULL;

		if (t && t->called_at)
			now[n++] = t;
	}
	for (size_t i = 0; i < n; i++) /* oldest call first: sort by called_at */
		for (size_t j = i + 1; j < n; j++)
			if (now[j]->called_at < now[i]->called_at) {
				const struct queue_ticket *x = now[i];

				now[i] = now[j];
				now[j] = x;
			}
	for (size_t i = 0; i < n; i++)
		displays_push_call(ds, now[i]->code, now[i]->counter);
}

static void displays_bus_free(gpointer p)
{
	struct displays_bus *b = p;

	if (b->reopen_source)
		g_source_remove(b->reopen_source);
	display_bus_free(b->bus);
	g_free(b->wire);
	g_free(b->open_error);
	g_free(b);
}

static void displays_entry_free(gpointer p)
{
	struct displays_entry *e = p;

	if (e->hold_source)
		g_source_remove(e->hold_source);
	g_free(e->message);
	g_free(e);
}

struct displays *displays_new(const struct config *cfg, struct bus *bus, const struct queue *queue)
{
	struct displays *ds = g_new0(struct displays, 1);

	ds->cfg = cfg;
	ds->bus = bus;
	ds->buses = g_ptr_array_new_with_free_func(displays_bus_free);
	ds->entries = g_ptr_array_new_with_free_func(displays_entry_free);
	for (guint i = 0; i < cfg->display_buses->len; i++) {
		const struct config_display_bus *c = g_ptr_array_index(cfg->display_buses, i);
		struct displays_bus *b = g_new0(struct displays_bus, 1);
		struct hal_display_config hw = {.transport =
						    (enum hal_display_transport)c->transport,
						.device = c->device,
						.host = c->host,
						.port = c->port};

		b->cfg = c;
		b->ds = ds;
		b->wire = hal_display_describe(&hw);
		g_ptr_array_add(ds->buses, b);
	}
	for (guint i = 0; i < cfg->displays->len; i++) {
		const struct config_display *c = g_ptr_array_index(cfg->displays, i);
		struct displays_entry *e = g_new0(struct displays_entry, 1);

		e->cfg = c;
		e->bus = g_ptr_array_index(ds->buses, c->bus);
		e->info.name = c->name;
		e->info.bus = c->bus_name;
		e->info.wire = e->bus->wire;
		e->info.unit = c->unit;
		e->info.map = c->map.name;
		e->info.counter = c->counter;
		g_ptr_array_add(ds->entries, e);
	}
	for (guint i = 0; i < ds->buses->len; i++) {
		struct displays_bus *b = g_ptr_array_index(ds->buses, i);

		if (displays_open_bus(b) == 0)
			continue;
		g_warning("%s; trying again every %d s", b->open_error, DISPLAYS_REOPEN_MS / 1000);
		b->reopen_source = g_timeout_add(DISPLAYS_REOPEN_MS, displays_reopen, b);
		for (guint j = 0; j < ds->entries->len; j++) {
			struct displays_entry *e = g_ptr_array_index(ds->entries, j);

			if (e->bus == b)
				displays_set_state(e, DISPLAY_STATE_FAILED, b->open_error);
		}
	}
	if (queue)
		displays_load_calls(ds, queue);
	displays_show_all(ds, -1);
	ds->sub_queue = bus_subscribe(bus, "queue.", displays_on_queue, ds);
	return ds;
}

void displays_free(struct displays *ds)
{
	if (!ds)
		return;
	bus_unsubscribe(ds->bus, ds->sub_queue);
	/* Buses first: their workers stop and no result callback runs after. */
	g_ptr_array_set_size(ds->buses, 0);
	g_ptr_array_unref(ds->buses);
	g_ptr_array_unref(ds->entries);
	g_free(ds);
}

size_t displays_count(const struct displays *ds)
{
	return ds ? ds->entries->len : 0;
}

const struct displays_info *displays_get(const struct displays *ds, size_t i)
{
	if (!ds || i >= ds->entries->len)
		return NULL;
	return &((struct displays_entry *)g_ptr_array_index(ds->entries, i))->info;
}

int displays_find(const struct displays *ds, const char *name)
{
	for (guint i = 0; ds && name && i < ds->entries->len; i++)
		if (strcmp(displays_get(ds, i)->name, name) == 0)
			return (int)i;
	return -1;
}

unsigned displays_faults(const struct displays *ds)
{
	unsigned n = 0;

	for (size_t i = 0; i < displays_count(ds); i++) {
		enum display_state s = displays_get(ds, i)->state;

		n += s == DISPLAY_STATE_FAILED || s == DISPLAY_STATE_ERROR;
	}
	return n;
}

/* ---- diagnostics ---- */

struct displays_job {
	struct displays *ds;
	struct displays_entry *entry;
	displays_done_fn done;
	displays_scan_fn scan;
	gpointer data;
	GArray *units; /* scan: the ones that answered */
	unsigned outstanding;
	char *error;
};

static void displays_job_free(struct displays_job *j)
{
	if (j->units)
		g_array_unref(j->units);
	g_free(j->error);
	g_free(j);
}

static gboolean displays_hold_over(gpointer data)
{
	struct displays_entry *e = data;

	e->hold_source = 0;
	displays_show(e->bus->ds, e);
	return G_SOURCE_REMOVE;
}

static void displays_pattern_written(const struct display_bus_result *res, gpointer data)
{
	struct displays_job *j = data;

	displays_written(res, j->entry);
	if (j->done)
		j->done(res->error ? res->message : NULL, j->data);
	displays_job_free(j);
}

int displays_test_pattern(struct displays *ds, const char *name, unsigned hold_ms,
			  displays_done_fn fn, gpointer data)
{
	int i = displays_find(ds, name);
	struct displays_entry *e;
	struct display_call calls[DISPLAYS_MAX_CALLS];
	struct displays_job *j;
	size_t n;
	int rc;

	if (i < 0)
		return -ENOENT;
	e = g_ptr_array_index(ds->entries, i);
	if (!e->bus->bus)
		return -EIO;
	n = MIN(display_map_n_calls(&e->cfg->map), G_N_ELEMENTS(calls));
	for (size_t k = 0; k < n; k++)
		calls[k] = (struct display_call){.ticket = "8888", .counter = 88};
	j = g_new0(struct displays_job, 1);
	j->ds = ds;
	j->entry = e;
	j->done = fn;
	j->data = data;
	if (e->hold_source)
		g_source_remove(e->hold_source);
	e->hold_source = 0;
	rc =
	    display_bus_show_call(e->bus->bus, e->info.unit, calls, n, displays_pattern_written, j);
	if (rc < 0) {
		displays_job_free(j);
		return rc;
	}
	e->hold_source =
	    g_timeout_add(hold_ms ? hold_ms : DISPLAYS_TEST_HOLD_MS, displays_hold_over, e);
	return 0;
}

static void displays_scan_read(const struct display_bus_result *res, gpointer data)
{
	struct displays_job *j = data;

	/* An exception reply is an answer too: somebody is at that unit. */
	if (res->error == 0 || res->error == -EPROTO)
		g_array_append_val(j->units, res->unit);
	if (--j->outstanding)
		return;
	j->scan((const int *)(void *)j->units->data, j->units->len, NULL, j->data);
	displays_job_free(j);
}

int displays_scan(struct displays *ds, const char *bus_name, int from, int to, displays_scan_fn fn,
		  gpointer data)
{
	struct displays_bus *b = NULL;
	struct displays_job *j;

	for (guint i = 0; i < ds->buses->len && !b; i++) {
		struct displays_bus *x = g_ptr_array_index(ds->buses, i);

		if (strcmp(x->cfg->name, bus_name) == 0)
			b = x;
	}
	if (!b)
		return -ENOENT;
	if (!b->bus)
		return -EIO;
	if (from < 1 || to > 247 || from > to)
		return -EINVAL;
	j = g_new0(struct displays_job, 1);
	j->ds = ds;
	j->scan = fn;
	j->data = data;
	j->units = g_array_new(FALSE, FALSE, sizeof(int));
	j->outstanding = (unsigned)(to - from + 1);
	for (int u = from; u <= to; u++)
		if (display_bus_read(b->bus, u, 0, 1, displays_scan_read, j) < 0)
			j->outstanding--;
	if (!j->outstanding) {
		fn(NULL, 0, NULL, data);
		displays_job_free(j);
	}
	return 0;
}
