/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of firmware/store.c against SQLite itself: schema versions and
 * migration from every earlier one, the engine's results committed and
 * loaded back into a new engine, refusals, users, tokens, appointments,
 * backup.  Run from the repository root (reads board-config/sim.conf). */
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

struct fixture {
	char *dir;
	char *path;
	struct config *cfg;
};

static void setup(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	f->dir = g_dir_make_tmp("vuoro-test-store-XXXXXX", &error);
	g_assert_no_error(error);
	f->path = g_build_filename(f->dir, "vuoro.db", NULL);
	f->cfg = config_load("board-config/sim.conf", &error);
	g_assert_no_error(error);
}

static void rm_rf(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *p = g_build_filename(dir, name, NULL);

		g_unlink(p);
	}
	g_rmdir(dir);
}

static void teardown(struct fixture *f, gconstpointer data)
{
	rm_rf(f->dir);
	g_free(f->dir);
	g_free(f->path);
	config_free(f->cfg);
}

static int user_version(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int v = -1;

	g_assert_cmpint(sqlite3_open(path, &db), ==, SQLITE_OK);
	sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void sql(const char *path, const char *text)
{
	sqlite3 *db = NULL;
	char *err = NULL;

	g_assert_cmpint(sqlite3_open(path, &db), ==, SQLITE_OK);
	if (sqlite3_exec(db, text, NULL, NULL, &err) != SQLITE_OK)
		g_error("%s: %s", text, err);
	sqlite3_close(db);
}

/* The one integer @query answers. */
static int count(const char *path, const char *query)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int n = -1;

	g_assert_cmpint(sqlite3_open(path, &db), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_prepare_v2(db, query, -1, &st, NULL), ==, SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void test_create(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) s = store_open(f->path, f->cfg, &error);
	g_autofree char *report = NULL;

	g_assert_no_error(error);
	g_assert_cmpint(store_integrity_check(s, &report, &error), ==, 0);
	g_assert_cmpstr(report, ==, "ok");
	g_clear_pointer(&s, store_free);
	g_assert_cmpint(user_version(f->path), ==, STORE_SCHEMA_VERSION);
}

/* A database of every earlier version, with rows, opens and keeps them. */
static void test_migrations(struct fixture *f, gconstpointer data)
{
	for (int from = 1; from < STORE_SCHEMA_VERSION; from++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(Store) s = NULL;
		struct queue_ticket t;
		g_autofree char *role = NULL;

		g_unlink(f->path);
		for (int v = 1; v <= from; v++)
			sql(f->path, store_migration_sql(v));
		sql(f->path,
		    "INSERT INTO users (name, role, hash, created_at) VALUES ('old', 'advisor', "
		    "'h', 1);"
		    "INSERT INTO tickets (id, day, service, origin, number, code, ref, "
		    "state, lang, issued_at, queued_at) VALUES (7, 20000, 'tax', 'tax', 3, "
		    "'V003', 'ref7', 'waiting', 'sv', 100, 100);");
		{
			g_autofree char *pragma = g_strdup_printf("PRAGMA user_version = %d", from);

			sql(f->path, pragma);
		}
		s = store_open(f->path, f->cfg, &error);
		g_assert_no_error(error);
		g_assert_cmpint(user_version(f->path), ==, STORE_SCHEMA_VERSION);
		g_assert_cmpint(store_user_get(s, "old", &role, NULL, &error), ==, 0);
		g_assert_cmpstr(role, ==, "advisor");
		g_assert_cmpint(store_ticket_get(s, f->cfg, 7, &t, &error), ==, 0);
		g_assert_cmpstr(t.code, ==, "V003");
		g_assert_cmpint(t.lang, ==, config_lang_parse(f->cfg, "sv"));
	}
}

static void test_refuses_newer_and_corrupt(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) s = NULL;

	sql(f->path, "PRAGMA user_version = 99");
	s = store_open(f->path, f->cfg, &error);
	g_assert_null(s);
	g_assert_nonnull(strstr(error->message, "newer than this vuorod"));
	g_clear_error(&error);
	g_unlink(f->path);
	g_assert_true(
	    g_file_set_contents(f->path, "this is not a database, it is a note", -1, NULL));
	s = store_open(f->path, f->cfg, &error);
	g_assert_null(s);
	g_assert_nonnull(strstr(error->message, "damaged or not a vuoro database"));
}

static void run(struct queue *q, struct store *s, const struct config *cfg,
		struct queue_result *res, struct queue_cmd cmd, const struct queue_time *t)
{
	g_autoptr(GError) error = NULL;
	struct store_audit audit = {.at = t->now, .user = "test", .command = "x"};

