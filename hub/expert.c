/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * expert: the experts' workplace at the hub (see expert.h).
 *
 * Threads: libnats delivers the sites' signalling on its own thread and the
 * commands' requests block a worker of the pool; both only post an item to
 * the main loop (an async queue and a ready-time source, as live.c does).
 * Everything else — the clients, their sessions, the sockets, the HTTP
 * answers, presence — lives on the loop.
 */
#include "expert.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "live.h"
#include "web.h"

#define EXPERT_ROLES       HUB_ROLE_EXPERT
#define EXPERT_SOCKET      "/api/hub/expert/socket"
#define EXPERT_CMD_WAIT_MS 3000
#define EXPERT_PRESENCE_S  15
#define EXPERT_WORKERS     8
#define EXPERT_CALL_TRIES  4  /* sites tried by one "call next" */
#define EXPERT_LEFT_S      60 /* a closed page's sessions, listed to its expert's next page */

struct hub_expert {
	struct hub *hub;
	GHashTable *clients; /* id → struct client */
	GThreadPool *pool;   /* struct cmd: one NATS request each */
	GAsyncQueue *posted; /* struct post, from the pool and libnats */
	GSource *wake;
	natsSubscription *sig;
	guint presence_timer;
	guint ping_timer;
	char *presence_last; /* the providers' text last published */
	GHashTable *queues;  /* "site/provider" → the part's text last seen */
	GPtrArray *left;     /* struct left: sessions of pages that closed */
};

/* One session of a client, as far as the hub follows it. */
struct xsession {
	char *site;
	int64_t id, booth, ticket;
	char *code;
	char state[16];
};

/* A session whose page closed (reloaded, crashed, its network gone): the
 * site keeps it for its reconnect window, so the expert's next page is told
 * of it and asks for a new offer (resume). */
struct left {
	char *user;
	struct xsession *s;
	int64_t until; /* monotonic */
};

/* One browser connection of an expert. */
struct client {
	struct hub_expert *e;
	char id[33];
	char *user;
	char provider[WEB_PROVIDER_MAX + 1];
	SoupWebsocketConnection *ws;
	GHashTable *sessions; /* "site/id" → struct xsession */
	int64_t heard_us;     /* monotonic: the page's last message (a pong at least) */
};

struct cmd;
typedef void (*cmd_done_fn)(struct cmd *c, JsonObject *reply);

/* A command to a site; reply NULL when the site did not answer. */
struct cmd {
	struct hub_expert *e;
	char *site;
	char *verb;
	char *body;
	char *reply;
	struct web_exchange *x; /* the HTTP request waiting for it, or NULL */
	cmd_done_fn done;
	/* call: the client, what was asked, the sites still to try */
	char *client;
	char *user;
	char provider[WEB_PROVIDER_MAX + 1];
	GPtrArray *candidates; /* struct candidate */
	guint tried;
	int64_t session; /* session commands: the session's id */
};

struct candidate {
	char *site;
	int64_t booth, ticket; /* 0: the site's choice */
};

enum post_kind {
	POST_SIG,
	POST_CMD
};

struct post {
	enum post_kind kind;
	char *site, *client, *data; /* POST_SIG */
	struct cmd *cmd;            /* POST_CMD */
};

static void xsession_free(gpointer p)
{
	struct xsession *s = p;

	g_free(s->site);
	g_free(s->code);
	g_free(s);
}

static struct xsession *xsession_copy(const struct xsession *s)
{
	struct xsession *copy = g_new(struct xsession, 1);

	*copy = *s;
	copy->site = g_strdup(s->site);
	copy->code = g_strdup(s->code);
	return copy;
}

/* One session as GET /api/hub/expert lists it; @client NULL for a closed
 * page's session. */
static void xsession_json(JsonBuilder *b, const struct xsession *s, const char *client)
{
	json_builder_begin_object(b);
	web_json_add_str(b, "site", s->site);
	web_json_add_int(b, "session", s->id);
	web_json_add_int(b, "booth", s->booth);
	if (s->ticket)
		web_json_add_int(b, "ticket", s->ticket);
	web_json_add_str(b, "code", s->code);
	web_json_add_str(b, "state", s->state);
	if (client)
		web_json_add_str(b, "client", client);
	json_builder_end_object(b);
}

static void left_free(gpointer p)
{
	struct left *l = p;

	g_free(l->user);
	xsession_free(l->s);
	g_free(l);
}

/* Forgets the closed pages' sessions older than EXPERT_LEFT_S. */
static void left_prune(struct hub_expert *e)
{
	int64_t now = g_get_monotonic_time();

	for (guint i = e->left->len; i-- > 0;) {
		const struct left *l = g_ptr_array_index(e->left, i);

		if (l->until < now)
			g_ptr_array_remove_index(e->left, i);
	}
}

/* Keeps the sessions of @c's page, which closed, for EXPERT_LEFT_S. */
static void left_keep(struct hub_expert *e, struct client *c)
{
	GHashTableIter it;
	gpointer v;

	left_prune(e);
	g_hash_table_iter_init(&it, c->sessions);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		const struct xsession *s = v;
		struct left *l;

		if (strcmp(s->state, "ended") == 0)
			continue;
		l = g_new0(struct left, 1);
		l->user = g_strdup(c->user);
		l->s = xsession_copy(s);
		l->until = g_get_monotonic_time() + EXPERT_LEFT_S * G_USEC_PER_SEC;
		g_ptr_array_add(e->left, l);
	}
}

/* Whether an open page of @user follows @site's session @id. */
static bool followed(struct hub_expert *e, const char *user, const char *site, int64_t id)
{
	g_autofree char *key = g_strdup_printf("%s/%" PRId64, site, id);
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, e->clients);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct client *c = v;

		if (g_strcmp0(c->user, user) == 0 && g_hash_table_contains(c->sessions, key))
			return true;
	}
	return false;
}

static void candidate_free(gpointer p)
{
	struct candidate *c = p;

	g_free(c->site);
	g_free(c);
}

static void cmd_free(struct cmd *c)
{
	g_free(c->site);
	g_free(c->verb);
	g_free(c->body);
	g_free(c->reply);
	g_free(c->client);
	g_free(c->user);
	if (c->candidates)
		g_ptr_array_unref(c->candidates);
	g_free(c);
}

static void post_free(gpointer p)
{
	struct post *po = p;

	g_free(po->site);
	g_free(po->client);
	g_free(po->data);
	g_free(po);
}

static void client_free(gpointer p)
{
	struct client *c = p;

	if (c->ws) {
		g_signal_handlers_disconnect_by_data(c->ws, c);
		if (soup_websocket_connection_get_state(c->ws) == SOUP_WEBSOCKET_STATE_OPEN)
			soup_websocket_connection_close(c->ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
							"the hub stops");
		g_object_unref(c->ws);
	}
	g_free(c->user);
	g_hash_table_unref(c->sessions);
	g_free(c);
}

