/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * record: reading one message of the records stream (see record.h).
 */
#include "record.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "json.h"

enum field_type {
	F_INT,
	F_DAY,
	F_SMALL,
	F_STR,
	F_BOOL,
	F_ARRAY
};

struct field {
	const char *name;
	enum field_type type;
	bool required;
};

/* What hub_ingest() (sql/001-records.sql) casts, per kind.  v, kind, seq
 * and at are checked for every kind. */
static const struct field ticket_fields[] = {
    {"ticket", F_INT},     {"day", F_DAY},
    {"service", F_STR},    {"provider", F_STR},
    {"code", F_STR},       {"lang", F_STR},
    {"priority", F_SMALL}, {"appointment", F_BOOL},
    {"issued_at", F_INT},  {0},
};
static const struct field visit_fields[] = {
    {"visit", F_INT},         {"ticket", F_INT},
    {"day", F_DAY, true}, /* the partition's key */
    {"service", F_STR},       {"provider", F_STR},
    {"counter", F_SMALL},     {"channel", F_STR},
    {"outcome", F_STR},       {"lang", F_STR},
    {"recalls", F_SMALL},     {"transfers", F_SMALL},
    {"appointment", F_BOOL},  {"issued_at", F_INT},
    {"called_at", F_INT},     {"started_at", F_INT},
    {"ended_at", F_INT},      {"category", F_STR},
    {"identity", F_STR},      {"identity_verdict", F_STR},
    {"document_type", F_STR}, {"session", F_INT},
    {"consent", F_STR},       {"manual", F_BOOL},
    {"trial", F_BOOL},        {0},
};
static const struct field session_fields[] = {
    {"session", F_INT}, {"booth", F_SMALL},    {"ticket", F_INT},       {"day", F_DAY},
    {"service", F_STR}, {"provider", F_STR},   {"reason", F_STR},       {"video_codec", F_STR},
    {"consent", F_STR}, {"created_at", F_INT}, {"ringing_at", F_INT},   {"connecting_at", F_INT},
    {"live_at", F_INT}, {"ended_at", F_INT},   {"reconnects", F_SMALL}, {0},
};
static const struct field feedback_fields[] = {
    {"tied", F_BOOL},    {"ticket", F_INT},   {"day", F_DAY},
    {"service", F_STR},  {"provider", F_STR}, {"counter", F_SMALL},
    {"rating", F_SMALL}, {"source", F_STR},   {0},
};
static const struct field counter_fields[] = {
    {"counter", F_SMALL},
    {"booth", F_BOOL},
    {"opened_at", F_INT},
    {0},
};
static const struct field fault_fields[] = {
    {"device", F_STR},
    {"fault", F_STR},
    {0},
};
static const struct field day_fields[] = {
    {"day", F_DAY},          {"tickets", F_INT},  {"feedback", F_INT},
    {"feedback_sum", F_INT}, {"visits", F_ARRAY}, {0},
};
static const struct field day_line_fields[] = {
    {"service", F_STR}, {"provider", F_STR}, {"channel", F_STR},   {"outcome", F_STR},
    {"n", F_INT},       {"wait_s", F_INT},   {"service_s", F_INT}, {0},
};

static const struct kind {
	const char *name;
	const struct field *fields;
} kinds[] = {
    {"ticket.issued", ticket_fields},   {"visit", visit_fields},
    {"session.ended", session_fields},  {"feedback", feedback_fields},
    {"counter.opened", counter_fields}, {"counter.closed", counter_fields},
    {"fault.raised", fault_fields},     {"fault.cleared", fault_fields},
    {"day.summary", day_fields},
};

/* The deepest a record nests: a day summary is 3 levels. */
#define RECORD_MAX_DEPTH 8
/* Service days (days since 1970) up to the year 2500. */
#define DAY_MAX 194000

static bool site_valid(const char *s, size_t n)
{
	if (n == 0 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!g_ascii_islower(s[i]) && !g_ascii_isdigit(s[i]) && s[i] != '-')
			return false;
	return true;
}

static bool hex_valid(const char *s, size_t n)
{
	if (n == 0 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!g_ascii_isxdigit(s[i]) || g_ascii_isupper(s[i]))
			return false;
	return true;
}

static bool int_member(JsonObject *o, const char *name, int64_t min, int64_t max, int64_t *ret)
{
	JsonNode *n = json_object_get_member(o, name);
	int64_t v;

	if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
		return false;
	v = json_node_get_int(n);
	if (v < min || v > max)
		return false;
	*ret = v;
	return true;
}

/* NULL when every field of @fields in @o has its type; else the bad one. */
static const char *fields_check(JsonObject *o, const struct field *fields)
{
	for (const struct field *f = fields; f->name; f++) {
		JsonNode *n = json_object_get_member(o, f->name);
		int64_t v;

		if (!n || JSON_NODE_HOLDS_NULL(n)) {
			if (f->required)
				return f->name;
			continue;
		}
		switch (f->type) {
		case F_INT:
			if (!int_member(o, f->name, INT64_MIN, INT64_MAX, &v))
				return f->name;
			break;
		case F_DAY:
			if (!int_member(o, f->name, 0, DAY_MAX, &v))
				return f->name;
			break;
		case F_SMALL:
			if (!int_member(o, f->name, INT32_MIN, INT32_MAX, &v))
				return f->name;
			break;
		case F_STR:
			if (!JSON_NODE_HOLDS_VALUE(n) ||
			    json_node_get_value_type(n) != G_TYPE_STRING)
				return f->name;
			break;
		case F_BOOL:
			if (!JSON_NODE_HOLDS_VALUE(n) ||
			    json_node_get_value_type(n) != G_TYPE_BOOLEAN)
				return f->name;
			break;
		case F_ARRAY: {
			JsonArray *a;

			if (!JSON_NODE_HOLDS_ARRAY(n))
				return f->name;
			a = json_node_get_array(n);
			for (guint i = 0; i < json_array_get_length(a); i++) {
				JsonNode *e = json_array_get_element(a, i);

				if (!JSON_NODE_HOLDS_OBJECT(e) ||
				    fields_check(json_node_get_object(e), day_line_fields))
					return f->name;
			}
			break;
		}
		}
	}
	return NULL;
}

