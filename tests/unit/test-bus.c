/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of firmware/bus.c: prefix matching, order, unsubscribing from inside
 * a callback. */
#include <glib.h>

#include "bus.h"

struct seen {
	GString *log;
	struct bus *bus;
	guint self_id;
};

static void record(const char *topic, gconstpointer payload, gpointer data)
{
	struct seen *s = data;

	g_string_append_printf(s->log, "%s=%d;", topic, GPOINTER_TO_INT(payload));
}

static void record_b(const char *topic, gconstpointer payload, gpointer data)
{
	struct seen *s = data;

	g_string_append_printf(s->log, "b:%s;", topic);
}

static void once(const char *topic, gconstpointer payload, gpointer data)
{
	struct seen *s = data;

	g_string_append(s->log, "once;");
	bus_unsubscribe(s->bus, s->self_id);
}

static void test_prefix_and_order(void)
{
	g_autoptr(Bus) bus = bus_new();
	struct seen s = {.log = g_string_new(NULL), .bus = bus};

	bus_subscribe(bus, "queue.", record, &s);
	bus_subscribe(bus, "", record_b, &s);
	bus_publish(bus, "queue.called", GINT_TO_POINTER(7));
	bus_publish(bus, "device.printer", GINT_TO_POINTER(1));
	g_assert_cmpstr(s.log->str, ==, "queue.called=7;b:queue.called;b:device.printer;");
	g_string_free(s.log, TRUE);
}

static void test_unsubscribe_inside_callback(void)
{
	g_autoptr(Bus) bus = bus_new();
	struct seen s = {.log = g_string_new(NULL), .bus = bus};

	s.self_id = bus_subscribe(bus, "x", once, &s);
	bus_subscribe(bus, "x", record_b, &s);
	bus_publish(bus, "x", NULL);
	bus_publish(bus, "x", NULL);
	g_assert_cmpstr(s.log->str, ==, "once;b:x;b:x;");
	g_string_free(s.log, TRUE);
}

static void test_unsubscribe(void)
{
	g_autoptr(Bus) bus = bus_new();
	struct seen s = {.log = g_string_new(NULL), .bus = bus};
	guint id = bus_subscribe(bus, "", record, &s);

	bus_unsubscribe(bus, id);
	bus_publish(bus, "a", NULL);
	g_assert_cmpstr(s.log->str, ==, "");
	g_string_free(s.log, TRUE);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/bus/prefix-and-order", test_prefix_and_order);
	g_test_add_func("/bus/unsubscribe-inside-callback", test_unsubscribe_inside_callback);
	g_test_add_func("/bus/unsubscribe", test_unsubscribe);
	return g_test_run();
}