	g_assert_cmpint(queue_exec(q, &cmd, t, res), ==, 0);
	g_assert_cmpint(store_result_commit(s, cfg, res, &audit, &error), ==, 0);
	g_assert_no_error(error);
}

/* Engine → store → a new engine: the same queue, numbering goes on. */
static void test_round_trip(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) s = store_open(f->path, f->cfg, &error);
	g_autoptr(Queue) q = queue_new(f->cfg);
	g_autoptr(Queue) q2 = NULL;
	g_autoptr(GArray) ghosts = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	struct queue_result res;
	struct queue_time t;
	struct queue_ticket got;
	const struct queue_ticket *live;
	int tax = config_service_find(f->cfg, "tax");
	uint32_t a, b, ghost;

	queue_result_init(&res);
	queue_time_make(&t, 1795420800, 20780, 0, 9 * 60, 180);
	run(q, s, f->cfg, &res,
	    (struct queue_cmd){.type = QUEUE_CMD_ISSUE,
			       .service = tax,
			       .handed_out = true,
			       .ref = "ra",
			       .lang = 2},
	    &t);
	a = res.ticket;
	run(q, s, f->cfg, &res,
	    (struct queue_cmd){
		.type = QUEUE_CMD_ISSUE, .service = tax, .handed_out = true, .ref = "rb"},
	    &t);
	b = res.ticket;
	run(q, s, f->cfg, &res,
	    (struct queue_cmd){.type = QUEUE_CMD_ISSUE, .service = tax, .ref = "rc"}, &t);
	ghost = res.ticket;
	run(q, s, f->cfg, &res,
	    (struct queue_cmd){
		.type = QUEUE_CMD_OPEN, .counter = 2, .user = "anna", .profile = "tax:2,guide"},
	    &t);
	t.now += 60;
	run(q, s, f->cfg, &res, (struct queue_cmd){.type = QUEUE_CMD_CALL, .counter = 2}, &t);
	t.now += 300;
	run(q, s, f->cfg, &res,
	    (struct queue_cmd){.type = QUEUE_CMD_END,
			       .counter = 2,
			       .channel = QUEUE_CHANNEL_PAPER_FORM,
			       .outcome = QUEUE_OUTCOME_REFERRED},
	    &t);
	run(q, s, f->cfg, &res, (struct queue_cmd){.type = QUEUE_CMD_CALL, .counter = 2}, &t);
	g_assert_cmpuint(res.ticket, ==, b);

	g_assert_cmpint(store_ticket_get(s, f->cfg, a, &got, &error), ==, 0);
	g_assert_cmpint(got.state, ==, QUEUE_DONE);
	g_assert_cmpint(got.channel, ==, QUEUE_CHANNEL_PAPER_FORM);
	g_assert_cmpint(got.outcome, ==, QUEUE_OUTCOME_REFERRED);
	g_assert_cmpint(got.lang, ==, config_lang_parse(f->cfg, "en"));
	g_assert_cmpint(store_ticket_by_ref(s, f->cfg, "rb", &got, &error), ==, 0);
	g_assert_cmpuint(got.id, ==, b);
	g_assert_cmpint(store_ticket_by_ref(s, f->cfg, "nope", &got, &error), ==, -ENOENT);
	g_clear_error(&error);

	q2 = queue_new(f->cfg);
	g_assert_cmpint(store_queue_load(s, f->cfg, q2, t.day, ghosts, &error), ==, 0);
	g_assert_cmpuint(ghosts->len, ==, 1);
	g_assert_cmpuint(g_array_index(ghosts, uint32_t, 0), ==, ghost);
	g_assert_null(queue_ticket_get(q2, ghost));
	live = queue_ticket_get(q2, b);
	g_assert_nonnull(live);
	g_assert_cmpint(live->state, ==, QUEUE_CALLED);
	g_assert_cmpint(live->counter, ==, 2);
	g_assert_cmpuint(queue_counter_get(q2, 2)->ticket, ==, b);
	g_assert_cmpstr(queue_counter_get(q2, 2)->user, ==, "anna");
	g_assert_cmpint(queue_counter_get(q2, 2)->profile[0].weight, ==, 2);
	g_assert_cmpint(queue_day(q2), ==, t.day);
	/* Numbering goes on after the restart: V004. */
	g_assert_cmpint(
	    queue_exec(q2,
		       &(struct queue_cmd){.type = QUEUE_CMD_ISSUE, .service = tax, .ref = "rd"},
		       &t, &res),
	    ==, 0);
	g_assert_cmpstr(g_array_index(res.tickets, struct queue_ticket, 0).code, ==, "V004");
	g_assert_cmpuint(res.ticket, >, ghost);
	{
		struct queue_service_status st;

		queue_service_status(q2, tax, &t, &st);
		g_assert_cmpint(st.wait_s, ==, 0); /* nobody else waits */
	}
	queue_result_free(&res);
}

