/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * selfcheck: proves make test-tsan can fail, and that it sees GLib's locks.
 *   tsan-selfcheck race    two threads write one counter unlocked: TSan
 *                          must report it (exit 66)
 *   tsan-selfcheck locked  the same under a GMutex, a GTask worker and an
 *                          idle source back to the main loop: 0 reports
 * On Debian's own GLib (futex locks TSan cannot see) "locked" reports races
 * as well: then the TSan-built GLib was not loaded (tests/tsan/build-libs.sh).
 */
#include <gio/gio.h>
#include <string.h>

struct shared {
	GMutex lock;
	int counter;
	gboolean use_lock;
	GMainLoop *loop;
	char *result;
};

static void bump(struct shared *s)
{
	if (s->use_lock)
		g_mutex_lock(&s->lock);
	s->counter++;
	if (s->use_lock)
		g_mutex_unlock(&s->lock);
}

static gpointer bumper(gpointer data)
{
	for (int i = 0; i < 1000; i++)
		bump(data);
	return NULL;
}

/* A GTask worker writes a plain field; the main loop reads it after the
 * task's result came back: ordered only through GLib's thread pool and
 * main-context locks. */
static void task_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancel)
{
	struct shared *s = data;

	s->result = g_strdup("from the worker");
	g_task_return_boolean(task, TRUE);
}

static void task_done(GObject *source, GAsyncResult *res, gpointer data)
{
	struct shared *s = data;

	g_assert_true(g_task_propagate_boolean(G_TASK(res), NULL));
	g_assert_cmpstr(s->result, ==, "from the worker");
	g_main_loop_quit(s->loop);
}

int main(int argc, char **argv)
{
	struct shared s = {.use_lock = argc > 1 && strcmp(argv[1], "locked") == 0};
	GThread *t;
	GTask *task;

	if (argc != 2 || (!s.use_lock && strcmp(argv[1], "race") != 0)) {
		g_printerr("usage: tsan-selfcheck race|locked\n");
		return 2;
	}
	g_mutex_init(&s.lock);
	t = g_thread_new("bumper", bumper, &s);
	bumper(&s);
	g_thread_join(t);
	s.loop = g_main_loop_new(NULL, FALSE);
	task = g_task_new(NULL, NULL, task_done, &s);
	g_task_set_task_data(task, &s, NULL);
	g_task_run_in_thread(task, task_thread);
	g_object_unref(task);
	g_main_loop_run(s.loop);
	g_main_loop_unref(s.loop);
	g_free(s.result);
	g_mutex_clear(&s.lock);
	g_print("counter %d\n", s.counter);
	return 0;
}
