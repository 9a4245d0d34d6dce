/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of firmware/desk/visit.c with the desk and a real SQLite store in a
 * temporary directory: a visit's category, identity and outcome are
 * written with its END, in one transaction (sync and group commit); a store
 * that refuses the END (a failure in the middle of the transaction, a
 * read-only database) leaves nothing half-written, the engine as the store
 * and the identity kept for the next try.  Run from the repository root
 * (reads board-config/sim.conf). */
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "desk-site.h"
#include "visit.h"

struct fixture {
	struct desk_site site;
	struct queue_result res;
	uint32_t ticket;
};

static void run(struct fixture *f, struct queue_cmd cmd)
{
	g_autoptr(GError) error = NULL;

	g_assert_cmpint(desk_exec(f->site.desk, &cmd, "anna", &f->res, &error), ==, 0);
	g_assert_no_error(error);
}

/* A ticket of guide, called and started at counter 1 by anna. */
static void setup(struct fixture *f, gconstpointer data)
{
	desk_site_open(&f->site, "visit");
	queue_result_init(&f->res);
	run(f, (struct queue_cmd){.type = QUEUE_CMD_ISSUE,
				  .service = (int16_t)config_service_find(f->site.cfg, "guide"),
				  .handed_out = true});
	f->ticket = f->res.ticket;
	g_assert_cmpuint(f->ticket, >, 0);
	run(f, (struct queue_cmd){.type = QUEUE_CMD_OPEN, .counter = 1, .user = "anna"});
	run(f, (struct queue_cmd){.type = QUEUE_CMD_CALL, .counter = 1});
	g_assert_cmpuint(f->res.ticket, ==, f->ticket);
	run(f, (struct queue_cmd){.type = QUEUE_CMD_START, .counter = 1});
}

static void teardown(struct fixture *f, gconstpointer data)
{
	queue_result_free(&f->res);
	desk_site_close(&f->site);
}

/* A second connection, as a report or a technician would read the file. */
static char *query(struct fixture *f, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	GString *out = g_string_new(NULL);

	g_assert_cmpint(sqlite3_open_v2(f->site.path, &db, SQLITE_OPEN_READONLY, NULL), ==,
			SQLITE_OK);
	g_assert_cmpint(sqlite3_prepare_v2(db, sql, -1, &st, NULL), ==, SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (out->len)
			g_string_append_c(out, '\n');
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const unsigned char *v = sqlite3_column_text(st, i);

			g_string_append_printf(out, "%s%s", i ? "|" : "",
					       v ? (const char *)v : "-");
		}
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return g_string_free(out, FALSE);
}

static void sql(struct fixture *f, const char *text)
{
	char *err = NULL;

	if (sqlite3_exec(store_db(f->site.store), text, NULL, NULL, &err) != SQLITE_OK)
		g_error("%s: %s", text, err);
}

static JsonNode *result(const char *json)
{
	g_autoptr(GError) error = NULL;
	JsonNode *node = json_from_string(json, &error);

	g_assert_no_error(error);
	return node;
}

static void check_document(struct fixture *f, const char *doc)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *json = g_strdup_printf(
	    "{\"method\": \"document\", \"verdict\": \"checked\", \"document_type\": \"%s\"}", doc);
	g_autoptr(JsonNode) shown = result(json);
	struct visit_check c = {.ticket = f->ticket,
				.day = queue_day(desk_queue(f->site.desk)),
				.counter = 1,
				.method = "document",
				.verdict = "checked",
				.document_type = doc,
				.user = "anna",
				.at = MON_1000};

	g_assert_cmpint(visit_identity_add(desk_visits(f->site.desk), &c, shown, &error), ==, 0);
	g_assert_no_error(error);
}

static struct queue_cmd end_cmd(const char *category)
{
	return (struct queue_cmd){.type = QUEUE_CMD_END,
				  .counter = 1,
				  .channel = -1,
				  .outcome = QUEUE_OUTCOME_REFERRED,
				  .category = category};
}

#define VISIT_SQL                                                                                  \
	"SELECT outcome, category, identity, identity_verdict, document_type FROM visits WHERE "   \
	"ticket = "

static char *visit_row(struct fixture *f)
{
	g_autofree char *q = g_strdup_printf(VISIT_SQL "%u", f->ticket);

	return query(f, q);
}