static JsonObject *json_object_member(JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;

	return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

static JsonArray *json_array_member(JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;

	return n && JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
}

/* Whether @provider is among a booth's "providers" (absent: none). */
static bool booth_serves(JsonObject *booth, const char *provider)
{
	JsonArray *a = json_array_member(booth, "providers");

	for (guint i = 0; a && i < json_array_get_length(a); i++) {
		JsonNode *n = json_array_get_element(a, i);

		if (JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING &&
		    strcmp(json_node_get_string(n), provider) == 0)
			return true;
	}
	return false;
}

/* Copies @o's members (but @skip) into the object @b is building. */
static void copy_members(JsonBuilder *b, JsonObject *o, const char *skip)
{
	g_autoptr(GList) members = o ? json_object_get_members(o) : NULL;

	for (GList *l = members; l; l = l->next) {
		if (skip && strcmp(l->data, skip) == 0)
			continue;
		json_builder_set_member_name(b, l->data);
		json_builder_add_value(b, json_node_copy(json_object_get_member(o, l->data)));
	}
}

static bool booth_free(JsonObject *booth)
{
	return strcmp(web_json_str(booth, "state", ""), "free") == 0 &&
	       !json_object_member(booth, "session");
}

/* ---------------------------------------------------------------------- */
/* TURN credentials (coturn's use-auth-secret) */

void hub_expert_ice_servers(const struct hub_config *cfg, const char *user, int64_t now,
			    JsonBuilder *b)
{
	g_auto(GStrv) urls = cfg->turn_urls ? g_strsplit(cfg->turn_urls, ";", -1) : NULL;
	g_autofree char *username =
	    g_strdup_printf("%" PRId64 ":%s", now + cfg->turn_ttl_s, user ? user : "");
	g_autoptr(GHmac) hmac = NULL;
	guint8 digest[20];
	gsize len = sizeof(digest);
	g_autofree char *credential = NULL;

	json_builder_begin_array(b);
	if (!urls) {
		json_builder_end_array(b);
		return;
	}
	hmac =
	    g_hmac_new(G_CHECKSUM_SHA1, (const guchar *)cfg->turn_secret, strlen(cfg->turn_secret));
	g_hmac_update(hmac, (const guchar *)username, -1);
	g_hmac_get_digest(hmac, digest, &len);
	credential = g_base64_encode(digest, len);
	for (char **u = urls; *u; u++) {
		g_strstrip(*u);
		if (!**u)
			continue;
		json_builder_begin_object(b);
		web_json_add_str(b, "urls", *u);
		if (!g_str_has_prefix(*u, "stun:")) {
			web_json_add_str(b, "username", username);
			web_json_add_str(b, "credential", credential);
		}
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

/* ---------------------------------------------------------------------- */
/* Posting to the loop */

static void expert_post(struct hub_expert *e, struct post *po)
{
	g_async_queue_push(e->posted, po);
	g_source_set_ready_time(e->wake, 0);
}

/* A worker: the request, then the answer back to the loop. */
static void cmd_run(gpointer data, gpointer user_data)
{
	struct cmd *c = data;
	struct post *po = g_new0(struct post, 1);
	g_autofree char *subject = g_strdup_printf("vuoro.site.%s.cmd.%s", c->site, c->verb);
	natsMsg *reply = NULL;
	natsStatus st = natsConnection_RequestString(&reply, c->e->hub->nc, subject, c->body,
						     EXPERT_CMD_WAIT_MS);

	(void)user_data;
	g_clear_pointer(&c->reply, g_free); /* a call tried at another site before */
	if (st == NATS_OK && reply)
		c->reply = g_strndup(natsMsg_GetData(reply), (gsize)natsMsg_GetDataLength(reply));
	else if (st != NATS_TIMEOUT && st != NATS_NO_RESPONDERS)
		g_warning("expert: %s to site %s: %s", c->verb, c->site, natsStatus_GetText(st));
	natsMsg_Destroy(reply);
	po->kind = POST_CMD;
	po->cmd = c;
	expert_post(c->e, po);
}

static void cmd_send(struct cmd *c)
{
	g_thread_pool_push(c->e->pool, c, NULL);
}

/* libnats' thread: vuoro.hub.<site>.sig.<client> */
static void on_sig(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
	struct hub_expert *e = closure;
	g_auto(GStrv) parts = g_strsplit(natsMsg_GetSubject(msg), ".", -1);
	struct post *po;

	(void)nc;
	(void)sub;
	if (g_strv_length(parts) == 5 && strcmp(parts[3], "sig") == 0) {
		po = g_new0(struct post, 1);
		po->kind = POST_SIG;
		po->site = g_strdup(parts[2]);
		po->client = g_strdup(parts[4]);
		po->data = g_strndup(natsMsg_GetData(msg), (gsize)natsMsg_GetDataLength(msg));
		expert_post(e, po);
	}
	natsMsg_Destroy(msg);
}

/* ---------------------------------------------------------------------- */
/* Presence */

static bool xsession_busy(const struct xsession *s)
{
	return strcmp(s->state, "ringing") == 0 || strcmp(s->state, "connecting") == 0 ||
	       strcmp(s->state, "live") == 0;
}

static bool client_busy(const struct client *c)
{
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, c->sessions);
	while (g_hash_table_iter_next(&it, NULL, &v))
		if (xsession_busy(v))
			return true;
	return false;
}

/* Publishes presence when it changed, or always (@force: the 15 s beat). */
static void presence_publish(struct hub_expert *e, bool force)
{
	/* provider → (user → busy) */
	g_autoptr(GHashTable) providers = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
								(GDestroyNotify)g_hash_table_unref);
	g_autoptr(JsonBuilder) pb = json_builder_new();
	g_autoptr(JsonBuilder) b = NULL;
	g_autofree gpointer *keys = NULL;
	g_autofree char *text = NULL;
	g_autofree char *msg = NULL;
	GHashTableIter it;
	gpointer v;
	guint n;

	g_hash_table_iter_init(&it, e->clients);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct client *c = v;
		GHashTable *users = g_hash_table_lookup(providers, c->provider);
		bool busy;

		if (!users) {
			users = g_hash_table_new(g_str_hash, g_str_equal);
			g_hash_table_insert(providers, c->provider, users);
		}
		/* an expert with two pages is busy when either is */
		busy = client_busy(c) || GPOINTER_TO_INT(g_hash_table_lookup(users, c->user));
		g_hash_table_insert(users, c->user, GINT_TO_POINTER(busy));
	}
	keys = g_hash_table_get_keys_as_array(providers, &n);
	qsort(keys, n, sizeof(*keys), (int (*)(const void *, const void *))strcmp);
	json_builder_begin_object(pb);
	for (guint i = 0; i < n; i++) {
		GHashTable *users = g_hash_table_lookup(providers, keys[i]);
		int online = 0, idle = 0;

		g_hash_table_iter_init(&it, users);
		while (g_hash_table_iter_next(&it, NULL, &v)) {
			online++;
			idle += !GPOINTER_TO_INT(v);
		}
		json_builder_set_member_name(pb, keys[i]);
		json_builder_begin_object(pb);
		web_json_add_int(pb, "online", online);
		web_json_add_int(pb, "free", idle);
		json_builder_end_object(pb);
	}
	json_builder_end_object(pb);
	text = web_json_text(pb);
	if (!force && e->presence_last && strcmp(text, e->presence_last) == 0)
		return;
	g_free(e->presence_last);
	e->presence_last = g_strdup(text);
	b = json_builder_new();
	json_builder_begin_object(b);
	web_json_add_int(b, "v", 1);
	web_json_add_int(b, "at", g_get_real_time() / G_USEC_PER_SEC);
	json_builder_set_member_name(b, "providers");
	json_builder_add_value(b, json_builder_get_root(pb));
	json_builder_end_object(b);
	msg = web_json_text(b);
	if (natsConnection_PublishString(e->hub->nc, "vuoro.hub.presence", msg) != NATS_OK)
		g_warning("expert: presence not published: %s", nats_GetLastError(NULL));
}