/* A transaction that breaks a constraint stores nothing of itself. */
static void test_constraint_rolls_back(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) s = store_open(f->path, f->cfg, &error);
	struct queue_result res;
	struct queue_ticket t1 = {.id = 1,
				  .day = 5,
				  .service = 0,
				  .origin = 0,
				  .number = 1,
				  .code = "A001",
				  .ref = "x1",
				  .state = QUEUE_WAITING};
	struct queue_ticket t2 = t1;
	struct queue_ticket got;

	queue_result_init(&res);
	t2.id = 2;
	t2.number = 2;
	g_strlcpy(t2.ref, "x2", sizeof(t2.ref));
	g_array_append_val(res.tickets, t2);
	g_array_append_val(res.tickets, t1);
	g_assert_cmpint(store_result_commit(s, f->cfg, &res, NULL, &error), ==, 0);
	queue_result_clear(&res);
	t1.id = 3;
	t1.number = 3;
	g_strlcpy(t1.ref, "x3", sizeof(t1.ref));
	g_array_append_val(res.tickets, t1); /* fine */
	t1.id = 4;
	t1.number = 1; /* A001 again on day 5 */
	g_strlcpy(t1.ref, "x4", sizeof(t1.ref));
	g_array_append_val(res.tickets, t1);
	g_assert_cmpint(store_result_commit(s, f->cfg, &res, NULL, &error), ==, -EEXIST);
	g_clear_error(&error);
	g_assert_cmpint(store_ticket_get(s, f->cfg, 3, &got, &error), ==, -ENOENT);
	g_clear_error(&error);
	/* The connection is still usable. */
	queue_result_clear(&res);
	t1.number = 9;
	g_array_append_val(res.tickets, t1);
	store_result_commit(s, f->cfg, &res, NULL, &error);
	g_assert_no_error(error);
	queue_result_free(&res);
}

static void count_user(const char *name, const char *role, void *data)
{
	(*(int *)data)++;
}

static void test_users_tokens(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) s = store_open(f->path, NULL, &error);
	g_autofree char *user = NULL;
	g_autofree char *role = NULL;
	int n = 0;

	g_assert_cmpint(store_user_put(s, "anna", "advisor", "h1", 10, &error), ==, 0);
	g_assert_cmpint(store_user_put(s, "tech", "technician", "h2", 10, &error), ==, 0);
	g_assert_cmpint(store_user_foreach(s, count_user, &n, &error), ==, 2);
	g_assert_cmpint(n, ==, 2);
	g_assert_cmpint(store_token_put(s, "t1", "anna", 1000, &error), ==, 0);
	g_assert_cmpint(store_token_get(s, "t1", 999, &user, &role, &error), ==, 0);
	g_assert_cmpstr(user, ==, "anna");
	g_assert_cmpstr(role, ==, "advisor");
	g_assert_cmpint(store_token_get(s, "t1", 1000, NULL, NULL, &error), ==, -ENOENT);
	g_clear_error(&error);
	/* A new password ends the old logins. */
	g_assert_cmpint(store_token_put(s, "t2", "anna", 5000, &error), ==, 0);
	g_assert_cmpint(store_user_set_hash(s, "anna", "h3", &error), ==, 0);
	g_assert_cmpint(store_token_get(s, "t2", 10, NULL, NULL, &error), ==, -ENOENT);
	g_clear_error(&error);
	g_assert_cmpint(store_user_set_hash(s, "nobody", "h", &error), ==, -ENOENT);
	g_clear_error(&error);
	g_assert_cmpint(store_token_put(s, "t4", "tech", 5000, &error), ==, 0);
	g_assert_cmpint(store_token_delete(s, "t4", &error), ==, 0);
	g_assert_cmpint(store_token_get(s, "t4", 10, NULL, NULL, &error), ==, -ENOENT);
}

static void collect_code(const struct store_appointment *a, void *data)
{
	g_ptr_array_add(data, g_strdup(a->code));
}

