/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api/notices: notices on the info-TV (/display) and the kiosk (issue 17).
 *
 *   GET  /api/notices                    managers: the notices not yet ended
 *   POST /api/notices {text_LANG…, start, end}      publish one
 *   POST /api/notices/N {text_LANG…, start, end}    edit it (all of it)
 *   POST /api/notices/N/withdraw         take it down
 *   GET  /api/notices/current            anybody: what the pages show now,
 *                                        a text in every site language
 *
 * A notice has a text per site language ([site] languages): the main
 * language's is required, the others fall back to it.  Times are the
 * site's local time ("2026-12-04 09:30") and the notice is shown while
 * start <= now < end.  Each change is audited and tells every page
 * ("notices" on /api/events) to re-read.  Notices are site data: they
 * never go to the hub's records.
 */
#include "api_internal.h"
#include <errno.h>
#include <string.h>
#include "booking.h"
#include "store.h"
#include "json.h"

#define MANAGERS        (AUTH_ROLE_MANAGER | AUTH_ROLE_ADMIN)
#define NOTICE_TEXT_MAX 600

/* A field per language that has a catalog (ui/i18n/LANG.json): a site can
 * offer no other.  A new catalog gets its field here. */
static const char *const notice_text_fields[] = {"text_fi", "text_sv", "text_en",
						 "text_se", "text_uk", "text_ar"};

static void notice_add_time(JsonBuilder *b, const struct config *cfg, const char *member,
			    const char *local_member, int64_t at)
{
	g_autofree char *local = api_local_time(cfg, at);

	web_json_add_int(b, member, at);
	web_json_add_str(b, local_member, local);
}

/* The stored texts ({"fi": …}) as an object; NULL when unreadable. */
static JsonObject *notice_texts(const struct store_notice *n)
{
	g_autoptr(JsonParser) p = json_parser_new_immutable();
	JsonNode *root;

	if (!n->texts || !json_parser_load_from_data(p, n->texts, -1, NULL))
		return NULL;
	root = json_parser_get_root(p);
	if (!root || !JSON_NODE_HOLDS_OBJECT(root))
		return NULL;
	return json_object_ref(json_node_get_object(root));
}

/* @lang's text, or the main language's. */
static const char *notice_text(const struct config *cfg, JsonObject *texts, int lang)
{
	const char *t = web_json_str(texts, config_lang_code(cfg, lang), "");

	return *t ? t : web_json_str(texts, config_lang_code(cfg, 0), "");
}

/* A notice as managers see it: the texts given ("texts") and those shown
 * in every language ("shown"). */
static void notice_build(struct api *api, JsonBuilder *b, const struct store_notice *n, int64_t now)
{
	g_autoptr(JsonObject) texts = notice_texts(n);
	const struct config *cfg = api->cfg;

	json_builder_begin_object(b);
	web_json_add_int(b, "id", n->id);
	json_builder_set_member_name(b, "texts");
	json_builder_begin_object(b);
	for (int l = 0; texts && l < cfg->n_langs; l++) {
		const char *code = config_lang_code(cfg, l);

		if (json_object_has_member(texts, code))
			web_json_add_str(b, code, json_object_get_string_member(texts, code));
	}
	json_builder_end_object(b);
	json_builder_set_member_name(b, "shown");
	json_builder_begin_object(b);
	for (int l = 0; l < cfg->n_langs; l++)
		web_json_add_str(b, config_lang_code(cfg, l), notice_text(cfg, texts, l));
	json_builder_end_object(b);
	notice_add_time(b, cfg, "start", "start_local", n->start_at);
	notice_add_time(b, cfg, "end", "end_local", n->end_at);
	web_json_add_bool(b, "current", n->start_at <= now && now < n->end_at);
	web_json_add_str(b, "created_by", n->created_by);
	web_json_add_int(b, "created_at", n->created_at);
	web_json_add_time(b, "updated_at", n->updated_at);
	json_builder_end_object(b);
}

/* Every page re-reads what it shows of the notices. */
static void notices_tell(struct api *api, int64_t now)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	web_json_add_str(b, "type", "notices");
	web_json_add_int(b, "at", now);
	json_builder_end_object(b);
	api_ws_send_all(api, b, b);
}

/* The body's texts, start and end into @n, or reply 400.  The detail of
 * the audit line into @ret_detail. */