static gboolean presence_beat(gpointer data)
{
	presence_publish(data, true);
	return G_SOURCE_CONTINUE;
}

/* ---------------------------------------------------------------------- */
/* The sockets */

static void client_send_text(struct client *c, const char *text)
{
	if (c->ws && soup_websocket_connection_get_state(c->ws) == SOUP_WEBSOCKET_STATE_OPEN)
		soup_websocket_connection_send_text(c->ws, text);
}

static void client_send(struct client *c, JsonBuilder *b)
{
	g_autofree char *text = web_json_text(b);

	client_send_text(c, text);
}

static void client_error(struct client *c, const char *site, int status, const char *code,
			 const char *message)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	web_json_add_str(b, "type", "error");
	web_json_add_str(b, "site", site);
	web_json_add_int(b, "status", status);
	web_json_add_str(b, "error", code);
	web_json_add_str(b, "message", message);
	json_builder_end_object(b);
	client_send(c, b);
}

static struct xsession *client_session(struct client *c, const char *site, int64_t id, bool make)
{
	g_autofree char *key = g_strdup_printf("%s/%" PRId64, site, id);
	struct xsession *s = g_hash_table_lookup(c->sessions, key);

	if (!s && make) {
		s = g_new0(struct xsession, 1);
		s->site = g_strdup(site);
		s->id = id;
		g_hash_table_insert(c->sessions, g_steal_pointer(&key), s);
	}
	return s;
}

static void client_session_drop(struct client *c, const char *site, int64_t id)
{
	g_autofree char *key = g_strdup_printf("%s/%" PRId64, site, id);

	g_hash_table_remove(c->sessions, key);
}

static struct cmd *cmd_new(struct hub_expert *e, const char *site, const char *verb,
			   JsonBuilder *body)
{
	struct cmd *c = g_new0(struct cmd, 1);

	c->e = e;
	c->site = g_strdup(site);
	c->verb = g_strdup(verb);
	c->body = web_json_text(body);
	return c;
}

/* A reply's status: 200 for ok, the site's status otherwise (502 when it
 * sent none). */
static int reply_status(JsonObject *reply)
{
	if (json_object_get_boolean_member_with_default(reply, "ok", FALSE))
		return 200;
	return (int)CLAMP(json_object_get_int_member_with_default(reply, "status", 502), 400, 599);
}

static void signal_done(struct cmd *c, JsonObject *reply)
{
	struct client *cl = g_hash_table_lookup(c->e->clients, c->client);

	if (cl && !reply)
		client_error(cl, c->site, 504, "site_silent",
			     "the site did not answer — its connection to the hub may be down; "
			     "try again or pick another site");
	else if (cl && reply_status(reply) != 200)
		client_error(cl, c->site, reply_status(reply),
			     web_json_str(reply, "error", "refused"),
			     web_json_str(reply, "message", ""));
	cmd_free(c);
}

/* The browser's signalling: {"type", "site", …} → cmd signal. */
static void client_message(SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer data)
{
	struct client *c = data;
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(JsonBuilder) b = NULL;
	gsize len = 0;
	const char *text = g_bytes_get_data(message, &len);
	JsonNode *root;
	JsonObject *o;
	const char *site;
	struct cmd *cmd;

	(void)ws;
	c->heard_us = g_get_monotonic_time();
	if (type != SOUP_WEBSOCKET_DATA_TEXT || web_json_depth(text, len, 8) < 0 ||
	    !json_parser_load_from_data(parser, text, (gssize)len, NULL) ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
		client_error(c, NULL, 400, "invalid", "send JSON objects {\"type\", \"site\", …}");
		return;
	}
	root = json_parser_get_root(parser);
	o = json_node_get_object(root);
	if (g_strcmp0(web_json_str(o, "type", NULL), "pong") == 0)
		return;
	site = web_json_str(o, "site", NULL);
	if (!site || !hub_live_state(c->e->hub->live, site)) {
		client_error(c, site, 404, "no_site", "name the session's site (\"site\")");
		return;
	}
	b = json_builder_new();
	json_builder_begin_object(b);
	web_json_add_str(b, "expert", c->user);
	web_json_add_str(b, "client", c->id);
	json_builder_set_member_name(b, "msg");
	json_builder_begin_object(b);
	copy_members(b, o, "site");
	json_builder_end_object(b);
	json_builder_end_object(b);
	cmd = cmd_new(c->e, site, "signal", b);
	cmd->client = g_strdup(c->id);
	cmd->done = signal_done;
	cmd_send(cmd);
}

/* The socket closed: its sessions' sites hear peer-gone. */
static void client_closed(SoupWebsocketConnection *ws, gpointer data)
{
	struct client *c = data;
	struct hub_expert *e = c->e;
	g_autoptr(GHashTable) sites = g_hash_table_new(g_str_hash, g_str_equal);
	GHashTableIter it;
	gpointer v;

	(void)ws;
	g_hash_table_iter_init(&it, c->sessions);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct xsession *s = v;
		g_autoptr(JsonBuilder) b = NULL;

		if (g_hash_table_contains(sites, s->site))
			continue;
		g_hash_table_add(sites, s->site);
		b = json_builder_new();
		json_builder_begin_object(b);
		web_json_add_str(b, "client", c->id);
		json_builder_end_object(b);
		cmd_send(cmd_new(e, s->site, "peer-gone", b));
	}
	left_keep(e, c);
	/* freed once libsoup's signal has returned */
	g_hash_table_steal(e->clients, c->id);
	g_idle_add_once((GSourceOnceFunc)client_free, c);
	presence_publish(e, false);
}

/* A page whose network is gone says nothing, and libsoup 3.2 pings without
 * waiting for the pong: so the hub pings ({"type":"ping"}, the page answers
 * "pong") and closes a socket silent for [web] expert-silence-s — its
 * sessions' sites hear peer-gone and presence counts the expert out. */