static void test_appointments(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) s = store_open(f->path, f->cfg, &error);
	g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func(g_free);
	struct store_appointment a = {.code = g_strdup("ABC234"),
				      .service = (int16_t)config_service_find(f->cfg, "te-video"),
				      .at = 5000,
				      .duration_min = 30,
				      .staff = g_strdup("eero"),
				      .source = g_strdup("api")};
	struct store_appointment b = {0};

	g_assert_cmpint(store_appointment_add(s, f->cfg, &a, &error), ==, 0);
	g_assert_cmpuint(a.id, >, 0);
	g_assert_cmpint(store_appointment_add(s, f->cfg, &a, &error), ==, -EEXIST);
	g_assert_nonnull(strstr(error->message, "ABC234"));
	g_clear_error(&error);
	g_assert_cmpint(store_appointment_by_code(s, f->cfg, "abc234", &b, &error), ==, 0);
	g_assert_cmpstr(b.staff, ==, "eero");
	g_assert_cmpint(b.state, ==, STORE_APPOINTMENT_BOOKED);
	g_assert_cmpint(store_appointment_arrive(s, b.id, 42, &error), ==, 0);
	store_appointment_clear(&b);
	g_assert_cmpint(store_appointment_by_code(s, f->cfg, "ABC234", &b, &error), ==, 0);
	g_assert_cmpint(b.state, ==, STORE_APPOINTMENT_ARRIVED);
	g_assert_cmpuint(b.ticket, ==, 42);
	g_assert_cmpint(store_appointment_foreach(s, f->cfg, 0, 10000, collect_code, codes, &error),
			==, 1);
	g_assert_cmpint(
	    store_appointment_foreach(s, f->cfg, 5001, 10000, collect_code, codes, &error), ==, 0);
	g_assert_cmpint(store_appointment_by_code(s, f->cfg, "NOPE22", &b, &error), ==, -ENOENT);
	store_appointment_clear(&a);
	store_appointment_clear(&b);
}

static struct store_appointment booth_booking(const struct config *cfg, const char *code, int booth,
					      int64_t at, int minutes)
{
	return (struct store_appointment){.code = g_strdup(code),
					  .service = (int16_t)config_service_find(cfg, "te-video"),
					  .at = at,
					  .duration_min = minutes,
					  .booth = booth,
					  .source = g_strdup("api")};
}

/* A booth cannot be booked twice for overlapping times; touching slots,
 * another booth, a cancelled booking and bookings without a booth pass. */
static void test_booth_overlap(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) s = store_open(f->path, f->cfg, &error);
	const int64_t nine = 1795417200; /* 2026-11-23 09:00 Helsinki */
	struct store_appointment a = booth_booking(f->cfg, "BOOTH1", 4, nine + 1800, 30);
	struct store_appointment b = booth_booking(f->cfg, "BOOTH2", 4, nine + 2400, 20);
	struct store_appointment c = booth_booking(f->cfg, "BOOTH3", 4, nine + 3600, 30);
	struct store_appointment d = booth_booking(f->cfg, "BOOTH4", 5, nine + 2700, 30);
	struct store_appointment e = booth_booking(f->cfg, "BOOTH5", 0, nine + 1800, 30);
	struct store_appointment g = {0};
	g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func(g_free);

	g_assert_cmpint(store_appointment_add(s, f->cfg, &a, &error), ==, 0);
	g_assert_cmpint(store_appointment_add(s, f->cfg, &b, &error), ==, -EBUSY);
	g_assert_cmpstr(error->message, ==,
			"booth 4 is booked 23.11. 09:30–10:00 — pick another time or booth");
	g_clear_error(&error);
	g_assert_cmpuint(b.id, ==, 0);
	/* Nothing of the refused one was kept, and the store still writes. */
	g_assert_cmpint(store_appointment_by_code(s, f->cfg, "BOOTH2", &g, &error), ==, -ENOENT);
	g_clear_error(&error);
	g_assert_cmpint(store_appointment_add(s, f->cfg, &c, &error), ==, 0); /* 10:00, touches */
	g_assert_cmpint(store_appointment_add(s, f->cfg, &d, &error), ==, 0); /* booth 5 */
	g_assert_cmpint(store_appointment_add(s, f->cfg, &e, &error), ==, 0); /* no booth */
	g_assert_cmpint(store_appointment_get(s, f->cfg, a.id, &g, &error), ==, 0);
	g_assert_cmpint(g.booth, ==, 4);
	store_appointment_clear(&g);
	/* Cancelled frees the slot; cancelling twice says so. */
	g_assert_cmpint(store_appointment_cancel(s, a.id, &error), ==, 0);
	g_assert_cmpint(store_appointment_cancel(s, a.id, &error), ==, -ESTALE);
	g_clear_error(&error);
	g_assert_cmpint(store_appointment_cancel(s, 9999, &error), ==, -ENOENT);
	g_clear_error(&error);
	g_assert_cmpint(store_appointment_add(s, f->cfg, &b, &error), ==, 0);
	g_assert_no_error(error);
	g_assert_cmpint(
	    store_appointment_foreach(s, f->cfg, nine, nine + 7200, collect_code, codes, &error),
	    ==, 5);
	store_appointment_clear(&a);
	store_appointment_clear(&b);
	store_appointment_clear(&c);
	store_appointment_clear(&d);
	store_appointment_clear(&e);
}

