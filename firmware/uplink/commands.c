/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * commands: the hub's commands to the booths (see commands.h).
 */
#include "commands.h"

#include <errno.h>
#include <string.h>

#include "booth.h"
#include "json.h"
#include "queue.h"

#define CLIENT_MAX   64
#define EXPERT_MAX   64
#define CATEGORY_MAX 64

/* An expert's browser connection at the hub, as a booth's peer. */
struct hub_peer {
	char *client;
	char *subject; /* vuoro.hub.<site>.sig.<client> */
};

struct commands {
	const struct config *cfg;
	struct api *api;
	commands_publish_fn publish;
	gpointer publish_data;
	GHashTable *peers; /* client → struct hub_peer * (rc box, ours) */
	GHashTable *known; /* struct hub_peer * set: is a booth's peer one of ours? */
};

/* A command's parsed body and its reply. */
struct cmd {
	struct commands *c;
	JsonObject *body;
	JsonBuilder *reply; /* the members after "ok":true */
	int status;         /* 0: ok */
	const char *error;
	char *message;
};

typedef void (*cmd_fn)(struct cmd *x);

static void cmd_fail(struct cmd *x, int status, const char *error, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);
static void cmd_fail(struct cmd *x, int status, const char *error, const char *fmt, ...)
{
	va_list ap;

	if (x->status)
		return;
	va_start(ap, fmt);
	x->status = status;
	x->error = error;
	x->message = g_strdup_vprintf(fmt, ap);
	va_end(ap);
}

/* A booths_* error as the site's HTTP API would say it; refusals because of
 * who asks (another expert's session) are 403 here. */
static void cmd_fail_errno(struct cmd *x, int rc, const GError *error)
{
	const char *message = error ? error->message : g_strerror(-rc);

	switch (-rc) {
	case EINVAL:
		cmd_fail(x, 400, "invalid", "%s", message);
		break;
	case ENOENT:
		cmd_fail(x, 404, "not_found", "%s", message);
		break;
	case ENODATA:
		cmd_fail(x, 404, "nobody_waiting", "%s", message);
		break;
	case EPERM:
	case EACCES:
		cmd_fail(x, 403, "forbidden", "%s", message);
		break;
	case EBUSY:
		cmd_fail(x, 409, "busy", "%s", message);
		break;
	case EALREADY:
		cmd_fail(x, 409, "already", "%s", message);
		break;
	case ESTALE:
		cmd_fail(x, 409, "wrong_state", "%s", message);
		break;
	case ENOTCONN:
		cmd_fail(x, 409, "not_connected", "%s", message);
		break;
	default:
		cmd_fail(x, 503, "unavailable", "%s", message);
		break;
	}
}

/* ---------------------------------------------------------------------- */
/* Members */

static const char *cmd_str(struct cmd *x, const char *name, gboolean required, gsize max)
{
	JsonNode *n = json_object_get_member(x->body, name);
	const char *v;

	if (!n || JSON_NODE_HOLDS_NULL(n)) {
		if (required)
			cmd_fail(x, 400, "invalid", "%s is missing", name);
		return NULL;
	}
	if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING ||
	    !*(v = json_node_get_string(n)) || strlen(v) > max) {
		cmd_fail(x, 400, "invalid", "%s is a text of 1 to %zu bytes", name, max);
		return NULL;
	}
	return v;
}

static int64_t cmd_int(struct cmd *x, const char *name, gboolean required, int64_t min, int64_t max)
{
	JsonNode *n = json_object_get_member(x->body, name);
	int64_t v;

	if (!n || JSON_NODE_HOLDS_NULL(n)) {
		if (required)
			cmd_fail(x, 400, "invalid", "%s is missing", name);
		return 0;
	}
	if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64 ||
	    (v = json_node_get_int(n)) < min || v > max) {
		cmd_fail(x, 400, "invalid",
			 "%s is a whole number from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT,
			 name, min, max);
		return 0;
	}
	return v;
}

