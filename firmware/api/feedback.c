/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api/feedback: feedback in words (issue 17) — after the rating
 * (POST /api/feedback, visits.c), an optional comment and the answer to
 * the manager's one question.
 *
 *   POST /api/feedback/N/words {comment?, answer?}  the kiosk or the booth
 *        screen, to rating N (the id POST /api/feedback gave) within
 *        [queue] feedback-window-seconds, once
 *   GET  /api/feedback/question           anybody: the question, or null
 *   POST /api/feedback/question {text_LANG…}        managers: ask this one
 *   POST /api/feedback/question/withdraw  managers: ask none
 *   GET  /api/feedback/words?from=&to=    managers: the comments and the
 *        answers of the period (the feedback report's words)
 *
 * The answer is "yes" or "no": a count a manager can read at a glance in
 * any language, answered with one tap on a booth screen that has no
 * keyboard, and no second free text to erase; what else the customer wants
 * to say goes in the comment.  The comment is personal text: retention
 * clears it (store_prune_personal) and it never goes to the outbox.
 */
#include "api_internal.h"
#include <errno.h>
#include <string.h>
#include "report.h"
#include "store.h"
#include "json.h"

#define MANAGERS          (AUTH_ROLE_MANAGER | AUTH_ROLE_ADMIN)
#define COMMENT_CHARS_MAX 500
#define QUESTION_MAX      300

static const char *const question_fields[] = {"text_fi", "text_sv", "text_en",
					      "text_se", "text_uk", "text_ar"};

static int64_t feedback_now(struct api *api)
{
	struct queue_time t;

	desk_time(api->desk, &t);
	return t.now;
}

/* The current question: {"id", "texts": given, "shown": {LANG: text}} or
 * null. */
static int question_build(struct api *api, JsonBuilder *b, GError **error)
{
	const struct config *cfg = api->cfg;
	g_autofree char *texts = NULL;
	g_autoptr(JsonParser) p = json_parser_new_immutable();
	JsonObject *o = NULL;
	const char *main_text;
	int64_t id = 0;
	int rc = store_feedback_question_get(desk_store(api->desk), &id, &texts, error);

	if (rc < 0)
		return rc;
	if (texts && json_parser_load_from_data(p, texts, -1, NULL) &&
	    JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
		o = json_node_get_object(json_parser_get_root(p));
	if (!o) {
		json_builder_add_null_value(b);
		return 0;
	}
	main_text = web_json_str(o, config_lang_code(cfg, 0), "");
	json_builder_begin_object(b);
	web_json_add_int(b, "id", id);
	json_builder_set_member_name(b, "texts");
	json_builder_add_value(b, json_node_copy(json_parser_get_root(p)));
	json_builder_set_member_name(b, "shown");
	json_builder_begin_object(b);
	for (int l = 0; l < cfg->n_langs; l++) {
		const char *t = web_json_str(o, config_lang_code(cfg, l), "");

		web_json_add_str(b, config_lang_code(cfg, l), *t ? t : main_text);
	}
	json_builder_end_object(b);
	json_builder_end_object(b);
	return 0;
}

static void question_reply(struct web_req *r, guint status)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(GError) error = NULL;
	int rc;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "question");
	rc = question_build(api_of(r), b, &error);
	json_builder_end_object(b);
	if (rc < 0)
		api_error_gerror(r, rc, error, NULL);
	else
		web_reply_builder(r, status, b);
}

static void api_feedback_question(struct web_req *r)
{
	question_reply(r, 200);
}

/* The pages that ask re-read the question. */
static void question_tell(struct api *api, int64_t now)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	web_json_add_str(b, "type", "feedback_question");
	web_json_add_int(b, "at", now);
	json_builder_end_object(b);
	api_ws_send_all(api, b, NULL);
}