/* A version 15 database (before the reports' covering indexes) upgrades:
 * its visits, tickets, feedback and audit rows stay, the reports' indexes
 * are there and the ones they replace are gone, and the file checks out. */
static void test_migration_report_indexes(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) s = NULL;
	g_autofree char *report = NULL;

	for (int v = 1; v <= 15; v++)
		sql(f->path, store_migration_sql(v));
	sql(f->path,
	    "INSERT INTO tickets (id, day, service, origin, number, code, ref, state, lang, "
	    "issued_at, queued_at) VALUES (1, 20000, 'tax', 'tax', 1, 'V001', 'r1', 'done', "
	    "'fi', 100, 100), (2, 20000, 'tax', 'tax', 2, 'V002', 'r2', 'voided', 'fi', 200, "
	    "200);"
	    "INSERT INTO visits (ticket, day, service, provider, code, channel, outcome, lang, "
	    "issued_at, called_at, started_at, ended_at, category) VALUES (1, 20000, 'tax', "
	    "'vero', 'V001', 'in_person', 'resolved', 'fi', 100, 160, 170, 400, 'tax-card');"
	    "INSERT INTO feedback (ticket, day, provider, rating, source, at) VALUES (1, 20000, "
	    "'vero', 5, 'kiosk', 500);"
	    "INSERT INTO audit (at, user, command, detail) VALUES (50, 'a', 'open', "
	    "'{\"counter\": 1}'), (60, 'a', 'issue', '{}'), (900, 'a', 'close', "
	    "'{\"counter\": 1}');"
	    "PRAGMA user_version = 15;");
	s = store_open(f->path, f->cfg, &error);
	g_assert_no_error(error);
	g_assert_cmpint(user_version(f->path), ==, STORE_SCHEMA_VERSION);
	g_assert_cmpint(store_integrity_check(s, &report, &error), ==, 0);
	g_assert_cmpstr(report, ==, "ok");
	g_clear_pointer(&s, store_free);
	g_assert_cmpint(count(f->path, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' "
				       "AND name IN ('visits_report', 'tickets_arrivals', "
				       "'tickets_voided', 'audit_open_close', 'feedback_report')"),
			==, 5);
	g_assert_cmpint(count(f->path, "SELECT count(*) FROM sqlite_schema WHERE name IN "
				       "('visits_day', 'audit_counter_at', 'feedback_day')"),
			==, 0);
	g_assert_cmpint(count(f->path, "SELECT count(*) FROM tickets"), ==, 2);
	g_assert_cmpint(count(f->path, "SELECT count(*) FROM visits WHERE provider = 'vero' AND "
				       "category = 'tax-card' AND ended_at = 400"),
			==, 1);
	g_assert_cmpint(count(f->path, "SELECT count(*) FROM feedback WHERE rating = 5"), ==, 1);
	g_assert_cmpint(count(f->path, "SELECT count(*) FROM audit"), ==, 3);
	/* the rows are in the new indexes too (read through them alone) */
	g_assert_cmpint(count(f->path, "SELECT count(*) FROM audit INDEXED BY audit_open_close "
				       "WHERE command IN ('open', 'close')"),
			==, 2);
	g_assert_cmpint(count(f->path, "SELECT count(*) FROM tickets INDEXED BY tickets_arrivals "
				       "WHERE day = 20000"),
			==, 2);
	g_assert_cmpint(count(f->path, "SELECT count(*) FROM tickets INDEXED BY tickets_voided "
				       "WHERE day = 20000 AND state = 'voided'"),
			==, 1);
}

/* A version 8 database's appointments stay, with no booth. */
static void test_migration_keeps_appointments(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) s = NULL;
	struct store_appointment a = {0};

	for (int v = 1; v <= 8; v++)
		sql(f->path, store_migration_sql(v));
	sql(f->path, "INSERT INTO appointments (code, service, at, duration_min, staff, name, "
		     "source, state) VALUES ('OLD234', 'te-video', 5000, 45, 'eero', 'Aino', "
		     "'csv', 'booked'); PRAGMA user_version = 8;");
	s = store_open(f->path, f->cfg, &error);
	g_assert_no_error(error);
	g_assert_cmpint(user_version(f->path), ==, STORE_SCHEMA_VERSION);
	g_assert_cmpint(store_appointment_by_code(s, f->cfg, "OLD234", &a, &error), ==, 0);
	g_assert_cmpint(a.at, ==, 5000);
	g_assert_cmpint(a.duration_min, ==, 45);
	g_assert_cmpstr(a.name, ==, "Aino");
	g_assert_cmpint(a.booth, ==, 0);
	g_assert_cmpint(a.state, ==, STORE_APPOINTMENT_BOOKED);
	store_appointment_clear(&a);
	/* the file as it was, kept beside it before the migration */
	{
		g_autofree char *kept = g_strdup_printf("%s.schema-8.bak", f->path);
		g_autofree char *again =
		    g_strdup_printf("%s.schema-%d.bak", f->path, STORE_SCHEMA_VERSION);

		g_assert_true(g_file_test(kept, G_FILE_TEST_IS_REGULAR));
		g_assert_cmpint(user_version(kept), ==, 8);
		g_assert_cmpint(count(kept,
				      "SELECT count(*) FROM appointments WHERE code = 'OLD234' "
				      "AND name = 'Aino'"),
				==, 1);
		/* a database already at this version is opened without a copy */
		g_clear_pointer(&s, store_free);
		s = store_open(f->path, f->cfg, &error);
		g_assert_no_error(error);
		g_assert_false(g_file_test(again, G_FILE_TEST_EXISTS));
	}
}

