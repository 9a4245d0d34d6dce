/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of firmware/uplink/presence.c: the hub's presence as the site takes
 * it — figures per provider (absent: 0/0), a change published once, a body
 * that is not presence v1 refused, stale after valid_s on the loop's clock. */
#include <errno.h>
#include <glib.h>

#include "bus.h"
#include "presence.h"

static void count(const char *topic, gconstpointer payload, gpointer data)
{
	(void)topic;
	(void)payload;
	(*(int *)data)++;
}

static void test_figures_and_changes(void)
{
	g_autoptr(Bus) bus = bus_new();
	struct presence *p = presence_new(45, bus);
	int changes = 0, online, free;

	bus_subscribe(bus, PRESENCE_TOPIC, count, &changes);
	g_assert_false(presence_valid(p));
	g_assert_false(presence_of(p, "kela", &online, &free));
	g_assert_cmpint(presence_take(p, "{\"v\":1,\"at\":1,\"providers\":{\"kela\":{\"online\":2,"
					 "\"free\":1},\"te\":{\"online\":0,\"free\":0}}}"),
			==, 0);
	g_assert_true(presence_valid(p));
	g_assert_cmpint(changes, ==, 1);
	g_assert_true(presence_of(p, "kela", &online, &free));
	g_assert_cmpint(online, ==, 2);
	g_assert_cmpint(free, ==, 1);
	g_assert_true(presence_of(p, "te", &online, &free));
	g_assert_cmpint(online, ==, 0);
	g_assert_true(presence_of(p, "vero", &online, &free)); /* not listed: 0/0 */
	g_assert_cmpint(online + free, ==, 0);
	/* The same again (te 0/0 or absent alike): no change. */
	g_assert_cmpint(
	    presence_take(p,
			  "{\"v\":1,\"at\":2,\"providers\":{\"kela\":{\"online\":2,\"free\":1}}}"),
	    ==, 0);
	g_assert_cmpint(changes, ==, 1);
	/* free is never more than online. */
	g_assert_cmpint(
	    presence_take(p,
			  "{\"v\":1,\"at\":3,\"providers\":{\"kela\":{\"online\":1,\"free\":5}}}"),
	    ==, 0);
	g_assert_cmpint(changes, ==, 2);
	g_assert_true(presence_of(p, "kela", &online, &free));
	g_assert_cmpint(free, ==, 1);
	/* Not presence v1: refused (a warning: structured logging, so no
	 * g_test_expect_message), nothing changes. */
	g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
	g_assert_cmpint(presence_take(p, "{\"v\":2,\"providers\":{}}"), ==, -EINVAL);
	g_assert_cmpint(presence_take(p, "not json"), ==, -EINVAL);
	g_assert_cmpint(presence_take(p, "{\"v\":1,\"providers\":[]}"), ==, -EINVAL);
	g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
	g_assert_cmpint(changes, ==, 2);
	g_assert_true(presence_of(p, "kela", &online, &free) && online == 1);
	presence_free(p);
}

static gboolean quit(gpointer loop)
{
	g_main_loop_quit(loop);
	return G_SOURCE_REMOVE;
}

static void quit_on_change(const char *topic, gconstpointer payload, gpointer data)
{
	(void)topic;
	(void)payload;
	g_main_loop_quit(data);
}

static void test_stale_after_valid_s(void)
{
	g_autoptr(Bus) bus = bus_new();
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	struct presence *p = presence_new(1, bus);
	int64_t t0;
	guint guard;
	int online, free;

	g_assert_cmpint(presence_take(p, "{\"v\":1,\"providers\":{\"kela\":{\"online\":1}}}"), ==,
			0);
	bus_subscribe(bus, PRESENCE_TOPIC, quit_on_change, loop);
	t0 = g_get_monotonic_time();
	guard = g_timeout_add_seconds(5, quit, loop);
	g_main_loop_run(loop);
	g_source_remove(guard);
	g_assert_cmpint(g_get_monotonic_time() - t0, >=, 900000);
	g_assert_false(presence_valid(p));
	g_assert_false(presence_of(p, "kela", &online, &free));
	presence_free(p);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/presence/figures-and-changes", test_figures_and_changes);
	g_test_add_func("/presence/stale-after-valid-s", test_stale_after_valid_s);
	return g_test_run();
}
