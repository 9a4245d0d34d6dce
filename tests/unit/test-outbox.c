/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the outbox (firmware/store/outbox.c and its use in store.c):
 * [uplink] parsed and checked; with it every committed change has its
 * record (the daily reset's summary once per day), without it none; no
 * record names a person; the epoch is kept on reopen and new for a backup.
 * Run from the repository root (reads board-config/sim.conf). */
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "outbox.h"
#include "store.h"

#define UPLINK                                                                                     \
	"\n[uplink]\nservers = tls://192.0.2.10:4222; tls://192.0.2.11:4222\nsite = kuohu-1\n"     \
	"ca = /etc/vuoro/ca.pem\ncert = /etc/vuoro/site.pem\nkey = /etc/vuoro/site.key\n"

static struct config *load_with(const char *extra, GError **error)
{
	g_autofree char *text = NULL;
	g_autofree char *all = NULL;

	g_assert_true(g_file_get_contents("board-config/sim.conf", &text, NULL, NULL));
	all = g_strconcat(text, extra, NULL);
	return config_load_data(all, "board-config/sim.conf", error);
}

static void expect_refused(const char *extra, const char *what)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) cfg = load_with(extra, &error);

	g_assert_null(cfg);
	g_assert_nonnull(error);
	if (!strstr(error->message, what))
		g_error("expected \"%s\" in: %s", what, error->message);
}

static void test_config(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) none = load_with("", &error);
	g_autoptr(Config) cfg = NULL;

	g_assert_no_error(error);
	g_assert_false(none->uplink);
	cfg = load_with(UPLINK "alarm-minutes = 5\n", &error);
	g_assert_no_error(error);
	g_assert_true(cfg->uplink);
	g_assert_cmpstr(cfg->uplink_site, ==, "kuohu-1");
	g_assert_cmpstr(cfg->uplink_servers[1], ==, "tls://192.0.2.11:4222");
	g_assert_null(cfg->uplink_servers[2]);
	g_assert_cmpint(cfg->uplink_alarm_min, ==, 5);
	g_assert_cmpint(cfg->uplink_keep_days, ==, 7);
	expect_refused("\n[uplink]\nservers = tls://192.0.2.10:4222\nsite = Kuohu_1\nca = a\n"
		       "cert = b\nkey = c\n",
		       "[uplink] site");
	expect_refused("\n[uplink]\nservers = tls://h:1\nsite = "
		       "a23456789012345678901234567890123\nca = a\ncert = b\nkey = c\n",
		       "1 to 32");
	expect_refused("\n[uplink]\nservers = nats://192.0.2.10:4222\nsite = k\nca = a\n"
		       "cert = b\nkey = c\n",
		       "servers");
	expect_refused("\n[uplink]\nservers = tls://192.0.2.10:4222\nsite = k\nca = a\nkey = c\n",
		       "cert");
	expect_refused(UPLINK "keep-days = 0\n", "keep-days");
}

struct fixture {
	char *dir;
	char *path;
};

static void setup(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	f->dir = g_dir_make_tmp("vuoro-test-outbox-XXXXXX", &error);
	g_assert_no_error(error);
	f->path = g_build_filename(f->dir, "vuoro.db", NULL);
}

static void teardown(struct fixture *f, gconstpointer data)
{
	g_autoptr(GDir) d = g_dir_open(f->dir, 0, NULL);
	const char *name;

	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *p = g_build_filename(f->dir, name, NULL);

		g_unlink(p);
	}
	g_rmdir(f->dir);
	g_free(f->dir);
	g_free(f->path);
}

static void run(struct queue *q, struct store *s, const struct config *cfg,
		struct queue_result *res, struct queue_cmd cmd, const struct queue_time *t)
{
	g_autoptr(GError) error = NULL;
	struct store_audit audit = {.at = t->now, .user = "anna", .command = "x"};

	g_assert_cmpint(queue_exec(q, &cmd, t, res), ==, 0);
	g_assert_cmpint(store_result_commit(s, cfg, res, &audit, &error), ==, 0);
	g_assert_no_error(error);
}