/* The copies before migrations: the three newest stay, whatever else is
 * beside the database stays. */
static void test_migration_copies_pruned(struct fixture *f, gconstpointer data)
{
	static const char *const before[] = {"schema-2.bak", "schema-5.bak", "schema-7.bak",
					     "schema-3.bak.keep", "schema-x.bak"};
	static const struct {
		const char *suffix;
		gboolean stays;
	} after[] = {{"schema-2.bak", FALSE}, {"schema-3.bak.keep", TRUE}, {"schema-5.bak", TRUE},
		     {"schema-7.bak", TRUE},  {"schema-8.bak", TRUE},      {"schema-x.bak", TRUE}};
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) s = NULL;

	for (guint i = 0; i < G_N_ELEMENTS(before); i++) {
		g_autofree char *p = g_strdup_printf("%s.%s", f->path, before[i]);

		g_assert_true(g_file_set_contents(p, "an older copy", -1, NULL));
	}
	for (int v = 1; v <= 8; v++)
		sql(f->path, store_migration_sql(v));
	sql(f->path, "PRAGMA user_version = 8;");
	s = store_open(f->path, f->cfg, &error);
	g_assert_no_error(error);
	for (guint i = 0; i < G_N_ELEMENTS(after); i++) {
		g_autofree char *p = g_strdup_printf("%s.%s", f->path, after[i].suffix);

		if (g_file_test(p, G_FILE_TEST_EXISTS) != after[i].stays)
			g_error("%s: expected %s", p, after[i].stays ? "kept" : "removed");
	}
	g_assert_true(g_file_test(f->path, G_FILE_TEST_IS_REGULAR));
}

static void test_backup(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) s = store_open(f->path, f->cfg, &error);
	g_autoptr(Store) copy = NULL;
	g_autofree char *dest = g_build_filename(f->dir, "backup.db", NULL);
	g_autofree char *role = NULL;

	g_assert_cmpint(store_user_put(s, "anna", "advisor", "h1", 10, &error), ==, 0);
	g_assert_cmpint(store_backup(s, dest, &error), ==, 0);
	g_assert_cmpint(store_backup(s, dest, &error), ==, -EEXIST);
	g_clear_error(&error);
	copy = store_open(dest, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpint(store_user_get(copy, "anna", &role, NULL, &error), ==, 0);
	g_assert_cmpstr(role, ==, "advisor");
}

static void count_notify(void *data)
{
	(*(int *)data)++;
}

static void collect_row(const struct store_outbox_row *row, void *data)
{
	g_array_append_val((GArray *)data, row->seq);
	g_assert_cmpstr(row->kind, ==, "fault.raised");
	g_assert_nonnull(strstr(row->body, "\"printer\""));
}

/* The uplink's side of the outbox: unsent rows in seq order from a seq on,
 * marked sent, the backlog. */
