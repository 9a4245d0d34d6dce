/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bus: in-process publish/subscribe.
 *
 * Subscribers are called synchronously, in subscription order, on the main
 * loop thread.  A subscriber may unsubscribe itself (or another one) from
 * inside its callback: removal only marks the entry, and the list is swept
 * when no publish is running.
 */

#include "bus.h"

#include <string.h>

struct bus_sub {
	guint id;
	char *prefix;
	bus_fn fn;
	gpointer data;
	gboolean dead;
};

struct bus {
	GPtrArray *subs; /* of struct bus_sub * */
	guint next_id;
	guint publishing; /* nesting depth of bus_publish */
};

static void bus_sub_free(gpointer p)
{
	struct bus_sub *sub = p;

	g_free(sub->prefix);
	g_free(sub);
}

struct bus *bus_new(void)
{
	struct bus *bus = g_new0(struct bus, 1);

	bus->subs = g_ptr_array_new_with_free_func(bus_sub_free);
	bus->next_id = 1;
	return bus;
}

void bus_free(struct bus *bus)
{
	if (!bus)
		return;
	g_ptr_array_unref(bus->subs);
	g_free(bus);
}

guint bus_subscribe(struct bus *bus, const char *prefix, bus_fn fn, gpointer data)
{
	struct bus_sub *sub = g_new0(struct bus_sub, 1);

	sub->id = bus->next_id++;
	sub->prefix = g_strdup(prefix ? prefix : "");
	sub->fn = fn;
	sub->data = data;
	g_ptr_array_add(bus->subs, sub);
	return sub->id;
}

static void bus_sweep(struct bus *bus)
{
	for (guint i = bus->subs->len; i-- > 0;) {
		struct bus_sub *sub = g_ptr_array_index(bus->subs, i);

		if (sub->dead)
			g_ptr_array_remove_index(bus->subs, i);
	}
}

void bus_unsubscribe(struct bus *bus, guint id)
{
	for (guint i = 0; i < bus->subs->len; i++) {
		struct bus_sub *sub = g_ptr_array_index(bus->subs, i);

		if (sub->id == id)
			sub->dead = TRUE;
	}
	if (!bus->publishing)
		bus_sweep(bus);
}

void bus_publish(struct bus *bus, const char *topic, gconstpointer payload)
{
	/* Subscribers added during this publish are not called for it: only the
	 * ones present when it started. */
	guint n = bus->subs->len;

	bus->publishing++;
	for (guint i = 0; i < n; i++) {
		struct bus_sub *sub = g_ptr_array_index(bus->subs, i);

		if (!sub->dead && g_str_has_prefix(topic, sub->prefix))
			sub->fn(topic, payload, sub->data);
	}
	if (--bus->publishing == 0)
		bus_sweep(bus);
}