static void test_end_carries_everything(struct fixture *f, gconstpointer data)
{
	g_autofree char *row = NULL;
	g_autofree char *audit = NULL;

	check_document(f, "passport");
	g_assert_nonnull(visit_identity_get(desk_visits(f->site.desk), f->ticket));
	run(f, end_cmd("asumistuki"));
	row = visit_row(f);
	g_assert_cmpstr(row, ==, "referred|asumistuki|document|checked|passport");
	/* The END is one audited command: no second write for the category. */
	audit = query(f, "SELECT command FROM audit ORDER BY id DESC LIMIT 1");
	g_assert_cmpstr(audit, ==, "end");
	/* The visit is over: its identity (name, code) is forgotten. */
	g_assert_null(visit_identity_get(desk_visits(f->site.desk), f->ticket));
}

static void test_card_stays_before_document(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) card =
	    result("{\"method\": \"card\", \"verdict\": \"verified\", \"name\": \"Matti\", "
		   "\"identity_code\": \"010101-123N\"}");
	g_autoptr(JsonNode) wrong = result("{\"method\": \"card\", \"verdict\": \"wrong_pin\"}");
	struct visit_check c = {.ticket = f->ticket,
				.day = queue_day(desk_queue(f->site.desk)),
				.method = "card",
				.verdict = "verified",
				.id_hmac = "ab12",
				.at = MON_1000};
	struct visit_check w = c;
	g_autofree char *row = NULL;
	g_autofree char *checks = NULL;
	JsonObject *kept;

	w.verdict = "wrong_pin";
	w.id_hmac = NULL;
	g_assert_cmpint(visit_identity_add(desk_visits(f->site.desk), &c, card, &error), ==, 0);
	g_assert_cmpint(visit_identity_add(desk_visits(f->site.desk), &w, wrong, &error), ==, 0);
	check_document(f, "id_card");
	kept = json_node_get_object(visit_identity_get(desk_visits(f->site.desk), f->ticket));
	g_assert_cmpstr(json_object_get_string_member(kept, "method"), ==, "card");
	g_assert_cmpstr(json_object_get_string_member(kept, "name"), ==, "Matti");
	g_assert_cmpstr(json_object_get_string_member(kept, "document_type"), ==, "id_card");
	run(f, end_cmd(NULL));
	/* The row: the last check that passed, the document type shown. */
	row = visit_row(f);
	g_assert_cmpstr(row, ==, "referred|-|document|checked|id_card");
	/* Every check is stored, never the identity code. */
	checks = query(f, "SELECT method, result, coalesce(id_hmac, '-') FROM identity_checks "
			  "ORDER BY id");
	g_assert_cmpstr(checks, ==, "card|verified|ab12\ncard|wrong_pin|-\ndocument|checked|-");
}

/* A failure in the middle of the END's transaction: the ticket and counter
 * rows were already written in it, the visit's insert fails. */
static void test_failure_leaves_nothing(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	struct queue_cmd cmd = end_cmd("boom");
	const struct queue_counter *qc;
	g_autofree char *visits = NULL;
	g_autofree char *ticket = NULL;
	g_autofree char *counter = NULL;
	g_autofree char *row = NULL;

	check_document(f, "passport");
	sql(f, "CREATE TRIGGER refuse_boom BEFORE INSERT ON visits WHEN NEW.category = 'boom' "
	       "BEGIN SELECT RAISE(ABORT, 'the disk said no'); END;");
	g_assert_cmpint(desk_exec(f->site.desk, &cmd, "anna", &f->res, &error), <, 0);
	g_assert_nonnull(error);
	g_test_message("refused: %s", error->message);
	visits = query(f, "SELECT count(*) FROM visits");
	g_assert_cmpstr(visits, ==, "0");
	ticket = g_strdup_printf("SELECT state, coalesce(outcome, '-') FROM tickets WHERE id = %u",
				 f->ticket);
	g_free(row);
	row = query(f, ticket);
	g_assert_cmpstr(row, ==, "serving|-");
	counter = query(f, "SELECT ticket FROM counters WHERE id = 1");
	g_assert_cmpuint(g_ascii_strtoull(counter, NULL, 10), ==, f->ticket);
	/* The engine is what the store holds; the identity waits for the next try. */
	qc = queue_counter_get(desk_queue(f->site.desk), 1);
	g_assert_cmpuint(qc->ticket, ==, f->ticket);
	g_assert_nonnull(visit_identity_get(desk_visits(f->site.desk), f->ticket));

	g_clear_error(&error);
	run(f, end_cmd("asumistuki"));
	g_free(row);
	row = visit_row(f);
	g_assert_cmpstr(row, ==, "referred|asumistuki|document|checked|passport");
}