static gboolean cmd_bool(struct cmd *x, const char *name, gboolean fallback)
{
	JsonNode *n = json_object_get_member(x->body, name);

	if (!n || JSON_NODE_HOLDS_NULL(n))
		return fallback;
	if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_BOOLEAN) {
		cmd_fail(x, 400, "invalid", "%s is true or false", name);
		return fallback;
	}
	return json_node_get_boolean(n);
}

static const char *cmd_client(struct cmd *x)
{
	const char *client = cmd_str(x, "client", TRUE, CLIENT_MAX);

	for (const char *p = client; p && *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_') {
			cmd_fail(x, 400, "invalid", "client is 1 to 64 of A-Z, a-z, 0-9, _ and -");
			return NULL;
		}
	return client;
}

static struct booths *cmd_booths(struct cmd *x)
{
	struct booths *b = api_booths(x->c->api);

	if (!b)
		cmd_fail(x, 503, "no_booths", "remote service is not running at this site");
	return b;
}

/* ---------------------------------------------------------------------- */
/* Hub peers */

static void hub_peer_clear(gpointer p)
{
	struct hub_peer *hp = p;

	g_free(hp->client);
	g_free(hp->subject);
}

static void hub_peer_unref(gpointer p)
{
	g_rc_box_release_full(p, hub_peer_clear);
}

static struct hub_peer *hub_peer_get(struct commands *c, const char *client)
{
	struct hub_peer *hp = g_hash_table_lookup(c->peers, client);

	if (hp)
		return hp;
	hp = g_rc_box_new0(struct hub_peer);
	hp->client = g_strdup(client);
	hp->subject = g_strdup_printf("vuoro.hub.%s.sig.%s", c->cfg->uplink_site, client);
	g_hash_table_insert(c->peers, hp->client, hp);
	g_hash_table_add(c->known, hp);
	return hp;
}

static void hub_peer_drop(struct commands *c, struct hub_peer *hp)
{
	g_hash_table_remove(c->known, hp);
	g_hash_table_remove(c->peers, hp->client); /* releases ours */
}

/* Peers that no running session names are let go (a session that ended, a
 * call refused, a page that resumed under a new client id). */
static void hub_peers_sweep(struct commands *c)
{
	struct booths *b = api_booths(c->api);
	GHashTableIter it;
	gpointer value;
	g_autoptr(GPtrArray) idle = g_ptr_array_new();

	g_hash_table_iter_init(&it, c->peers);
	while (g_hash_table_iter_next(&it, NULL, &value))
		if (!b || booths_peer_sessions(b, value) == 0)
			g_ptr_array_add(idle, value);
	for (guint i = 0; i < idle->len; i++)
		hub_peer_drop(c, idle->pdata[i]);
}

