/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "presence.h"

#include <errno.h>
#include <string.h>

#include "post.h"

struct presence_fig {
	int online, free;
};

struct presence {
	gatomicrefcount ref; /* the owner, and each message posted to the loop */
	bool dead;           /* presence_free ran: posted messages do nothing */
	int valid_s;
	struct bus *bus;
	GMainContext *ctx;
	natsSubscription *sub;
	GHashTable *providers; /* code → struct presence_fig */
	int64_t arrived;       /* monotonic µs of the last message, 0 none */
	guint stale_source;
};

struct presence_msg {
	struct presence *p;
	char *text;
};

static void presence_unref(struct presence *p)
{
	if (!g_atomic_ref_count_dec(&p->ref))
		return;
	g_main_context_unref(p->ctx);
	g_free(p);
}

static void presence_msg_free(gpointer data)
{
	struct presence_msg *m = data;

	presence_unref(m->p);
	g_free(m->text);
	g_free(m);
}

static void presence_changed(struct presence *p)
{
	bus_publish(p->bus, PRESENCE_TOPIC, p);
}

static gboolean presence_stale(gpointer data)
{
	struct presence *p = data;

	p->stale_source = 0;
	p->arrived = 0;
	g_hash_table_remove_all(p->providers);
	g_message("presence: none from the hub for %d s: the booths' own state counts", p->valid_s);
	presence_changed(p);
	return G_SOURCE_REMOVE;
}

static gboolean presence_apply(gpointer data)
{
	struct presence_msg *m = data;

	if (!m->p->dead)
		presence_take(m->p, m->text);
	return G_SOURCE_REMOVE;
}

/* libnats's thread: hand the text to the loop. */
static void presence_on_msg(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
	struct presence *p = closure;
	struct presence_msg *m = g_new0(struct presence_msg, 1);

	(void)nc;
	(void)sub;
	g_atomic_ref_count_inc(&p->ref);
	m->p = p;
	m->text = natsMsg_GetDataLength(msg) > 0
		      ? g_strndup(natsMsg_GetData(msg), (gsize)natsMsg_GetDataLength(msg))
		      : g_strdup("");
	natsMsg_Destroy(msg);
	post_to_loop(p->ctx, "presence", presence_apply, m, presence_msg_free);
}

struct presence *presence_new(int valid_s, struct bus *bus)
{
	struct presence *p = g_new0(struct presence, 1);

	g_atomic_ref_count_init(&p->ref);
	p->valid_s = valid_s > 0 ? valid_s : PRESENCE_VALID_S;
	p->bus = bus;
	p->ctx = g_main_context_ref_thread_default();
	p->providers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	return p;
}

void presence_unsubscribe(struct presence *p)
{
	if (!p || !p->sub)
		return;
	natsSubscription_Unsubscribe(p->sub);
	natsSubscription_Destroy(p->sub);
	p->sub = NULL;
}

void presence_free(struct presence *p)
{
	if (!p)
		return;
	presence_unsubscribe(p);
	if (p->stale_source)
		g_source_remove(p->stale_source);
	g_hash_table_unref(p->providers);
	p->providers = NULL;
	p->dead = true;
	presence_unref(p);
}

int presence_subscribe(struct presence *p, natsConnection *nc)
{
	natsStatus st;

	if (p->sub)
		return 0;
	st = natsConnection_Subscribe(&p->sub, nc, PRESENCE_SUBJECT, presence_on_msg, p);
	if (st != NATS_OK) {
		g_warning("presence: cannot subscribe %s: %s", PRESENCE_SUBJECT,
			  natsStatus_GetText(st));
		p->sub = NULL;
		return -EIO;
	}
	return 0;
}

/* The figures of @obj's member @name, 0 when absent or not a count. */
static int presence_count(JsonObject *obj, const char *name)
{
	JsonNode *n = json_object_get_member(obj, name);

	if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
		return 0;
	return (int)CLAMP(json_node_get_int(n), 0, G_MAXINT);
}