/* A day at one counter: issue two, serve one, close; the next day's reset. */
static void a_day(struct store *s, const struct config *cfg)
{
	g_autoptr(Queue) q = queue_new(cfg);
	struct queue_result res;
	struct queue_time t;
	int tax = config_service_find(cfg, "tax");

	queue_result_init(&res);
	queue_time_make(&t, 1795420800, 20780, 0, 9 * 60, 180);
	run(q, s, cfg, &res, (struct queue_cmd){.type = QUEUE_CMD_TICK, .service = -1}, &t);
	for (int i = 0; i < 2; i++)
		run(q, s, cfg, &res,
		    (struct queue_cmd){.type = QUEUE_CMD_ISSUE,
				       .service = (int16_t)tax,
				       .handed_out = true,
				       .ref = i ? "secret-ref-2" : "secret-ref-1"},
		    &t);
	run(q, s, cfg, &res,
	    (struct queue_cmd){.type = QUEUE_CMD_OPEN, .counter = 2, .user = "anna"}, &t);
	t.now += 60;
	run(q, s, cfg, &res, (struct queue_cmd){.type = QUEUE_CMD_CALL, .counter = 2}, &t);
	t.now += 300;
	run(q, s, cfg, &res,
	    (struct queue_cmd){.type = QUEUE_CMD_END,
			       .counter = 2,
			       .channel = QUEUE_CHANNEL_PAPER_FORM,
			       .outcome = QUEUE_OUTCOME_RESOLVED},
	    &t);
	run(q, s, cfg, &res, (struct queue_cmd){.type = QUEUE_CMD_CLOSE, .counter = 2}, &t);
	queue_time_make(&t, 1795420800 + 86400, 20781, 1, 9 * 60, 180);
	run(q, s, cfg, &res, (struct queue_cmd){.type = QUEUE_CMD_TICK, .service = -1}, &t);
	queue_result_free(&res);
	/* A restart before the new day's first ticket resets again: no second
	 * summary of the same day. */
	{
		g_autoptr(Queue) q2 = queue_new(cfg);

		queue_result_init(&res);
		run(q2, s, cfg, &res, (struct queue_cmd){.type = QUEUE_CMD_TICK, .service = -1},
		    &t);
		queue_result_free(&res);
	}
}

static GPtrArray *records(struct store *s)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	sqlite3_stmt *st = NULL;

	g_assert_cmpint(sqlite3_prepare_v2(store_db(s),
					   "SELECT id, kind, body FROM outbox ORDER BY id", -1, &st,
					   NULL),
			==, SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		g_autoptr(JsonParser) p = json_parser_new();
		JsonObject *o;

		g_assert_true(json_parser_load_from_data(
		    p, (const char *)sqlite3_column_text(st, 2), -1, NULL));
		o = json_node_get_object(json_parser_get_root(p));
		g_assert_cmpint(json_object_get_int_member(o, "v"), ==, OUTBOX_VERSION);
		g_assert_cmpint(json_object_get_int_member(o, "seq"), ==,
				sqlite3_column_int64(st, 0));
		g_assert_cmpstr(json_object_get_string_member(o, "kind"), ==,
				(const char *)sqlite3_column_text(st, 1));
		g_ptr_array_add(out, g_strdup((const char *)sqlite3_column_text(st, 2)));
	}
	sqlite3_finalize(st);
	return out;
}

static guint count_kind(GPtrArray *recs, const char *kind)
{
	g_autofree char *needle = g_strdup_printf("\"kind\":\"%s\"", kind);
	guint n = 0;

	for (guint i = 0; i < recs->len; i++)
		n += strstr(recs->pdata[i], needle) != NULL;
	return n;
}