static void test_outbox_unsent(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) s = NULL;
	g_autoptr(GArray) seqs = g_array_new(FALSE, FALSE, sizeof(int64_t));
	int64_t first = 0, n = 0, oldest = 0, sent[] = {1, 2}, rest[] = {3, 4, 5, 2};
	int notified = 0;

	f->cfg->uplink = true;
	s = store_open(f->path, f->cfg, &error);
	g_assert_no_error(error);
	store_outbox_set_notify(s, count_notify, &notified);
	g_assert_cmpint(store_outbox_first_unsent(s, &first, &error), ==, 0);
	g_assert_cmpint(first, ==, 1);
	for (int i = 0; i < 5; i++)
		g_assert_cmpint(
		    store_outbox_fault(s, "printer", "paper_out", true, 1000 + i, &error), ==, 0);
	g_assert_cmpint(notified, ==, 5);
	g_assert_cmpint(store_outbox_unsent(s, 1, 3, collect_row, seqs, &error), ==, 3);
	g_assert_cmpint(g_array_index(seqs, int64_t, 0), ==, 1);
	g_assert_cmpint(g_array_index(seqs, int64_t, 2), ==, 3);
	g_assert_cmpint(store_outbox_mark_sent(s, sent, 2, 2000, &error), ==, 0);
	g_assert_cmpint(store_outbox_first_unsent(s, &first, &error), ==, 0);
	g_assert_cmpint(first, ==, 3);
	g_assert_cmpint(store_outbox_backlog(s, 1, &n, &oldest, &error), ==, 0);
	g_assert_cmpint(n, ==, 3);
	g_assert_cmpint(oldest, ==, 1002);
	g_array_set_size(seqs, 0);
	g_assert_cmpint(store_outbox_unsent(s, 1, 10, collect_row, seqs, &error), ==, 3);
	g_assert_cmpint(g_array_index(seqs, int64_t, 0), ==, 3);
	/* A row marked twice (a Duplicate ack) keeps its first time. */
	g_assert_cmpint(store_outbox_mark_sent(s, rest, 4, 3000, &error), ==, 0);
	g_assert_cmpint(store_outbox_backlog(s, 1, &n, &oldest, &error), ==, 0);
	g_assert_cmpint(n, ==, 0);
	g_assert_cmpint(oldest, ==, 0);
	g_assert_cmpint(store_outbox_first_unsent(s, &first, &error), ==, 0);
	g_assert_cmpint(first, ==, 6);
	g_assert_cmpint(store_outbox_prune(s, 2500, &error), ==, 2);
	g_assert_no_error(error);
}

/* The visitor register: random sign-ins and sign-outs; each badge is the
 * smallest number no visitor still in holds, as a plain model of who is in
 * says; each change leaves one audit line; old rows are pruned. */
static void test_visitors(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) s = store_open(f->path, f->cfg, &error);
	g_autoptr(GRand) rand = g_rand_new_with_seed(17);
	int64_t holder[64] = {0}; /* badge → the visitor id holding it, 0 free */
	int n_in = 0, changes = 0;

	g_assert_no_error(error);
	for (int step = 0; step < 400; step++) {
		struct store_audit audit = {.at = 1000 + step, .user = "rita"};

		if (n_in < 40 && (n_in == 0 || g_rand_int_range(rand, 0, 3) > 0)) {
			struct store_visitor v = {.name = g_strdup("Ville Vieras"),
						  .host = g_strdup("Liisa")};
			int want = 1;

			while (holder[want])
				want++;
			audit.command = "visitor_in";
			g_assert_cmpint(store_visitor_add(s, &v, &audit, &error), ==, 0);
			g_assert_cmpint(v.badge, ==, want);
			holder[want] = v.id;
			n_in++;
			store_visitor_clear(&v);
		} else {
			int badge;

			do
				badge = g_rand_int_range(rand, 1, 64);
			while (!holder[badge]);
			audit.command = "visitor_out";
			g_assert_cmpint(store_visitor_out(s, holder[badge], &audit, &error), ==, 0);
			g_assert_cmpint(store_visitor_out(s, holder[badge], &audit, &error), ==,
					-EALREADY);
			g_clear_error(&error);
			holder[badge] = 0;
			n_in--;
		}
		changes++;
	}
	g_assert_cmpint(count(f->path, "SELECT count(*) FROM audit WHERE command LIKE 'visitor_%' "
				       "AND user = 'rita' AND json_extract(detail, '$.badge') > 0"),
			==, changes);
	/* Erased: those whose last time (out, or in while still in) is before
	 * 1200; counted by a query of its own before the prune. */
	{
		int old = count(f->path, "SELECT count(*) FROM visitors WHERE CASE WHEN out_at = 0 "
					 "THEN in_at ELSE out_at END < 1200");
		int all = count(f->path, "SELECT count(*) FROM visitors");

		g_assert_cmpint(old, >, 0);
		g_assert_cmpint(store_visitors_prune(s, 1200, &error), ==, old);
		g_assert_cmpint(count(f->path, "SELECT count(*) FROM visitors"), ==, all - old);
	}
	g_assert_no_error(error);
}

static int n_alarms_seen;

static void count_alarm(const struct store_alarm *a, void *data)
{
	(void)data;
	g_assert_cmpstr(a->source, ==, "gpio");
	n_alarms_seen++;
}

/* Staff alarms and feedback words (schema v15): audited with the change,
 * acknowledged once; words once a rating, only to a recent one. */
