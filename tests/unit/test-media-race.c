/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * media_tolerate_rtpsession_race(): GLib's own critical for a hash table
 * changed during g_hash_table_foreach, raised on a thread named as
 * GStreamer's RTCP thread, does not abort a run with fatal criticals; the
 * same critical on any other thread, and any other critical on that thread,
 * still do (each in a subprocess: g_test_init makes criticals fatal, as
 * G_DEBUG=fatal-criticals does for vuorod in the tests).
 */
#include <glib.h>
#include <sys/prctl.h>

#include "media.h"

static void add_during_walk(gpointer key, gpointer value, gpointer data)
{
	GHashTable *t = data;

	/* what rtpsession's receiving thread does in the window */
	g_hash_table_insert(t, GINT_TO_POINTER(g_hash_table_size(t) + 100), NULL);
}

static gpointer walk(gpointer data)
{
	const char *name = data;
	g_autoptr(GHashTable) t = g_hash_table_new(NULL, NULL);

	prctl(PR_SET_NAME, name);
	g_hash_table_insert(t, GINT_TO_POINTER(1), NULL);
	g_hash_table_foreach(t, add_during_walk, t);
	return NULL;
}

static gpointer other_critical(gpointer data)
{
	prctl(PR_SET_NAME, "rtpsession-rtcp");
	g_return_val_if_fail(data != NULL, NULL);
	return NULL;
}

static void run_thread(GThreadFunc fn, const char *name)
{
	media_tolerate_rtpsession_race();
	g_thread_join(g_thread_new("walker", fn, (gpointer)name));
}

static void test_rtcp_thread_survives(void)
{
	if (g_test_subprocess()) {
		run_thread(walk, "rtpsession-rtcp");
		return;
	}
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_passed();
	g_test_trap_assert_stderr(
	    "*g_hash_table_foreach: assertion 'version == hash_table->version'*");
}

static void test_other_thread_aborts(void)
{
	if (g_test_subprocess()) {
		run_thread(walk, "vuoro-worker");
		return;
	}
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_failed();
	g_test_trap_assert_stderr("*g_hash_table_foreach: assertion*");
}

static void test_other_critical_aborts(void)
{
	if (g_test_subprocess()) {
		run_thread(other_critical, NULL);
		return;
	}
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_failed();
	g_test_trap_assert_stderr("*data != NULL*");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/media-race/rtcp-thread-survives", test_rtcp_thread_survives);
	g_test_add_func("/media-race/other-thread-aborts", test_other_thread_aborts);
	g_test_add_func("/media-race/other-critical-aborts", test_other_critical_aborts);
	return g_test_run();
}
