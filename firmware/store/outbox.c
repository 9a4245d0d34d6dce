/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * outbox: records for the hub as JSON (see outbox.h).  Every field is
 * written by json-glib; what a record may hold is decided here, in one
 * place: codes, counts and times, never a person's name or words.
 */
#include "outbox.h"

#include <json-glib/json-glib.h>

#include "json.h"

static JsonBuilder *record_begin(const char *kind, int64_t at)
{
	JsonBuilder *b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "v");
	json_builder_add_int_value(b, OUTBOX_VERSION);
	json_builder_set_member_name(b, "kind");
	json_builder_add_string_value(b, kind);
	json_builder_set_member_name(b, "seq");
	json_builder_add_int_value(b, 0);
	json_builder_set_member_name(b, "at");
	json_builder_add_int_value(b, at);
	return b;
}

static JsonNode *record_end(JsonBuilder *b)
{
	JsonNode *root;

	json_builder_end_object(b);
	root = json_builder_get_root(b);
	g_object_unref(b);
	return root;
}

char *outbox_finish(JsonNode *record, int64_t seq)
{
	char *text;

	/* In place: "seq" keeps its position after "kind". */
	json_object_set_int_member(json_node_get_object(record), "seq", seq);
	text = json_to_string(record, FALSE);
	json_node_unref(record);
	return text;
}

/* A code; NULL and "" are left out. */
static void add_code(JsonBuilder *b, const char *name, const char *v)
{
	if (v && *v)
		web_json_add_str(b, name, v);
}

JsonNode *outbox_ticket_issued(const struct config *cfg, const struct queue_ticket *t, int64_t at)
{
	JsonBuilder *b = record_begin("ticket.issued", at);

	web_json_add_int(b, "ticket", t->id);
	web_json_add_int(b, "day", t->day);
	add_code(b, "service", config_service_get(cfg, t->service)->code);
	add_code(b, "provider", config_provider_code(cfg, t->service));
	add_code(b, "code", t->code);
	add_code(b, "lang", config_lang_code(cfg, t->lang));
	web_json_add_int(b, "priority", t->priority);
	web_json_add_bool(b, "appointment", t->appointment != 0);
	web_json_add_int(b, "issued_at", t->issued_at);
	return record_end(b);
}

JsonNode *outbox_visit(const struct config *cfg, int64_t visit_id, const struct queue_visit *v,
		       const struct store_visit_note *note)
{
	JsonBuilder *b = record_begin("visit", v->ended_at);

	web_json_add_int(b, "visit", visit_id);
	web_json_add_int(b, "ticket", v->ticket);
	web_json_add_int(b, "day", v->day);
	add_code(b, "service", config_service_get(cfg, v->service)->code);
	add_code(b, "provider", config_provider_code(cfg, v->service));
	web_json_add_int(b, "counter", v->counter);
	add_code(b, "channel", queue_channel_name(v->channel));
	add_code(b, "outcome", queue_outcome_name(v->outcome));
	add_code(b, "lang", config_lang_code(cfg, v->lang));
	web_json_add_int(b, "recalls", v->recalls);
	web_json_add_int(b, "transfers", v->transfers);
	web_json_add_bool(b, "appointment", v->appointment != 0);
	web_json_add_int(b, "issued_at", v->issued_at);
	web_json_add_int(b, "called_at", v->called_at);
	web_json_add_int(b, "started_at", v->started_at);
	web_json_add_int(b, "ended_at", v->ended_at);
	web_json_add_bool(b, "trial", config_service_trial(cfg, v->service));
	/* a transfer's note (note->transfer_note) is a person's words: never sent */
	if (note && note->ticket == v->ticket) {
		if (note->manual)
			web_json_add_bool(b, "manual", true);
		add_code(b, "category", note->category);
		add_code(b, "identity", note->identity);
		add_code(b, "identity_verdict", note->identity_verdict);
		add_code(b, "document_type", note->document_type);
		if (note->session)
			web_json_add_int(b, "session", note->session);
		add_code(b, "consent", note->consent);
	}
	return record_end(b);
}

JsonNode *outbox_counter(const struct queue_counter *c, bool opened, int64_t at)
{
	JsonBuilder *b = record_begin(opened ? "counter.opened" : "counter.closed", at);

	web_json_add_int(b, "counter", c->id);
	web_json_add_bool(b, "booth", c->expert);
	if (opened)
		web_json_add_int(b, "opened_at", c->opened_at);
	return record_end(b);
}

JsonNode *outbox_session_ended(const struct outbox_session *ss)
{
	JsonBuilder *b = record_begin("session.ended", ss->ended_at);

	web_json_add_int(b, "session", ss->id);
	web_json_add_int(b, "booth", ss->booth);
	web_json_add_int(b, "ticket", ss->ticket);
	web_json_add_int(b, "day", ss->day);
	add_code(b, "service", ss->service);
	add_code(b, "provider", ss->provider);
	add_code(b, "reason", ss->end_reason);
	add_code(b, "video_codec", ss->video_codec);
	add_code(b, "consent", ss->consent);
	web_json_add_int(b, "created_at", ss->created_at);
	web_json_add_int(b, "ringing_at", ss->ringing_at);
	web_json_add_int(b, "connecting_at", ss->connecting_at);
	web_json_add_int(b, "live_at", ss->live_at);
	web_json_add_int(b, "ended_at", ss->ended_at);
	web_json_add_int(b, "reconnects", ss->reconnects);
	return record_end(b);
}

JsonNode *outbox_feedback(const struct store_feedback *fb)
{
	JsonBuilder *b = record_begin("feedback", fb->at);

	web_json_add_bool(b, "tied", fb->ticket != 0);
	if (fb->ticket)
		web_json_add_int(b, "ticket", fb->ticket);
	web_json_add_int(b, "day", fb->day);
	add_code(b, "service", fb->service);
	add_code(b, "provider", fb->provider);
	if (fb->counter)
		web_json_add_int(b, "counter", fb->counter);
	web_json_add_int(b, "rating", fb->rating);
	add_code(b, "source", fb->source);
	return record_end(b);
}

JsonNode *outbox_fault(const char *device, const char *code, bool raised, int64_t at)
{
	JsonBuilder *b = record_begin(raised ? "fault.raised" : "fault.cleared", at);

	add_code(b, "device", device);
	add_code(b, "fault", code);
	return record_end(b);
}

JsonNode *outbox_day_summary(const struct outbox_day *d)
{
	JsonBuilder *b = record_begin("day.summary", d->at);

	web_json_add_int(b, "day", d->day);
	web_json_add_int(b, "tickets", d->tickets);
	web_json_add_int(b, "feedback", d->feedback);
	web_json_add_int(b, "feedback_sum", d->feedback_sum);
	json_builder_set_member_name(b, "visits");
	json_builder_begin_array(b);
	for (guint i = 0; i < d->n_lines; i++) {
		const struct outbox_day_line *l = &d->lines[i];

		json_builder_begin_object(b);
		add_code(b, "service", l->service);
		add_code(b, "provider", l->provider);
		add_code(b, "channel", l->channel);
		add_code(b, "outcome", l->outcome);
		web_json_add_int(b, "n", l->visits);
		web_json_add_int(b, "wait_s", l->wait_s);
		web_json_add_int(b, "service_s", l->service_s);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	return record_end(b);
}