static gboolean ping_beat(gpointer data)
{
	struct hub_expert *e = data;
	int64_t silent_after = (int64_t)e->hub->cfg->web_expert_silence_s * G_USEC_PER_SEC;
	int64_t now = g_get_monotonic_time();
	g_autoptr(GPtrArray) silent = g_ptr_array_new();
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, e->clients);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct client *c = v;

		if (now - c->heard_us > silent_after)
			g_ptr_array_add(silent, c);
		else
			client_send_text(c, "{\"type\":\"ping\"}");
	}
	for (guint i = 0; i < silent->len; i++) {
		struct client *c = silent->pdata[i];

		g_message("expert %s: the page answered no ping for %d s: its socket is closed",
			  c->user, e->hub->cfg->web_expert_silence_s);
		if (soup_websocket_connection_get_state(c->ws) == SOUP_WEBSOCKET_STATE_OPEN)
			soup_websocket_connection_close(c->ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
							"no answer to the hub's pings");
	}
	return G_SOURCE_CONTINUE;
}

static void expert_ws_open(SoupServer *server, SoupServerMessage *msg, const char *path,
			   SoupWebsocketConnection *ws, gpointer data)
{
	struct hub_expert *e = data;
	struct web_caller caller;
	g_autoptr(JsonBuilder) b = json_builder_new();
	struct client *c;
	guint8 raw[16];

	(void)server;
	(void)path;
	hub_web_identify_message(e->hub, msg, &caller);
	g_free(caller.csrf);
	if (web_foreign_origin(soup_server_message_get_request_headers(msg))) {
		g_free(caller.user);
		soup_websocket_connection_close(ws, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
						"this page is from another site");
		return;
	}
	if (!(caller.role & EXPERT_ROLES) || !caller.user || !caller.provider[0]) {
		g_free(caller.user);
		soup_websocket_connection_close(ws, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
						"the expert's workplace is for experts: log in");
		return;
	}
	c = g_new0(struct client, 1);
	c->e = e;
	for (size_t i = 0; i < sizeof(raw); i += 4)
		*(guint32 *)(raw + i) = g_random_int();
	for (size_t i = 0; i < sizeof(raw); i++)
		g_snprintf(c->id + 2 * i, 3, "%02x", raw[i]);
	c->user = caller.user;
	g_strlcpy(c->provider, caller.provider, sizeof(c->provider));
	c->ws = g_object_ref(ws);
	c->sessions = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, xsession_free);
	c->heard_us = g_get_monotonic_time();
	g_hash_table_insert(e->clients, c->id, c);
	g_signal_connect(ws, "message", G_CALLBACK(client_message), c);
	g_signal_connect(ws, "closed", G_CALLBACK(client_closed), c);
	json_builder_begin_object(b);
	web_json_add_str(b, "type", "hello");
	web_json_add_str(b, "client", c->id);
	json_builder_set_member_name(b, "ice_servers");
	hub_expert_ice_servers(e->hub->cfg, c->user, g_get_real_time() / G_USEC_PER_SEC, b);
	json_builder_end_object(b);
	client_send(c, b);
	presence_publish(e, false);
}

/* ---------------------------------------------------------------------- */
/* The sites' signalling and the commands' answers, on the loop */

static void sig_take(struct hub_expert *e, struct post *po)
{
	struct client *c = g_hash_table_lookup(e->clients, po->client);
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *o;
	const char *type, *state;
	int64_t id;

	if (!c)
		return; /* that browser is gone (the site heard peer-gone) */
	if (!json_parser_load_from_data(parser, po->data, -1, NULL) ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
		g_warning("expert: site %s sent signalling that is not a JSON object", po->site);
		return;
	}
	o = json_node_get_object(json_parser_get_root(parser));
	json_object_set_string_member(o, "site", po->site);
	type = web_json_str(o, "type", "");
	id = json_object_get_int_member_with_default(o, "session", 0);
	state = web_json_str(o, "state", NULL);
	if (strcmp(type, "state") == 0 && id > 0 && state) {
		if (strcmp(state, "ended") == 0)
			client_session_drop(c, po->site, id);
		else {
			struct xsession *s = client_session(c, po->site, id, true);

			g_strlcpy(s->state, state, sizeof(s->state));
			s->booth = json_object_get_int_member_with_default(o, "booth", s->booth);
		}
		presence_publish(e, false);
	}
	{
		g_autoptr(JsonGenerator) gen = json_generator_new();
		g_autofree char *text = NULL;

		json_generator_set_root(gen, json_parser_get_root(parser));
		text = json_generator_to_data(gen, NULL);
		client_send_text(c, text);
	}
}

