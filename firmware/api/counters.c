/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api/counters: counters and expert desks: open, call, recall, start, no-show, park, resume,
 * transfer, end.
 */
#include "api_internal.h"
#include <errno.h>
#include <string.h>
#include "store.h"
#include "visit.h"

/* Counter commands: the counter's own user (or an admin) only, once open. */
static gboolean api_counter_cmd_init(struct web_req *r, struct queue_cmd *cmd,
				     enum queue_cmd_type type)
{
	struct api *api = api_of(r);
	const struct queue_counter *qc;
	int64_t id;

	if (!web_seg_id(r, 2, API_COUNTER_MAX, &id))
		return FALSE;
	if (config_counter_find(api->cfg, (int)id) < 0) {
		web_error(r, 404, "not_found", "no counter %" G_GINT64_FORMAT, id);
		return FALSE;
	}
	*cmd = (struct queue_cmd){.type = type, .counter = (int16_t)id, .service = -1};
	qc = queue_counter_get(desk_queue(api->desk), (int16_t)id);
	if (type != QUEUE_CMD_OPEN && qc && qc->open && !(r->caller.role & AUTH_ROLE_ADMIN) &&
	    g_strcmp0(qc->user, r->caller.user) != 0) {
		web_error(r, 403, "forbidden",
			  "counter %" G_GINT64_FORMAT " is open for %s: only they or an admin "
			  "can use it",
			  id, qc->user);
		return FALSE;
	}
	return TRUE;
}

static void api_counter_simple(struct web_req *r, enum queue_cmd_type type)
{
	struct queue_cmd cmd;

	if (api_counter_cmd_init(r, &cmd, type))
		api_run(r, &cmd, 200);
}

static void api_counter_open(struct web_req *r)
{
	struct queue_cmd cmd;

	if (!api_counter_cmd_init(r, &cmd, QUEUE_CMD_OPEN) ||
	    !api_roles_may_open(r, cmd.counter, web_str(r, "profile")))
		return;
	cmd.user = r->caller.user;
	cmd.profile = web_str(r, "profile");
	api_run(r, &cmd, 200);
}

static void api_counter_close(struct web_req *r)
{
	api_counter_simple(r, QUEUE_CMD_CLOSE);
}

static void api_counter_call(struct web_req *r)
{
	struct queue_cmd cmd;

	if (!api_counter_cmd_init(r, &cmd, QUEUE_CMD_CALL))
		return;
	cmd.ticket = (uint32_t)MAX(0, web_int(r, "ticket", 0));
	if (!api_roles_may_call(r, cmd.ticket))
		return;
	api_run(r, &cmd, 200);
}

static void api_counter_recall(struct web_req *r)
{
	api_counter_simple(r, QUEUE_CMD_RECALL);
}

static void api_counter_start(struct web_req *r)
{
	api_counter_simple(r, QUEUE_CMD_START);
}

static void api_counter_noshow(struct web_req *r)
{
	api_counter_simple(r, QUEUE_CMD_NO_SHOW);
}

static void api_counter_park(struct web_req *r)
{
	api_counter_simple(r, QUEUE_CMD_PARK);
}

static void api_counter_resume(struct web_req *r)
{
	struct queue_cmd cmd;

	if (!api_counter_cmd_init(r, &cmd, QUEUE_CMD_RESUME))
		return;
	cmd.ticket = (uint32_t)MAX(0, web_int(r, "ticket", 0));
	if (!api_roles_may_call(r, cmd.ticket))
		return;
	api_run(r, &cmd, 200);
}

/* A transfer's note for the next server: trimmed, at most
 * VISIT_TRANSFER_NOTE_MAX characters, no control characters but line
 * breaks.  *@ret NULL when absent or blank; FALSE after a reply. */