G_GNUC_PRINTF(2, 3)
static int reject(char **ret_reason, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	*ret_reason = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int record_read(const char *subject, const char *msg_id, const char *data, size_t len,
		struct record *ret, char **ret_reason)
{
	static const char prefix[] = "vuoro.rec.";
	const char *site, *dot, *kind_s, *last, *mid;
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;
	const struct kind *kind = NULL;
	const char *bad;
	JsonObject *o;
	JsonNode *root;
	int64_t v, seq, body_seq, at;
	size_t site_len;
	guint64 useq;

	if (!g_str_has_prefix(subject, prefix))
		return reject(ret_reason, "subject %s is not vuoro.rec.<site>.<kind>", subject);
	site = subject + strlen(prefix);
	dot = strchr(site, '.');
	if (!dot || !dot[1])
		return reject(ret_reason, "subject %s is not vuoro.rec.<site>.<kind>", subject);
	site_len = (size_t)(dot - site);
	kind_s = dot + 1;
	if (!site_valid(site, site_len))
		return reject(ret_reason, "site id in subject %s is not a-z, 0-9, '-' (1–32)",
			      subject);
	for (size_t i = 0; i < G_N_ELEMENTS(kinds) && !kind; i++)
		if (strcmp(kinds[i].name, kind_s) == 0)
			kind = &kinds[i];
	if (!kind)
		return reject(ret_reason, "unknown kind %s", kind_s);

	/* <site>-<epoch>-<seq>, read from the right. */
	if (!msg_id)
		return reject(ret_reason, "no Nats-Msg-Id header");
	last = strrchr(msg_id, '-');
	if (!last || last == msg_id ||
	    !g_ascii_string_to_unsigned(last + 1, 10, 1, INT64_MAX, &useq, NULL))
		return reject(ret_reason, "Nats-Msg-Id %s is not <site>-<epoch>-<seq>", msg_id);
	seq = (int64_t)useq;
	mid = last - 1;
	while (mid > msg_id && *mid != '-')
		mid--;
	if (*mid != '-' || !hex_valid(mid + 1, (size_t)(last - mid - 1)))
		return reject(ret_reason, "Nats-Msg-Id %s: the epoch is not hex", msg_id);
	if ((size_t)(mid - msg_id) != site_len || strncmp(msg_id, site, site_len) != 0)
		return reject(ret_reason, "Nats-Msg-Id %s names another site than subject %s",
			      msg_id, subject);

	if (!g_utf8_validate(data, (gssize)len, NULL))
		return reject(ret_reason, "body is not UTF-8");
	if (web_json_check(data, len, RECORD_MAX_DEPTH, &error) < 0)
		return reject(ret_reason, "body: %s", error->message);
	if (!json_parser_load_from_data(parser, data, (gssize)len, &error))
		return reject(ret_reason, "body is not JSON: %s", error->message);
	root = json_parser_get_root(parser);
	if (!root || !JSON_NODE_HOLDS_OBJECT(root))
		return reject(ret_reason, "body is not a JSON object");
	o = json_node_get_object(root);
	if (!int_member(o, "v", 1, INT32_MAX, &v))
		return reject(ret_reason, "body has no version \"v\" (a whole number ≥ 1)");
	if (!json_object_has_member(o, "kind") ||
	    g_strcmp0(web_json_str(o, "kind", ""), kind_s) != 0)
		return reject(ret_reason, "body's \"kind\" is not the subject's %s", kind_s);
	if (!int_member(o, "seq", 1, INT64_MAX, &body_seq) || body_seq != seq)
		return reject(ret_reason,
			      "body's \"seq\" is not the message id's %" G_GINT64_FORMAT, seq);
	if (!int_member(o, "at", INT64_MIN, INT64_MAX, &at))
		return reject(ret_reason, "body has no \"at\" (unix seconds)");
	bad = fields_check(o, kind->fields);
	if (bad)
		return reject(ret_reason, "%s: field \"%s\" is missing or of the wrong type",
			      kind_s, bad);

	ret->site = g_strndup(site, site_len);
	ret->epoch = g_strndup(mid + 1, (size_t)(last - mid - 1));
	ret->seq = seq;
	ret->kind = g_strdup(kind_s);
	ret->body = json_node_ref(root);
	return 0;
}

void record_clear(struct record *r)
{
	g_clear_pointer(&r->site, g_free);
	g_clear_pointer(&r->epoch, g_free);
	g_clear_pointer(&r->kind, g_free);
	g_clear_pointer(&r->body, json_node_unref);
}

void record_add_to(const struct record *r, JsonBuilder *b)
{
	json_builder_begin_object(b);
	web_json_add_str(b, "site", r->site);
	web_json_add_str(b, "epoch", r->epoch);
	web_json_add_int(b, "seq", r->seq);
	web_json_add_str(b, "kind", r->kind);
	json_builder_set_member_name(b, "r");
	json_builder_add_value(b, json_node_ref(r->body));
	json_builder_end_object(b);
}
