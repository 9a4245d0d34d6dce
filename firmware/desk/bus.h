/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bus: in-process publish/subscribe on the main loop thread.
 *
 * Topics are short strings ("queue", "device", …); a subscriber names a topic
 * prefix and gets every event whose topic starts with it, synchronously, in
 * subscription order.  The payload belongs to the publisher and lives only
 * for the call.
 */
#pragma once

#include <glib.h>

struct bus;

typedef void (*bus_fn)(const char *topic, gconstpointer payload, gpointer data);

struct bus *bus_new(void);
void bus_free(struct bus *bus);
typedef struct bus Bus; /* for g_autoptr(Bus) only */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Bus, bus_free)

/* Returns an id > 0 for bus_unsubscribe. */
guint bus_subscribe(struct bus *bus, const char *prefix, bus_fn fn, gpointer data);
void bus_unsubscribe(struct bus *bus, guint id);
void bus_publish(struct bus *bus, const char *topic, gconstpointer payload);