static gboolean notice_parse(struct web_req *r, struct store_notice *n, char **ret_detail)
{
	struct api *api = api_of(r);
	const struct config *cfg = api->cfg;
	g_autoptr(JsonBuilder) texts = json_builder_new();
	g_autoptr(JsonBuilder) detail = json_builder_new();
	const char *main_code = config_lang_code(cfg, 0);
	gboolean have_main = FALSE;

	json_builder_begin_object(texts);
	json_builder_begin_object(detail);
	json_builder_set_member_name(detail, "langs");
	json_builder_begin_array(detail);
	for (size_t i = 0; i < G_N_ELEMENTS(notice_text_fields); i++) {
		const char *code = notice_text_fields[i] + 5;
		const char *text = web_str(r, notice_text_fields[i]);
		g_autofree char *trimmed = NULL;

		if (!text)
			continue;
		trimmed = g_strstrip(g_strdup(text));
		if (config_lang_parse(cfg, code) < 0) {
			web_error(
			    r, 400, "invalid",
			    "this site does not offer \"%s\" ([site] languages): leave out %s",
			    code, notice_text_fields[i]);
			return FALSE;
		}
		if (!*trimmed)
			continue; /* shown in the main language */
		web_json_add_str(texts, code, trimmed);
		json_builder_add_string_value(detail, code);
		have_main = have_main || strcmp(code, main_code) == 0;
	}
	json_builder_end_array(detail);
	json_builder_end_object(texts);
	if (!have_main) {
		web_error(r, 400, "missing_text",
			  "write the notice in %s, the site's main language (text_%s): the other "
			  "languages fall back to it",
			  main_code, main_code);
		return FALSE;
	}
	if (booking_parse_time(cfg, web_str(r, "start"), &n->start_at) < 0) {
		web_error(r, 400, "invalid", "start must be a time like 2026-12-04 09:30");
		return FALSE;
	}
	if (booking_parse_time(cfg, web_str(r, "end"), &n->end_at) < 0) {
		web_error(r, 400, "invalid", "end must be a time like 2026-12-04 16:00");
		return FALSE;
	}
	if (n->end_at <= n->start_at) {
		web_error(r, 400, "invalid", "end must come after start: pick a later end");
		return FALSE;
	}
	n->texts = web_json_text(texts);
	notice_add_time(detail, cfg, "start", "start_local", n->start_at);
	notice_add_time(detail, cfg, "end", "end_local", n->end_at);
	json_builder_end_object(detail);
	*ret_detail = web_json_text(detail);
	return TRUE;
}

/* Writes @n (new when its id is 0) with its audit line; replies. */
static void notice_save(struct web_req *r, struct store_notice *n, const char *detail, int64_t now)
{
	struct api *api = api_of(r);
	gboolean is_new = n->id == 0;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	struct store_audit audit = {
	    .at = now,
	    .user = r->caller.user,
	    .command = is_new ? "notice_add" : "notice_edit",
	    .detail = detail,
	};
	int rc;

	desk_flush(api->desk);
	rc = store_notice_put(desk_store(api->desk), n, &audit, &error);
	if (rc < 0) {
		api_error_gerror(r, rc, error, NULL);
		return;
	}
	notice_build(api, b, n, now);
	web_reply_builder(r, is_new ? 201 : 200, b);
	notices_tell(api, now);
}

static int64_t notices_now(struct api *api)
{
	struct queue_time t;

	desk_time(api->desk, &t);
	return t.now;
}

struct notices_walk {
	struct api *api;
	JsonBuilder *b;
	int64_t now;
	int64_t next_change; /* the soonest start or end after now; 0 none */
	gboolean current_only;
};

static void notices_walk_one(const struct store_notice *n, void *data)
{
	struct notices_walk *w = data;
	gboolean current = n->start_at <= w->now && w->now < n->end_at;
	int64_t next = n->start_at > w->now ? n->start_at : n->end_at;

	if (!w->next_change || next < w->next_change)
		w->next_change = next;
	if (w->current_only && !current)
		return;
	notice_build(w->api, w->b, n, w->now);
}

/* {"notices": […], "next_change": unix or null, "next_change_in_s"}: a page
 * re-reads at the next change (a notice starts or ends) without an event. */