/* Saves @texts (NULL: withdraws) with its audit line; replies. */
static void question_save(struct web_req *r, const char *texts, const char *detail)
{
	struct api *api = api_of(r);
	g_autoptr(GError) error = NULL;
	int64_t now = feedback_now(api);
	struct store_audit audit = {
	    .at = now,
	    .user = r->caller.user,
	    .command = texts ? "feedback_question_set" : "feedback_question_withdraw",
	    .detail = detail,
	};
	int rc;

	desk_flush(api->desk);
	rc = store_feedback_question_set(desk_store(api->desk), texts, now, r->caller.user, &audit,
					 &error);
	if (rc < 0) {
		api_error_gerror(r, rc, error, NULL);
		return;
	}
	question_reply(r, 200);
	question_tell(api, now);
}

static void api_feedback_question_set(struct web_req *r)
{
	const struct config *cfg = api_of(r)->cfg;
	const char *main_code = config_lang_code(cfg, 0);
	g_autoptr(JsonBuilder) texts = json_builder_new();
	g_autoptr(JsonBuilder) detail = json_builder_new();
	g_autofree char *texts_text = NULL;
	g_autofree char *detail_text = NULL;
	gboolean have_main = FALSE;

	json_builder_begin_object(texts);
	json_builder_begin_object(detail);
	json_builder_set_member_name(detail, "langs");
	json_builder_begin_array(detail);
	for (size_t i = 0; i < G_N_ELEMENTS(question_fields); i++) {
		const char *code = question_fields[i] + 5;
		const char *text = web_str(r, question_fields[i]);
		g_autofree char *trimmed = text ? g_strstrip(g_strdup(text)) : NULL;

		if (!trimmed || !*trimmed)
			continue; /* asked in the main language */
		if (config_lang_parse(cfg, code) < 0) {
			web_error(r, 400, "invalid",
				  "this site does not offer \"%s\" ([site] languages): leave out "
				  "%s",
				  code, question_fields[i]);
			return;
		}
		web_json_add_str(texts, code, trimmed);
		json_builder_add_string_value(detail, code);
		have_main = have_main || strcmp(code, main_code) == 0;
	}
	json_builder_end_array(detail);
	json_builder_end_object(detail);
	json_builder_end_object(texts);
	if (!have_main) {
		web_error(r, 400, "missing_text",
			  "write the question in %s, the site's main language (text_%s): the "
			  "other languages fall back to it; to ask none, withdraw it",
			  main_code, main_code);
		return;
	}
	texts_text = web_json_text(texts);
	detail_text = web_json_text(detail);
	question_save(r, texts_text, detail_text);
}

static void api_feedback_question_withdraw(struct web_req *r)
{
	question_save(r, NULL, NULL);
}

/* "yes", "no", or absent (NULL); FALSE after a 400 for anything else. */
static gboolean words_answer(struct web_req *r, int64_t question, const char **ret)
{
	const char *answer = web_str(r, "answer");

	if (answer && strcmp(answer, "yes") != 0 && strcmp(answer, "no") != 0) {
		web_error(r, 400, "invalid",
			  "answer must be \"yes\" or \"no\" (or left out), got \"%s\"", answer);
		return FALSE;
	}
	if (answer && !question) {
		web_error(r, 400, "no_question",
			  "no question is asked now: leave out the answer (the manager sets "
			  "the question on /manager)");
		return FALSE;
	}
	*ret = answer;
	return TRUE;
}