int presence_take(struct presence *p, const char *text)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GHashTable) now = NULL;
	JsonObject *root, *providers;
	JsonObjectIter it;
	const char *code;
	JsonNode *node;
	bool was_valid = presence_valid(p), same;

	if (!json_parser_load_from_data(parser, text, -1, NULL) ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
		goto bad;
	root = json_node_get_object(json_parser_get_root(parser));
	if (json_object_get_int_member_with_default(root, "v", 0) != 1 ||
	    !json_object_has_member(root, "providers") ||
	    !JSON_NODE_HOLDS_OBJECT(json_object_get_member(root, "providers")))
		goto bad;
	providers = json_object_get_object_member(root, "providers");
	now = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	json_object_iter_init(&it, providers);
	while (json_object_iter_next(&it, &code, &node)) {
		struct presence_fig fig = {0};

		if (!JSON_NODE_HOLDS_OBJECT(node))
			continue;
		fig.online = presence_count(json_node_get_object(node), "online");
		fig.free = MIN(presence_count(json_node_get_object(node), "free"), fig.online);
		if (fig.online)
			g_hash_table_insert(now, g_strdup(code), g_memdup2(&fig, sizeof(fig)));
	}
	same = g_hash_table_size(now) == g_hash_table_size(p->providers);
	if (same) {
		GHashTableIter hi;
		gpointer k, v;

		g_hash_table_iter_init(&hi, now);
		while (same && g_hash_table_iter_next(&hi, &k, &v)) {
			const struct presence_fig *old = g_hash_table_lookup(p->providers, k);

			same = old && memcmp(old, v, sizeof(*old)) == 0;
		}
	}
	g_hash_table_unref(p->providers);
	p->providers = g_steal_pointer(&now);
	p->arrived = g_get_monotonic_time();
	if (p->stale_source)
		g_source_remove(p->stale_source);
	/* Not g_timeout_add_seconds: it rounds to whole seconds and may fire
	 * most of a second early. */
	p->stale_source = g_timeout_add((guint)p->valid_s * 1000, presence_stale, p);
	if (!was_valid)
		g_message("presence: the hub says who is online");
	if (!was_valid || !same)
		presence_changed(p);
	return 0;
bad:
	g_warning("presence: a message on %s that is not presence v1: ignored", PRESENCE_SUBJECT);
	return -EINVAL;
}

bool presence_valid(const struct presence *p)
{
	return p && p->arrived &&
	       g_get_monotonic_time() - p->arrived < (int64_t)p->valid_s * G_USEC_PER_SEC;
}

bool presence_of(const struct presence *p, const char *provider, int *online, int *free)
{
	const struct presence_fig *fig;

	*online = *free = 0;
	if (!presence_valid(p))
		return false;
	fig = provider ? g_hash_table_lookup(p->providers, provider) : NULL;
	if (fig) {
		*online = fig->online;
		*free = fig->free;
	}
	return true;
}

void presence_build(const struct presence *p, JsonBuilder *b)
{
	GHashTableIter it;
	gpointer k, v;

	if (!presence_valid(p)) {
		json_builder_add_null_value(b);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "age_s");
	json_builder_add_int_value(b, (g_get_monotonic_time() - p->arrived) / G_USEC_PER_SEC);
	json_builder_set_member_name(b, "valid_s");
	json_builder_add_int_value(b, p->valid_s);
	json_builder_set_member_name(b, "providers");
	json_builder_begin_object(b);
	g_hash_table_iter_init(&it, p->providers);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		const struct presence_fig *fig = v;

		json_builder_set_member_name(b, k);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "online");
		json_builder_add_int_value(b, fig->online);
		json_builder_set_member_name(b, "free");
		json_builder_add_int_value(b, fig->free);
		json_builder_end_object(b);
	}
	json_builder_end_object(b);
	json_builder_end_object(b);
}