static gboolean expert_wake(GSource *source, GSourceFunc cb, gpointer data)
{
	struct hub_expert *e = data;
	struct post *po;

	(void)cb;
	g_source_set_ready_time(source, -1);
	while ((po = g_async_queue_try_pop(e->posted))) {
		if (po->kind == POST_SIG)
			sig_take(e, po);
		else {
			struct cmd *c = po->cmd;
			g_autoptr(JsonParser) parser = json_parser_new();
			JsonObject *reply = NULL;

			if (c->reply) {
				if (json_parser_load_from_data(parser, c->reply, -1, NULL) &&
				    JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
					reply = json_node_get_object(json_parser_get_root(parser));
				else
					g_warning("expert: site %s answered %s with no JSON object",
						  c->site, c->verb);
			}
			po->cmd = NULL;
			if (c->done)
				c->done(c, reply);
			else
				cmd_free(c);
		}
		post_free(po);
	}
	return G_SOURCE_CONTINUE;
}

static GSourceFuncs expert_source_funcs = {.dispatch = expert_wake};

/* ---------------------------------------------------------------------- */
/* HTTP */

static void reply_site_error(struct web_req *r, const char *site, JsonObject *reply)
{
	if (!reply) {
		web_error(r, 504, "site_silent",
			  "site %s did not answer — its connection to the hub may be down; try "
			  "again or pick another site",
			  site);
		return;
	}
	web_error(r, (guint)reply_status(reply), web_json_str(reply, "error", "refused"), "%s",
		  web_json_str(reply, "message", "the site refused it"));
}

/* "service_names": the service's names from the site's live state, when
 * it has them (the page shows them in its language). */
static void service_names(JsonBuilder *b, JsonObject *o, const char *code)
{
	JsonArray *services = json_array_member(o, "services");

	for (guint i = 0; services && i < json_array_get_length(services); i++) {
		JsonNode *n = json_array_get_element(services, i);
		JsonObject *s = JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;

		if (s && g_strcmp0(web_json_str(s, "code", NULL), code) == 0 &&
		    json_object_member(s, "names")) {
			json_builder_set_member_name(b, "service_names");
			json_builder_add_value(b,
					       json_node_copy(json_object_get_member(s, "names")));
			return;
		}
	}
}

/* "services": the provider's remote services at a site, {code, names,
 * card} (what the booking form offers; the session's service card). */
static void site_services(JsonBuilder *b, JsonObject *o, const char *provider)
{
	JsonArray *services = json_array_member(o, "services");

	json_builder_set_member_name(b, "services");
	json_builder_begin_array(b);
	for (guint i = 0; services && i < json_array_get_length(services); i++) {
		JsonNode *n = json_array_get_element(services, i);
		JsonObject *s = JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;

		if (!s || !json_object_get_boolean_member_with_default(s, "remote", FALSE) ||
		    g_strcmp0(web_json_str(s, "provider", NULL), provider) != 0)
			continue;
		json_builder_begin_object(b);
		web_json_add_str(b, "code", web_json_str(s, "code", ""));
		if (json_object_member(s, "names")) {
			json_builder_set_member_name(b, "names");
			json_builder_add_value(b,
					       json_node_copy(json_object_get_member(s, "names")));
		}
		/* The service card: the provider's public links, by the site. */
		if (json_object_member(s, "card")) {
			json_builder_set_member_name(b, "card");
			json_builder_add_value(b,
					       json_node_copy(json_object_get_member(s, "card")));
		}
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

static bool booking_of(JsonNode *n, const char *provider)
{
	return JSON_NODE_HOLDS_OBJECT(n) &&
	       g_strcmp0(web_json_str(json_node_get_object(n), "provider", NULL), provider) == 0;
}

static gint booking_cmp(gconstpointer a, gconstpointer b)
{
	JsonObject *x = json_node_get_object(((JsonNode *const *)a)[0]);
	JsonObject *y = json_node_get_object(((JsonNode *const *)b)[0]);
	int64_t ax = json_object_get_int_member_with_default(x, "at", 0);
	int64_t ay = json_object_get_int_member_with_default(y, "at", 0);

	return ax < ay ? -1 : ax > ay;
}

/* "bookings": the provider's bookings in the sites' live states, each
 * with its site, soonest first (contract: as in the live state + site). */
static void expert_bookings(JsonBuilder *b, struct hub *hub, const char **ids, const char *provider)
{
	g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func((GDestroyNotify)json_node_unref);

	for (const char **id = ids; *id; id++) {
		JsonArray *list = json_array_member(hub_live_state(hub->live, *id), "bookings");

		for (guint i = 0; list && i < json_array_get_length(list); i++) {
			JsonNode *n = json_array_get_element(list, i);
			JsonNode *copy;

			if (!booking_of(n, provider))
				continue;
			copy = json_node_copy(n);
			json_object_set_string_member(json_node_get_object(copy), "site", *id);
			g_ptr_array_add(all, copy);
		}
	}
	g_ptr_array_sort(all, booking_cmp);
	json_builder_set_member_name(b, "bookings");
	json_builder_begin_array(b);
	for (guint i = 0; i < all->len; i++)
		json_builder_add_value(b, json_node_ref(all->pdata[i]));
	json_builder_end_array(b);
}

/* GET /api/hub/expert */
static void expert_get(struct web_req *r)
{
	struct hub *hub = hub_of(r);
	struct hub_expert *e = hub->expert;
	const char *provider = r->caller.provider;
	g_autofree const char **ids = hub_live_site_ids(hub->live);
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(GPtrArray) tickets = g_ptr_array_new();
	int64_t now = g_get_real_time() / G_USEC_PER_SEC;
	GHashTableIter it;
	gpointer v;

	json_builder_begin_object(b);
	web_json_add_str(b, "provider", provider);
	json_builder_set_member_name(b, "sites");
	json_builder_begin_array(b);
	for (const char **id = ids; *id; id++) {
		JsonObject *o = hub_live_state(hub->live, *id);
		JsonArray *booths = json_array_member(o, "booths");
		JsonArray *remote = json_array_member(o, "remote");
		bool any = false;

		for (guint i = 0; remote && i < json_array_get_length(remote); i++) {
			JsonNode *n = json_array_get_element(remote, i);

			if (JSON_NODE_HOLDS_OBJECT(n) &&
			    g_strcmp0(web_json_str(json_node_get_object(n), "provider", NULL),
				      provider) == 0) {
				g_ptr_array_add(tickets, (gpointer)*id);
				g_ptr_array_add(tickets, json_node_get_object(n));
				any = true;
			}
		}
		for (guint i = 0; booths && i < json_array_get_length(booths); i++) {
			JsonNode *n = json_array_get_element(booths, i);

			any |= JSON_NODE_HOLDS_OBJECT(n) &&
			       booth_serves(json_node_get_object(n), provider);
		}
		if (!o || !any)
			continue;
		json_builder_begin_object(b);
		web_json_add_str(b, "site", *id);
		web_json_add_str(b, "name", web_json_str(o, "name", *id));
		web_json_add_bool(b, "silent", hub_live_silent(hub->live, *id));
		web_json_add_str(b, "timezone", web_json_str(o, "timezone", NULL));
		json_builder_set_member_name(b, "booths");
		json_builder_begin_array(b);
		for (guint i = 0; booths && i < json_array_get_length(booths); i++) {
			JsonNode *n = json_array_get_element(booths, i);
			JsonObject *bo = JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;

			if (!bo || !booth_serves(bo, provider))
				continue;
			json_builder_begin_object(b);
			web_json_add_int(b, "id",
					 json_object_get_int_member_with_default(bo, "id", 0));
			web_json_add_str(b, "state", web_json_str(bo, "state", "unknown"));
			if (json_object_member(bo, "session")) {
				json_builder_set_member_name(b, "session");
				json_builder_add_value(
				    b, json_node_copy(json_object_get_member(bo, "session")));
			}
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
		site_services(b, o, provider);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	expert_bookings(b, hub, ids, provider);
	/* tickets: pairs (site, ticket), the longest waiting first */
	{
		guint n = tickets->len / 2;
		g_autofree guint *order = g_new(guint, n + 1);

		for (guint i = 0; i < n; i++)
			order[i] = i;
		for (guint i = 1; i < n; i++) /* insertion sort by "since" (≤ 200 a site) */
			for (guint k = i; k > 0; k--) {
				JsonObject *a = tickets->pdata[2 * order[k - 1] + 1];
				JsonObject *c = tickets->pdata[2 * order[k] + 1];
				guint t;

				if (json_object_get_int_member_with_default(a, "since", 0) <=
				    json_object_get_int_member_with_default(c, "since", 0))
					break;
				t = order[k];
				order[k] = order[k - 1];
				order[k - 1] = t;
			}
		json_builder_set_member_name(b, "tickets");
		json_builder_begin_array(b);
		for (guint i = 0; i < n; i++) {
			const char *site = tickets->pdata[2 * order[i]];
			JsonObject *t = tickets->pdata[2 * order[i] + 1];

			json_builder_begin_object(b);
			web_json_add_str(b, "site", site);
			web_json_add_int(b, "ticket",
					 json_object_get_int_member_with_default(t, "ticket", 0));
			web_json_add_str(b, "code", web_json_str(t, "code", ""));
			web_json_add_str(b, "service", web_json_str(t, "service", NULL));
			service_names(b, hub_live_state(hub->live, site),
				      web_json_str(t, "service", ""));
			web_json_add_str(b, "lang", web_json_str(t, "lang", NULL));
			web_json_add_int(
			    b, "waited_s",
			    MAX(0, now - json_object_get_int_member_with_default(t, "since", now)));
			web_json_add_bool(
			    b, "booked",
			    json_object_get_boolean_member_with_default(t, "booked", 0));
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
	}
	/* sessions: the expert's, as the hub follows them */
	json_builder_set_member_name(b, "sessions");
	json_builder_begin_array(b);
	g_hash_table_iter_init(&it, e->clients);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct client *c = v;
		GHashTableIter si;
		gpointer sv;

		if (g_strcmp0(c->user, r->caller.user) != 0)
			continue;
		g_hash_table_iter_init(&si, c->sessions);
		while (g_hash_table_iter_next(&si, NULL, &sv))
			xsession_json(b, sv, c->id);
	}
	/* … and those a closed page of the expert's served (no client) */
	left_prune(e);
	for (guint i = 0; i < e->left->len; i++) {
		const struct left *l = g_ptr_array_index(e->left, i);

		if (g_strcmp0(l->user, r->caller.user) != 0 ||
		    followed(e, l->user, l->s->site, l->s->id))
			continue;
		xsession_json(b, l->s, NULL);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	web_reply_builder(r, 200, b);
}

static void call_try(struct cmd *c);

static void call_done(struct cmd *c, JsonObject *reply)
{
	struct hub *hub = c->e->hub;
	struct web_req r = {.app = hub, .x = c->x};
	struct client *cl = g_hash_table_lookup(c->e->clients, c->client);
	int status = reply ? reply_status(reply) : 504;
	g_autoptr(JsonBuilder) b = NULL;

	if (status != 200 && c->tried < c->candidates->len && c->tried < EXPERT_CALL_TRIES &&
	    (status == 404 || status == 409 || status == 504)) {
		g_message("expert: site %s refused %s's call (%d): trying the next site", c->site,
			  c->user, status);
		call_try(c);
		return;
	}
	if (status != 200) {
		reply_site_error(&r, c->site, reply);
		goto out;
	}
	if (!cl) {
		/* the page closed while its call was under way: the site hears it
		 * as it would have after the call */
		g_autoptr(JsonBuilder) gone = json_builder_new();

		json_builder_begin_object(gone);
		web_json_add_str(gone, "client", c->client);
		json_builder_end_object(gone);
		cmd_send(cmd_new(c->e, c->site, "peer-gone", gone));
	} else {
		struct xsession *s = client_session(
		    cl, c->site, json_object_get_int_member_with_default(reply, "session", 0),
		    true);

		s->booth = json_object_get_int_member_with_default(reply, "booth", 0);
		s->ticket = json_object_get_int_member_with_default(reply, "ticket", 0);
		g_free(s->code);
		s->code = g_strdup(web_json_str(reply, "code", ""));
		if (!s->state[0])
			g_strlcpy(s->state, "ringing", sizeof(s->state));
		presence_publish(c->e, false);
	}
	b = json_builder_new();
	json_builder_begin_object(b);
	web_json_add_str(b, "site", c->site);
	web_json_add_int(b, "session",
			 json_object_get_int_member_with_default(reply, "session", 0));
	web_json_add_int(b, "booth", json_object_get_int_member_with_default(reply, "booth", 0));
	web_json_add_int(b, "ticket", json_object_get_int_member_with_default(reply, "ticket", 0));
	web_json_add_str(b, "code", web_json_str(reply, "code", ""));
	json_builder_end_object(b);
	web_reply_builder(&r, 201, b);
out:
	web_exchange_release(c->x);
	cmd_free(c);
}

/* The next candidate site: its call command. */
static void call_try(struct cmd *c)
{
	struct candidate *cand = c->candidates->pdata[c->tried++];
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	web_json_add_str(b, "expert", c->user);
	web_json_add_str(b, "provider", c->provider);
	web_json_add_str(b, "client", c->client);
	if (cand->booth)
		web_json_add_int(b, "booth", cand->booth);
	if (cand->ticket)
		web_json_add_int(b, "ticket", cand->ticket);
	json_builder_set_member_name(b, "ice_servers");
	hub_expert_ice_servers(c->e->hub->cfg, c->user, g_get_real_time() / G_USEC_PER_SEC, b);
	json_builder_end_object(b);
	g_free(c->site);
	g_free(c->body);
	c->site = g_strdup(cand->site);
	c->body = web_json_text(b);
	cmd_send(c);
}

/* Without a site: per site with a free booth of the provider, its
 * longest-waiting ticket; the sites in the order of those tickets. */
static GPtrArray *call_candidates(struct hub *hub, const char *provider)
{
	g_autofree const char **ids = hub_live_site_ids(hub->live);
	GPtrArray *out = g_ptr_array_new_with_free_func(candidate_free);
	g_autoptr(GArray) since = g_array_new(FALSE, FALSE, sizeof(int64_t));

	for (const char **id = ids; *id; id++) {
		JsonObject *o = hub_live_state(hub->live, *id);
		JsonArray *booths = json_array_member(o, "booths");
		JsonArray *remote = json_array_member(o, "remote");
		JsonObject *oldest = NULL;
		bool has_free = false;
		struct candidate *c;
		guint at;
		int64_t s;

		if (!o || hub_live_silent(hub->live, *id))
			continue;
		for (guint i = 0; booths && i < json_array_get_length(booths); i++) {
			JsonNode *n = json_array_get_element(booths, i);

			has_free |= JSON_NODE_HOLDS_OBJECT(n) &&
				    booth_serves(json_node_get_object(n), provider) &&
				    booth_free(json_node_get_object(n));
		}
		for (guint i = 0; has_free && remote && i < json_array_get_length(remote); i++) {
			JsonNode *n = json_array_get_element(remote, i);
			JsonObject *t = JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;

			if (t && g_strcmp0(web_json_str(t, "provider", NULL), provider) == 0 &&
			    (!oldest ||
			     json_object_get_int_member_with_default(t, "since", 0) <
				 json_object_get_int_member_with_default(oldest, "since", 0)))
				oldest = t;
		}
		if (!oldest)
			continue;
		s = json_object_get_int_member_with_default(oldest, "since", 0);
		for (at = 0; at < since->len && g_array_index(since, int64_t, at) <= s; at++)
			;
		c = g_new0(struct candidate, 1);
		c->site = g_strdup(*id);
		c->ticket = json_object_get_int_member_with_default(oldest, "ticket", 0);
		g_ptr_array_insert(out, (gint)at, c);
		g_array_insert_val(since, at, s);
	}
	return out;
}

/* POST /api/hub/expert/call {client, site?, booth?, ticket?} */
static void expert_call(struct web_req *r)
{
	struct hub *hub = hub_of(r);
	struct hub_expert *e = hub->expert;
	struct client *cl = g_hash_table_lookup(e->clients, web_str(r, "client"));
	const char *site = web_str(r, "site");
	struct cmd *c;

	if (!cl || g_strcmp0(cl->user, r->caller.user) != 0) {
		web_error(r, 409, "no_client",
			  "this page's connection to the hub is closed: reload /hub/expert");
		return;
	}
	if (!site && (web_has(r, "booth") || web_has(r, "ticket"))) {
		web_error(r, 400, "invalid", "a booth or a ticket needs its site (\"site\")");
		return;
	}
	if (site && !hub_live_state(hub->live, site)) {
		web_error(r, 404, "no_site", "no site %s at the hub: pick one from the list", site);
		return;
	}
	c = g_new0(struct cmd, 1);
	c->e = e;
	c->verb = g_strdup("call");
	c->client = g_strdup(cl->id);
	c->user = g_strdup(r->caller.user);
	g_strlcpy(c->provider, r->caller.provider, sizeof(c->provider));
	c->done = call_done;
	if (site) {
		struct candidate *cand = g_new0(struct candidate, 1);

		cand->site = g_strdup(site);
		cand->booth = web_int(r, "booth", 0);
		cand->ticket = web_int(r, "ticket", 0);
		c->candidates = g_ptr_array_new_with_free_func(candidate_free);
		g_ptr_array_add(c->candidates, cand);
	} else
		c->candidates = call_candidates(hub, r->caller.provider);
	if (!c->candidates->len) {
		web_error(r, 409, "no_customer",
			  "no customer of %s is waiting at a site with a free booth: wait, or "
			  "call at a site of your choice",
			  r->caller.provider);
		cmd_free(c);
		return;
	}
	c->x = web_req_hold(r);
	call_try(c);
}

static void session_done(struct cmd *c, JsonObject *reply)
{
	struct web_req r = {.app = c->e->hub, .x = c->x};

	if (!reply || reply_status(reply) != 200)
		reply_site_error(&r, c->site, reply);
	else {
		if (strcmp(c->verb, "end") == 0) {
			GHashTableIter it;
			gpointer v;

			g_hash_table_iter_init(&it, c->e->clients);
			while (g_hash_table_iter_next(&it, NULL, &v))
				if (g_strcmp0(((struct client *)v)->user, c->user) == 0)
					client_session_drop(v, c->site, c->session);
			presence_publish(c->e, false);
		}
		g_autoptr(JsonNode) node = json_node_init_object(json_node_alloc(), reply);

		web_reply(&r, 200, node);
	}
	web_exchange_release(c->x);
	cmd_free(c);
}

/* POST /api/hub/sessions/<site>/<id>/<verb>: the body as the site's own
 * /api/sessions/<id>/<verb>, with the expert and the session. */
static void expert_session(struct web_req *r)
{
	struct hub *hub = hub_of(r);
	const char *site = r->seg[3];
	const char *verb = r->seg[5];
	g_autoptr(JsonBuilder) b = json_builder_new();
	struct cmd *c;
	int64_t id;

	if (!hub_live_state(hub->live, site)) {
		web_error(r, 404, "no_site", "no site %s at the hub", site);
		return;
	}
	if (!web_seg_id(r, 4, G_MAXINT32, &id))
		return;
	json_builder_begin_object(b);
	web_json_add_str(b, "expert", r->caller.user);
	web_json_add_int(b, "session", id);
	copy_members(b, r->body, NULL);
	json_builder_end_object(b);
	c = cmd_new(hub->expert, site, verb, b);
	c->user = g_strdup(r->caller.user);
	c->session = id;
	c->done = session_done;
	c->x = web_req_hold(r);
	cmd_send(c);
}

static void book_done(struct cmd *c, JsonObject *reply)
{
	struct web_req r = {.app = c->e->hub, .x = c->x};

	if (!reply || reply_status(reply) != 200) {
		reply_site_error(&r, c->site, reply);
	} else {
		g_autoptr(JsonBuilder) b = json_builder_new();

		/* The site's reply (its code shown once, on the page that
		 * booked), with the site. */
		json_builder_begin_object(b);
		web_json_add_str(b, "site", c->site);
		copy_members(b, reply, "ok");
		json_builder_end_object(b);
		web_reply_builder(&r, 201, b);
	}
	web_exchange_release(c->x);
	cmd_free(c);
}

/* POST /api/hub/expert/book {site, booth?, service, at, minutes}: cmd book
 * to the site, whose booth calendar decides. */
static void expert_book(struct web_req *r)
{
	struct hub *hub = hub_of(r);
	const char *site = web_str(r, "site");
	g_autoptr(JsonBuilder) b = json_builder_new();
	struct cmd *c;

	if (!hub_live_state(hub->live, site)) {
		web_error(r, 404, "no_site", "no site %s at the hub: pick one from the list", site);
		return;
	}
	json_builder_begin_object(b);
	web_json_add_str(b, "expert", r->caller.user);
	web_json_add_str(b, "provider", r->caller.provider);
	if (web_has(r, "booth"))
		web_json_add_int(b, "booth", web_int(r, "booth", 0));
	web_json_add_str(b, "service", web_str(r, "service"));
	web_json_add_int(b, "at", web_int(r, "at", 0));
	web_json_add_int(b, "minutes", web_int(r, "minutes", 30));
	json_builder_end_object(b);
	c = cmd_new(hub->expert, site, "book", b);
	c->user = g_strdup(r->caller.user);
	c->done = book_done;
	c->x = web_req_hold(r);
	cmd_send(c);
}

static const struct web_field call_fields[] = {
    WEB_FIELD_STR("client", TRUE, 64), WEB_FIELD_STR("site", FALSE, 32),
    WEB_FIELD_INT("booth", FALSE, 1, 999), WEB_FIELD_INT("ticket", FALSE, 1, G_MAXINT32),
    WEB_FIELDS_END};
static const struct web_field end_fields[] = {
    WEB_FIELD_STR("outcome", FALSE, 32), WEB_FIELD_STR("category", FALSE, 128), WEB_FIELDS_END};
static const struct web_field message_fields[] = {
    WEB_FIELD_STR("template", FALSE, 64), WEB_FIELD_STR("text", FALSE, 4 * 280), WEB_FIELDS_END};
static const struct web_field document_fields[] = {WEB_FIELD_BOOL("on", FALSE), WEB_FIELDS_END};
static const struct web_field ask_fields[] = {WEB_FIELD_BOOL("ask", FALSE), WEB_FIELDS_END};
static const struct web_field no_fields[] = {WEB_FIELDS_END};
static const struct web_field identity_fields[] = {WEB_FIELD_STR("document_type", TRUE, 4 * 64),
						   WEB_FIELDS_END};
static const struct web_field book_fields[] = {
    WEB_FIELD_STR("site", TRUE, 32),         WEB_FIELD_INT("booth", FALSE, 1, 999),
    WEB_FIELD_STR("service", TRUE, 32),      WEB_FIELD_INT("at", TRUE, 1, G_MAXINT64),
    WEB_FIELD_INT("minutes", FALSE, 5, 480), WEB_FIELDS_END};

const struct web_route hub_expert_routes[] = {
    {"GET", "/api/hub/expert", EXPERT_ROLES, expert_get, NULL},
    {"POST", "/api/hub/expert/call", EXPERT_ROLES, expert_call, call_fields},
    {"POST", "/api/hub/expert/book", EXPERT_ROLES, expert_book, book_fields},
    {"POST", "/api/hub/sessions/*/*/end", EXPERT_ROLES, expert_session, end_fields},
    {"POST", "/api/hub/sessions/*/*/message", EXPERT_ROLES, expert_session, message_fields},
    {"POST", "/api/hub/sessions/*/*/document", EXPERT_ROLES, expert_session, document_fields},
    {"POST", "/api/hub/sessions/*/*/consent", EXPERT_ROLES, expert_session, no_fields},
    {"POST", "/api/hub/sessions/*/*/ask-identity", EXPERT_ROLES, expert_session, ask_fields},
    {"POST", "/api/hub/sessions/*/*/identity", EXPERT_ROLES, expert_session, identity_fields},
};
const size_t hub_expert_n_routes = G_N_ELEMENTS(hub_expert_routes);

/* ---------------------------------------------------------------------- */
/* The queue: {"type":"queue"} to a provider's experts when its part of a
 * site's live state (its booths, its waiting tickets) changed. */

static char *queue_part(JsonObject *o, const char *provider)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	JsonArray *booths = json_array_member(o, "booths");
	JsonArray *remote = json_array_member(o, "remote");
	JsonArray *bookings = json_array_member(o, "bookings");

	json_builder_begin_array(b);
	for (guint i = 0; booths && i < json_array_get_length(booths); i++) {
		JsonNode *n = json_array_get_element(booths, i);

		if (JSON_NODE_HOLDS_OBJECT(n) && booth_serves(json_node_get_object(n), provider))
			json_builder_add_value(b, json_node_copy(n));
	}
	for (guint i = 0; remote && i < json_array_get_length(remote); i++) {
		JsonNode *n = json_array_get_element(remote, i);

		if (JSON_NODE_HOLDS_OBJECT(n) &&
		    g_strcmp0(web_json_str(json_node_get_object(n), "provider", NULL), provider) ==
			0)
			json_builder_add_value(b, json_node_copy(n));
	}
	/* … and its bookings: an arrival shows at once. */
	for (guint i = 0; bookings && i < json_array_get_length(bookings); i++) {
		JsonNode *n = json_array_get_element(bookings, i);

		if (booking_of(n, provider))
			json_builder_add_value(b, json_node_copy(n));
	}
	json_builder_end_array(b);
	return web_json_text(b);
}

void hub_expert_site_changed(struct hub *hub, const char *site)
{
	struct hub_expert *e = hub->expert;
	JsonObject *o;
	g_autoptr(GHashTable) told = NULL;
	GHashTableIter it;
	gpointer v;

	if (!e || !g_hash_table_size(e->clients))
		return;
	o = hub_live_state(hub->live, site);
	told = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	g_hash_table_iter_init(&it, e->clients);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct client *c = v;
		g_autofree char *key = NULL;
		char *part;
		const char *last;

		if (!g_hash_table_contains(told, c->provider)) {
			key = g_strdup_printf("%s/%s", site, c->provider);
			part = queue_part(o, c->provider);
			last = g_hash_table_lookup(e->queues, key);
			if (last && strcmp(last, part) == 0) {
				g_free(part);
				g_hash_table_insert(told, c->provider, NULL);
			} else {
				g_hash_table_insert(e->queues, g_steal_pointer(&key), part);
				g_hash_table_insert(told, c->provider, g_strdup("1"));
			}
		}
		if (g_hash_table_lookup(told, c->provider))
			client_send_text(c, "{\"type\":\"queue\"}");
	}
}

/* ---------------------------------------------------------------------- */

int hub_expert_start(struct hub *hub)
{
	struct hub_expert *e = g_new0(struct hub_expert, 1);
	natsStatus st;

	e->hub = hub;
	e->clients = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, client_free);
	e->queues = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	e->left = g_ptr_array_new_with_free_func(left_free);
	e->posted = g_async_queue_new();
	e->pool = g_thread_pool_new(cmd_run, NULL, EXPERT_WORKERS, FALSE, NULL);
	e->wake = g_source_new(&expert_source_funcs, sizeof(GSource));
	g_source_set_callback(e->wake, NULL, e, NULL);
	g_source_set_name(e->wake, "hub-expert");
	g_source_attach(e->wake, NULL);
	hub->expert = e;
	st = natsConnection_Subscribe(&e->sig, hub->nc, "vuoro.hub.*.sig.*", on_sig, e);
	if (st != NATS_OK) {
		g_warning("expert: subscribing to the sites' signalling: %s (the hub user needs "
			  "vuoro.>)",
			  natsStatus_GetText(st));
		return -EIO;
	}
	soup_server_add_websocket_handler(hub_web_server(hub->web), EXPERT_SOCKET, NULL, NULL,
					  expert_ws_open, e, NULL);
	e->presence_timer = g_timeout_add_seconds(EXPERT_PRESENCE_S, presence_beat, e);
	e->ping_timer = g_timeout_add_seconds((guint)MAX(1, e->hub->cfg->web_expert_silence_s / 4),
					      ping_beat, e);
	presence_publish(e, true);
	return 0;
}

void hub_expert_stop(struct hub *hub)
{
	struct hub_expert *e = hub->expert;
	struct post *po;

	if (!e)
		return;
	soup_server_remove_handler(hub_web_server(hub->web), EXPERT_SOCKET);
	if (e->presence_timer)
		g_source_remove(e->presence_timer);
	if (e->ping_timer)
		g_source_remove(e->ping_timer);
	if (e->sig) {
		natsSubscription_Unsubscribe(e->sig);
		natsSubscription_Destroy(e->sig);
	}
	g_thread_pool_free(e->pool, FALSE, TRUE); /* the requests under way end (≤ 3 s) */
	while ((po = g_async_queue_try_pop(e->posted))) {
		struct cmd *c = po->cmd;

		if (c && c->x) {
			struct web_req r = {.app = hub, .x = c->x};

			web_error(&r, 503, "stopping",
				  "the hub is stopping: try again in a moment");
			web_exchange_release(c->x);
		}
		if (c)
			cmd_free(c);
		post_free(po);
	}
	g_async_queue_unref(e->posted);
	g_source_destroy(e->wake);
	g_source_unref(e->wake);
	g_hash_table_unref(e->clients);
	g_hash_table_unref(e->queues);
	g_ptr_array_unref(e->left);
	g_free(e->presence_last);
	g_free(e);
	hub->expert = NULL;
}