static void on_done(int rc, const GError *error, const struct queue_result *res, gpointer data)
{
	int *ret = data;

	*ret = rc;
}

/* The group commit (desk_submit, as the HTTP API runs END): a read-only
 * database refuses the batch; nothing is written, then all of it is. */
static void test_group_commit_read_only(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	struct queue_cmd cmd = end_cmd("asumistuki");
	g_autofree char *row = NULL;
	int done = 1;

	check_document(f, "passport");
	sql(f, "PRAGMA query_only = ON");
	g_assert_cmpint(desk_submit(f->site.desk, &cmd, "anna", &f->res, &error, on_done, &done),
			==, 0);
	desk_flush(f->site.desk);
	g_assert_cmpint(done, ==, -EROFS);
	row = visit_row(f);
	g_assert_cmpstr(row, ==, "");
	g_assert_cmpuint(queue_counter_get(desk_queue(f->site.desk), 1)->ticket, ==, f->ticket);
	g_assert_nonnull(visit_identity_get(desk_visits(f->site.desk), f->ticket));

	sql(f, "PRAGMA query_only = OFF");
	cmd = end_cmd("asumistuki");
	done = 1;
	g_assert_cmpint(desk_submit(f->site.desk, &cmd, "anna", &f->res, &error, on_done, &done),
			==, 0);
	desk_flush(f->site.desk);
	g_assert_cmpint(done, ==, 0);
	g_free(row);
	row = visit_row(f);
	g_assert_cmpstr(row, ==, "referred|asumistuki|document|checked|passport");
}

/* A check that cannot be stored is not kept either. */
static void test_check_not_stored_not_kept(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) shown = result(
	    "{\"method\": \"document\", \"verdict\": \"checked\", \"document_type\": \"x\"}");
	struct visit_check c = {.ticket = f->ticket,
				.day = queue_day(desk_queue(f->site.desk)),
				.method = "document",
				.verdict = "checked",
				.document_type = "x",
				.at = MON_1000};

	sql(f, "PRAGMA query_only = ON");
	/* It warns (structured logging: no g_test_expect_message). */
	g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
	g_assert_cmpint(visit_identity_add(desk_visits(f->site.desk), &c, shown, &error), ==,
			-EROFS);
	g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
	g_assert_cmpint(error->code, ==, EROFS);
	g_assert_null(visit_identity_get(desk_visits(f->site.desk), f->ticket));
	sql(f, "PRAGMA query_only = OFF");
}

/* A visit that ends without END (a transfer's leg, a no-show) keeps no
 * category; a transfer keeps the identity for the ticket's next counter. */
static void test_transfer_keeps_identity(struct fixture *f, gconstpointer data)
{
	g_autofree char *row = NULL;

	check_document(f, "passport");
	run(f, (struct queue_cmd){.type = QUEUE_CMD_TRANSFER,
				  .counter = 1,
				  .service = (int16_t)config_service_find(f->site.cfg, "tax"),
				  .outcome = -1,
				  .category = "ignored"});
	row = visit_row(f);
	g_assert_cmpstr(row, ==, "transferred|-|document|checked|passport");
	g_assert_nonnull(visit_identity_get(desk_visits(f->site.desk), f->ticket));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, fn) g_test_add("/visit/" name, struct fixture, NULL, setup, fn, teardown)
	ADD("end-carries-everything", test_end_carries_everything);
	ADD("card-stays-before-document", test_card_stays_before_document);
	ADD("failure-leaves-nothing", test_failure_leaves_nothing);
	ADD("group-commit-read-only", test_group_commit_read_only);
	ADD("check-not-stored-not-kept", test_check_not_stored_not_kept);
	ADD("transfer-keeps-identity", test_transfer_keeps_identity);
	return g_test_run();
}