static gboolean transfer_note_parse(struct web_req *r, char **ret)
{
	const char *raw = web_str(r, "note");
	g_autofree char *note = NULL;

	*ret = NULL;
	if (!raw)
		return TRUE;
	if (!g_utf8_validate(raw, -1, NULL)) {
		web_error(r, 400, "invalid", "note is not valid UTF-8 text");
		return FALSE;
	}
	note = g_strstrip(g_strdup(raw));
	if (!*note)
		return TRUE;
	if (g_utf8_strlen(note, -1) > VISIT_TRANSFER_NOTE_MAX) {
		web_error(r, 400, "invalid",
			  "note has %ld characters: shorten it to at most %d, the matter in a "
			  "few words",
			  g_utf8_strlen(note, -1), VISIT_TRANSFER_NOTE_MAX);
		return FALSE;
	}
	for (const char *p = note; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (g_unichar_iscntrl(c) && c != '\n') {
			web_error(r, 400, "invalid",
				  "note may hold text and line breaks only, no control characters");
			return FALSE;
		}
	}
	*ret = g_steal_pointer(&note);
	return TRUE;
}

static void api_counter_transfer(struct web_req *r)
{
	struct queue_cmd cmd;
	const char *service = web_str(r, "service");
	g_autofree char *note = NULL;

	if (!api_counter_cmd_init(r, &cmd, QUEUE_CMD_TRANSFER))
		return;
	if (service) {
		cmd.service = (int16_t)config_service_find(api_of(r)->cfg, service);
		if (cmd.service < 0) {
			web_error(r, 404, "not_found", "no service \"%s\"", service);
			return;
		}
	}
	cmd.to_counter = (int16_t)web_int(r, "counter", 0);
	if (cmd.service < 0 && !cmd.to_counter) {
		web_error(r, 400, "missing_field",
			  "say where to: \"service\" (a service code) and/or \"counter\"");
		return;
	}
	cmd.front = web_bool(r, "front", FALSE);
	if (!transfer_note_parse(r, &note))
		return;
	cmd.transfer_note = note; /* stored with the visit, in the TRANSFER's transaction */
	api_run(r, &cmd, 200);
}

static void api_counter_end(struct web_req *r)
{
	struct queue_cmd cmd;
	const char *outcome = web_str(r, "outcome");
	const char *channel = web_str(r, "channel");
	const char *category = web_str(r, "category");

	if (!api_counter_cmd_init(r, &cmd, QUEUE_CMD_END))
		return;
	if (category && (!*category || g_utf8_strlen(category, -1) > 64 ||
			 !g_utf8_validate(category, -1, NULL))) {
		web_error(r, 400, "invalid",
			  "category is a text of 1 to 64 characters, like \"housing "
			  "allowance\"");
		return;
	}
	cmd.outcome = (int8_t)(outcome ? queue_outcome_parse(outcome) : -1);
	cmd.channel = (int8_t)(channel ? queue_channel_parse(channel) : -1);
	if (outcome && (cmd.outcome < 0 || cmd.outcome > QUEUE_OUTCOME_FOLLOW_UP)) {
		web_error(r, 400, "invalid",
			  "outcome must be \"resolved\", \"referred\" or \"follow_up\"");
		return;
	}
	if (channel && cmd.channel < 0) {
		web_error(r, 400, "invalid",
			  "channel must be \"in_person\", \"remote_video\", \"e_service\", "
			  "\"paper_form\", \"phone\" or \"provider_on_site\"");
		return;
	}
	cmd.category = category; /* stored with the visit, in the END's transaction */
	api_run(r, &cmd, 200);
}

/* ---------------------------------------------------------------------- */
/* State queries */

