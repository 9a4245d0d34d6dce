/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the desk's pipelined group commit (firmware/desk/desk.c) with a
 * real SQLite store in a temporary directory and the main loop turning:
 * commands gathered while a batch is on the writer thread are committed
 * behind it and published and answered in the order the engine ran them; a
 * batch the store refuses fails with the commands gathered behind it, and
 * the engine is the store again; a desk_flush called back from an answer
 * makes everything durable without answering out of order.  Run from the
 * repository root (reads board-config/sim.conf). */
#include <errno.h>
#include <glib.h>
#include <sqlite3.h>

#include "desk-site.h"

struct fixture {
	struct desk_site site;
	struct queue_result res;
	GArray *published; /* ticket ids of queue.issued, in order */
	GArray *answered;  /* ticket ids (0: failed) of the answers, in order */
	guint sub;
	int16_t service;
	gboolean flush_in_answer;
};

struct order {
	struct fixture *f;
	int rc;
	uint32_t ticket;
	gboolean done;
};

static void on_issued(const char *topic, gconstpointer payload, gpointer data)
{
	struct fixture *f = data;
	const struct queue_event *ev = payload;

	if (ev->type == QUEUE_EVENT_ISSUED)
		g_array_append_val(f->published, ev->ticket);
}

static void setup(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	desk_site_open(&f->site, "desk");
	queue_result_init(&f->res);
	/* The engine onto the clock's day (the daily reset runs synchronously). */
	g_assert_cmpint(desk_exec(f->site.desk,
				  &(struct queue_cmd){.type = QUEUE_CMD_TICK, .service = -1},
				  "system", &f->res, &error),
			==, 0);
	f->published = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	f->answered = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	f->sub = bus_subscribe(f->site.bus, "queue.", on_issued, f);
	f->service = (int16_t)config_service_find(f->site.cfg, "guide");
	g_assert_cmpint(f->service, >=, 0);
}

static void teardown(struct fixture *f, gconstpointer data)
{
	desk_free(f->site.desk); /* answers what is pending, heard by on_issued */
	f->site.desk = NULL;
	bus_unsubscribe(f->site.bus, f->sub);
	desk_site_close(&f->site);
	queue_result_free(&f->res);
	g_array_unref(f->published);
	g_array_unref(f->answered);
}