static void notices_reply(struct web_req *r, gboolean current_only)
{
	struct api *api = api_of(r);
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(GError) error = NULL;
	struct notices_walk w = {.api = api, .b = b, .current_only = current_only};
	int rc;

	w.now = notices_now(api);
	json_builder_begin_object(b);
	web_json_add_int(b, "now", w.now);
	json_builder_set_member_name(b, "notices");
	json_builder_begin_array(b);
	rc = store_notice_foreach(desk_store(api->desk), w.now, notices_walk_one, &w, &error);
	json_builder_end_array(b);
	web_json_add_time(b, "next_change", w.next_change);
	if (w.next_change)
		web_json_add_int(b, "next_change_in_s", w.next_change - w.now);
	json_builder_end_object(b);
	if (rc < 0)
		api_error_gerror(r, rc, error, NULL);
	else
		web_reply_builder(r, 200, b);
}

static void api_notices_list(struct web_req *r)
{
	notices_reply(r, FALSE);
}

static void api_notices_current(struct web_req *r)
{
	notices_reply(r, TRUE);
}

static void api_notices_add(struct web_req *r)
{
	struct api *api = api_of(r);
	struct store_notice n = {0};
	g_autofree char *detail = NULL;
	int64_t now = notices_now(api);

	if (notice_parse(r, &n, &detail)) {
		if (n.end_at <= now) {
			web_error(r, 400, "invalid",
				  "that end has passed: a notice must end after now");
		} else {
			n.created_at = now;
			n.created_by = g_strdup(r->caller.user);
			notice_save(r, &n, detail, now);
		}
	}
	store_notice_clear(&n);
}

/* Segment 2 as a notice id, or reply 404. */
static gboolean notice_id(struct web_req *r, int64_t *ret)
{
	return web_seg_id(r, 2, G_MAXINT64, ret);
}

static void api_notices_edit(struct web_req *r)
{
	struct api *api = api_of(r);
	struct store_notice n = {0};
	g_autofree char *detail = NULL;
	int64_t now = notices_now(api);
	int64_t id;

	if (notice_id(r, &id) && notice_parse(r, &n, &detail)) {
		n.id = id;
		n.updated_at = now;
		notice_save(r, &n, detail, now);
	}
	store_notice_clear(&n);
}

static void api_notices_withdraw(struct web_req *r)
{
	struct api *api = api_of(r);
	g_autoptr(GError) error = NULL;
	int64_t now = notices_now(api);
	struct store_audit audit = {
	    .at = now, .user = r->caller.user, .command = "notice_withdraw"};
	int64_t id;
	int rc;

	if (!notice_id(r, &id))
		return;
	desk_flush(api->desk);
	rc = store_notice_withdraw(desk_store(api->desk), id, now, &audit, &error);
	if (rc < 0) {
		api_error_gerror(r, rc, error, NULL);
		return;
	}
	web_reply_ok(r, 200);
	notices_tell(api, now);
}

static const struct web_field api_notice_fields[] = {
    WEB_FIELD_STR("text_fi", FALSE, NOTICE_TEXT_MAX),
    WEB_FIELD_STR("text_sv", FALSE, NOTICE_TEXT_MAX),
    WEB_FIELD_STR("text_en", FALSE, NOTICE_TEXT_MAX),
    WEB_FIELD_STR("text_se", FALSE, NOTICE_TEXT_MAX),
    WEB_FIELD_STR("text_uk", FALSE, NOTICE_TEXT_MAX),
    WEB_FIELD_STR("text_ar", FALSE, NOTICE_TEXT_MAX),
    WEB_FIELD_STR("start", TRUE, 40),
    WEB_FIELD_STR("end", TRUE, 40),
    WEB_FIELDS_END};

const struct web_route api_notices_routes[] = {
    {"GET", "/api/notices", MANAGERS, api_notices_list, NULL},
    {"GET", "/api/notices/current", 0, api_notices_current, NULL},
    {"POST", "/api/notices", MANAGERS, api_notices_add, api_notice_fields},
    {"POST", "/api/notices/*", MANAGERS, api_notices_edit, api_notice_fields},
    {"POST", "/api/notices/*/withdraw", MANAGERS, api_notices_withdraw, api_no_fields},
};
const size_t api_notices_n_routes = G_N_ELEMENTS(api_notices_routes);