static void api_profile_build(struct api *api, JsonBuilder *b, const char *member,
			      const struct config_profile_entry *p, unsigned n)
{
	json_builder_set_member_name(b, member);
	json_builder_begin_array(b);
	for (unsigned k = 0; k < n; k++) {
		json_builder_begin_object(b);
		web_json_add_str(b, "service", config_service_get(api->cfg, p[k].service)->code);
		web_json_add_int(b, "weight", p[k].weight);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

/* GET /api/counters/N: the counter, its profile with weights (the one it
 * is open with, and the configured one it opens with by default), and the
 * ticket "call next" would take now — chosen by the engine's own pick, so
 * the console's list and its button agree (null: closed, busy or nobody). */
static void api_counter_get(struct web_req *r)
{
	struct api *api = api_of(r);
	g_autoptr(JsonBuilder) b = json_builder_new();
	const struct config_counter *cc;
	const struct queue_counter *qc;
	const struct queue_ticket *next;
	struct queue_time t;
	int64_t id;
	int idx;

	if (!web_seg_id(r, 2, API_COUNTER_MAX, &id))
		return;
	idx = config_counter_find(api->cfg, (int)id);
	if (idx < 0) {
		web_error(r, 404, "not_found",
			  "no counter %" G_GINT64_FORMAT ": GET /api/status lists them", id);
		return;
	}
	cc = config_counter_get(api->cfg, idx);
	qc = queue_counter_get(desk_queue(api->desk), (int16_t)id);
	desk_time(api->desk, &t);
	next = queue_counter_next(desk_queue(api->desk), (int16_t)id, &t);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "counter");
	api_build_counter(api, b, cc, TRUE);
	api_profile_build(api, b, "profile", qc ? qc->profile : NULL, qc ? qc->n_profile : 0);
	api_profile_build(api, b, "configured_profile",
			  (const struct config_profile_entry *)(void *)cc->profile->data,
			  MIN(cc->profile->len, QUEUE_PROFILE_MAX));
	json_builder_set_member_name(b, "next");
	if (next)
		api_build_ticket(api, b, next, &t);
	else
		json_builder_add_null_value(b);
	json_builder_end_object(b);
	web_reply_builder(r, 200, b);
}

static const struct web_field api_open_fields[] = {WEB_FIELD_STR("profile", FALSE, 512),
						   WEB_FIELDS_END};
static const struct web_field api_call_fields[] = {WEB_FIELD_INT("ticket", FALSE, 1, G_MAXINT32),
						   WEB_FIELDS_END};
static const struct web_field api_resume_fields[] = {WEB_FIELD_INT("ticket", TRUE, 1, G_MAXINT32),
						     WEB_FIELDS_END};
static const struct web_field api_transfer_fields[] = {
    WEB_FIELD_STR("service", FALSE, 32), WEB_FIELD_INT("counter", FALSE, 1, API_COUNTER_MAX),
    WEB_FIELD_BOOL("front", FALSE), WEB_FIELD_STR("note", FALSE, 4 * VISIT_TRANSFER_NOTE_MAX),
    WEB_FIELDS_END};
static const struct web_field api_end_fields[] = {
    WEB_FIELD_STR("outcome", FALSE, 32), WEB_FIELD_STR("channel", FALSE, 32),
    WEB_FIELD_STR("category", FALSE, 128), WEB_FIELDS_END};

const struct web_route api_counters_routes[] = {
    {"GET", "/api/counters/*", COUNTER_STAFF, api_counter_get, NULL},
    {"POST", "/api/counters/*/open", COUNTER_STAFF, api_counter_open, api_open_fields},
    {"POST", "/api/counters/*/close", COUNTER_STAFF, api_counter_close, api_no_fields},
    {"POST", "/api/counters/*/call", COUNTER_STAFF, api_counter_call, api_call_fields},
    {"POST", "/api/counters/*/recall", COUNTER_STAFF, api_counter_recall, api_no_fields},
    {"POST", "/api/counters/*/start", COUNTER_STAFF, api_counter_start, api_no_fields},
    {"POST", "/api/counters/*/noshow", COUNTER_STAFF, api_counter_noshow, api_no_fields},
    {"POST", "/api/counters/*/park", COUNTER_STAFF, api_counter_park, api_no_fields},
    {"POST", "/api/counters/*/resume", COUNTER_STAFF, api_counter_resume, api_resume_fields},
    {"POST", "/api/counters/*/transfer", COUNTER_STAFF, api_counter_transfer, api_transfer_fields},
    {"POST", "/api/counters/*/end", COUNTER_STAFF, api_counter_end, api_end_fields},
};
const size_t api_counters_n_routes = G_N_ELEMENTS(api_counters_routes);