/* Counted on a second connection, as a report reads the file. */
static int count(struct fixture *f, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int n = -1;

	g_assert_cmpint(sqlite3_open_v2(f->site.path, &db, SQLITE_OPEN_READONLY, NULL), ==,
			SQLITE_OK);
	g_assert_cmpint(sqlite3_prepare_v2(db, sql, -1, &st, NULL), ==, SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void sql(struct fixture *f, const char *text)
{
	char *err = NULL;

	if (sqlite3_exec(store_db(f->site.store), text, NULL, NULL, &err) != SQLITE_OK)
		g_error("%s: %s", text, err);
}

static void on_done(int rc, const GError *error, const struct queue_result *res, gpointer data)
{
	struct order *o = data;
	struct fixture *f = o->f;
	uint32_t id = rc == 0 ? res->ticket : 0;

	o->rc = rc;
	o->ticket = res->ticket;
	o->done = TRUE;
	g_array_append_val(f->answered, id);
	if (rc == 0) /* durable before it is answered */
		g_assert_cmpint(count(f, "SELECT COUNT(*) FROM tickets WHERE id = (SELECT MAX(id) "
					 "FROM tickets)"),
				==, 1);
	if (f->flush_in_answer) {
		f->flush_in_answer = FALSE;
		desk_flush(f->site.desk);
	}
}

static void submit(struct fixture *f, struct order *o)
{
	g_autoptr(GError) error = NULL;
	struct queue_cmd cmd = {.type = QUEUE_CMD_ISSUE, .service = f->service, .handed_out = true};

	o->f = f;
	g_assert_cmpint(desk_submit(f->site.desk, &cmd, NULL, &f->res, &error, on_done, o), ==, 0);
	g_assert_no_error(error);
}

/* Turns the loop until the batch gathered so far is on the writer (the
 * idle that hands it over has run). */
static void hand_over(void)
{
	g_main_context_iteration(NULL, FALSE);
}

static void wait_all(struct order *o, guint n)
{
	for (guint i = 0; i < n; i++)
		while (!o[i].done)
			g_main_context_iteration(NULL, TRUE);
}

/* Batches one behind the other: every command answered once, after its
 * commit, in the order the engine ran them, and its event published in that
 * order too. */
static void test_pipelined_order(struct fixture *f, gconstpointer data)
{
	struct order o[12] = {0};

	for (guint i = 0; i < G_N_ELEMENTS(o); i++) {
		submit(f, &o[i]);
		if (i % 3 == 2)
			hand_over();
	}
	wait_all(o, G_N_ELEMENTS(o));
	g_assert_cmpuint(f->answered->len, ==, G_N_ELEMENTS(o));
	g_assert_cmpuint(f->published->len, ==, G_N_ELEMENTS(o));
	for (guint i = 0; i < G_N_ELEMENTS(o); i++) {
		g_assert_cmpint(o[i].rc, ==, 0);
		g_assert_cmpuint(g_array_index(f->answered, uint32_t, i), ==, o[i].ticket);
		g_assert_cmpuint(g_array_index(f->published, uint32_t, i), ==, o[i].ticket);
		if (i)
			g_assert_cmpuint(o[i].ticket, >, o[i - 1].ticket);
	}
	g_assert_cmpint(count(f, "SELECT COUNT(*) FROM tickets"), ==, G_N_ELEMENTS(o));
}

/* A batch the store refuses fails, and so do the commands gathered behind
 * it while it was on the writer: they ran on an engine that held it.  The
 * engine is the store again, and the next command is stored. */
static void test_failed_batch_fails_those_behind(struct fixture *f, gconstpointer data)
{
	struct order first[2] = {0}, behind[2] = {0}, after = {0};
	struct queue_cmd cmd = {.type = QUEUE_CMD_ISSUE, .service = f->service, .handed_out = true};
	g_autoptr(GError) error = NULL;

	sql(f, "PRAGMA query_only = ON");
	submit(f, &first[0]); /* two at once: the desk is busy, the batch */
	submit(f, &first[1]); /* goes to the writer */
	hand_over();
	/* The writer failed (its wake-up is there); the main loop has not
	 * heard yet.  Two more commands run on the engine, then the database
	 * would take them: they must fail all the same. */
	while (!g_main_context_pending(NULL))
		g_usleep(1000);
	submit(f, &behind[0]);
	submit(f, &behind[1]);
	sql(f, "PRAGMA query_only = OFF");
	wait_all(first, 2);
	wait_all(behind, 2);
	g_assert_cmpint(first[0].rc, ==, -EROFS);
	g_assert_cmpint(first[1].rc, ==, -EROFS);
	g_assert_cmpint(behind[0].rc, ==, -EROFS);
	g_assert_cmpint(behind[1].rc, ==, -EROFS);
	g_assert_cmpuint(f->published->len, ==, 0);
	g_assert_cmpint(count(f, "SELECT COUNT(*) FROM tickets"), ==, 0);
	g_assert_null(queue_ticket_get(desk_queue(f->site.desk), first[0].ticket));
	g_assert_null(queue_ticket_get(desk_queue(f->site.desk), first[1].ticket));
	g_assert_null(queue_ticket_get(desk_queue(f->site.desk), behind[0].ticket));
	g_assert_null(queue_ticket_get(desk_queue(f->site.desk), behind[1].ticket));

	/* The rebuilt engine takes the next command the synchronous way (its
	 * day starts again), then the group commit again. */
	g_assert_cmpint(desk_exec(f->site.desk, &cmd, NULL, &f->res, &error), ==, 0);
	g_assert_nonnull(queue_ticket_get(desk_queue(f->site.desk), f->res.ticket));
	submit(f, &after);
	wait_all(&after, 1);
	g_assert_cmpint(after.rc, ==, 0);
	g_assert_cmpint(count(f, "SELECT COUNT(*) FROM tickets"), ==, 2);
	g_assert_nonnull(queue_ticket_get(desk_queue(f->site.desk), after.ticket));
}

/* desk_flush from an answer (a handler that reads the store next) makes
 * the batch behind durable at once, but its answers still come after the
 * rest of the batch being answered. */
static void test_flush_from_an_answer(struct fixture *f, gconstpointer data)
{
	struct order o[4] = {0};

	submit(f, &o[0]);
	submit(f, &o[1]);
	hand_over();
	submit(f, &o[2]);
	submit(f, &o[3]);
	f->flush_in_answer = TRUE;
	wait_all(o, G_N_ELEMENTS(o));
	g_assert_false(f->flush_in_answer);
	for (guint i = 0; i < G_N_ELEMENTS(o); i++) {
		g_assert_cmpint(o[i].rc, ==, 0);
		g_assert_cmpuint(g_array_index(f->answered, uint32_t, i), ==, o[i].ticket);
		g_assert_cmpuint(g_array_index(f->published, uint32_t, i), ==, o[i].ticket);
	}
}

/* desk_free answers what is on the writer and what is pending. */
static void test_free_answers_everything(struct fixture *f, gconstpointer data)
{
	struct order o[4] = {0};

	submit(f, &o[0]);
	submit(f, &o[1]);
	hand_over();
	submit(f, &o[2]);
	submit(f, &o[3]);
	desk_free(f->site.desk);
	f->site.desk = NULL;
	for (guint i = 0; i < G_N_ELEMENTS(o); i++) {
		g_assert_true(o[i].done);
		g_assert_cmpint(o[i].rc, ==, 0);
	}
	g_assert_cmpint(count(f, "SELECT COUNT(*) FROM tickets"), ==, 4);
}

/* The loop's own store calls while a batch is on the writer (a manager
 * saves the feedback question, an API action writes its audit row): each
 * holds the connection from its first statement to its last, so neither
 * the writer's transaction nor the loop's runs inside the other's, and the
 * shared cached statements (the audit insert) carry their own values. */
static void test_store_calls_beside_the_writer(struct fixture *f, gconstpointer data)
{
	enum {
		ROUNDS = 200
	};
	g_autofree struct order *o = g_new0(struct order, 2 * ROUNDS);

	for (guint i = 0; i < ROUNDS; i++) {
		g_autofree char *texts = g_strdup_printf("{\"fi\":\"Kysymys %u?\"}", i);
		g_autofree char *detail = g_strdup_printf("{\"round\":%u}", i);
		const struct store_audit audit = {
		    .at = MON_1000, .user = "maija", .command = "main", .detail = detail};
		const struct store_audit asked = {
		    .at = MON_1000, .user = "maija", .command = "question", .detail = texts};
		g_autoptr(GError) error = NULL;

		submit(f, &o[2 * i]);
		submit(f, &o[2 * i + 1]);
		hand_over(); /* the writer takes them; the loop goes on at once */
		g_assert_cmpint(store_feedback_question_set(f->site.store, texts, MON_1000, "maija",
							    &asked, &error),
				==, 0);
		g_assert_no_error(error);
		g_assert_cmpint(store_audit_add(f->site.store, &audit, &error), ==, 0);
		g_assert_no_error(error);
		wait_all(&o[2 * i], 2);
	}
	for (guint i = 0; i < 2 * ROUNDS; i++)
		g_assert_cmpint(o[i].rc, ==, 0);
	g_assert_cmpint(count(f, "SELECT COUNT(*) FROM tickets"), ==, 2 * ROUNDS);
	g_assert_cmpint(count(f, "SELECT COUNT(*) FROM feedback_questions"), ==, ROUNDS);
	g_assert_cmpint(count(f, "SELECT COUNT(DISTINCT detail) FROM audit WHERE command = 'main'"),
			==, ROUNDS);
	g_assert_cmpint(count(f, "SELECT COUNT(*) FROM audit WHERE command = 'issue'"), ==,
			2 * ROUNDS);
}

/* A quiet desk: a lone command commits and is answered in the loop
 * iteration that ran it, without the writer; two in one iteration make
 * the desk busy, and that batch is answered only once the writer has
 * committed it; a lone one right after still goes to the writer. */
static void test_quiet_commits_on_the_loop(struct fixture *f, gconstpointer data)
{
	struct order lone = {0}, two[2] = {0}, next = {0};

	submit(f, &lone);
	hand_over();
	g_assert_true(lone.done);
	g_assert_cmpint(lone.rc, ==, 0);

	submit(f, &two[0]);
	submit(f, &two[1]);
	hand_over();
	g_assert_false(two[0].done); /* on the writer */
	submit(f, &next);
	wait_all(two, 2);
	wait_all(&next, 1);
	g_assert_cmpint(two[0].rc, ==, 0);
	g_assert_cmpint(next.rc, ==, 0);
	g_assert_cmpint(count(f, "SELECT COUNT(*) FROM tickets"), ==, 4);
	for (guint i = 0; i < 4; i++)
		g_assert_cmpuint(g_array_index(f->published, uint32_t, i), ==,
				 g_array_index(f->answered, uint32_t, i));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, fn) g_test_add("/desk/" name, struct fixture, NULL, setup, fn, teardown)
	ADD("pipelined-order", test_pipelined_order);
	ADD("failed-batch-fails-those-behind", test_failed_batch_fails_those_behind);
	ADD("flush-from-an-answer", test_flush_from_an_answer);
	ADD("free-answers-everything", test_free_answers_everything);
	ADD("store-calls-beside-the-writer", test_store_calls_beside_the_writer);
	ADD("quiet-commits-on-the-loop", test_quiet_commits_on_the_loop);
	return g_test_run();
}