static void test_alarms_and_words(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) s = store_open(f->path, f->cfg, &error);
	struct store_alarm a = {
	    .counter = 1, .source = "gpio", .raised_at = 1000, .raised_by = "button:c1-alarm"};
	struct store_audit audit = {
	    .at = 1000, .user = "button:c1-alarm", .command = "alarm_raise"};
	struct store_feedback fb = {.day = 1, .rating = 4, .source = "screen", .at = 2000};
	struct store_alarm got = {0};
	g_autofree char *texts = NULL;
	int64_t fid = 0, qid = 0;

	g_assert_nonnull(s);
	g_assert_cmpint(store_alarm_open_count(s, 0), ==, 0);
	g_assert_cmpint(store_alarm_raise(s, &a, &audit, &error), ==, 0);
	g_assert_cmpint(a.id, >, 0);
	g_assert_cmpint(store_alarm_open_count(s, 1), ==, 1);
	g_assert_cmpint(store_alarm_open_count(s, 2), ==, 0);
	g_assert_cmpint(store_alarm_open_count(s, 0), ==, 1);
	audit.command = "alarm_acknowledge";
	audit.user = "maija";
	g_assert_cmpint(store_alarm_acknowledge(s, a.id, 1100, "maija", &audit, &error), ==, 0);
	g_assert_cmpint(store_alarm_acknowledge(s, a.id, 1200, "anna", &audit, &error), ==,
			-ENOENT);
	g_clear_error(&error);
	g_assert_cmpint(store_alarm_get(s, a.id, &got, &error), ==, 0);
	g_assert_cmpint(got.acknowledged_at, ==, 1100);
	g_assert_cmpstr(got.acknowledged_by, ==, "maija");
	store_alarm_clear(&got);
	g_assert_cmpint(store_alarm_open_count(s, 0), ==, 0);
	n_alarms_seen = 0;
	g_assert_cmpint(store_alarm_foreach(s, 1050, count_alarm, NULL, &error), ==, 0);
	g_assert_cmpint(n_alarms_seen, ==, 1);
	n_alarms_seen = 0;
	g_assert_cmpint(store_alarm_foreach(s, 1101, count_alarm, NULL, &error), ==, 0);
	g_assert_cmpint(n_alarms_seen, ==, 0);

	audit =
	    (struct store_audit){.at = 1500, .user = "maija", .command = "feedback_question_set"};
	g_assert_cmpint(store_feedback_question_set(s, "{\"fi\": \"Puuttuiko?\"}", 1500, "maija",
						    &audit, &error),
			==, 0);
	g_assert_cmpint(store_feedback_question_get(s, &qid, &texts, &error), ==, 0);
	g_assert_cmpint(qid, >, 0);
	g_assert_cmpstr(texts, ==, "{\"fi\": \"Puuttuiko?\"}");
	g_assert_cmpint(store_feedback_insert(s, &fb, &fid, &error), ==, 0);
	g_assert_cmpint(fid, >, 0);
	/* too old for words */
	g_assert_cmpint(store_feedback_words(s, fid, "hei", qid, "yes", 2100, 2001, &error), ==,
			-ENOENT);
	g_clear_error(&error);
	g_assert_cmpint(store_feedback_words(s, fid, "hei", qid, "yes", 2100, 1900, &error), ==, 0);
	/* once */
	g_assert_cmpint(store_feedback_words(s, fid, "again", 0, NULL, 2200, 1900, &error), ==,
			-ENOENT);
	g_clear_error(&error);
	g_assert_true(store_feedback_at_counter(s, fid, 0));
	g_assert_false(store_feedback_at_counter(s, fid, 4));
	/* retention clears the comment, keeps the rating and the answer */
	g_assert_cmpint(store_prune_personal(s, 3000, 3000, &error), >=, 1);
	g_clear_pointer(&texts, g_free);
	g_assert_cmpint(store_feedback_question_set(s, NULL, 3100, "maija", &audit, &error), ==, 0);
	g_assert_cmpint(store_feedback_question_get(s, &qid, &texts, &error), ==, 0);
	g_assert_cmpint(qid, ==, 0);
	g_assert_null(texts);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, fn) g_test_add("/store/" name, struct fixture, NULL, setup, fn, teardown)
	ADD("create", test_create);
	ADD("migrations", test_migrations);
	ADD("refuses-newer-and-corrupt", test_refuses_newer_and_corrupt);
	ADD("round-trip", test_round_trip);
	ADD("constraint-rolls-back", test_constraint_rolls_back);
	ADD("users-tokens", test_users_tokens);
	ADD("appointments", test_appointments);
	ADD("booth-overlap", test_booth_overlap);
	ADD("migration-keeps-appointments", test_migration_keeps_appointments);
	ADD("migration-copies-pruned", test_migration_copies_pruned);
	ADD("migration-report-indexes", test_migration_report_indexes);
	ADD("backup", test_backup);
	ADD("outbox-unsent", test_outbox_unsent);
	ADD("visitors", test_visitors);
	ADD("alarms-and-words", test_alarms_and_words);
#undef ADD
	return g_test_run();
}