static void test_records(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) cfg = load_with(UPLINK, &error);
	g_autoptr(Store) s = store_open(f->path, cfg, &error);
	g_autoptr(GPtrArray) recs = NULL;
	struct store_feedback fb = {
	    .day = 20780, .rating = 2, .source = "screen", .at = 1795421200};

	g_assert_no_error(error);
	a_day(s, cfg);
	g_assert_cmpint(store_feedback_add(s, &fb, &error), ==, 0);
	g_assert_cmpint(store_outbox_fault(s, "printer", "paper_out", true, 1795421300, &error), ==,
			0);
	{
		struct store_session ss = {.booth = 4,
					   .ticket = 1,
					   .day = 20780,
					   .code = "T001",
					   .service = "kela-remote",
					   .provider = "kela",
					   .expert = "eero",
					   .video_codec = "vp8",
					   .at = 1795421000};
		int64_t id = store_session_add(s, &ss, &error);

		g_assert_cmpint(id, >, 0);
		g_assert_cmpint(store_session_state(s, id, "live", NULL, NULL, 1795421010, &error),
				==, 0);
		g_assert_cmpint(
		    store_session_state(s, id, "ended", "expert_hung_up", NULL, 1795421400, &error),
		    ==, 0);
		g_assert_no_error(error);
	}
	recs = records(s);
	g_assert_cmpuint(count_kind(recs, "session.ended"), ==, 1);
	g_assert_cmpuint(count_kind(recs, "ticket.issued"), ==, 2);
	g_assert_cmpuint(count_kind(recs, "visit"), >=, 1);
	g_assert_cmpuint(count_kind(recs, "counter.opened"), ==, 1);
	g_assert_cmpuint(count_kind(recs, "counter.closed"), ==, 1);
	g_assert_cmpuint(count_kind(recs, "day.summary"), ==, 1);
	g_assert_cmpuint(count_kind(recs, "feedback"), ==, 1);
	g_assert_cmpuint(count_kind(recs, "fault.raised"), ==, 1);
	for (guint i = 0; i < recs->len; i++) {
		const char *r = recs->pdata[i];

		/* the staff member, the follow references, the audit's user */
		g_assert_null(strstr(r, "anna"));
		g_assert_null(strstr(r, "eero"));
		g_assert_null(strstr(r, "secret-ref"));
		if (strstr(r, "day.summary")) {
			g_assert_nonnull(strstr(r, "\"day\":20780"));
			g_assert_nonnull(strstr(r, "\"tickets\":2"));
			g_assert_nonnull(strstr(r, "\"outcome\":\"resolved\""));
		}
		if (strstr(r, "session.ended")) {
			g_assert_nonnull(strstr(r, "\"reason\":\"expert_hung_up\""));
			g_assert_nonnull(strstr(r, "\"live_at\":1795421010"));
		}
		if (strstr(r, "\"kind\":\"feedback\""))
			g_assert_nonnull(strstr(r, "\"tied\":false"));
	}
}

static void test_no_uplink(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) cfg = load_with("", &error);
	g_autoptr(Store) s = store_open(f->path, cfg, &error);
	g_autoptr(GPtrArray) recs = NULL;
	struct store_feedback fb = {
	    .day = 20780, .rating = 2, .source = "screen", .at = 1795421200};

	g_assert_no_error(error);
	a_day(s, cfg);
	g_assert_cmpint(store_feedback_add(s, &fb, &error), ==, 0);
	g_assert_cmpint(store_outbox_fault(s, "printer", "paper_out", true, 1795421300, &error), ==,
			0);
	recs = records(s);
	g_assert_cmpuint(recs->len, ==, 0);
}

static void test_epoch(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) cfg = load_with(UPLINK, &error);
	g_autofree char *first = NULL;
	g_autofree char *backup = g_build_filename(f->dir, "backup.db", NULL);

	{
		g_autoptr(Store) s = store_open(f->path, cfg, &error);

		g_assert_no_error(error);
		first = g_strdup(store_epoch(s));
		g_assert_cmpuint(strlen(first), ==, 16);
		g_assert_cmpint(store_backup(s, backup, &error), ==, 0);
	}
	{
		g_autoptr(Store) s = store_open(f->path, cfg, &error);

		g_assert_cmpstr(store_epoch(s), ==, first);
	}
	{
		g_autoptr(Store) b = store_open(backup, cfg, &error);

		g_assert_no_error(error);
		g_assert_cmpstr(store_epoch(b), !=, first);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/outbox/config", test_config);
	g_test_add("/outbox/records", struct fixture, NULL, setup, test_records, teardown);
	g_test_add("/outbox/no-uplink", struct fixture, NULL, setup, test_no_uplink, teardown);
	g_test_add("/outbox/epoch", struct fixture, NULL, setup, test_epoch, teardown);
	return g_test_run();
}