gboolean commands_signal_send(struct commands *c, gpointer peer, const char *json)
{
	struct hub_peer *hp = peer;

	if (!c || !g_hash_table_contains(c->known, peer))
		return FALSE;
	c->publish(g_strdup(hp->subject), g_strdup(json), c->publish_data);
	return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Verbs */

static void cmd_call(struct cmd *x)
{
	struct booths *b = cmd_booths(x);
	const char *expert = cmd_str(x, "expert", TRUE, EXPERT_MAX);
	const char *provider = cmd_str(x, "provider", TRUE, 64);
	const char *client = cmd_client(x);
	int booth = (int)cmd_int(x, "booth", FALSE, 1, G_MAXINT16);
	uint32_t ticket = (uint32_t)cmd_int(x, "ticket", FALSE, 1, G_MAXINT32);
	JsonNode *ice = json_object_get_member(x->body, "ice_servers");
	struct booths_call_opts opts = {.data_channel = TRUE};
	struct booths_session_info si;
	g_autoptr(GError) error = NULL;
	int64_t id;

	if (ice && !JSON_NODE_HOLDS_NULL(ice)) {
		if (!JSON_NODE_HOLDS_ARRAY(ice))
			cmd_fail(x, 400, "invalid",
				 "ice_servers is a list of {urls, username?, credential?}");
		else
			opts.ice_servers = json_node_get_array(ice);
	}
	if (x->status)
		return;
	if (booth && !booths_is_booth(b, booth)) {
		cmd_fail(x, 404, "not_found", "counter %d is not a remote-service booth", booth);
		return;
	}
	if (booth && !booths_booth_serves(b, booth, provider)) {
		cmd_fail(x, 403, "wrong_provider",
			 "booth %d does not serve provider %s — pick one of that provider's booths",
			 booth, provider);
		return;
	}
	id = booths_call(b, expert, provider, booth, ticket, hub_peer_get(x->c, client), &opts,
			 &error);
	if (id < 0) {
		cmd_fail_errno(x, (int)id, error);
		return;
	}
	booth = booths_booth_of_session(b, id);
	web_json_add_int(x->reply, "session", id);
	web_json_add_int(x->reply, "booth", booth);
	if (booth > 0 && booths_session_of(b, booth, &si) == 0) {
		web_json_add_int(x->reply, "ticket", si.ticket);
		web_json_add_str(x->reply, "code", si.code);
	}
}

/* The hub acts only on sessions called through it: a local expert's of
 * the same name is not the hub's expert's. */
static void cmd_hub_session(struct cmd *x, struct booths *b, int64_t id)
{
	struct booths_session_info si;
	int booth = booths_booth_of_session(b, id);

	if (booth > 0 && booths_session_of(b, booth, &si) == 0 && !si.hub)
		cmd_fail(x, 403, "forbidden",
			 "session %" G_GINT64_FORMAT " is served from this site's own expert page",
			 id);
}

/* The members every session verb has: the expert and the session. */
static struct booths *cmd_session(struct cmd *x, const char **expert, int64_t *id)
{
	struct booths *b = cmd_booths(x);

	*expert = cmd_str(x, "expert", TRUE, EXPERT_MAX);
	*id = cmd_int(x, "session", TRUE, 1, G_MAXINT32);
	if (!x->status)
		cmd_hub_session(x, b, *id);
	return x->status ? NULL : b;
}

static void cmd_end(struct cmd *x)
{
	const char *expert, *outcome_text, *category;
	int64_t id;
	struct booths *b = cmd_session(x, &expert, &id);
	g_autoptr(GError) error = NULL;
	int outcome = -1, rc;

	outcome_text = cmd_str(x, "outcome", FALSE, 32);
	category = cmd_str(x, "category", FALSE, CATEGORY_MAX);
	if (outcome_text) {
		outcome = queue_outcome_parse(outcome_text);
		if (outcome != QUEUE_OUTCOME_RESOLVED && outcome != QUEUE_OUTCOME_REFERRED &&
		    outcome != QUEUE_OUTCOME_FOLLOW_UP)
			cmd_fail(x, 400, "invalid",
				 "outcome must be resolved, referred or follow_up");
	}
	if (!b || x->status)
		return;
	rc = booths_end(b, id, expert, outcome, category, &error);
	if (rc < 0)
		cmd_fail_errno(x, rc, error);
}

static void cmd_message(struct cmd *x)
{
	const char *expert, *template_name, *text;
	int64_t id;
	struct booths *b = cmd_session(x, &expert, &id);
	g_autoptr(GError) error = NULL;
	int rc;

	template_name = cmd_str(x, "template", FALSE, 64);
	text = cmd_str(x, "text", FALSE, 4 * 280);
	if (!b || x->status)
		return;
	rc = booths_message(b, id, expert, template_name, text, &error);
	if (rc < 0)
		cmd_fail_errno(x, rc, error);
}

static void cmd_document(struct cmd *x)
{
	const char *expert;
	int64_t id;
	struct booths *b = cmd_session(x, &expert, &id);
	gboolean on = cmd_bool(x, "on", TRUE);
	g_autoptr(GError) error = NULL;
	int rc;

	if (!b || x->status)
		return;
	rc = booths_document(b, id, expert, on, &error);
	if (rc < 0)
		cmd_fail_errno(x, rc, error);
}

static void cmd_consent(struct cmd *x)
{
	const char *expert;
	int64_t id;
	struct booths *b = cmd_session(x, &expert, &id);
	g_autoptr(GError) error = NULL;
	int rc;

	if (!b)
		return;
	rc = booths_ask_consent(b, id, expert, &error);
	if (rc < 0)
		cmd_fail_errno(x, rc, error);
}

static void cmd_ask_identity(struct cmd *x)
{
	const char *expert;
	int64_t id;
	struct booths *b = cmd_session(x, &expert, &id);
	gboolean ask = cmd_bool(x, "ask", TRUE);
	g_autoptr(GError) error = NULL;
	int rc;

	if (!b || x->status)
		return;
	rc = booths_ask_identity(b, id, expert, ask, &error);
	if (rc < 0)
		cmd_fail_errno(x, rc, error);
}

/* The expert checked a document the customer showed on the document camera
 * (the site's POST /api/sessions/N/identity). */
static void cmd_document_checked(struct cmd *x)
{
	const char *expert, *doc;
	int64_t id;
	struct booths *b = cmd_session(x, &expert, &id);
	struct booths_session_info info;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node = NULL;
	JsonObjectIter it;
	const char *name;
	JsonNode *value;
	int booth, rc;

	doc = cmd_str(x, "document_type", TRUE, 256);
	if (!b || x->status)
		return;
	booth = booths_booth_of_session(b, id);
	if (booth < 0 || booths_session_of(b, booth, &info) < 0 || info.session != id) {
		cmd_fail(x, 404, "not_found", "session %" G_GINT64_FORMAT " is not running", id);
		return;
	}
	if (g_strcmp0(info.expert, expert) != 0) {
		cmd_fail(x, 403, "forbidden", "session %" G_GINT64_FORMAT " belongs to %s", id,
			 info.expert);
		return;
	}
	rc = api_document_checked(x->c->api, expert, info.ticket, booth, id, doc, &node, &error);
	if (rc == -EINVAL) {
		cmd_fail(x, 400, "invalid", "%s", error->message);
		return;
	}
	if (rc < 0) {
		cmd_fail_errno(x, rc, error);
		return;
	}
	json_object_iter_init(&it, json_node_get_object(node));
	while (json_object_iter_next(&it, &name, &value)) {
		json_builder_set_member_name(x->reply, name);
		json_builder_add_value(x->reply, json_node_copy(value));
	}
}

/* What the browser sends over the site's /api/signal today: answer, ice,
 * resume.  A resume from a new client id moves the session to it. */
static void cmd_signal(struct cmd *x)
{
	struct booths *b = cmd_booths(x);
	const char *expert = cmd_str(x, "expert", TRUE, EXPERT_MAX);
	const char *client = cmd_client(x);
	JsonNode *msg = json_object_get_member(x->body, "msg");
	g_autoptr(GError) error = NULL;
	int rc;

	if (!x->status && (!msg || !JSON_NODE_HOLDS_OBJECT(msg)))
		cmd_fail(x, 400, "invalid", "msg is the signalling message, a JSON object");
	if (!x->status)
		cmd_hub_session(x, b,
				json_object_get_int_member_with_default(json_node_get_object(msg),
									"session", 0));
	if (x->status)
		return;
	rc =
	    booths_signal(b, hub_peer_get(x->c, client), expert, json_node_get_object(msg), &error);
	if (rc < 0)
		cmd_fail_errno(x, rc, error);
}

/* The expert's socket to the hub closed: as a local socket's close. */
static void cmd_peer_gone(struct cmd *x)
{
	const char *client = cmd_client(x);
	struct hub_peer *hp = client ? g_hash_table_lookup(x->c->peers, client) : NULL;
	struct booths *b = api_booths(x->c->api);

	if (!hp)
		return;
	if (b)
		booths_peer_gone(b, hp);
	hub_peer_drop(x->c, hp);
}

/* A booked slot at one of the site's booths (item 6): the site's booth
 * calendar decides (api_book_remote). */
static void cmd_book(struct cmd *x)
{
	const char *expert = cmd_str(x, "expert", TRUE, EXPERT_MAX);
	const char *provider = cmd_str(x, "provider", TRUE, 64);
	const char *service = cmd_str(x, "service", TRUE, 32);
	int booth = (int)cmd_int(x, "booth", FALSE, 1, G_MAXINT16);
	int64_t at = cmd_int(x, "at", TRUE, 1, G_MAXINT64);
	int minutes = (int)cmd_int(x, "minutes", TRUE, 5, 480);
	g_autoptr(GError) error = NULL;
	int rc;

	if (x->status)
		return;
	rc = api_book_remote(x->c->api, expert, provider, booth, service, at, minutes, x->reply,
			     &error);
	if (rc < 0)
		cmd_fail_errno(x, rc, error);
}

static void cmd_cancel_booking(struct cmd *x)
{
	const char *expert = cmd_str(x, "expert", TRUE, EXPERT_MAX);
	const char *provider = cmd_str(x, "provider", TRUE, 64);
	uint32_t id = (uint32_t)cmd_int(x, "id", TRUE, 1, G_MAXUINT32);
	g_autoptr(GError) error = NULL;
	int rc;

	if (x->status)
		return;
	rc = api_cancel_booking(x->c->api, expert, provider, id, x->reply, &error);
	if (rc < 0)
		cmd_fail_errno(x, rc, error);
}

static const struct {
	const char *verb;
	cmd_fn fn;
} verbs[] = {
    {"call", cmd_call},
    {"end", cmd_end},
    {"message", cmd_message},
    {"document", cmd_document},
    {"consent", cmd_consent},
    {"ask-identity", cmd_ask_identity},
    {"signal", cmd_signal},
    {"peer-gone", cmd_peer_gone},
    {"book", cmd_book},
    {"cancel-booking", cmd_cancel_booking},
    {"identity", cmd_document_checked},
};

char *commands_run(struct commands *c, const char *verb, const char *body, gsize len)
{
	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	g_autoptr(JsonBuilder) out = json_builder_new();
	g_autoptr(JsonNode) root = NULL;
	struct cmd x = {.c = c, .reply = json_builder_new()};
	JsonNode *node;
	cmd_fn fn = NULL;

	for (size_t i = 0; i < G_N_ELEMENTS(verbs); i++)
		if (strcmp(verbs[i].verb, verb) == 0)
			fn = verbs[i].fn;
	json_builder_begin_object(x.reply);
	if (!fn)
		cmd_fail(&x, 404, "unknown_command",
			 "the site knows no command \"%s\" — is this vuorod older than the hub?",
			 verb);
	else if (!json_parser_load_from_data(parser, body, (gssize)len, NULL) ||
		 !(node = json_parser_get_root(parser)) || !JSON_NODE_HOLDS_OBJECT(node))
		cmd_fail(&x, 400, "invalid", "a command's body is a JSON object");
	else {
		x.body = json_node_get_object(node);
		fn(&x);
		hub_peers_sweep(c);
	}
	json_builder_end_object(x.reply);
	json_builder_begin_object(out);
	web_json_add_bool(out, "ok", x.status == 0);
	if (x.status) {
		web_json_add_int(out, "status", x.status);
		web_json_add_str(out, "error", x.error);
		web_json_add_str(out, "message", x.message);
	} else {
		g_autoptr(JsonNode) members = json_builder_get_root(x.reply);
		JsonObjectIter it;
		const char *name;
		JsonNode *value;

		json_object_iter_init(&it, json_node_get_object(members));
		while (json_object_iter_next(&it, &name, &value)) {
			json_builder_set_member_name(out, name);
			json_builder_add_value(out, json_node_copy(value));
		}
	}
	json_builder_end_object(out);
	g_object_unref(x.reply);
	g_free(x.message);
	root = json_builder_get_root(out);
	return json_to_string(root, FALSE);
}

struct commands *commands_new(const struct config *cfg, struct api *api,
			      commands_publish_fn publish, gpointer publish_data)
{
	struct commands *c = g_new0(struct commands, 1);

	c->cfg = cfg;
	c->api = api;
	c->publish = publish;
	c->publish_data = publish_data;
	c->peers = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, hub_peer_unref);
	c->known = g_hash_table_new(g_direct_hash, g_direct_equal);
	return c;
}

void commands_free(struct commands *c)
{
	if (!c)
		return;
	g_hash_table_unref(c->known);
	g_hash_table_unref(c->peers);
	g_free(c);
}