static void api_feedback_words(struct web_req *r)
{
	struct api *api = api_of(r);
	const char *comment = web_str(r, "comment");
	g_autofree char *trimmed = comment ? g_strstrip(g_strdup(comment)) : NULL;
	g_autofree char *texts = NULL;
	g_autoptr(GError) error = NULL;
	const char *answer = NULL;
	int64_t now = feedback_now(api);
	int64_t id, question = 0;
	int rc;

	if (!web_seg_id(r, 2, G_MAXINT64, &id))
		return;
	if (trimmed && g_utf8_strlen(trimmed, -1) > COMMENT_CHARS_MAX) {
		web_error(r, 400, "too_long",
			  "the comment is %ld characters: at most %d fit, shorten it",
			  g_utf8_strlen(trimmed, -1), COMMENT_CHARS_MAX);
		return;
	}
	rc = store_feedback_question_get(desk_store(api->desk), &question, &texts, &error);
	if (rc < 0) {
		api_error_gerror(r, rc, error, NULL);
		return;
	}
	if (!words_answer(r, question, &answer))
		return;
	if ((!trimmed || !*trimmed) && !answer) {
		web_error(r, 400, "empty",
			  "write a comment or answer the question (yes or no): there is "
			  "nothing to save");
		return;
	}
	if (r->caller.scope &&
	    !store_feedback_at_counter(desk_store(api->desk), id, r->caller.scope)) {
		web_error(r, 403, "forbidden", "a booth screen adds words to its own ratings only");
		return;
	}
	rc = store_feedback_words(desk_store(api->desk), id, trimmed && *trimmed ? trimmed : NULL,
				  answer ? question : 0, answer, now,
				  now - api->cfg->feedback_window_s, &error);
	if (rc < 0) {
		api_error_gerror(r, rc, error, NULL);
		return;
	}
	web_reply_ok(r, 201);
}

struct words_walk {
	JsonBuilder *b;
	int yes, no;
};

static void words_one(const struct store_feedback_words *w, void *data)
{
	struct words_walk *k = data;
	JsonBuilder *b = k->b;

	json_builder_begin_object(b);
	web_json_add_int(b, "id", w->id);
	web_json_add_int(b, "at", w->at);
	web_json_add_int(b, "rating", w->rating);
	web_json_add_str(b, "service", w->service);
	web_json_add_int(b, "counter", w->counter);
	web_json_add_str(b, "source", w->source);
	web_json_add_str(b, "comment", w->comment); /* null once retention cleared it */
	web_json_add_str(b, "answer", w->answer);
	web_json_add_int(b, "question", w->question);
	json_builder_end_object(b);
	k->yes += g_strcmp0(w->answer, "yes") == 0;
	k->no += g_strcmp0(w->answer, "no") == 0;
}

/* The CSV of GET /api/feedback/words?format=csv: a row a rating with words. */
struct words_csv {
	const struct config *cfg;
	GString *s;
};

static void words_csv_one(const struct store_feedback_words *w, void *data)
{
	struct words_csv *k = data;
	g_autofree char *when = api_local_time(k->cfg, w->at);

	report_csv_field(k->s, when);
	g_string_append_printf(k->s, ",%d,", w->rating);
	report_csv_field(k->s, w->service ? w->service : "");
	g_string_append_c(k->s, ',');
	if (w->counter > 0)
		g_string_append_printf(k->s, "%d", w->counter);
	g_string_append_c(k->s, ',');
	report_csv_field(k->s, w->source ? w->source : "");
	g_string_append_c(k->s, ',');
	report_csv_field(k->s, w->answer ? w->answer : "");
	g_string_append_c(k->s, ',');
	report_csv_field(k->s, w->comment ? w->comment : ""); /* empty once retention cleared it */
	g_string_append(k->s, "\r\n");
}

static void words_csv_reply(struct web_req *r, int32_t from_day, int32_t to_day)
{
	struct api *api = api_of(r);
	g_autoptr(GString) s =
	    g_string_new("time,rating,service,counter,source,answer,comment\r\n");
	struct words_csv k = {.cfg = api->cfg, .s = s};
	g_autoptr(GDateTime) first = g_date_time_new_from_unix_utc((int64_t)from_day * 86400);
	g_autoptr(GDateTime) last = g_date_time_new_from_unix_utc((int64_t)(to_day - 1) * 86400);
	g_autofree char *from = g_date_time_format(first, "%Y-%m-%d");
	g_autofree char *to = g_date_time_format(last, "%Y-%m-%d");
	g_autofree char *disposition =
	    g_strdup_printf("attachment; filename=\"vuoro-feedback-words-%s-%s.csv\"", from, to);
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) body = NULL;
	int rc = store_feedback_words_foreach(desk_store(api->desk), from_day, to_day,
					      words_csv_one, &k, &error);

	if (rc < 0) {
		api_error_gerror(r, rc, error, NULL);
		return;
	}
	body = g_string_free_to_bytes(g_steal_pointer(&s));
	web_reply_header(r, "Content-Disposition", disposition);
	web_reply_bytes(r, 200, "text/csv; charset=utf-8", body);
}

static void api_feedback_words_list(struct web_req *r)
{
	struct api *api = api_of(r);
	const char *from = r->query ? g_hash_table_lookup(r->query, "from") : NULL;
	const char *to = r->query ? g_hash_table_lookup(r->query, "to") : NULL;
	const char *format = r->query ? g_hash_table_lookup(r->query, "format") : NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(GError) error = NULL;
	struct words_walk k = {.b = b};
	struct queue_time t;
	int32_t from_day, to_day;
	int rc;

	desk_time(api->desk, &t);
	from_day = t.day - 365;
	to_day = t.day + 1;
	if ((from && api_parse_day(from, &from_day) < 0) ||
	    (to && api_parse_day(to, &to_day) < 0)) {
		web_error(r, 400, "invalid", "from and to must be dates like 2026-11-01");
		return;
	}
	if (format && strcmp(format, "csv") != 0 && strcmp(format, "json") != 0) {
		web_error(r, 400, "invalid", "format must be json or csv");
		return;
	}
	if (g_strcmp0(format, "csv") == 0) {
		words_csv_reply(r, from_day, to_day);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "words");
	json_builder_begin_array(b);
	rc = store_feedback_words_foreach(desk_store(api->desk), from_day, to_day, words_one, &k,
					  &error);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "answers");
	json_builder_begin_object(b);
	web_json_add_int(b, "yes", k.yes);
	web_json_add_int(b, "no", k.no);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "question");
	if (rc >= 0)
		rc = question_build(api, b, &error);
	json_builder_end_object(b);
	if (rc < 0)
		api_error_gerror(r, rc, error, NULL);
	else
		web_reply_builder(r, 200, b);
}

static const struct web_field words_fields[] = {
    /* bytes: the 500 characters are counted after parsing */
    WEB_FIELD_STR("comment", FALSE, COMMENT_CHARS_MAX * 4), WEB_FIELD_STR("answer", FALSE, 8),
    WEB_FIELDS_END};
static const struct web_field question_field_list[] = {
    WEB_FIELD_STR("text_fi", FALSE, QUESTION_MAX),
    WEB_FIELD_STR("text_sv", FALSE, QUESTION_MAX),
    WEB_FIELD_STR("text_en", FALSE, QUESTION_MAX),
    WEB_FIELD_STR("text_se", FALSE, QUESTION_MAX),
    WEB_FIELD_STR("text_uk", FALSE, QUESTION_MAX),
    WEB_FIELD_STR("text_ar", FALSE, QUESTION_MAX),
    WEB_FIELDS_END};

const struct web_route api_feedback_routes[] = {
    {"POST", "/api/feedback/*/words", AUTH_ROLE_KIOSK, api_feedback_words, words_fields},
    {"GET", "/api/feedback/question", 0, api_feedback_question, NULL},
    {"POST", "/api/feedback/question", MANAGERS, api_feedback_question_set, question_field_list},
    {"POST", "/api/feedback/question/withdraw", MANAGERS, api_feedback_question_withdraw,
     api_no_fields},
    {"GET", "/api/feedback/words", MANAGERS, api_feedback_words_list, NULL},
};
const size_t api_feedback_n_routes = G_N_ELEMENTS(api_feedback_routes);
